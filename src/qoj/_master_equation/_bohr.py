"""Bohr-frequency decomposition of a coupling operator.

In the eigenbasis H |a> = E_a |a>, a system operator splits into transition operators

    X = sum_ab A_ab,   A_ab = <a|X|b> |a><b|,   released energy w_ab = E_b - E_a,

so that e^{iHt} A_ab e^{-iHt} = e^{-i w_ab t} A_ab. The usual eigenoperators are sums over
transitions of equal frequency, X(w) = sum_{w_ab = w} A_ab (Breuer–Petruccione; seed 004 eq 43,
where X_m carries w_m = -w). qoj keeps the d^2 transitions separate and lets each master
equation decide which pairs (ab, cd) interact through a d^2 x d^2 rate matrix. Shapes stay
static whatever the degeneracies, so one compiled program serves every parameter value, and
the generators built from whole frequency groups are differentiable also where H is
degenerate (local Hamiltonians always are): `_linalg.eigh` has a derivative that does not
rotate vectors inside degenerate eigenspaces.
"""

import math

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Complex, Float

from .._linalg import eigh


class BohrDecomposition(eqx.Module):
    """Transition operators A_p = <a|X|b> |a><b| (p = (a, b)) and their released energies."""

    operators: Complex[Array, "p n n"]
    frequencies: Float[Array, " p"]


def bohr_decomposition(hamiltonian, operator) -> BohrDecomposition:
    """Split `operator` into transition operators between eigenstates of `hamiltonian`.

    Matrix elements below 1e3 eps ||X|| are set to exactly zero, so that a transition absent by
    symmetry contributes nothing even where its rate is very large (a flat bosonic spectrum at
    w = 0).
    """
    energies, vectors = eigh(hamiltonian)
    elements = vectors.conj().T @ operator @ vectors
    scale = jnp.max(jnp.abs(elements))
    eps = jnp.finfo(energies.dtype).eps
    elements = jnp.where(jnp.abs(elements) > 1e3 * eps * scale, elements, 0.0)
    d = energies.shape[0]
    # A_ab = X'_ab |a><b| in the original basis: v_a X'_ab v_b^dag
    ops = jnp.einsum("ia,ab,jb->abij", vectors, elements, vectors.conj()).reshape(d * d, d, d)
    released = (energies[None, :] - energies[:, None]).reshape(d * d)
    return BohrDecomposition(operators=ops, frequencies=released)


def frequency_clusters(frequencies: Float[Array, " p"], resolution) -> Array:
    """Boolean matrix M_pq: transitions p and q lie in the same cluster of frequencies.

    Clusters are the connected components of the relation |w_p - w_q| <= resolution
    restricted to frequencies of the same sign (zero frequencies form their own group),
    so that M is an equivalence relation (block structure), which the positivity argument of
    seed 004 eq 61 needs. The transitive closure is built by repeated boolean squaring.
    """
    w = frequencies
    sign = jnp.sign(jnp.where(jnp.abs(w) <= resolution / 2, 0.0, w))
    close = (jnp.abs(w[:, None] - w[None, :]) <= resolution) & (sign[:, None] == sign[None, :])
    reach = close.astype(jnp.float32)
    for _ in range(max(1, math.ceil(math.log2(w.shape[0] + 1)))):
        reach = jnp.minimum(reach @ reach, 1.0)
    return reach > 0.5
