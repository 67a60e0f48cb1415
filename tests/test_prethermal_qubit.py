"""Seed 000: the non-equilibrium environment's approximate rates (eqs 19-20) and the
PrethermalQubit model (canonical master equation, eqs 14 and A1-A7)."""

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import qoj

W0 = 1.0


def environment(g_II=1e-5, beta_I=1.0, beta_II=0.1, g_I=1e-2, rates="approximate"):
    return qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(g_I, 1.0, 10.0),
        qoj.spectra.Ohmic(g_II, 1.0, 10.0),
        1.0 / beta_I,
        1.0 / beta_II,
        rates=rates,
    )


def bose(beta):
    return 1.0 / np.expm1(beta * W0)


def test_approximate_rates_are_eqs_19_20_and_non_negative():
    env = environment(g_II=1e-3, beta_I=1.0, beta_II=0.1)
    t = np.geomspace(1e-2, 1e6, 50)
    up, down = (np.asarray(r) for r in env.rates(t, W0))
    j_I, j_II = 1e-2 * np.exp(-0.1), 1e-3 * np.exp(-0.1)  # Ohmic s = 1, cutoff 10, at w0 = 1
    n_I, n_II = bose(1.0), bose(0.1)
    decay = np.exp(-j_II * t)
    np.testing.assert_allclose(up, j_I * (n_I * decay + n_II * (1 - decay)), rtol=1e-13)
    np.testing.assert_allclose(
        down, j_I * ((n_I + 1) * decay + (n_II + 1) * (1 - decay)), rtol=1e-13
    )
    assert (up >= 0).all() and (down >= 0).all()
    # limits: the equilibrium rates of R_I at t = 0 and of a bath at T_II at t -> inf
    start, end = env.system_baths()
    np.testing.assert_allclose(env.rates(0.0, W0)[1], start.emission_rate(W0), rtol=1e-14)
    np.testing.assert_allclose(env.rates(1e9, W0)[0], end.absorption_rate(W0), rtol=1e-12)
    # detailed balance at every time when T_I = T_II
    same = environment(g_II=1e-3, beta_I=0.7, beta_II=0.7)
    up, down = (np.asarray(r) for r in same.rates(t, W0))
    np.testing.assert_allclose(down / up, np.exp(0.7 * W0), rtol=1e-12)


def test_approximate_frequency_shift_is_the_rotating_wave_lamb_shift():
    """Delta_i = (1/2pi) P int_0^inf J_I(w)(2 n_i(w) + 1)/(w0 - w) dw, checked against scipy's
    Cauchy-weight quadrature, interpolated between T_I and T_II like the rates."""
    from scipy.integrate import quad

    env = environment(g_II=1e-3, beta_I=1.0, beta_II=0.5)

    def shift(beta):
        def weight(w):
            w = max(w, 1e-300)
            return 1e-2 * w * np.exp(-w / 10.0) * (2.0 / np.expm1(beta * w) + 1.0)

        inner, _ = quad(weight, 0.0, 2.0, weight="cauchy", wvar=W0, limit=200)
        outer, _ = quad(lambda w: weight(w) / (w - W0), 2.0, 600.0, limit=400)
        return -(inner + outer) / (2 * np.pi)

    x = -np.expm1(-1e-3 * np.exp(-0.1) * 300.0)
    expected = (1 - x) * shift(1.0) + x * shift(0.5)
    np.testing.assert_allclose(env.frequency_shift(300.0, W0), expected, rtol=1e-9)


def test_bad_environments():
    with pytest.raises(ValueError, match="rates"):
        environment(rates="markov")
    with pytest.raises(ValueError, match="temperature"):
        environment(beta_I=-1.0)
    with pytest.raises(ValueError, match="coupling"):
        environment(g_II=-1e-3)
    with pytest.raises(TypeError, match="NonEquilibriumBath"):
        qoj.models.PrethermalQubit(1.0, qoj.Bath(qoj.spectra.Flat(0.1), 1.0))


def test_canonical_rates_are_eq_A1():
    """The generator's canonical form: gamma_3 = 0 and the channels sigma_+, sigma_- with
    gamma_+(t), gamma_-(t) (eq A1)."""
    env = environment(g_II=1e-3)
    gen = qoj.models.PrethermalQubit(W0, env).generator()
    for t in (0.0, 50.0, 2e3):
        rates, channels = qoj.nonmarkov.canonical_rates(gen, t)
        up, down = env.rates(t, W0)
        np.testing.assert_allclose(np.asarray(rates), np.sort([0.0, up, down]), atol=1e-15)
        for rate, channel in zip(np.asarray(rates), np.asarray(channels), strict=True):
            op = {float(up): qoj.sigmap(), float(down): qoj.sigmam()}.get(float(rate))
            if op is not None:  # |<L_k, sigma_±>| = 1 (channels are normalised, up to phase)
                overlap = np.abs(np.trace(np.asarray(op).conj().T @ channel))
                np.testing.assert_allclose(overlap, 1.0, rtol=1e-12)


def test_rotating_frame_evolution_equals_lab_frame():
    env = environment(g_II=1e-2)
    model = qoj.models.PrethermalQubit(W0, env)
    psi = np.array([np.cos(0.4), np.sin(0.4) * np.exp(0.3j)])
    rho0 = np.outer(psi, psi.conj())
    ts = np.linspace(0.0, 40.0, 21)
    fast = model.evolve(rho0, ts, save_states=True, rtol=1e-10, atol=1e-12)
    lab = qoj.evolve(model.generator(), rho0, ts, save_states=True, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast.states, lab.states, atol=1e-8)
    np.testing.assert_allclose(
        fast.heat_currents["environment"], lab.heat_currents["environment"], atol=1e-10
    )


