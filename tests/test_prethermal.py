"""qoj.prethermal: the ball of accessible states and the prethermalization time of seed 000
(sections 5 and 5.1, appendices A, E, F), checked against direct solutions of the master
equation, mpmath quadratures of appendix F, the paper's limits and finite differences."""

import equinox as eqx
import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import qoj
from qoj import prethermal

W0 = 1.0


def environment(g_II=1e-5, beta_I=1.0, beta_II=0.1, g_I=1e-2):
    """Seed 000 fig 2 (g_II = 1e-5) and fig 3 (g_II = 1e-2): Ohmic, s = 1, cutoffs 10."""
    return qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(g_I, 1.0, 10.0),
        qoj.spectra.Ohmic(g_II, 1.0, 10.0),
        1.0 / beta_I,
        1.0 / beta_II,
    )


class RatesOnly(eqx.Module):
    """An environment known only through its rates: forces the numerical (generic) path."""

    env: qoj.NonEquilibriumBath

    def rates(self, t, w0):
        return self.env.rates(t, w0)

    def frequency_shift(self, t, w0):
        return self.env.frequency_shift(t, w0)

    @property
    def temperature_I(self):
        return self.env.temperature_I

    @property
    def temperature_II(self):
        return self.env.temperature_II


def rates_19_20(g_II=1e-5, beta_I=1.0, beta_II=0.1, g_I=1e-2):
    """t -> (gamma_+, gamma_-) of eqs 19-20 in NumPy (Ohmic J(w0) = g w0 e^{-w0/10})."""
    j_I, j_II = g_I * W0 * np.exp(-W0 / 10), g_II * W0 * np.exp(-W0 / 10)
    n_I, n_II = 1 / np.expm1(beta_I * W0), 1 / np.expm1(beta_II * W0)

    def rates(t):
        decay = np.exp(-j_II * t)
        up = j_I * (n_I * decay + n_II * (1 - decay))
        return up, up + j_I

    return rates


def populations_from_a7(rates, ts, p0_z):
    """rho_++(t) from eq A7 (rho_++' = gamma_+ - (gamma_+ + gamma_-) rho_++), Radau."""

    def rhs(t, y):
        up, down = rates(t)
        return up - (up + down) * y

    def jac(t, y):
        up, down = rates(t)
        return [[-(up + down)]]

    sol = solve_ivp(
        rhs,
        (0.0, ts[-1]),
        [(1.0 + p0_z) / 2],
        t_eval=ts,
        method="Radau",
        jac=jac,
        rtol=1e-12,
        atol=1e-14,
    )
    return sol.y[0]


PARAMETERS = [
    pytest.param(dict(g_II=1e-5), id="fig2-A<0"),
    pytest.param(dict(g_II=1e-2), id="fig3"),
    pytest.param(dict(g_II=1e-3, beta_I=0.2, beta_II=2.0), id="A>0"),
    pytest.param(dict(g_II=3e-2, g_I=1e-3, beta_I=1.1, beta_II=1.4), id="JII>Gamma"),
]


@pytest.mark.parametrize("parameters", PARAMETERS)
def test_radius_and_centre_match_eq_a7(parameters):
    env = environment(**parameters)
    rates = rates_19_20(**parameters)
    slow = float(env.relaxation_rate(W0))
    ts = np.geomspace(1e-2, 20.0 / min(slow, 0.01), 40)
    up = populations_from_a7(rates, ts, 1.0)
    down = populations_from_a7(rates, ts, -1.0)
    mixed = populations_from_a7(rates, ts, 0.0)
    r = np.asarray(prethermal.ball_radius(env, W0, ts))
    c = np.asarray(prethermal.ball_centre(env, W0, ts))
    np.testing.assert_allclose(r, up - down, rtol=0, atol=1e-9)
    np.testing.assert_allclose(c, 2 * mixed - 1, rtol=0, atol=1e-9)
    # and the generic path (rates only, numerical integration) agrees with the closed forms
    generic = RatesOnly(env)
    np.testing.assert_allclose(prethermal.ball_radius(generic, W0, ts), r, rtol=1e-12, atol=0)
    np.testing.assert_allclose(prethermal.ball_centre(generic, W0, ts), c, rtol=0, atol=1e-15)


