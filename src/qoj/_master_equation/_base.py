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
    system Hamiltonian (Lamb shifts are neglected). Parts are named after the couplings;
    couplings whose bath is None are skipped.
    """

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
