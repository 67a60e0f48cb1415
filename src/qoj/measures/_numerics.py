"""Shared numerics for the measures: functions whose derivatives stay finite where the
textbook ones blow up (x log x and sqrt at 0, matrix square roots of rank-deficient states).

Convention used throughout: at a boundary point (an eigenvalue exactly 0, a Bloch vector of
length 0) the derivative is that of perturbations which keep the point on the boundary
(rank-preserving perturbations of a pure state, say). The true one-sided derivative in the
other directions is infinite; returning it would only turn gradients into NaN.
"""

import math
import operator

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import _tolerance, concrete_value, density_matrix, ensure, finite
from .._linalg import eigh


@jax.custom_jvp
def xlogx(x):
    """x ln x for x > 0, and 0 for x <= 0 (its limit; round-off can make eigenvalues -1e-17)."""
    positive = x > 0
    return jnp.where(positive, x * jnp.log(jnp.where(positive, x, 1.0)), 0.0)


@xlogx.defjvp
def _xlogx_jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    positive = x > 0
    slope = jnp.where(positive, jnp.log(jnp.where(positive, x, 1.0)) + 1.0, 0.0)
    return xlogx(x), slope * dx


@jax.custom_jvp
def safe_sqrt(x):
    """sqrt(max(x, 0)), with derivative 0 (not infinity) at x <= 0."""
    return jnp.sqrt(jnp.maximum(x, 0.0))


@safe_sqrt.defjvp
def _safe_sqrt_jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    root = safe_sqrt(x)
    positive = root > 0
    return root, jnp.where(positive, 0.5 / jnp.where(positive, root, 1.0), 0.0) * dx


@jax.custom_jvp
def psd_sqrt(matrix):
    """Square root of a Hermitian positive semidefinite matrix (negative round-off clamped).

    Derivative in closed form (Daleckii–Krein): d sqrt(A) = V (G o V^dag dA V) V^dag with
    G_ij = 1/(sqrt(a_i) + sqrt(a_j)), exact for degenerate spectra too (where differentiating
    through eigenvectors is not); G_ij is set to 0 where both a_i and a_j vanish, which is
    exact for rank-preserving perturbations.
    """
    values, vectors = jnp.linalg.eigh(matrix)
    roots = jnp.sqrt(jnp.maximum(values, 0.0))
    return (vectors * roots[None, :].astype(vectors.dtype)) @ vectors.conj().T


@psd_sqrt.defjvp
def _psd_sqrt_jvp(primals, tangents):
    (matrix,), (tangent,) = primals, tangents
    values, vectors = jnp.linalg.eigh(matrix)
    roots = jnp.sqrt(jnp.maximum(values, 0.0))
    sums = roots[:, None] + roots[None, :]
    positive = sums > 0
    weights = jnp.where(positive, 1.0 / jnp.where(positive, sums, 1.0), 0.0)
    vectors_h = vectors.conj().T
    projected = vectors_h @ tangent @ vectors
    primal = (vectors * roots[None, :].astype(vectors.dtype)) @ vectors_h
    return primal, vectors @ (weights.astype(vectors.dtype) * projected) @ vectors_h


def hermitian_eigvals(matrix):
    """Eigenvalues (ascending) with derivatives that stay finite at degeneracies: exact for
    every function symmetric in the eigenvalues, which is all the measures use."""
    return eigh(matrix)[0]


def entropy_nats(values):
    """-sum p ln p of a vector of eigenvalues/probabilities."""
    return -jnp.sum(xlogx(values))


def log_factor(base) -> float:
    """1/ln(base) as a Python float, so that results can be given in any unit (e: nats,
    2: bits). `base` is configuration, not a differentiable input."""
    try:
        value = float(base)
    except (TypeError, jax.errors.ConcretizationTypeError) as e:
        raise TypeError(f"base must be a Python number, got {type(base).__name__}") from e
    if not (math.isfinite(value) and value > 0.0 and value != 1.0):
        raise ValueError(f"base must be a finite number > 0 other than 1, got {base!r}")
    return 1.0 / math.log(value)


