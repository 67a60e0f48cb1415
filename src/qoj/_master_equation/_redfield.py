"""Bloch–Redfield master equation (no secular approximation)."""

import jax.numpy as jnp

from .._system import Coupling, OpenSystem
from .._terms import HamiltonianTerm, KossakowskiTerm
from ._base import AbstractMasterEquation
from ._bohr import bohr_decomposition


class RedfieldMasterEquation(AbstractMasterEquation):
    """Bloch–Redfield: D(rho) = sum_pq Gamma(w_p) [A_p rho A_q^dag - A_q^dag A_p rho] + h.c.

    with Gamma(w) = gamma(w)/2 (the principal-value part, a Lamb-shift-like correction, is
    neglected) over all pairs of transitions (Breuer–Petruccione eq 3.128 before the
    secular approximation). Writing it as a Kossakowski term with the arithmetic-mean rate
    matrix (gamma_p + gamma_q)/2 plus a commutator,

        D = K[(gamma_p + gamma_q)/2] - i[H_R, .],
        H_R = (i/4) sum_pq (gamma_p - gamma_q) A_p^dag A_q,

    shows why it is not of Lindblad form in general: the mean-rate matrix need not be
    positive semidefinite, so positivity of rho(t) is not guaranteed.
    """

    def dissipator(self, system: OpenSystem, coupling: Coupling):
        decomposition = bohr_decomposition(system.hamiltonian, coupling.operator)
        gamma = coupling.bath.emission_rate(decomposition.frequencies)
        mean = 0.5 * (gamma[:, None] + gamma[None, :])
        ops = decomposition.operators
        difference = gamma[None, :] - gamma[:, None]  # [p, q] = gamma_q - gamma_p
        # sum_pq (gamma_q - gamma_p) A_q^dag A_p, the same sum as in the docstring relabelled
        h_r = 0.25j * jnp.einsum("pq,qji,pjk->ik", difference, ops.conj(), ops)
        h_r = 0.5 * (h_r + h_r.conj().T)
        return (KossakowskiTerm(ops, mean), HamiltonianTerm(h_r))
