"""Heat and particle currents, entropy production: conservation laws and the second law."""

import numpy as np
import pytest

import qoj

from _helpers import random_density_matrix, thermal_ladder_generator


def test_currents_conserve_energy_and_obey_clausius_in_steady_state():
    """Steady state of thermal parts: sum_b J_b = 0, heat flows from hot to cold, and
    Spohn's entropy production equals -sum_b J_b / T_b (Clausius form, dS/dt = 0)."""
    rng = np.random.default_rng(21)
    temperatures = (0.4, 3.0)
    gen, _ = thermal_ladder_generator(rng, 4, temperatures)
    rho = qoj.steady_state(gen)
    currents = qoj.heat_currents(gen, rho)
    cold, hot = float(currents["bath0"]), float(currents["bath1"])
    assert abs(cold + hot) < 1e-12
    assert hot > 0 > cold
    sigma = float(qoj.entropy_production(gen, rho))
    np.testing.assert_allclose(sigma, -(cold / temperatures[0] + hot / temperatures[1]), rtol=1e-8)
    assert sigma > 0


def test_entropy_production_clausius_form_out_of_steady_state():
    """sigma = -Tr[L(rho) ln rho] - sum_b J_b / T_b for Davies parts (Gibbs fixed points)."""
    rng = np.random.default_rng(22)
    temperatures = (0.5, 1.5)
    gen, _ = thermal_ladder_generator(rng, 3, temperatures)
    rho = random_density_matrix(rng, 3)
    values, vectors = np.linalg.eigh(rho)
    log_rho = (vectors * np.log(values)[None, :]) @ vectors.conj().T
    entropy_rate = -np.trace(np.asarray(gen(0.0, rho)) @ log_rho).real
    currents = qoj.heat_currents(gen, rho)
    clausius = entropy_rate - sum(
        float(currents[f"bath{b}"]) / t for b, t in enumerate(temperatures)
    )
    np.testing.assert_allclose(float(qoj.entropy_production(gen, rho)), clausius, rtol=1e-8)


def test_particle_currents_of_a_fermionic_level():
    """A level filled at rate g f_L, emptied at g (1 - f_L), and likewise for R:
    steady particle current from L, I_L = g^2 (f_L - f_R) / (2 g)."""
    (c,) = qoj.fermion_ops(1)
    number = c.conj().T @ c
    g, f_l, f_r = 0.1, 0.8, 0.3
    gen = qoj.lindblad(
        0.7 * number,
        {
            "L": [(g * f_l, c.conj().T), (g * (1 - f_l), c)],
            "R": [(g * f_r, c.conj().T), (g * (1 - f_r), c)],
        },
    )
    rho = qoj.steady_state(gen)
    currents = qoj.particle_currents(gen, rho, number)
    np.testing.assert_allclose(currents["L"], g * (f_l - f_r) / 2, rtol=1e-10)
    np.testing.assert_allclose(currents["R"], -g * (f_l - f_r) / 2, rtol=1e-10)
    heat = qoj.heat_currents(gen, rho)
    np.testing.assert_allclose(heat["L"], 0.7 * g * (f_l - f_r) / 2, rtol=1e-10)


def test_current_input_checks():
    gen = qoj.lindblad(qoj.sigmaz(), {"A": [(0.1, qoj.sigmam())]})
    with pytest.raises(ValueError, match="rho must have unit trace"):
        qoj.heat_currents(gen, np.eye(2))
    with pytest.raises(ValueError, match="dimension"):
        qoj.heat_currents(gen, np.eye(3) / 3)
    with pytest.raises(TypeError, match="qoj.Generator"):
        qoj.heat_currents("not a generator", np.eye(2) / 2)


def test_currents_are_linear_in_rho_and_checked_under_jit():
    """J_b = Tr[H L_b(rho)] is linear in rho, so it is defined (and not refused) for Hermitian
    unit-trace operators that are not positive, e.g. the affine combination 2 rho_1 - rho_2;
    a wrong trace is still refused, also under `jit`."""
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(23)
    gen, _ = thermal_ladder_generator(rng, 3, (0.5, 2.0))
    rho_1, rho_2 = random_density_matrix(rng, 3), random_density_matrix(rng, 3)
    combined = 2 * rho_1 - rho_2
    assert np.linalg.eigvalsh(combined)[0] < 0
    j_1, j_2 = qoj.heat_currents(gen, rho_1), qoj.heat_currents(gen, rho_2)
    j = jax.jit(lambda r: qoj.heat_currents(gen, r))(jnp.asarray(combined))
    for name in j:
        np.testing.assert_allclose(j[name], 2 * j_1[name] - j_2[name], rtol=1e-12, atol=1e-14)
    with pytest.raises(Exception, match="rho must have unit trace"):
        jax.block_until_ready(jax.jit(lambda r: qoj.heat_currents(gen, r))(2 * jnp.asarray(rho_1)))
