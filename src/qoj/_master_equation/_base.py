"""The family of master-equation approaches for a system weakly coupled to baths."""

import abc

import equinox as eqx

from .._generator import Generator, GeneratorPart
from .._system import Coupling, OpenSystem
from .._terms import AbstractTerm


class AbstractMasterEquation(eqx.Module):
    """A way of turning an `OpenSystem` into a time-local generator (Born–Markov family).

    Each subclass builds the dissipator of one coupling X (x) B from the bath's rates
    gamma(w) = `bath.emission_rate(w)` (the Fourier transform of its correlation function,
    defined for all real w: w < 0 are absorption rates). The coherent part is the bare
    system Hamiltonian H_S. Parts are named after the couplings; couplings whose bath is None
    are skipped.

    Lamb shifts (`lamb_shift=True`, static, off by default): the one-sided transform of the
    bath correlation function is int_0^inf G(tau) e^{i w tau} dtau = gamma(w)/2 + i S(w),
    S = `bath.lamb_shift` (a principal-value integral over gamma); its imaginary part, dropped
    by default, adds to each coupling's dissipator a `HamiltonianTerm(H_LS)` (and, for
    Redfield, Kossakowski terms between transitions of different frequencies), so that heat
    currents Tr[H_S D_b(rho)] see it as a term of the part. The coarse-grained approach
    takes its Lamb shift from the same time average as its rates. Needs a finite-bandwidth
    spectrum (`Bath.lamb_shift`).
    """

    lamb_shift: bool = eqx.field(static=True, default=False, kw_only=True)

    @abc.abstractmethod
    def dissipator(self, system: OpenSystem, coupling: Coupling) -> tuple[AbstractTerm, ...]:
        """The terms of one coupling's dissipator."""

    def generator(self, system: OpenSystem) -> Generator:
        """The generator with one part per coupling (the coherent part is H_S)."""
        parts = {
            c.name: GeneratorPart(self.dissipator(system, c))
            for c in system.couplings
            if c.bath is not None
        }
        return Generator(system.hamiltonian, parts)