def test_rotation_angle_closed_form():
    """Omega~(t) = w0 t + Delta_II t + (Delta_I - Delta_II)(1 - e^{-J_II t})/J_II."""
    env = environment(g_II=1e-3, beta_II=0.5)
    model = qoj.models.PrethermalQubit(W0, env)
    start, end = (qoj._nonequilibrium.rotating_wave_shift(b, W0) for b in env.system_baths())
    j_II = env.relaxation_rate(W0)
    t = np.array([0.0, 3.0, 700.0, 5e4])
    expected = W0 * t + end * t + (start - end) * (-np.expm1(-j_II * t)) / j_II
    np.testing.assert_allclose(model.rotation_angle(t), expected, rtol=1e-12, atol=1e-14)


def test_prethermal_plateau_and_thermalization_at_beta_II():
    """g_II = 1e-5 (Fig 2): every initial state first relaxes to the same state near the Gibbs
    state at beta_I, which then follows the slowly drifting rates (rho_++ ~ gamma_+/(gamma_+ +
    gamma_-) at time t), and ends at the Gibbs state at beta_II (eqs 29, 31, E2), all within
    one solve to t = 1e7."""
    env = environment(g_II=1e-5)
    model = qoj.models.PrethermalQubit(W0, env)
    ts = np.array([2e3, 1e7])
    states = jax.vmap(lambda rho: model.evolve(rho, ts, save_states=True).states)(
        jnp.stack([jnp.diag(jnp.array([1.0, 0.0])), jnp.diag(jnp.array([0.0, 1.0]))]).astype(
            complex
        )
    )
    excited = np.asarray(states[:, :, 0, 0].real)

    def gibbs_excited(beta):
        return 1.0 / (1.0 + np.exp(beta * W0))

    # at t = 2e3 the ball has shrunk by e^{-38}: the memory of the initial state is gone
    np.testing.assert_allclose(excited[0, 0], excited[1, 0], atol=1e-8)  # solver tolerance
    up, down = env.rates(2e3, W0)
    np.testing.assert_allclose(excited[:, 0], up / (up + down), rtol=1e-2)
    assert abs(excited[0, 0] - gibbs_excited(1.0)) < 0.2 * abs(gibbs_excited(0.1) - excited[0, 0])
    np.testing.assert_allclose(excited[:, 1], gibbs_excited(0.1), rtol=1e-9)
    np.testing.assert_allclose(model.steady_excited_population(), gibbs_excited(0.1), rtol=1e-12)


def test_energy_balance_and_gradient():
    """d<H_S>/dt = J(t) (the Lamb shift commutes with H_S), and dJ(t)/dT_II matches a
    central finite difference (explicit solver: t = 100 is not yet stiff, and differentiating
    through Kvaerno5 costs a minute of compilation)."""
    rho0 = np.diag([0.0, 1.0]).astype(complex)
    ts = np.linspace(100.0, 101.0, 11)

    def solve(T_II):
        env = qoj.NonEquilibriumBath(
            qoj.spectra.Ohmic(1e-2, 1.0, 10.0), qoj.spectra.Ohmic(1e-3, 1.0, 10.0), 1.0, T_II
        )
        return qoj.models.PrethermalQubit(W0, env).evolve(
            rho0, ts, save_states=True, rtol=1e-11, atol=1e-13, solver=diffrax.Tsit5()
        )

    sol = solve(10.0)
    energy = W0 * (np.asarray(sol.states[:, 0, 0].real) - 0.5)
    slope = np.gradient(energy, ts, edge_order=2)
    np.testing.assert_allclose(slope[2:-2], sol.heat_currents["environment"][2:-2], rtol=1e-5)

    def current(T_II):
        return solve(T_II).heat_currents["environment"][-1]

    grad = eqx.filter_grad(current)(jnp.asarray(10.0))
    step = 1e-3
    fd = (current(10.0 + step) - current(10.0 - step)) / (2 * step)
    np.testing.assert_allclose(grad, fd, rtol=1e-6)
    assert abs(grad) > 1e-6


def test_rate_table_interpolates_rates_and_shift():
    """`tabulate` (the form the exact rate model is read in inside an ODE) reproduces the rates
    and the shift to ~1e-9 between its nodes and holds the last value beyond; a model with a
    tabulated environment evolves like the original one."""
    env = environment(g_II=1e-4, beta_II=0.1)
    table = env.tabulate(W0, 1e6)
    t = np.concatenate([np.linspace(0.0, 100.0, 997), np.geomspace(100.0, 1e6, 2999)])
    exact = np.stack([*env.rates(t, W0), env.frequency_shift(t, W0)])
    read = np.stack([*table.rates(t, W0), table.frequency_shift(t, W0)])
    np.testing.assert_allclose(read, exact, rtol=3e-9)
    np.testing.assert_allclose(table.rates(1e8, W0)[0], env.rates(1e6, W0)[0], rtol=1e-14)
    rho0 = np.diag([1.0, 0.0]).astype(complex)
    ts = np.geomspace(1.0, 1e5, 9)
    plain = qoj.models.PrethermalQubit(W0, env).evolve(rho0, ts).heat_currents["environment"]
    read = qoj.models.PrethermalQubit(W0, table).evolve(rho0, ts).heat_currents["environment"]
    np.testing.assert_allclose(read, plain, rtol=1e-6, atol=1e-10)  # solver atol
    with pytest.raises(ValueError, match="t_max"):
        env.tabulate(W0, -1.0)