def test_radius_is_printed_eq_24_and_its_limit_eq_25():
    env = environment(g_II=1e-3)
    j_I, j_II = 1e-2 * np.exp(-0.1), 1e-3 * np.exp(-0.1)
    n_I, n_II = 1 / np.expm1(1.0), 1 / np.expm1(0.1)
    t = np.geomspace(1.0, 1e4, 30)
    eq_24 = np.exp(-(2 * n_II + 1) * j_I * t) * np.exp(
        2 * (n_II - n_I) * j_I / j_II * (1 - np.exp(-j_II * t))
    )
    np.testing.assert_allclose(prethermal.ball_radius(env, W0, t), eq_24, rtol=1e-12)
    # eq 25 (R_I alone) for J_II t -> 0
    tiny = environment(g_II=1e-15)
    t = np.linspace(0.0, 300.0, 7)
    np.testing.assert_allclose(
        prethermal.ball_radius(tiny, W0, t), np.exp(-(2 * n_I + 1) * j_I * t), rtol=1e-9
    )


def lindblad_polarisation(rates, shift, ts, p0):
    """p(t) from a direct solution of eq 14 with the channels of A1 (D[sigma_+-], H = (w0 +
    shift(t)) sigma_z / 2) for the 2x2 density matrix, basis index 0 = |e>."""
    sp = np.array([[0, 1], [0, 0]], dtype=complex)
    sm = sp.T.copy()
    sz = np.diag([1.0, -1.0]).astype(complex)

    def dissipator(op, rho):
        return op @ rho @ op.conj().T - 0.5 * (op.conj().T @ op @ rho + rho @ op.conj().T @ op)

    def rhs(t, y):
        rho = y.reshape(2, 2)
        up, down = rates(t)
        omega = W0 + shift(t)
        h = 0.5 * omega * sz
        d = -1j * (h @ rho - rho @ h) + up * dissipator(sp, rho) + down * dissipator(sm, rho)
        return d.reshape(-1)

    paulis = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), sz]
    rho0 = 0.5 * (np.eye(2) + sum(p * s for p, s in zip(p0, paulis, strict=True)))
    sol = solve_ivp(rhs, (0.0, ts[-1]), rho0.reshape(-1), t_eval=ts, rtol=1e-11, atol=1e-13)
    rhos = sol.y.T.reshape(-1, 2, 2)
    return np.stack([np.trace(rhos @ s, axis1=1, axis2=2).real for s in paulis], axis=-1)


def test_polarisation_matches_the_lindblad_equation_and_the_ball_is_a_spheroid():
    env = environment(g_II=1e-2)
    rates = rates_19_20(g_II=1e-2)
    # the frequency shift interpolates between its two equilibrium values at rate J_II
    start, end = (float(env.frequency_shift(t, W0)) for t in (0.0, np.inf))
    j_II = float(env.relaxation_rate(W0))
    np.testing.assert_allclose(
        env.frequency_shift(50.0, W0), end + (start - end) * np.exp(-50 * j_II), rtol=1e-12
    )

    def shift(t):
        return end + (start - end) * np.exp(-j_II * t)

    rng = np.random.default_rng(0)
    p0 = rng.normal(size=(3, 3))
    p0 *= rng.uniform(0.3, 1.0, size=(3, 1)) / np.linalg.norm(p0, axis=1, keepdims=True)
    ts = np.linspace(0.0, 120.0, 25)
    p = np.asarray(prethermal.polarisation(env, W0, ts, p0))
    assert p.shape == (25, 3, 3)
    for k in range(3):
        np.testing.assert_allclose(
            p[:, k], lindblad_polarisation(rates, shift, ts, p0[k]), atol=1e-8
        )
    # The coherences shrink by sqrt(r), not by r (eq 21 and the coherence line of eq A7 as
    # printed): at t = 120, r = 0.12, so the isotropic ball would be off by far more than 1e-8.
    r = np.asarray(prethermal.ball_radius(env, W0, ts))
    transverse = np.linalg.norm(p[:, :, :2], axis=-1)
    initial = np.linalg.norm(p0[:, :2], axis=-1)
    np.testing.assert_allclose(transverse, np.sqrt(r)[:, None] * initial[None, :], rtol=1e-10)
    assert np.all(transverse[-1] > 100 * r[-1] * initial)  # r(120) = 5e-5
    # single Bloch vector, scalar time; rates-only environment with frequency_shift
    one = prethermal.polarisation(RatesOnly(env), W0, 60.0, p0[0])
    np.testing.assert_allclose(one, p[12, 0], atol=1e-10)


