"""exp(A) for the small real drift matrices of Gaussian dynamics, differentiable to any order.

Scaling and squaring with a degree-18 Taylor polynomial, as `qoj._expm`: A is scaled by 2^-s
so that ||A 2^-s||_1 <= 1 (truncation error < 1e-17 relative) and squared s times. Here the
squarings run as a `lax.scan` of fixed length `_MAX_SQUARINGS` that stops squaring (keeps the
carry) once s is reached: a few dozen extra products of (2n x 2n) matrices, negligible for the
handful of modes this package is for, buy reverse mode of any order, forward mode
(`jax.jvp`, `jax.jacfwd`) and `vmap` without the while-loop of `qoj._expm` (whose custom VJP
gives first-order reverse mode only). s is a run-time value, so one compiled program serves all
norms up to 2^_MAX_SQUARINGS.
"""

import jax.numpy as jnp
from jax import lax
from jaxtyping import Array, Float

_TAYLOR_DEGREE = 18
_MAX_SQUARINGS = 64


def expm(a: Float[Array, "m m"]) -> Float[Array, "m m"]:
    """exp(a) for a real square matrix (see the module docstring)."""
    norm = lax.stop_gradient(jnp.max(jnp.sum(jnp.abs(a), axis=-2)))
    squarings = jnp.ceil(jnp.log2(jnp.maximum(norm, jnp.finfo(a.dtype).tiny)))
    squarings = jnp.clip(squarings, 0, _MAX_SQUARINGS)
    scaled = a * jnp.exp2(-squarings)
    eye = jnp.eye(a.shape[-1], dtype=a.dtype)
    result = eye
    for k in range(_TAYLOR_DEGREE, 0, -1):  # Horner: I + A/1 (I + A/2 (I + ...))
        result = eye + (scaled @ result) / k

    def square(x, i):
        return jnp.where(i < squarings, x @ x, x), None

    result, _ = lax.scan(square, result, jnp.arange(_MAX_SQUARINGS, dtype=a.dtype))
    return result
