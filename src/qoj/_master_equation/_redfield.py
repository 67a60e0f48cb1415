"""Bloch–Redfield master equation (no secular approximation)."""

import jax.numpy as jnp

from .._system import Coupling, OpenSystem
from .._terms import HamiltonianTerm, KossakowskiTerm
from ._base import AbstractMasterEquation
from ._bohr import bohr_decomposition


class RedfieldMasterEquation(AbstractMasterEquation):
    """Bloch–Redfield: D(rho) = sum_pq Gamma(w_p) [A_p rho A_q^dag - A_q^dag A_p rho] + h.c.

    over all pairs of transitions (Breuer–Petruccione eq 3.128 before the secular
    approximation), with Gamma(w) = int_0^inf G(tau) e^{i w tau} dtau = gamma(w)/2 + i S(w)
    (S = `Bath.lamb_shift`). By default (`lamb_shift=False`) Gamma = gamma/2. Writing it as a
    Kossakowski term with the arithmetic-mean rate matrix (gamma_p + gamma_q)/2 plus a
    commutator,

        D = K[(gamma_p + gamma_q)/2] - i[H_R, .],
        H_R = (i/4) sum_pq (gamma_p - gamma_q) A_p^dag A_q,

    shows why it is not of Lindblad form in general: the mean-rate matrix need not be
    positive semidefinite, so positivity of rho(t) is not guaranteed.

    Lamb shift (`lamb_shift=True`): the part Gamma = i S(w) gives

        D_S(rho) = i sum_pq S_p [A_p rho A_q^dag - A_q^dag A_p rho]
                   - i sum_pq S_p [A_q rho A_p^dag - rho A_p^dag A_q]        (the h.c.)
                 = sum_pq i (S_p - S_q) A_p rho A_q^dag
                   - i sum_pq [S_p A_q^dag A_p rho - S_q rho A_q^dag A_p]   (relabelled).

    With S_p = Sbar_pq + Delta_pq/2, S_q = Sbar_pq - Delta_pq/2 (Sbar_pq = (S_p + S_q)/2,
    Delta_pq = S_p - S_q) the last sum is [H_LS, rho] + {sum Delta_pq A_q^dag A_p, rho}/2, so

        D_S = -i[H_LS, .] + K[i (S_p - S_q)],   H_LS = sum_pq (S_p + S_q)/2 A_q^dag A_p,

    where K[Gamma](rho) = sum_pq Gamma_pq [A_p rho A_q^dag - {A_q^dag A_p, rho}/2]. H_LS is
    Hermitian (the weight is symmetric, S real) and for the secular pairs w_p = w_q it is the
    global approach's Lamb shift; the extra Kossakowski matrix i (S_p - S_q) is Hermitian,
    traceless and vanishes on secular pairs: it couples only transitions of different
    frequencies. In the generator it is added to the rate matrix of the Kossakowski term, and
    H_LS is a separate `HamiltonianTerm`.
    """

    def dissipator(self, system: OpenSystem, coupling: Coupling):
        decomposition = bohr_decomposition(system.hamiltonian, coupling.operator)
        w = decomposition.frequencies
        gamma = coupling.bath.emission_rate(w)
        mean = 0.5 * (gamma[:, None] + gamma[None, :])
        ops = decomposition.operators
        difference = gamma[None, :] - gamma[:, None]  # [p, q] = gamma_q - gamma_p
        # sum_pq (gamma_q - gamma_p) A_q^dag A_p, the same sum as in the docstring relabelled
        h_r = 0.25j * jnp.einsum("pq,qji,pjk->ik", difference, ops.conj(), ops)
        h_r = 0.5 * (h_r + h_r.conj().T)
        if not self.lamb_shift:
            return (KossakowskiTerm(ops, mean), HamiltonianTerm(h_r))
        shift = coupling.bath.lamb_shift(w)
        rates = mean + 1j * (shift[:, None] - shift[None, :])
        average = 0.5 * (shift[:, None] + shift[None, :])
        h_ls = jnp.einsum("pq,qji,pjk->ik", average, ops.conj(), ops)
        h_ls = 0.5 * (h_ls + h_ls.conj().T)
        return (KossakowskiTerm(ops, rates), HamiltonianTerm(h_r), HamiltonianTerm(h_ls))