def appendix_f(g_I, g_II, beta_I, beta_II, t, form):
    """Seed 000 eq F6 (incomplete gammas, mpmath's continuation for A < 0) or F5 in the
    variable s = x/(A eps) - 1, to 30 digits."""
    mpmath.mp.dps = 30
    j_I = g_I * mpmath.e ** (-0.1)
    j_II = g_II * mpmath.e ** (-0.1)
    n_I, n_II = 1 / mpmath.expm1(beta_I), 1 / mpmath.expm1(beta_II)
    a = 2 * (n_I - n_II) * j_I / j_II
    b = (2 * n_II + 1) * j_I / j_II
    eps = mpmath.e ** (-j_II * t)
    z = a * eps
    if form == "F6":
        gammas = mpmath.gammainc(-b, a) - mpmath.gammainc(-b, z)
        value = j_I / j_II * mpmath.power(z, b) * mpmath.e**z * gammas
        assert abs(mpmath.im(value)) < 1e-25  # the branch factors cancel
        return float(mpmath.re(value))
    scale = 1 / (z + b + 1)
    end = 1 / eps - 1
    points = [0, *(p for p in (scale, 10 * scale, 100 * scale) if p < end), end]
    integral = mpmath.quad(lambda s: mpmath.e ** (-z * s) * (1 + s) ** (-b - 1), points)
    return float(-j_I / j_II * integral)


@pytest.mark.parametrize(
    "g_II, beta_I, beta_II",
    [(1e-5, 1.0, 0.1), (1e-3, 1.0, 0.1), (1e-3, 0.1, 1.0), (1e-6, 2.0, 0.5)],
    ids=["fig2 A<0 B~2e4", "A<0 B~200", "A>0", "A>0 B~1e5"],
)
def test_centre_matches_appendix_f_for_both_signs_of_a(g_II, beta_I, beta_II):
    env = environment(g_II=g_II, beta_I=beta_I, beta_II=beta_II)
    scale = 1.0 / float(env.relaxation_rate(W0))
    ts = [10.0, 300.0, 0.01 * scale, 0.3 * scale, 3.0 * scale]
    c = np.asarray(prethermal.ball_centre(env, W0, ts))
    for form in ("F6", "F5"):
        reference = [appendix_f(1e-2, g_II, beta_I, beta_II, t, form) for t in ts]
        np.testing.assert_allclose(c, reference, rtol=1e-14)


def test_limits_eqs_27_to_31_and_e2():
    env = environment(g_II=1e-9)  # J_II t <= 1e-5 below t = 1e4
    j_I = 1e-2 * np.exp(-0.1)
    n_I, n_II = 1 / np.expm1(1.0), 1 / np.expm1(0.1)
    t = np.geomspace(1e-2, 1e4, 25)
    c = np.asarray(prethermal.ball_centre(env, W0, t))
    eq_27 = (np.exp(-j_I * (2 * n_I + 1) * t) - 1) / (2 * n_I + 1)
    np.testing.assert_allclose(prethermal.short_time_centre(env, W0, t), eq_27, rtol=1e-12)
    np.testing.assert_allclose(c, eq_27, rtol=3e-4)  # relative O(J_II t / ...)
    np.testing.assert_allclose(c[:3], -j_I * t[:3], rtol=1e-3)  # eq 28
    # eq 29: the prethermal centre is the Gibbs state at beta_I, reached for Gamma_I t >> 1
    np.testing.assert_allclose(prethermal.prethermal_centre(env, W0), -1 / (2 * n_I + 1))
    np.testing.assert_allclose(c[-1], -1 / (2 * n_I + 1), rtol=1e-4)
    # eq 31 and E2: at J_II t >> 1 the centre is the Gibbs state at beta_II
    fig2 = environment(g_II=1e-5)
    late = float(prethermal.ball_centre(fig2, W0, 5e6))
    np.testing.assert_allclose(prethermal.long_time_centre(fig2, W0), -1 / (2 * n_II + 1))
    np.testing.assert_allclose(late, -1 / (2 * n_II + 1), rtol=1e-12)
    rho_pp = float(prethermal.polarisation(fig2, W0, 5e6, [0.3, -0.2, 0.9])[2] + 1) / 2
    np.testing.assert_allclose(rho_pp, np.exp(-0.05) / (2 * np.cosh(0.05)), rtol=1e-12)
    # condition (30): J_I (2 n_I + 1) / J_II
    np.testing.assert_allclose(prethermal.prethermal_condition(fig2, W0), (2 * n_I + 1) * 1e3)
    np.testing.assert_allclose(prethermal.prethermal_condition(environment(1e-2), W0), 2 * n_I + 1)
    assert float(prethermal.prethermal_condition(environment(0.0), W0)) == np.inf


