"""Superoperator algebra: row-major vectorisation and a real Hermitian operator basis.

Conventions. `vec(rho)` is the row-major flattening `rho.reshape(-1)`, so that
`vec(A rho B) = (A kron B^T) vec(rho)`.

The Hermitian basis {B_a} (a = 0 .. d^2-1) is orthonormal in the Hilbert–Schmidt product:
first the d diagonal projectors |i><i|, then for each pair i < j the symmetric
(|i><j| + |j><i|)/sqrt(2) and antisymmetric i(|i><j| - |j><i|)/sqrt(2) combinations. A
Hermitian operator rho = sum_a x_a B_a has real coordinates x_a = Tr(B_a rho), and a
Hermiticity-preserving superoperator is a real d^2 x d^2 matrix in this basis. Working with
real coordinates halves memory and quarters the cost of every matrix–vector product compared
with complex vec(rho), and lets the ODE and linear solvers run on real arrays.
"""

import functools

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float


def vec(rho: Complex[Array, "n n"]) -> Complex[Array, " n2"]:
    """Row-major vectorisation vec(rho)."""
    return rho.reshape(rho.shape[:-2] + (-1,))


def unvec(v: Complex[Array, " n2"], dimension: int) -> Complex[Array, "n n"]:
    """Inverse of `vec`."""
    return v.reshape(v.shape[:-1] + (dimension, dimension))


def left(a: Complex[Array, "n n"]) -> Complex[Array, "n2 n2"]:
    """Matrix of rho -> a rho."""
    return jnp.kron(a, jnp.eye(a.shape[0], dtype=a.dtype))


def right(b: Complex[Array, "n n"]) -> Complex[Array, "n2 n2"]:
    """Matrix of rho -> rho b."""
    return jnp.kron(jnp.eye(b.shape[0], dtype=b.dtype), b.T)


def sandwich(a: Complex[Array, "n n"], b: Complex[Array, "n n"]) -> Complex[Array, "n2 n2"]:
    """Matrix of rho -> a rho b."""
    return jnp.kron(a, b.T)


@functools.lru_cache(maxsize=64)
def _hermitian_basis_numpy(dimension: int) -> np.ndarray:
    d = dimension
    columns = np.zeros((d * d, d * d), dtype=np.complex128)
    a = 0
    for i in range(d):
        columns[i * d + i, a] = 1.0
        a += 1
    s = 1.0 / np.sqrt(2.0)
    for i in range(d):
        for j in range(i + 1, d):
            columns[i * d + j, a] = s
            columns[j * d + i, a] = s
            a += 1
            columns[i * d + j, a] = 1j * s
            columns[j * d + i, a] = -1j * s
            a += 1
    return columns


def hermitian_basis(dimension: int, dtype) -> Complex[Array, "n2 n2"]:
    """Unitary U whose column a is vec(B_a) for the orthonormal Hermitian basis above."""
    return jnp.asarray(_hermitian_basis_numpy(dimension), dtype=dtype)


def trace_coordinates(dimension: int, dtype) -> Float[Array, " n2"]:
    """Coefficients t_a = Tr(B_a): Tr(rho) = t . x in the Hermitian basis."""
    t = np.zeros(dimension * dimension)
    t[:dimension] = 1.0
    return jnp.asarray(t, dtype=dtype)


def to_real_superoperator(
    superoperator: Complex[Array, "n2 n2"], basis: Complex[Array, "n2 n2"]
) -> Float[Array, "n2 n2"]:
    """Real matrix of a Hermiticity-preserving superoperator in the Hermitian basis."""
    return jnp.real(basis.conj().T @ superoperator @ basis)


def coordinates(rho: Complex[Array, "n n"], basis: Complex[Array, "n2 n2"]) -> Float[Array, " n2"]:
    """Real coordinates x_a = Tr(B_a rho) of a Hermitian operator."""
    return jnp.real(vec(rho) @ basis.conj())


def from_coordinates(
    x: Float[Array, " n2"], basis: Complex[Array, "n2 n2"]
) -> Complex[Array, "n n"]:
    """Hermitian operator sum_a x_a B_a from its real coordinates."""
    d = int(round(np.sqrt(basis.shape[0])))
    return unvec(x.astype(basis.dtype) @ basis.T, d)


def functional(op: Complex[Array, "n n"], basis: Complex[Array, "n2 n2"]) -> Complex[Array, " n2"]:
    """Row f with Tr(op rho) = f . x for rho = sum_a x_a B_a (f_a = Tr(op B_a))."""
    return vec(op.T) @ basis
