"""Matrix exponential of real matrices for the exact propagator.

exp(A) by scaling and squaring with a degree-18 Taylor polynomial: A is scaled by 2^-s so that
||A 2^-s||_1 <= 1, where the truncated series is accurate to ||.||^19/19! < 1e-17 (relative),
and the result is squared s times. The number of squarings is a run-time value, so one
compiled program serves any norm (stiff generators included).

Why not `jax.scipy.linalg.expm`: with jax 0.10.2 on CPU, its Padé path (which calls a batched
LU solve) hung indefinitely under `jax.vmap` for some batches of two-qubit Liouvillians
(observed in the W2 benchmark with inputs from `jnp.meshgrid`); this polynomial version uses
matrix products only.

Reverse-mode derivatives come from a custom VJP: for real A the cotangent of exp(A) maps to the
Fréchet derivative at A^T, the upper-right block of exp([[A^T, G], [0, A^T]]) (Higham,
Functions of Matrices, eq. 10.15), computed with the same routine. Forward mode is not
supported (the squaring loop has a run-time trip count).
"""

import jax
import jax.numpy as jnp
from jax import lax
from jaxtyping import Array, Float

_TAYLOR_DEGREE = 18


def _expm(a):
    norm = jnp.max(jnp.sum(jnp.abs(a), axis=-2))
    squarings = jnp.ceil(jnp.log2(jnp.maximum(norm, jnp.finfo(a.dtype).tiny)))
    squarings = jnp.clip(squarings, 0, 1000)
    scaled = a * jnp.exp2(-squarings)
    eye = jnp.eye(a.shape[-1], dtype=a.dtype)
    result = eye
    for k in range(_TAYLOR_DEGREE, 0, -1):  # Horner: I + A/1 (I + A/2 (I + ...))
        result = eye + (scaled @ result) / k

    def square(carry):
        i, x = carry
        return i + 1, x @ x

    _, result = lax.while_loop(
        lambda c: c[0] < squarings, square, (jnp.zeros_like(squarings), result)
    )
    return result


@jax.custom_vjp
def expm(a: Float[Array, "m m"]) -> Float[Array, "m m"]:
    """exp(a) for a real square matrix (see the module docstring)."""
    return _expm(a)


def _expm_fwd(a):
    return _expm(a), a


def _expm_bwd(a, cotangent):
    m = a.shape[-1]
    block = jnp.zeros((2 * m, 2 * m), a.dtype)
    block = block.at[:m, :m].set(a.T).at[m:, m:].set(a.T).at[:m, m:].set(cotangent)
    return (_expm(block)[:m, m:],)


expm.defvjp(_expm_fwd, _expm_bwd)
