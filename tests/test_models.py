"""QubitTwoBaths against Fogedby's closed forms (seed 002, section III A)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import qoj
from qoj.models import QubitTwoBaths


def model(t_a, t_b, g_a=0.05, g_b=0.05, w0=1.0):
    return QubitTwoBaths(
        w0, qoj.Bath(qoj.spectra.Flat(g_a), t_a), qoj.Bath(qoj.spectra.Flat(g_b), t_b)
    )


def bose(w, t):
    return 1.0 / np.expm1(w / t)


@pytest.mark.parametrize("t_a,t_b,g_b", [(2.0, 0.5, 0.05), (0.3, 1.7, 0.2), (5.0, 5.0, 0.01)])
def test_fogedby_steady_populations_and_currents(t_a, t_b, g_b):
    """Numerical steady state vs eqs 3.12–3.15 written out with n_A, n_B."""
    g_a, w0 = 0.05, 1.0
    m = model(t_a, t_b, g_a, g_b, w0)
    gen = m.generator()
    rho = qoj.steady_state(gen)
    n_a, n_b = bose(w0, t_a), bose(w0, t_b)
    denominator = g_a * (1 + 2 * n_a) + g_b * (1 + 2 * n_b)
    rho_plus = (g_a * n_a + g_b * n_b) / denominator  # eq 3.12
    rho_minus = (g_a * (1 + n_a) + g_b * (1 + n_b)) / denominator  # eq 3.13
    np.testing.assert_allclose(rho[0, 0].real, rho_plus, rtol=1e-12)
    np.testing.assert_allclose(rho[1, 1].real, rho_minus, rtol=1e-12)
    q_a = g_a * g_b * w0 * (n_a - n_b) / denominator  # eq 3.14
    currents = qoj.heat_currents(gen, rho)
    np.testing.assert_allclose(currents["A"], q_a, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(currents["B"], -q_a, rtol=1e-10, atol=1e-16)  # eq 3.15
    assert abs(float(currents["A"] + currents["B"])) < 1e-15  # q^A + q^B = 0
    np.testing.assert_allclose(m.steady_heat_current(), q_a, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(m.steady_populations()[0], rho_plus, rtol=1e-12)


def test_second_law_sign_of_heat_current():
    for t_a in (0.2, 0.49, 0.51, 3.0):
        q_a = float(model(t_a, 0.5).steady_heat_current())
        assert np.sign(q_a) == np.sign(t_a - 0.5)


def test_boltzmann_limit_when_bath_b_decouples():
    """g_B -> 0: the qubit equilibrates with bath A, rho_+/rho_- = exp(-omega0/T_A), q -> 0."""
    m = model(1.3, 0.2, g_b=1e-9)
    rho = qoj.steady_state(m.generator())
    np.testing.assert_allclose(rho[0, 0].real / rho[1, 1].real, np.exp(-1 / 1.3), rtol=1e-6)
    assert abs(float(m.steady_heat_current())) < 1e-9


def test_equal_temperatures_give_gibbs_state():
    m = model(0.8, 0.8, g_b=0.3)
    rho = qoj.steady_state(m.generator())
    np.testing.assert_allclose(rho, qoj.gibbs(0.5 * qoj.sigmaz(), 0.8), atol=1e-12)


def test_zero_temperature_bath_is_finite():
    m = model(0.0, 1.0)
    rho = qoj.steady_state(m.generator())
    currents = qoj.heat_currents(m.generator(), rho)
    np.testing.assert_allclose(currents["A"], m.steady_heat_current(), rtol=1e-10)
    assert float(currents["A"]) < 0


def test_relaxation_of_two_bath_qubit_to_fogedby_state():
    """From |e>: rho_ee(t) relaxes at Gamma = sum of all rates to rho_+ (closed form)."""
    m = model(2.0, 0.5)
    ts = jnp.linspace(0.0, 60.0, 31)
    sol = qoj.evolve(
        m.generator(),
        qoj.ket2dm(qoj.basis(2, 0)),
        ts,
        observables={"pe": qoj.ket2dm(qoj.basis(2, 0))},
    )
    n_a, n_b = bose(1.0, 2.0), bose(1.0, 0.5)
    total = 0.05 * (1 + 2 * n_a) + 0.05 * (1 + 2 * n_b)
    rho_plus = float(m.steady_populations()[0])
    expected = rho_plus + (1 - rho_plus) * np.exp(-total * np.asarray(ts))
    np.testing.assert_allclose(sol.expect["pe"], expected, atol=1e-12)


def test_model_is_differentiable_and_vmappable_in_temperature():
    def current(t_a):
        m = model(t_a, 0.5)
        gen = m.generator()
        return qoj.heat_currents(gen, qoj.steady_state(gen))["A"]

    grad = jax.grad(current)(2.0)
    closed = jax.grad(lambda t: model(t, 0.5).steady_heat_current())(2.0)
    np.testing.assert_allclose(grad, closed, rtol=1e-10)
    step = 1e-5
    fd = (current(2.0 + step) - current(2.0 - step)) / (2 * step)
    assert abs(grad - fd) / abs(fd) < 1e-6
    temps = jnp.linspace(0.1, 4.0, 7)
    np.testing.assert_allclose(
        jax.vmap(current)(temps), [float(current(t)) for t in temps], rtol=1e-12, atol=1e-16
    )


def test_system_description_and_approaches():
    m = model(1.0, 0.5)
    system = m.system()
    assert [c.name for c in system.couplings] == ["A", "B"]
    np.testing.assert_allclose(system.couplings[0].operator, qoj.sigmax())
    assert set(m.generator("local").parts) == {"A", "B"}
    with pytest.raises(ValueError, match="approach"):
        m.generator("bogus")
    with pytest.raises(ValueError, match="omega0 must be non-negative"):
        QubitTwoBaths(-1.0, m.bath_A, m.bath_B)
