"""Entanglement of density matrices: Wootters concurrence (seed 001 eqs F13-F15),
negativity and logarithmic negativity (partial transposition)."""

import math
from collections.abc import Sequence

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float, Inexact

from ._numerics import (
    hermitian_eigvals,
    log_factor,
    modulus,
    psd_sqrt,
    safe_sqrt,
    state,
    two_part_dims,
    two_qubit_state,
    x_state,
)

# sigma_y (x) sigma_y, real: the spin flip rho~ = (sy (x) sy) rho* (sy (x) sy).
_SPIN_FLIP = np.kron(np.array([[0, -1j], [1j, 0]]), np.array([[0, -1j], [1j, 0]])).real


def concurrence(rho: Inexact[ArrayLike, "4 4"]) -> Float[Array, ""]:
    """Wootters concurrence of a two-qubit state (seed 001 eq F13),

        C(rho) = max(0, l1 - l2 - l3 - l4),

    l1 >= ... >= l4 the square roots of the eigenvalues of rho (sy (x) sy) rho* (sy (x) sy).
    C = 1 for Bell states, 0 exactly for separable states. The l_k are computed as the
    singular values of sqrt(rho)^T (sy (x) sy) sqrt(rho), which are the same numbers (with
    rho = sqrt(rho) sqrt(rho)^dag) but need no square root of a non-Hermitian matrix.

    Basis-independent, so the qubit labelling (|e>, |g>) does not matter. For X states the
    closed form `concurrence_x_state` (eq F15) gives the same value.

    **Arguments:** `rho`: a two-qubit density matrix (4 x 4), `kron(part1, part2)` order.

    **Returns:** a real scalar in [0, 1]. Differentiable (where C > 0; 0 in the separable
    region): the square root of rho has closed-form derivatives, finite for degenerate and
    rank-deficient states (exact for rank-preserving perturbations such as pure -> pure).
    """
    rho = two_qubit_state(rho)
    root = psd_sqrt(rho)
    tau = root.T @ jnp.asarray(_SPIN_FLIP, dtype=rho.dtype) @ root
    lambdas = jnp.linalg.svd(tau, compute_uv=False)
    return jnp.maximum(lambdas[0] - lambdas[1] - lambdas[2] - lambdas[3], 0.0)


def concurrence_x_state(rho: Inexact[ArrayLike, "4 4"]) -> Float[Array, ""]:
    """Concurrence of a two-qubit X state in closed form (seed 001 eqs F14-F15):

        rho = [[a, 0, 0, w*], [0, b, z*, 0], [0, z, c, 0], [w, 0, 0, d]],
        C = max(0, 2(|w| - sqrt(b c)), 2(|z| - sqrt(a d))).

    Equal to `concurrence` (eq F13) for these states, and cheaper and smoother (no
    eigen/singular-value decomposition). For the seed's family eq 41 (w = 0, a d = b c =
    ((1 - xi_S^2)/4)^2, |z| = |rho_23(0)|/4 <= (1 - xi_S^2)/4) it gives 0: eq F16.

    **Arguments:** `rho`: a two-qubit X-state density matrix (4 x 4). Entries outside the X
    pattern larger than round-off raise a ValueError.

    **Returns:** a real scalar in [0, 1]. Differentiable, including at w = 0 or z = 0.
    """
    rho = x_state(rho)
    a, b, c, d = (rho[k, k].real for k in range(4))
    w, z = rho[3, 0], rho[2, 1]
    first = 2.0 * (modulus(w) - safe_sqrt(b * c))
    second = 2.0 * (modulus(z) - safe_sqrt(a * d))
    return jnp.maximum(jnp.maximum(first, second), 0.0)


def _partial_transpose(rho, dims, subsystem):
    da, db = dims
    tensor = rho.reshape(da, db, da, db)
    axes = (2, 1, 0, 3) if subsystem == 0 else (0, 3, 2, 1)
    return tensor.transpose(axes).reshape(da * db, da * db)


def _trace_norm_of_partial_transpose(rho, dims, subsystem):
    if isinstance(subsystem, bool) or subsystem not in (0, 1):
        raise ValueError(f"subsystem must be 0 (part 1) or 1 (part 2), got {subsystem!r}")
    rho = state(rho, "rho")
    dims = two_part_dims(dims, rho.shape[0])
    return jnp.sum(jnp.abs(hermitian_eigvals(_partial_transpose(rho, dims, subsystem))))


def negativity(
    rho: Inexact[ArrayLike, "n n"], dims: Sequence[int], *, subsystem: int = 0
) -> Float[Array, ""]:
    """Negativity N(rho) = (||rho^{T_A}||_1 - 1)/2 = sum of |negative eigenvalues of rho^{T_A}|.

    Normalisation: N = 1/2 for a Bell state, (d - 1)/2 for a maximally entangled state of two
    d-level systems (QuTiP's `negativity`; some authors use 2N, which is 1 for a Bell state).
    N > 0 implies entanglement (PPT criterion); for two qubits and qubit-qutrit pairs
    N = 0 iff the state is separable. Werner states p|Bell><Bell| + (1-p) 1/4:
    N = max(0, (3p - 1)/4).

    **Arguments:**

    - `rho`: a density matrix of parts A, B in `kron(A, B)` order.
    - `dims`: `(dA, dB)`, Python ints.
    - `subsystem`: which part is transposed, 0 (A) or 1 (B). The spectrum of rho^{T_B} is that
      of rho^{T_A} (they are transposes of each other), so the value does not depend on it.

    **Returns:** a real scalar >= 0. Differentiable (derivative of |lambda| taken as 0 at
    lambda = 0).
    """
    return 0.5 * (_trace_norm_of_partial_transpose(rho, dims, subsystem) - 1.0)


def log_negativity(
    rho: Inexact[ArrayLike, "n n"], dims: Sequence[int], *, base: float = math.e
) -> Float[Array, ""]:
    """Logarithmic negativity E_N(rho) = log ||rho^{T_A}||_1 = log(2 N + 1).

    **Units:** natural log by default (E_N = ln 2 for a Bell state); `base=2` gives the
    ebit normalisation (E_N = 1 for a Bell state). The Gaussian counterpart,
    `gaussian_log_negativity`, uses the same default, so a two-mode squeezed vacuum of
    squeezing r has E_N = 2r.

    **Arguments:**

    - `rho`: a density matrix of parts A, B in `kron(A, B)` order.
    - `dims`: `(dA, dB)`, Python ints.
    - `base`: logarithm base, a Python number.

    **Returns:** a real scalar >= 0 (up to round-off; exactly log of a trace norm >= 1).
    """
    factor = log_factor(base)
    norm = _trace_norm_of_partial_transpose(rho, dims, 0)
    return factor * jnp.log(jnp.maximum(norm, 1.0))
