"""Exact memory integrals of seed 000 (qoj._nonequilibrium_exact): against an independent
brute-force quadrature of eqs A2-A3 with the correlation functions of eqs C4-C6, the limits the
model must reach, gradients, the API through NonEquilibriumBath, and the Fig 8 figure."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from numpy.polynomial.legendre import leggauss
from scipy.integrate import quad

import qoj
from qoj._nonequilibrium import rotating_wave_shift
from qoj._nonequilibrium_exact import memory_integrals, memory_terms

W0 = 1.0
Ohmic = qoj.spectra.Ohmic


def environment(g_I, g_II, T_I, T_II, s_I=1.0, s_II=1.0, cutoff=10.0, rates="exact"):
    return qoj.NonEquilibriumBath(
        Ohmic(g_I, s_I, cutoff), Ohmic(g_II, s_II, cutoff), T_I, T_II, rates=rates
    )


@jax.jit
def rates_and_shift(env, t):
    """(gamma_+, gamma_-), Delta w of `env` at the times t, vmapped over t under jit (one
    compilation serves every environment of the same structure and t of the same shape)."""
    return jax.vmap(lambda s: (env.rates(s, W0), env.frequency_shift(s, W0)))(t)


# ---------------------------------------------------------------------------------------------
# (a) brute force, written directly from alpha_+-(t, tau)
# ---------------------------------------------------------------------------------------------


def _ohmic(w, g, s, cutoff):
    return g * w**s * cutoff ** (1 - s) * np.exp(-w / cutoff)


def _frequency_rule(top, h, nodes):
    """Gauss-Legendre on [0, 1] in u = sqrt(w) (which makes w^(s-1), s = 1/2, regular), then
    panels of width h up to `top`."""
    x, wx = leggauss(nodes)
    e = np.linspace(0.0, 1.0, 9)
    lo, hi = e[:-1, None], e[1:, None]
    u = (lo + hi) / 2 + (hi - lo) / 2 * x[None]
    uw = (hi - lo) / 2 * wx[None] * 2 * u
    e = np.arange(1.0, top + h / 2, h)
    lo, hi = e[:-1, None], e[1:, None]
    w = (lo + hi) / 2 + (hi - lo) / 2 * x[None]
    ww = (hi - lo) / 2 * wx[None]
    return np.concatenate([(u**2).ravel(), w.ravel()]), np.concatenate([uw.ravel(), ww.ravel()])


def brute_force(params, t, top, h, nodes=8):
    """P(t) = int_0^t dtau alpha_+(t, tau) e^{-i w0 (t - tau)} and M(t) (alpha_-, e^{+i...}),
    each as (short, long): alpha_+- literally from eqs C4-C6 with sum_l |g_l|^2 ... ->
    (1/2pi) int dw J_I(w) ... and sum_{l,k} |g_l|^2 |g~_lk|^2 ... -> (1/4pi^2) int dw int dw'
    J_I(w) J_II(w') ... (eqs C7-C8), gamma = J_II/2,

        C(w, w'; t, tau) = [e^{i w' t} - e^{(i w - gamma) t}]
                           [e^{-i w' tau} - e^{(-i w - gamma) tau}]
                           / ((gamma - i (w - w')) (gamma + i (w - w'))).

    The tau integral by Gauss-Legendre with enough nodes for e^{i w tau} up to w = top (tau
    enters C only through its second factor), the frequency integrals on tensor
    Gauss-Legendre grids (slightly different ones for w and w', so that no node pair sits on
    the diagonal). No step of the module's reduction is used."""
    (g_I, s_I, c_I), (g_II, s_II, c_II), T_I, T_II = params
    tx, tw = leggauss(int(top * t / 2) + 30)
    tau, wt = t * (tx + 1) / 2, t * tw / 2
    w, ww = _frequency_rule(top, h, nodes)
    v, wv = _frequency_rule(top, h * (1 + 1e-3), nodes)
    j_I, j_II = _ohmic(w, g_I, s_I, c_I), _ohmic(v, g_II, s_II, c_II)
    gamma = _ohmic(w, g_II, s_II, c_II) / 2
    n_I, n_II = 1 / np.expm1(w / T_I), 1 / np.expm1(v / T_II)
    out = []
    for sign, occ_I, occ_II in ((1, n_I, n_II), (-1, n_I + 1, n_II + 1)):
        system = np.exp(-sign * 1j * W0 * (t - tau))  # e^{-+i w0 (t - tau)}
        first = np.exp(sign * 1j * w[:, None] * (t - tau[None])) * np.exp(
            -gamma[:, None] * (t + tau[None])
        )
        short = np.sum(ww * j_I * occ_I * ((first * system[None]) @ wt)) / (2 * np.pi)
        a = (np.exp(-sign * 1j * v[:, None] * tau[None]) * system[None]) @ wt
        b = (np.exp((-sign * 1j * w[:, None] - gamma[:, None]) * tau[None]) * system[None]) @ wt
        A = np.exp(sign * 1j * v[None] * t) - np.exp((sign * 1j * w[:, None] - gamma[:, None]) * t)
        d = w[:, None] - v[None]
        den = (gamma[:, None] - sign * 1j * d) * (gamma[:, None] + sign * 1j * d)
        c = A * (a[None] - b[:, None]) / den
        long = (ww * j_I) @ c @ (wv * j_II * occ_II) / (4 * np.pi**2)
        out.append((short, long))
    return out


@pytest.mark.parametrize(
    "params, t, top, h",
    [
        # the paper's Fig 8 parameters
        (((1e-2, 1.0, 10.0), (1e-2, 1.0, 10.0), 10.0, 5.0), 1.0, 300.0, 1.0),
        # sub-Ohmic J_I, super-Ohmic J_II (gamma ~ w^2), a stronger R_II, lower temperatures
        (((1e-2, 0.5, 2.0), (5e-2, 2.0, 2.0), 1.0, 0.5), 3.0, 70.0, 0.15),
    ],
)
def test_matches_brute_force(params, t, top, h):
    """The four parts agree with the brute force (converged to ~1e-15, checked by halving h)
    to 1e-9 of |P| (|M|); the long-time parts, which are small at short times, to 1e-6 of
    themselves (measured: 2e-11 for Fig 8, 1e-7 for the sub-/super-Ohmic case)."""
    (p_short, p_long), (m_short, m_long) = brute_force(params, t, top, h)
    (g_I, s_I, c_I), (g_II, s_II, c_II), T_I, T_II = params
    env = qoj.NonEquilibriumBath(Ohmic(g_I, s_I, c_I), Ohmic(g_II, s_II, c_II), T_I, T_II)
    ps, pl, ms, ml = (complex(x) for x in memory_terms(env, t, W0))
    p, m = abs(p_short + p_long), abs(m_short + m_long)
    assert abs(ps - p_short) < 1e-9 * p and abs(pl - p_long) < 1e-9 * p
    assert abs(ms - m_short) < 1e-9 * m and abs(ml - m_long) < 1e-9 * m
    assert abs(pl - p_long) < 1e-6 * abs(p_long) and abs(ml - m_long) < 1e-6 * abs(m_long)


# ---------------------------------------------------------------------------------------------
# (b) no second reservoir: a qubit in an equilibrium reservoir
# ---------------------------------------------------------------------------------------------


def _equilibrium(t, occupied, g=1e-2, cutoff=10.0, T=10.0):
    """(1/2pi) int_0^inf dw F(w) (e^{i (w - w0) t} - 1)/(i (w - w0)) by scipy.integrate.quad,
    F = J n or J (n + 1) for an Ohmic J."""

    def rate(w):
        return _ohmic(w, g, 1.0, cutoff) * (1 / np.expm1(w / T) + occupied)

    def part(f):
        kw = dict(points=[W0], limit=4000, epsabs=1e-14, epsrel=1e-12)
        return quad(lambda w: rate(w) * f(w - W0), 0.0, 42 * cutoff, **kw)[0]

    re = part(lambda u: t * np.sinc(u * t / np.pi))
    im = part(lambda u: (1 - np.cos(u * t)) / u if u != 0 else 0.0)
    return (re + 1j * im) / (2 * np.pi)


def test_without_the_second_reservoir():
    """J_II = 0: P_long = M_long = 0 exactly; P_short and M_short are the second-order
    memory integrals of a qubit in an equilibrium reservoir at T_I (to 1e-10, against a 1D
    scipy quadrature); at long times the rates tend to J_I n_I and J_I (n_I + 1) and the
    shift to the rotating-wave Lamb shift, up to the 1/t transient of the band edge w = 0
    (J_I n_I -> g_I T_I there): |Delta P| <~ g_I T_I / (2 pi w0 t)."""
    env = environment(1e-2, 0.0, 10.0, 5.0)
    ts = np.array([2.0, 20.0, 2e4])
    ps, pl, ms, ml = (np.asarray(x) for x in memory_terms(env, jnp.asarray(ts), W0))
    assert np.all(pl == 0) and np.all(ml == 0)
    bath = env.bath_I
    for i, t in enumerate(ts[:2]):
        p, m = _equilibrium(t, 0), np.conj(_equilibrium(t, 1))
        assert abs(ps[i] - p) < 1e-10 * abs(p) and abs(ms[i] - m) < 1e-10 * abs(m)
    bound = 2 * 1e-2 * 10.0 / (2 * np.pi * W0 * ts[2])  # on 2 Re P and on Im M - Im P
    rates = np.array([2 * ps[2].real, 2 * ms[2].real])
    limits = np.array([bath.absorption_rate(W0), bath.emission_rate(W0)])
    np.testing.assert_allclose(rates, limits, rtol=0, atol=bound)
    shift = ms[2].imag - ps[2].imag
    assert abs(shift - float(rotating_wave_shift(bath, W0))) < bound


# ---------------------------------------------------------------------------------------------
# (c) long times: eqs 19-20
# ---------------------------------------------------------------------------------------------


def test_long_times_approach_eqs_19_20():
    """From t = 4/J_II(w0) to 16/J_II(w0) the exact rates agree with eqs 19-20 up to the O(J_II)
    smoothing of the Lorentzian kernel (eq 17) and the O(1/(w0 t)) transient of the band edge:
    measured |exact - approximate|/approximate <= 6e-4 for g_II = 1e-2 and <= 6e-5 for
    g_II = 1e-3 (T_I = 0.5 < T_II = 2, so that the two limits J_I n_I, J_I n_II differ by a
    factor ~6 and the crossover is a real test). Asserted: <= 0.1 g_II + 0.1/(w0 t), and the
    deviation at the last time shrinks by > 3x when g_II does by 10x."""
    deviations = []
    for g_II in (1e-2, 1e-3):
        exact = environment(1e-2, g_II, 0.5, 2.0)
        approximate = environment(1e-2, g_II, 0.5, 2.0, rates="approximate")
        t = jnp.array([4.0, 8.0, 12.0, 16.0]) / exact.relaxation_rate(W0)
        e = np.asarray(rates_and_shift(exact, t)[0])
        a = np.asarray(approximate.rates(t, W0))
        relative = np.abs(e - a) / a
        assert np.all(relative <= 0.1 * g_II + 0.1 / (W0 * np.asarray(t)))
        assert np.all(e > 0)
        deviations.append(relative[:, -1].max())
    assert deviations[1] < deviations[0] / 3


# ---------------------------------------------------------------------------------------------
# (d) gradients
# ---------------------------------------------------------------------------------------------


def test_gradients_match_finite_differences():
    """jax.grad of gamma_+ + gamma_- + shift (at t = 5 and 50) w.r.t. T_II and g_I: against a
    central difference in T_II (relative step 1e-4, truncation ~1e-9), and, since P and M are
    linear in J_I (gamma does not depend on g_I), against f/g_I, which every central
    difference in g_I returns exactly."""

    def f(T_II, g_I):
        p, m = memory_integrals(environment(g_I, 1e-2, 10.0, T_II), jnp.array([5.0, 50.0]), W0)
        return jnp.sum(2 * p.real + 2 * m.real + m.imag - p.imag)

    value, (d_T, d_g) = jax.value_and_grad(f, argnums=(0, 1))(5.0, 1e-2)
    h = 5.0 * 1e-4
    fd = (f(5.0 + h, 1e-2) - f(5.0 - h, 1e-2)) / (2 * h)
    np.testing.assert_allclose(d_T, fd, rtol=1e-6)
    np.testing.assert_allclose(d_g, value / 1e-2, rtol=1e-10)


# ---------------------------------------------------------------------------------------------
# (e) the API
# ---------------------------------------------------------------------------------------------


def test_rates_and_shift_through_the_bath_under_jit_and_vmap():
    """NonEquilibriumBath(rates="exact").rates and .frequency_shift, vmapped over t under jit,
    give gamma_+ = 2 Re P, gamma_- = 2 Re M, Delta w = Im M - Im P of memory_integrals;
    t = 0 gives zeros; a spectrum without a cutoff raises ValueError."""
    env = environment(1e-2, 1e-2, 10.0, 5.0)
    ts = jnp.array([0.0, 0.7, 30.0, 900.0])

    (up, down), shift = rates_and_shift(env, ts)
    p, m = memory_integrals(env, ts, W0)
    np.testing.assert_allclose(up, 2 * p.real, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(down, 2 * m.real, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(shift, m.imag - p.imag, rtol=1e-12, atol=1e-16)
    assert up[0] == 0 and down[0] == 0 and shift[0] == 0
    assert up.shape == down.shape == shift.shape == ts.shape
    assert np.all(up[1:] > 0) and np.all(down[1:] > up[1:])
    no_cutoff = qoj.NonEquilibriumBath(Ohmic(1e-2), Ohmic(1e-2, 1.0, 10.0), 1.0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        memory_integrals(no_cutoff, 1.0, W0)
    with pytest.raises(ValueError):
        memory_integrals(env, -1.0, W0)


# ---------------------------------------------------------------------------------------------
# (f) the figure
# ---------------------------------------------------------------------------------------------


def test_exact_rates_figure(tmp_path):
    """Fig 8: the long-time part follows eq 20 to ~5e-4 once t > 300 (O(J_II) and the 1/t
    transient), the short-time part oscillates about eq 19 early on at the qubit frequency
    (the transient eq 19 lacks), and the total rate ends near J_I n_II."""
    from qoj.figures._exact_rates import FIGURE

    result = FIGURE.run(tmp_path)
    numbers = result.numbers
    assert (tmp_path / "exact-rates.png").exists()
    assert numbers["max_rel_diff_long_time_part_vs_eq_20_for_t_gt_300"] < 2e-3
    assert numbers["max_rel_diff_gamma_plus_vs_eqs_19_20_for_t_gt_300"] < 2e-3
    assert numbers["short_time_transient_max_deviation_from_eq_19_over_its_t0_value"] > 0.1
    assert math.isclose(numbers["transient_oscillation_frequency_over_w0"], 1.0, rel_tol=0.05)
    assert numbers["gamma_plus_at_0"] == 0.0
    assert math.isclose(
        numbers["gamma_plus_exact_at_t_max"], numbers["J_I_n_II_at_w0"], rel_tol=1e-3
    )


@pytest.mark.slow  # ~30 s; the fast path (tabulate, then evolve) is in test_prethermal_qubit
def test_qubit_with_exact_rates_thermalises_at_T_II():
    """PrethermalQubit with exact rates (`evolve` tabulates them and reads them by
    interpolation inside the ODE): from |e> the qubit ends in the Gibbs state at T_II (E2)
    once J_II(w0) t >> 1, up to the O(J_II/w0) smoothing of eq 17 (measured 1.2e-6 at
    t = 2000), and follows the approximate model's populations once the initial slip is
    over (the exact rates start at 0, so early on the exact decay lags behind). A table
    coarser than the default (128 log points) aliases the 1/t transient oscillating at w0
    and shifts the end state by ~1e-4."""
    env = environment(1e-2, 1e-2, 10.0, 5.0)
    ts = np.geomspace(1.0, 2000.0, 12)
    rho0 = np.diag([1.0, 0.0]).astype(complex)
    exact = qoj.models.PrethermalQubit(W0, env).evolve(rho0, ts, save_states=True).states
    approximate = environment(1e-2, 1e-2, 10.0, 5.0, rates="approximate")
    approx = qoj.models.PrethermalQubit(W0, approximate).evolve(rho0, ts, save_states=True)
    n_II = 1 / math.expm1(W0 / 5.0)
    excited = np.asarray(exact[:, 0, 0].real)
    assert abs(excited[-1] - n_II / (2 * n_II + 1)) < 1e-5
    markovian = np.asarray(approx.states[:, 0, 0].real)
    assert np.all(excited[:3] > markovian[:3] + 0.01)  # the slip: t = 1 ... 4
    late = ts > 50.0
    np.testing.assert_allclose(excited[late], markovian[late], atol=5e-3)
    assert np.all((excited > 0) & (excited < 1))
