"""Release times (qoj._release) and the release-times / correlations figures (seed 001)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import brentq

import qoj
from qoj._release import (
    cascade_release_time,
    cascade_released_heat,
    qubit_release_time,
    qubit_released_heat,
    release_time,
)
from qoj.figures import _correlations, _release_times


@pytest.mark.parametrize("p", [1.0, 25.0, 50.0, 86.0, 99.0])
def test_single_exponential(p):
    rate = 2.7
    tau = release_time(lambda t: 3.0 * (1 - jnp.exp(-rate * t)), 3.0, p, 30.0)
    assert float(tau) == pytest.approx(np.log(1 / (1 - p / 100)) / rate, rel=1e-13)


def test_first_crossing_of_non_monotone_heat():
    # Q(t) = sin t reaches 1/2 first at pi/6 (then again at 5 pi/6)
    tau = release_time(jnp.sin, 1.0, 50.0, 10.0)
    assert float(tau) == pytest.approx(np.pi / 6, rel=1e-13)


def test_not_reached_is_inf_without_nan_gradient():
    f = lambda a: release_time(lambda t: a * (1 - jnp.exp(-t)), 1.0, 90.0, 1.0)  # noqa: E731
    assert np.isinf(f(1.0))
    assert jax.grad(f)(1.0) == 0.0


@pytest.mark.parametrize("s", [-1.8, -0.5, 0.0, 0.7, 2.0])
@pytest.mark.parametrize("p", [25.0, 86.0, 95.0])
def test_cascade_release_time_vs_brute_force(s, p):
    n_s, n, gamma = 1.3, 0.3, 0.7
    kw = dict(gamma=gamma, initial_occupation=n_s, occupation=n, c13=0.4 * s, c24=0.6 * s)
    total = 2 * (n_s - n)

    def residual(t):  # the closed form in NumPy, independent of qoj
        u = gamma * t
        q = (n_s - n) * (2 - (2 + u**2) * np.exp(-u)) + s * u * np.exp(-u)
        return q - p / 100 * total

    ts = np.linspace(0, 60 / gamma, 20001)
    values = residual(ts)
    i = np.argmax(values > 0)
    root = brentq(residual, ts[i - 1], ts[i], xtol=1e-15, rtol=1e-15)
    assert float(cascade_release_time(p, **kw)) == pytest.approx(root, rel=1e-11)


def test_cascade_released_heat_matches_covariance_energy():
    n_s, n, gamma, c13, c24 = 1.0, 0.2, 0.8, 0.9, -0.3
    system = qoj.gaussian.cascaded_oscillators(1.0, gamma, n)
    c0 = qoj.gaussian.correlated_thermal_covariance(n_s, c13, c24)
    ts = jnp.linspace(0.0, 8.0, 9)
    sol = qoj.gaussian.evolve(system, c0, ts)
    u = jax.vmap(lambda c: qoj.gaussian.energy(system, c))(sol.covariances)
    closed = cascade_released_heat(
        ts, gamma=gamma, initial_occupation=n_s, occupation=n, c13=c13, c24=c24
    )
    np.testing.assert_allclose(u[0] - u, closed, atol=1e-12)


def test_qubit_released_heat_matches_integrated_currents():
    model = qoj.models.CascadedQubits(1.3, 0.9, 0.0)
    xi_s, re_rho23 = 0.25, -0.6
    rho = model.locally_thermal_state(xi_s, re_rho23 / 4)
    ts = np.linspace(0.0, 6.0, 6001)
    j = model.zero_temperature_heat_currents(jnp.asarray(ts), rho)
    released = -np.asarray(j["1"] + j["2"] + j["cascade"])
    cumulative = np.concatenate([[0.0], np.cumsum((released[1:] + released[:-1]) / 2)])
    cumulative *= ts[1] - ts[0]
    closed = qubit_released_heat(ts, gamma=0.9, xi_s=xi_s, re_rho23=re_rho23, omega=1.3)
    np.testing.assert_allclose(closed, cumulative, atol=1e-6)
    # Q(inf) = U(0) - U(gg) = omega (1 - xi_S)
    assert float(qubit_released_heat(1e3, gamma=0.9, xi_s=xi_s, omega=1.3)) == pytest.approx(
        1.3 * 0.75
    )
    assert float(-model.total_heat(rho)) == pytest.approx(1.3 * 0.75, rel=1e-12)


def test_gradient_in_gamma_scales_as_inverse():
    for fn, kw in (
        (cascade_release_time, dict(initial_occupation=1.0, c13=0.3, c24=-0.1)),
        (qubit_release_time, dict(xi_s=0.25, re_rho23=0.3)),
    ):
        f = lambda g: fn(75.0, gamma=g, **kw)  # noqa: B023, E731
        tau = f(1.7)
        assert float(jax.grad(f)(1.7)) == pytest.approx(float(-tau) / 1.7, rel=1e-10)


def test_gradient_in_correlation_vs_finite_differences():
    def f(c):
        return cascade_release_time(60.0, gamma=1.2, initial_occupation=1.0, c13=c, c24=0.2)

    def g(x):
        return qubit_release_time(60.0, gamma=1.2, xi_s=0.25, re_rho23=x)

    h = 1e-6
    for fn, x in ((f, 0.35), (g, -0.4)):
        fd = (fn(x + h) - fn(x - h)) / (2 * h)
        assert float(jax.grad(fn)(x)) == pytest.approx(float(fd), rel=1e-7)
        assert jax.grad(fn)(x) < 0  # positive correlations speed up the release


def test_jit_vmap():
    def f(s):
        return cascade_release_time(90.0, gamma=1.0, initial_occupation=1.0, c13=s, c24=0.0)

    s = jnp.linspace(-1.0, 1.0, 5)
    batched = jax.jit(jax.vmap(f))(s)
    np.testing.assert_allclose(batched, [f(x) for x in s], rtol=1e-13)
    assert np.all(np.diff(batched) < 0)


@pytest.mark.parametrize("p", [0.0, 100.0, -5.0, 120.0, float("nan")])
def test_bad_percentage_raises(p):
    with pytest.raises(ValueError, match="between 0 and 100"):
        release_time(lambda t: 1 - jnp.exp(-t), 1.0, p, 10.0)
    with pytest.raises(Exception, match="between 0 and 100"):
        jax.jit(lambda q: release_time(lambda t: 1 - jnp.exp(-t), 1.0, q, 10.0))(p)


def test_log_negativity_only_near_epr_corners():
    n_s = 1.0
    c, phys, e_n, _ = _correlations.oscillator_grid(61)
    c13, c24 = np.meshgrid(c, c)
    entangled = phys & (e_n > 1e-12)
    assert entangled.any()
    # only in the anticorrelated quadrants, near C13 = -C24 = +-sqrt(N_S (N_S + 1))
    assert np.all(c13[entangled] * c24[entangled] < 0)
    d = n_s + 0.5  # PPT violation (nu~_- < 1/2): d^2 - C13 C24 - d |C13 - C24| < 1/4
    assert np.all((d**2 - c13 * c24 - d * np.abs(c13 - c24))[entangled] < 0.25)
    assert np.all(np.abs(c13 - c24)[entangled] > 1.5)
    assert entangled.sum() < 0.2 * phys.sum()
    # on the anti-diagonal: entangled iff 1 < |C13| <= sqrt(2) (nu~_- < 1/2)
    edge = np.sqrt(n_s * (n_s + 1))
    x = np.linspace(-edge, edge, 41)
    e_diag = np.array([_correlations._oscillator_measures(v, -v)[1] for v in x])
    np.testing.assert_array_equal(e_diag > 1e-12, np.abs(x) > 1 + 1e-9)
    assert np.argmax(e_diag) in (0, 40)


def test_gaussian_discord_vanishes_only_at_product_state():
    c, phys, _, d_g = _correlations.oscillator_grid(41)
    c13, c24 = np.meshgrid(c, c)
    origin = (np.abs(c13) < 1e-12) & (np.abs(c24) < 1e-12)
    assert origin.sum() == 1
    assert d_g[origin][0] < 1e-12
    assert np.all(d_g[phys & ~origin] > 1e-6)


def test_release_times_figure(tmp_path):
    result = _release_times.run(tmp_path)
    assert (tmp_path / "release-times.png").exists()
    n = result.numbers
    assert n["nonincreasing_in_correlation"] == "passed"
    assert n["all_finite"] == "passed"
    # uncorrelated oscillators: Q/Q(inf) = 1 - (1 + u^2/2) e^{-u}
    u = n["osc_gamma_tau_50_s_0"]
    assert 1 - (1 + u**2 / 2) * np.exp(-u) == pytest.approx(0.5, abs=1e-12)
    for p in (25, 50, 75, 86, 90, 95):
        assert n[f"osc_gamma_tau_{p}_s_max"] < n[f"osc_gamma_tau_{p}_s_0"]
        assert n[f"osc_gamma_tau_{p}_s_0"] < n[f"osc_gamma_tau_{p}_s_min"]


def test_correlations_figure(tmp_path):
    result = _correlations.run(tmp_path)
    assert (tmp_path / "correlations.png").exists()
    n = result.numbers
    assert n["argmin_gaussian_discord_c13"] == 0.0
    assert n["argmin_gaussian_discord_c24"] == 0.0
    assert n["min_gaussian_discord"] < 1e-12
    assert 0 < n["entangled_fraction_of_physical"] < 0.2
    assert n["qubit_discord_at_origin"] < 1e-10
    assert 0.25 < n["max_qubit_discord"] < 0.35  # seed fig 6b: up to ~0.3 bits
