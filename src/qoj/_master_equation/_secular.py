"""Global (full secular), local and partial-secular master equations.

All three are the Kossakowski form of seed 004 eq 44 restricted by a frequency mask,

    D(rho) = sum_pq Gamma_pq [A_p rho A_q^dag - {A_q^dag A_p, rho}/2],
    Gamma_pq = M_pq gamma((w_p + w_q)/2),

over the transition operators A_p of `_bohr.py`, with M_pq = 1 when transitions p and q belong
to the same cluster of Bohr frequencies:

* global (Davies, full secular; seed 004 eqs 50–53, Fogedby's kernels seed 002 eqs 3.42–3.43):
  clusters of equal frequencies (within `tolerance`), so D = sum_w gamma(w) D[X(w)];
* local (seed 002 eqs 4.34–4.35, seed 004 eq 116): the same, but transitions of each coupling's
  `local_hamiltonian` instead of H_S;
* partial secular (seed 004 eqs 55–56): clusters of frequencies closer than `resolution`, rates
  at the mean frequency. Because the clusters are equivalence classes of same-sign
  frequencies and n is evaluated at the mean, Gamma is positive semidefinite for a flat
  spectral density (seed 004 eqs 57–61, which set gamma(w) = gamma): the generator is of
  Lindblad form. For a structured J(w) the mean-frequency rule is positive only where
  w -> J(w)(1 + n(w)) is log-convex across a cluster; an Ohmic J = kappa w (log-concave
  factor w) leaves negative canonical rates of relative size ~ (spread / w)^2
  (measured: -4e-7 against rates ~0.04 for a 0.2 spread at w ~ 0.9, T = 0.4–1.5).

Lamb shift (`lamb_shift=True`): the same restriction applied to the imaginary part of the
one-sided transform, Gamma(w) = gamma(w)/2 + i S(w) (S = `Bath.lamb_shift`), gives the
coherent correction

    H_LS = sum_pq M_pq S((w_p + w_q)/2) A_q^dag A_p,

Hermitian because M and the mean frequency are symmetric in p, q and S is real. For the global
approach M_pq = 1 only for w_p = w_q, so A_q^dag A_p maps an eigenspace of H_S into itself and
[H_LS, H_S] = 0: the Lamb shift renormalises the levels without changing the eigenbasis, the
steady state at equal temperatures (Gibbs) or any energy current Tr[H_S D(rho)]. It is added to
each coupling's dissipator as a `HamiltonianTerm`.
"""

import jax
import jax.numpy as jnp

from .._checks import ensure
from .._system import Coupling, OpenSystem
from .._terms import HamiltonianTerm, KossakowskiTerm
from ._base import AbstractMasterEquation
from ._bohr import bohr_decomposition, frequency_clusters


def clustered_dissipator(
    hamiltonian, coupling: Coupling, resolution, lamb_shift: bool = False, *, mean_frequency=True
) -> tuple:
    """Kossakowski term with rates gamma at the mean frequency of each pair of clustered
    transitions; with `lamb_shift` also H_LS = sum_pq M_pq S(mean_pq) A_q^dag A_p.

    With `mean_frequency=False` (full secular: paired frequencies coincide within the
    tolerance) gamma and S are evaluated once per transition, (f(w_p) + f(w_q))/2, which is the
    same to the tolerance and costs d^2 instead of d^4 evaluations of the bath functions.
    """
    decomposition = bohr_decomposition(hamiltonian, coupling.operator)
    w = decomposition.frequencies
    ops = decomposition.operators
    mask = frequency_clusters(jax.lax.stop_gradient(w), resolution)

    def paired(function):
        if mean_frequency:
            values = function(jnp.where(mask, 0.5 * (w[:, None] + w[None, :]), 0.0))
        else:
            single = function(w)
            values = 0.5 * (single[:, None] + single[None, :])
        return jnp.where(mask, values, 0.0)

    terms = (KossakowskiTerm(ops, paired(coupling.bath.emission_rate)),)
    if lamb_shift:
        shifts = paired(coupling.bath.lamb_shift)
        h_ls = jnp.einsum("pq,qji,pjk->ik", shifts, ops.conj(), ops)
        terms += (HamiltonianTerm(0.5 * (h_ls + h_ls.conj().T)),)
    return terms


def _default_tolerance(hamiltonian):
    scale = jnp.maximum(jnp.max(jnp.abs(hamiltonian)), 1.0)
    return 1e3 * jnp.finfo(jnp.real(hamiltonian).dtype).eps * scale


class GlobalMasterEquation(AbstractMasterEquation):
    """Davies' full-secular master equation in the eigenbasis of the whole H_S.

    `tolerance` (default 1e3 eps max|H_S|) decides when two Bohr frequencies are equal.
    """

    tolerance: float | None = None

    def dissipator(self, system: OpenSystem, coupling: Coupling):
        h = system.hamiltonian
        tol = _default_tolerance(h) if self.tolerance is None else self.tolerance
        return clustered_dissipator(h, coupling, tol, self.lamb_shift, mean_frequency=False)


class LocalMasterEquation(AbstractMasterEquation):
    """Each bath sees only its coupling's `local_hamiltonian` (H_S when none is given).

    For interacting subsystems this generator can carry heat from cold to hot (seed 002
    section IV C 2): it is not thermodynamically consistent.
    """

    tolerance: float | None = None

    def dissipator(self, system: OpenSystem, coupling: Coupling):
        h = system.hamiltonian if coupling.local_hamiltonian is None else coupling.local_hamiltonian
        tol = _default_tolerance(h) if self.tolerance is None else self.tolerance
        return clustered_dissipator(h, coupling, tol, self.lamb_shift, mean_frequency=False)


class PartialSecularMasterEquation(AbstractMasterEquation):
    """Partial secular approximation: Bohr frequencies closer than `resolution` stay coupled."""

    resolution: float

    def __check_init__(self):
        ensure(
            jnp.asarray(self.resolution),
            ~(jnp.asarray(self.resolution) > 0),
            "resolution must be positive",
        )

    def dissipator(self, system: OpenSystem, coupling: Coupling):
        return clustered_dissipator(system.hamiltonian, coupling, self.resolution, self.lamb_shift)