def test_prethermalization_in_fig_2_and_not_in_fig_3():
    fig2 = prethermal.prethermalization_time(environment(g_II=1e-5), W0)
    assert bool(fig2.defined) and bool(fig2.present)
    assert bool(fig2.radius_reached) and bool(fig2.departure_reached)
    # t_rad: r = 0.1 on eq 24; t_dep: departure distance 1e-2
    env = environment(g_II=1e-5)
    np.testing.assert_allclose(prethermal.ball_radius(env, W0, fig2.radius_time), 0.1)
    np.testing.assert_allclose(
        prethermal.departure_distance(env, W0, fig2.departure_time), 1e-2, rtol=1e-12
    )
    np.testing.assert_allclose(fig2.time, fig2.departure_time - fig2.radius_time)
    assert 100 < float(fig2.radius_time) < 150 and 500 < float(fig2.time) < 600
    # the definition is independent of the path: rates only, explicit t_max
    generic = prethermal.prethermalization_time(RatesOnly(env), W0, t_max=1e8)
    np.testing.assert_allclose(generic.time, fig2.time, rtol=1e-9)
    fig3 = prethermal.prethermalization_time(environment(g_II=1e-2), W0)
    assert bool(fig3.defined) and not bool(fig3.present)
    assert float(fig3.departure_time) < float(fig3.radius_time) and float(fig3.time) == 0.0


def adiabatic_constant(beta_I=1.0, beta_II=0.1, distance=1e-2):
    """lim g_II t_pr: the qubit follows the Gibbs polarisation of n(t) = n_I eps + n_II (1 -
    eps), eps = e^{-J_II t}; it is 2 d_pr away from z_I when n(t) = n*."""
    n_I, n_II = 1 / np.expm1(beta_I), 1 / np.expm1(beta_II)
    z_I, z_II = -np.tanh(beta_I / 2), -np.tanh(beta_II / 2)
    z_star = z_I + 2 * distance * np.sign(z_II - z_I)
    n_star = (-1 / z_star - 1) / 2
    return -np.log((n_II - n_star) / (n_II - n_I)) / np.exp(-0.1)


def test_prethermalization_time_scales_as_inverse_g_II():
    constant = adiabatic_constant()
    np.testing.assert_allclose(constant, 6.0766e-3, rtol=1e-4)
    g = np.array([1e-7, 1e-8, 1e-9])
    scaled = np.array(
        [float(prethermal.prethermalization_time(environment(x), W0).time) for x in g]
    )
    scaled *= g
    assert np.ptp(scaled) / scaled.mean() < 1e-2
    # approaching the adiabatic limit with O(g_II) corrections (t_rad and the lag 1/Gamma)
    np.testing.assert_allclose(scaled, constant, rtol=2e-3)
    np.testing.assert_allclose(scaled[-1], constant, rtol=2e-5)


def test_undefined_when_the_gibbs_states_are_closer_than_d_pr():
    env = environment(g_II=1e-3, beta_I=1.1, beta_II=1.12)
    assert float(prethermal.thermal_distance(env, W0)) < 1e-2
    result = prethermal.prethermalization_time(env, W0)
    assert not bool(result.defined) and not bool(result.present) and float(result.time) == 0.0
    assert not bool(result.departure_reached)
    # defined with a finer d_pr
    finer = prethermal.prethermalization_time(env, W0, distance=1e-3)
    assert bool(finer.defined) and bool(finer.present) and float(finer.time) > 0


@jax.jit
def _t_pr(log_params):
    g_I, g_II, beta_I, beta_II = jnp.exp(log_params)
    return prethermal.prethermalization_time(environment(g_II, beta_I, beta_II, g_I), W0).time


@pytest.mark.parametrize("g_II", [1e-5, 1e-3])
def test_gradients_match_central_differences(g_II):
    x = jnp.log(jnp.array([1e-2, g_II, 1.1, 1.6 if g_II == 1e-3 else 0.1]))
    grad = np.asarray(jax.grad(_t_pr)(x))
    np.testing.assert_allclose(jax.jacfwd(_t_pr)(x), grad, rtol=1e-12)
    h = 1e-5
    fd = [(_t_pr(x.at[k].add(h)) - _t_pr(x.at[k].add(-h))) / (2 * h) for k in range(4)]
    np.testing.assert_allclose(grad, fd, rtol=1e-5)
    assert np.all(np.abs(grad) > 1e-3 * abs(float(_t_pr(x))))


