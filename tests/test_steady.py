"""Steady states: uniqueness, agreement with long-time evolution, implicit gradients."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import qoj

from _helpers import random_lindblad, thermal_ladder_generator


def two_bath_qubit(n_a, n_b, g_a=0.05, g_b=0.05, w0=1.0):
    return qoj.lindblad(
        0.5 * w0 * qoj.sigmaz(),
        {
            "A": [(g_a * (1 + n_a), qoj.sigmam()), (g_a * n_a, qoj.sigmap())],
            "B": [(g_b * (1 + n_b), qoj.sigmam()), (g_b * n_b, qoj.sigmap())],
        },
    )


def test_steady_state_is_long_time_limit():
    rng = np.random.default_rng(11)
    gen = random_lindblad(rng, 3)
    rho_ss = qoj.steady_state(gen)
    sol = qoj.evolve(gen, np.eye(3) / 3, [0.0, 200.0], save_states=True)
    np.testing.assert_allclose(sol.states[-1], rho_ss, atol=1e-10)
    np.testing.assert_allclose(gen(0.0, rho_ss), 0.0, atol=1e-12)
    assert abs(np.trace(rho_ss) - 1) < 1e-12
    assert np.linalg.eigvalsh(rho_ss).min() > -1e-12


def test_thermal_steady_state_is_gibbs_for_any_temperature():
    rng = np.random.default_rng(12)
    for temperature in (0.05, 1.0, 50.0):
        gen, h = thermal_ladder_generator(rng, 3, temperatures=(temperature,))
        np.testing.assert_allclose(qoj.steady_state(gen), qoj.gibbs(h, temperature), atol=1e-10)


def test_steady_current_gradient_is_implicit_and_matches_finite_differences():
    def current(n_a):
        gen = two_bath_qubit(n_a, 0.2)
        return qoj.heat_currents(gen, qoj.steady_state(gen))["A"]

    n_a = 0.9
    grad = jax.grad(current)(n_a)
    step = 1e-6
    fd = (current(n_a + step) - current(n_a - step)) / (2 * step)
    assert abs(grad - fd) / abs(fd) < 1e-6
    # closed form d/dn_A of g^2 (n_A - n_B) / (g(1+2n_A) + g(1+2n_B)) (seed 002 eq 3.14)
    g, n_b = 0.05, 0.2
    denominator = g * (2 + 2 * n_a + 2 * n_b)
    exact = g * g / denominator - g * g * (n_a - n_b) * 2 * g / denominator**2
    np.testing.assert_allclose(grad, exact, rtol=1e-10)


def test_non_unique_steady_state_raises():
    """Pure dephasing: every diagonal state is stationary."""
    gen = qoj.lindblad(qoj.sigmaz(), {"A": [(0.3, qoj.sigmaz())]})
    with pytest.raises(ValueError, match="not unique"):
        qoj.steady_state(gen)
    with pytest.raises(Exception, match="not unique"):
        jax.block_until_ready(
            jax.jit(
                lambda r: qoj.steady_state(qoj.lindblad(qoj.sigmaz(), {"A": [(r, qoj.sigmaz())]}))
            )(0.3)
        )


def test_vmapped_steady_states_equal_loop():
    n_as = jnp.linspace(0.0, 3.0, 5)
    batched = jax.jit(jax.vmap(lambda n: qoj.steady_state(two_bath_qubit(n, 0.1))))(n_as)
    for k, n in enumerate(n_as):
        np.testing.assert_allclose(batched[k], qoj.steady_state(two_bath_qubit(n, 0.1)), atol=1e-13)


def test_stiff_rates_steady_state():
    """Rates 1e5 apart still give the exact populations p_e = up/(up + down)."""
    up, down = 1e-6, 1e-1
    gen = qoj.lindblad(qoj.sigmaz(), {"A": [(down, qoj.sigmam()), (up, qoj.sigmap())]})
    rho = qoj.steady_state(gen)
    np.testing.assert_allclose(rho[0, 0].real, up / (up + down), rtol=1e-10)
