"""The propagator's matrix exponential against SciPy, and its custom gradient."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.linalg import expm as scipy_expm

from qoj._expm import expm


@pytest.mark.parametrize("scale", [1e-3, 1.0, 30.0, 1e5])
def test_matches_scipy(scale):
    rng = np.random.default_rng(0)
    a = scale * rng.normal(size=(6, 6)) / 6
    if scale >= 1e5:  # a stiff, stable generator: eigenvalues with large negative real part
        a = -scale * np.eye(6) + rng.normal(size=(6, 6))
    expected = scipy_expm(a)
    np.testing.assert_allclose(
        expm(jnp.asarray(a)), expected, rtol=1e-12, atol=1e-14 * np.abs(expected).max()
    )


def test_vmap_and_gradient_match_finite_differences():
    rng = np.random.default_rng(1)
    a = jnp.asarray(rng.normal(size=(4, 4)))
    weights = jnp.asarray(rng.normal(size=(4, 4)))
    batch = jnp.stack([a, 2 * a, -a])
    np.testing.assert_allclose(jax.vmap(expm)(batch)[1], scipy_expm(2 * np.asarray(a)), rtol=1e-12)

    def loss(m):
        return jnp.sum(weights * expm(m))

    grad = jax.grad(loss)(a)
    direction = jnp.asarray(rng.normal(size=(4, 4)))
    step = 1e-6
    fd = (loss(a + step * direction) - loss(a - step * direction)) / (2 * step)
    np.testing.assert_allclose(jnp.sum(grad * direction), fd, rtol=1e-7)
    batched = jax.vmap(jax.grad(loss))(batch)
    np.testing.assert_allclose(batched[0], grad, rtol=1e-12)