def test_jit_and_vmap_over_g_II_match_a_loop():
    g = jnp.geomspace(1e-6, 1e-2, 5)

    def t_pr(g_II):
        return prethermal.prethermalization_time(environment(g_II), W0)

    batched = eqx.filter_jit(jax.vmap(t_pr))(g)
    for k, g_II in enumerate(g):
        single = t_pr(float(g_II))
        for field in ("time", "radius_time", "departure_time", "defined", "present"):
            np.testing.assert_allclose(getattr(batched, field)[k], getattr(single, field))
    assert batched.present.tolist() == [True, True, False, False, False]
    grads = jax.jit(jax.vmap(jax.grad(lambda g_II: t_pr(g_II).time)))(g[:3])
    np.testing.assert_allclose(grads[1], jax.grad(lambda g_II: t_pr(g_II).time)(g[1]), rtol=1e-10)


def test_bad_input_raises():
    env = environment()
    for bad in (0.0, 1.0, -0.1, 2.0, np.nan):
        with pytest.raises(ValueError, match="distance"):
            prethermal.prethermalization_time(env, W0, distance=bad)
        with pytest.raises(ValueError, match="radius"):
            prethermal.prethermalization_time(env, W0, radius=bad)
    with pytest.raises(ValueError, match="t_max"):
        prethermal.prethermalization_time(env, W0, t_max=-1.0)
    with pytest.raises(TypeError, match="t_max"):
        prethermal.prethermalization_time(RatesOnly(env), W0)
    with pytest.raises(ValueError, match="w0"):
        prethermal.ball_radius(env, 0.0, 1.0)
    with pytest.raises(ValueError, match="t must be non-negative"):
        prethermal.ball_centre(env, W0, [1.0, -1.0])
    with pytest.raises(ValueError, match="Bloch"):
        prethermal.polarisation(env, W0, 1.0, [1.0, 0.5, 0.0])
    with pytest.raises(ValueError, match="shape"):
        prethermal.polarisation(env, W0, 1.0, [1.0, 0.0])
    with pytest.raises(ValueError, match="temperature"):
        environment(beta_I=-1.0)
    # under jit the same checks fire at run time
    jitted = jax.jit(lambda d: prethermal.prethermalization_time(env, W0, distance=d).time)
    with pytest.raises(Exception, match="distance"):
        jax.block_until_ready(jitted(1.5))
    assert float(jitted(0.01)) > 0


def test_figure_prethermal_ball(tmp_path):
    from qoj.figures import _prethermal_ball

    result = _prethermal_ball.FIGURE.run(tmp_path)
    assert (tmp_path / "prethermal-ball.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    n = result.numbers
    assert n["fig2_prethermalization"] == "present" and n["fig3_prethermalization"] == "absent"
    assert 0 < n["fig2_radius_time"] < n["fig2_departure_time"]
    assert n["fig3_departure_time"] < n["fig3_radius_time"]
    np.testing.assert_allclose(
        n["fig2_prethermalization_time"], n["fig2_departure_time"] - n["fig2_radius_time"]
    )
    assert n["fig2_eq_30_ratio"] > 1e3 > n["fig3_eq_30_ratio"]
    # on the plateau every state is within d_pr of the Gibbs value at beta_I; at the end all
    # are at beta_II; pure states stay on the spheroid (semi-axes sqrt(r), r)
    assert n["fig2_max_abs_rho_pp_minus_thermal_I_from_2_t_rad_to_t_dep"] < 1.01e-2
    assert n["max_abs_rho_pp_minus_thermal_II_at_t_max"] < 1e-12
    assert n["max_abs_spheroid_residual_of_pure_states"] < 1e-12


def test_figure_prethermal_time(tmp_path):
    from qoj.figures import _prethermal_time

    result = _prethermal_time.FIGURE.run(tmp_path)
    assert (tmp_path / "prethermal-time.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    n = result.numbers
    slopes = [v for k, v in n.items() if k.startswith("fig6_slope")]
    assert len(slopes) == 6
    np.testing.assert_allclose(slopes, -1.0, atol=3e-3)
    assert n["fig6_all_present"] and n["fig6_min_eq_30_ratio"] > 10
    assert n["fig4_points_present"] > 0 and n["fig4_points_undefined"] > 0
    assert n["fig4_min_distance_defined"] > 1e-2
    assert n["fig4_t_pr_decreases_with_distance_colder"]
    # fig 5: the further apart the Gibbs states, the earlier the departure
    departures = [n[f"fig5_departure_time_beta_II_{b}"] for b in ("1.6", "1.4", "1.2")]
    assert departures == sorted(departures)
