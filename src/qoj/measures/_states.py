"""Distances between states and entropies: trace distance, Uhlmann fidelity, von Neumann
entropy, quantum mutual information."""

import math
from collections.abc import Sequence

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float, Inexact

from .._states import partial_trace
from ._numerics import entropy_nats, hermitian_eigvals, log_factor, psd_sqrt, state, two_part_dims


def _same_shape(rho, sigma):
    if rho.shape != sigma.shape:
        raise ValueError(
            f"rho and sigma must have the same shape, got {rho.shape} and {sigma.shape}"
        )


def trace_distance(
    rho: Inexact[ArrayLike, "n n"], sigma: Inexact[ArrayLike, "n n"]
) -> Float[Array, ""]:
    """Trace distance T(rho, sigma) = (1/2) ||rho - sigma||_1 = (1/2) sum_k |lambda_k|,

    lambda_k the eigenvalues of rho - sigma; 0 <= T <= 1, and T = sqrt(1 - |<psi|phi>|^2)
    for pure states. (The normalisation of seed 001 eq 44, used by `trace_distance_discord`.)

    **Arguments:** `rho`, `sigma`: density matrices of the same shape (n, n).

    **Returns:** a real scalar. Differentiable; at rho = sigma (and wherever rho - sigma has a
    zero eigenvalue) the derivative of |lambda| is taken as 0.
    """
    rho = state(rho, "rho")
    sigma = state(sigma, "sigma")
    _same_shape(rho, sigma)
    return 0.5 * jnp.sum(jnp.abs(hermitian_eigvals(rho - sigma)))


def fidelity(rho: Inexact[ArrayLike, "n n"], sigma: Inexact[ArrayLike, "n n"]) -> Float[Array, ""]:
    """Uhlmann fidelity, *squared* convention: F = (Tr sqrt(sqrt(rho) sigma sqrt(rho)))^2.

    0 <= F <= 1, F = |<psi|phi>|^2 for pure states, F = 1 iff rho = sigma; it obeys the
    Fuchs–van de Graaf inequalities 1 - sqrt(F) <= T <= sqrt(1 - F) with `trace_distance` T.
    (Some texts, e.g. Nielsen & Chuang, call the square root of this the fidelity.)

    Computed as ||sqrt(rho) sqrt(sigma)||_1^2 (sum of singular values), which avoids a square
    root of a matrix whose eigenvalues vanish to first order.

    **Arguments:** `rho`, `sigma`: density matrices of the same shape (n, n).

    **Returns:** a real scalar. Differentiable: the matrix square roots use closed-form
    (Daleckii–Krein) derivatives, finite for degenerate and rank-deficient states (exact for
    rank-preserving perturbations of rank-deficient ones, e.g. pure states staying pure).
    """
    rho = state(rho, "rho")
    sigma = state(sigma, "sigma")
    _same_shape(rho, sigma)
    singular = jnp.linalg.svd(psd_sqrt(rho) @ psd_sqrt(sigma), compute_uv=False)
    return jnp.minimum(jnp.sum(singular) ** 2, 1.0)


def entropy(rho: Inexact[ArrayLike, "n n"], *, base: float = math.e) -> Float[Array, ""]:
    """Von Neumann entropy S(rho) = -Tr[rho log rho] = -sum_k p_k log p_k.

    **Units:** natural logarithm (nats) by default, as every entropic measure in
    `qoj.measures`; `base=2` gives bits (seed 001 uses bits for its discords, eq F7).

    **Arguments:**

    - `rho`: a density matrix (n, n).
    - `base`: the base of the logarithm, a Python number > 0 other than 1.

    **Returns:** a real scalar in [0, log n]. Differentiable; the derivative -log p - 1 of
    a zero eigenvalue (infinite) is replaced by 0, exact for rank-preserving perturbations.
    """
    factor = log_factor(base)
    rho = state(rho, "rho")
    return factor * entropy_nats(hermitian_eigvals(rho))


def mutual_information(
    rho: Inexact[ArrayLike, "n n"], dims: Sequence[int], *, base: float = math.e
) -> Float[Array, ""]:
    """Quantum mutual information I(A:B) = S(rho_A) + S(rho_B) - S(rho_AB) (seed 001 eq F2).

    **Arguments:**

    - `rho`: a density matrix of the two parts A (part 1) and B (part 2), `kron(A, B)` order.
    - `dims`: `(dA, dB)`, Python ints with dA * dB = n.
    - `base`: logarithm base; natural log (nats) by default, `base=2` for bits.

    **Returns:** a real scalar, 0 for product states, 2 log d for maximally entangled states
    of two d-level systems (2 ln 2 for a Bell state).
    """
    factor = log_factor(base)
    rho = state(rho, "rho")
    dims = two_part_dims(dims, rho.shape[0])
    s_a = entropy_nats(hermitian_eigvals(partial_trace(rho, 0, dims)))
    s_b = entropy_nats(hermitian_eigvals(partial_trace(rho, 1, dims)))
    s_ab = entropy_nats(hermitian_eigvals(rho))
    return factor * (s_a + s_b - s_ab)
