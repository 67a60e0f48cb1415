"""Canonical form of a time-local generator: Kossakowski matrix, canonical rates and channels.

Any Hermiticity- and trace-preserving generator can be written (Gorini–Kossakowski–Sudarshan,
Hall–Cresser–Li–Andersson canonical form; seed 000 eq 14) as

    L(rho) = -i[H, rho] + sum_ij c_ij (F_i rho F_j^dag - {F_j^dag F_i, rho}/2),

with {F_0 = 1/sqrt(d), F_1, ..., F_{d^2-1}} an orthonormal operator basis, F_i traceless for
i >= 1, and c a Hermitian (d^2-1) x (d^2-1) matrix: the Kossakowski (decoherence) matrix.
Its eigenvalues are the canonical rates gamma_k(t) and its eigenvectors u_k the canonical
channels L_k = sum_i (u_k)_i F_i. L generates a completely positive semigroup (is of Lindblad
form) iff c >= 0.

How c is read off: writing L(rho) = sum_ab chi_ab F_a rho F_b^dag over the whole basis, the
reshuffled superoperator R[(k,i),(l,j)] = L(|i><j|)_kl equals sum_ab chi_ab vec(F_a) vec(F_b)^dag,
so chi = V^dag R V with V the basis as columns; c is chi without the F_0 row and column.
"""

import functools

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from .._generator import Generator


@functools.lru_cache(maxsize=32)
def _traceless_basis(d: int) -> np.ndarray:
    """Columns vec(F_a) of an orthonormal basis with F_0 = 1/sqrt(d), the rest traceless."""
    columns = []
    for i in range(d):
        for j in range(d):
            if i != j:
                m = np.zeros((d, d), dtype=complex)
                m[i, j] = 1.0
                columns.append(m.reshape(-1))
    for k in range(1, d):  # generalised Gell-Mann diagonal matrices
        m = np.zeros((d, d), dtype=complex)
        m[:k, :k] = np.eye(k)
        m[k, k] = -k
        columns.append(m.reshape(-1) / np.sqrt(k * (k + 1)))
    identity = np.eye(d, dtype=complex).reshape(-1) / np.sqrt(d)
    return np.stack([identity, *columns], axis=1)


def kossakowski_matrix(generator: Generator, t=0.0) -> Complex[Array, "k k"]:
    """The Hermitian Kossakowski matrix c(t) in the basis of `_traceless_basis` (see module)."""
    d = generator.dimension
    superop = generator.superoperator(t)
    # superop[(k, l), (i, j)] -> reshuffled[(k, i), (l, j)]
    reshuffled = superop.reshape(d, d, d, d).transpose(0, 2, 1, 3).reshape(d * d, d * d)
    basis = jnp.asarray(_traceless_basis(d), dtype=superop.dtype)
    chi = basis.conj().T @ reshuffled @ basis
    c = chi[1:, 1:]
    return 0.5 * (c + c.conj().T)


def canonical_rates(
    generator: Generator, t=0.0
) -> tuple[Float[Array, " k"], Complex[Array, "k n n"]]:
    """Canonical decay rates gamma_k(t) (ascending) and channels L_k(t) (seed 000 eq 14).

    Negative rates signal a generator that is not of Lindblad form at time t (the
    Rivas–Huelga–Plenio witness of non-Markovianity).
    """
    d = generator.dimension
    rates, vectors = jnp.linalg.eigh(kossakowski_matrix(generator, t))
    basis = jnp.asarray(_traceless_basis(d)[:, 1:], dtype=vectors.dtype)
    channels = (basis @ vectors).T.reshape(-1, d, d)
    return rates, channels


def is_lindblad(generator: Generator, t=0.0, *, tolerance: float = 1e-10) -> Array:
    """Whether the Kossakowski matrix is positive semidefinite (relative `tolerance`)."""
    rates, _ = canonical_rates(generator, t)
    scale = jnp.maximum(jnp.max(jnp.abs(rates)), jnp.finfo(rates.dtype).tiny)
    return rates[0] >= -tolerance * scale