def two_part_dims(dims, n: int) -> tuple[int, int]:
    """`dims` as a pair of positive Python ints whose product is n."""
    try:
        dims = tuple(operator.index(d) for d in dims)
    except TypeError as e:
        raise TypeError(f"dims must be a pair of positive integers, got {dims!r}") from e
    if len(dims) != 2 or min(dims) < 1:
        raise ValueError(f"dims must be a pair of positive integers (dA, dB), got {dims!r}")
    if dims[0] * dims[1] != n:
        raise ValueError(f"dims {dims} do not match the state: {dims[0]} * {dims[1]} != {n}")
    return dims


def state(rho, name: str = "rho"):
    """A validated density matrix: finite (NaN would slip through the other checks, whose
    comparisons are all False for NaN), Hermitian, unit trace, positive semidefinite."""
    return density_matrix(finite(rho, name), name)


def two_qubit_state(rho, name: str = "rho"):
    """A validated 4 x 4 density matrix (two qubits, `kron(part1, part2)` order)."""
    rho = state(rho, name)
    if rho.shape != (4, 4):
        raise ValueError(f"{name} must be a two-qubit density matrix (4 x 4), got {rho.shape}")
    return rho


def measured_index(measured) -> int:
    """0 or 1 (a Python int): which part a one-sided measure measures."""
    if isinstance(measured, bool) or measured not in (0, 1):
        raise ValueError(f"measured must be 0 (part 1) or 1 (part 2), got {measured!r}")
    return int(measured)


def swap_parts(rho, dims: tuple[int, int]):
    """The state with its two parts exchanged (kron(A, B) -> kron(B, A))."""
    da, db = dims
    return rho.reshape(da, db, da, db).transpose(1, 0, 3, 2).reshape(da * db, da * db)


# Entries of a 4 x 4 matrix allowed to be nonzero in an X state (seed 001 eq F14).
_X_PATTERN = np.eye(4, dtype=bool) | np.eye(4, dtype=bool)[::-1]


def x_state(rho, name="rho"):
    """A two-qubit density matrix that must have the X form of eq F14."""
    rho = two_qubit_state(rho, name)
    outside = jnp.where(jnp.asarray(~_X_PATTERN), jnp.abs(rho), 0.0)
    tol = 10 * _tolerance(rho.real.dtype)
    value = concrete_value(outside)
    bad = (value > tol).any() if value is not None else jnp.max(outside) > tol
    return ensure(
        rho,
        bad,
        f"{name} must be an X state: only the diagonal and the anti-diagonal (rho_14, rho_23 "
        "and conjugates) may be nonzero; use the general function for other states",
    )


def modulus(z):
    """|z| with a finite derivative at z = 0."""
    return safe_sqrt(z.real**2 + z.imag**2)


_PAULIS = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])
_IDENTITY = np.eye(2)


def bloch_components(rho):
    """Local Bloch vectors and correlation matrix of a two-qubit state,

        rho = (1/4) [1 + x.sigma (x) 1 + 1 (x) y.sigma + sum_ij T_ij sigma_i (x) sigma_j],

    x_i = Tr[rho sigma_i (x) 1], y_j = Tr[rho 1 (x) sigma_j], T_ij = Tr[rho sigma_i (x) sigma_j],
    with sigma_z = diag(1, -1) in qoj's (|e>, |g>) basis.
    """
    tensor = rho.reshape(2, 2, 2, 2)
    paulis = jnp.asarray(_PAULIS, dtype=rho.dtype)
    identity = jnp.asarray(_IDENTITY, dtype=rho.dtype)
    # Tr[rho (A (x) B)] = sum rho[a b, a' b'] A[a', a] B[b', b]
    x = jnp.einsum("abcd,ica,db->i", tensor, paulis, identity).real
    y = jnp.einsum("abcd,ca,idb->i", tensor, identity, paulis).real
    t = jnp.einsum("abcd,ica,jdb->ij", tensor, paulis, paulis).real
    return x, y, t
