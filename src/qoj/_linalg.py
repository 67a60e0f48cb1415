"""Linear algebra with derivatives that stay finite at degeneracies."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Complex, Float


@jax.custom_jvp
def eigh(matrix: Complex[Array, "n n"]) -> tuple[Float[Array, " n"], Complex[Array, "n n"]]:
    """`jnp.linalg.eigh` whose derivative is finite when eigenvalues coincide.

    The usual eigenvector derivative dV = V (F o V^dag dH V), F_ij = 1/(E_j - E_i), divides by
    zero inside a degenerate eigenspace, where the eigenvectors are not unique. Here F_ij is
    set to zero for |E_j - E_i| <= 1e3 eps max|E|: the derivative then rotates no vector within
    a degenerate eigenspace. Quantities that do not depend on the basis chosen inside such a
    space (projectors onto whole eigenspaces, generators built from whole Bohr-frequency
    groups) get their exact derivative for perturbations that keep the degeneracy — e.g. a
    change of omega_1 in a local Hamiltonian omega_1/2 sigma_1z (x) 1, which is degenerate
    for every omega_1.
    """
    values, vectors = jnp.linalg.eigh(matrix)
    return values, vectors


@eigh.defjvp
def _eigh_jvp(primals, tangents):
    (matrix,), (tangent,) = primals, tangents
    values, vectors = eigh(matrix)
    projected = vectors.conj().T @ tangent @ vectors
    gaps = values[None, :] - values[:, None]
    tolerance = 1e3 * jnp.finfo(values.dtype).eps * jnp.maximum(jnp.max(jnp.abs(values)), 1.0)
    separated = jnp.abs(gaps) > tolerance
    inverse_gaps = jnp.where(separated, 1.0 / jnp.where(separated, gaps, 1.0), 0.0)
    d_values = jnp.real(jnp.diagonal(projected))
    d_vectors = vectors @ (inverse_gaps * projected)
    return (values, vectors), (d_values, d_vectors)
