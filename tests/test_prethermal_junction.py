"""A qubit between two non-equilibrium environments (seed 000 section 6, appendix G): the
steady and quasi-stationary states, the heat fluxes of eq 35, energy conservation, and the
sign changes of the flux (Fig 7 d, e).

Every trajectory goes through the figure's `panel_reversals` (one vmapped, jitted
`flux_reversal_times` over four initial states; the model and t_max are traced), so the
implicit solver is compiled once for the whole module and the figure; `_evolve` (states saved)
is the second and last compilation.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import brentq

import qoj
from qoj.figures import _heat_flux_flips as fig
from qoj.models import PrethermalJunction
from qoj.models._flux_reversal import flux_reversal_times

W0 = 1.0


def _env(beta_I, beta_II, g_II, g_I=fig.G_I):
    return qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(g_I, 1.0, 10.0),
        qoj.spectra.Ohmic(g_II, 1.0, 10.0),
        1 / beta_I,
        1 / beta_II,
    )


def _run(model, t_max, populations=None):
    """Flux reversals (and the grid outputs) for the figure's four initial states."""
    populations = fig.initial_populations(model) if populations is None else populations
    out = fig.panel_reversals(model, jnp.asarray(populations), jnp.asarray(t_max))
    return jax.tree.map(np.asarray, out)


@eqx.filter_jit
def _evolve(model, rho0, ts):
    # Tight tolerances: the states between solver steps come from the solver's interpolant,
    # whose error the finite differences below would see.
    sol = model.evolve(rho0, ts, save_states=True, rtol=1e-12, atol=1e-14)
    return sol.states, sol.heat_currents


def _diag(p):
    return jnp.diag(jnp.asarray([p, 1.0 - p])).astype(complex)


def test_steady_state_and_currents_match_G3_and_eq_35():
    model = fig.junction("d")
    out = _run(model, 1e6)  # J_II t_max ~ 900: every environment at stage II
    p_ss = float(model.steady_excited_population())
    np.testing.assert_allclose(out.population[:, -1], p_ss, rtol=1e-9)
    steady = model.stationary_heat_currents()
    scale = abs(float(steady["R"]))
    assert scale > 1e-3
    for name in ("L", "R"):
        np.testing.assert_allclose(out.heat_currents[name][:, -1], steady[name], atol=1e-10 * scale)
    np.testing.assert_allclose(
        out.heat_currents["L"][:, -1] + out.heat_currents["R"][:, -1], 0.0, atol=1e-12 * scale
    )
    # eq 35 by hand: J^R = w0 J_I (n_II^R - rho_++ (2 n_II^R + 1)).
    bath = model.env_R.system_baths()[1]
    j, n = float(bath.spectrum(W0)), float(bath.occupation(W0))
    assert float(steady["R"]) == pytest.approx(W0 * j * (n - p_ss * (2 * n + 1)), rel=1e-12)


def test_quasi_stationary_plateau_matches_G5():
    # The temperatures of Fig 7(e), g_II = 1e-7: at t = 300 the qubit has relaxed (rate
    # ~0.2) and J_II t ~ 3e-5.
    model = PrethermalJunction(W0, _env(0.5, 10.0, 1e-7), _env(0.1, 1.0, 1e-7))
    out = _run(model, 1e3)
    i = np.argmin(np.abs(out.grid[0] - 300.0))
    p_qs = float(model.excited_population_limit(("I", "I")))
    p_ss = float(model.steady_excited_population())
    assert abs(p_qs - p_ss) > 0.1  # the plateau is not the steady state
    np.testing.assert_allclose(out.population[:, i], p_qs, rtol=1e-5)
    qs = model.stationary_heat_currents(("I", "I"))
    np.testing.assert_allclose(out.flux[:, i], qs["R"], rtol=1e-4)
    np.testing.assert_allclose(out.heat_currents["R"][:, i], qs["R"], rtol=1e-4)
    np.testing.assert_allclose(out.heat_currents["L"][:, i], qs["L"], rtol=1e-4)
    assert np.all(out.count == np.array([0, 0, 1, 0]))  # only |e> crosses rho_++ = 1/2


def test_energy_conservation_along_a_trajectory():
    # J^L + J^R = d<H_S>/dt (eq 33): fourth-order differences of Tr[H_S rho(t)] from saved
    # states, over the relaxation from |e> of the Fig 7(e) junction.
    model = fig.junction("e")
    ts = jnp.linspace(0.0, 40.0, 2001)
    states, currents = _evolve(model, _diag(1.0), ts)
    energy = np.real(np.einsum("ij,tji->t", np.asarray(model.hamiltonian()), np.asarray(states)))
    h = float(ts[1] - ts[0])
    d_energy = (energy[:-4] - 8 * energy[1:-3] + 8 * energy[3:-1] - energy[4:]) / (12 * h)
    total = np.asarray(currents["L"] + currents["R"])[2:-2]
    assert np.max(np.abs(total)) > 0.05
    np.testing.assert_allclose(d_energy, total, atol=1e-8 * np.max(np.abs(total)))


def test_flux_changes_sign_once_in_d_and_twice_in_e():
    special = list(fig.INITIAL).index("quasi-stationary")
    model_d, model_e = fig.junction("d"), fig.junction("e")
    d, e = _run(model_d, 1e6), _run(model_e, 1e8)
    assert d.count[special] == 1 and e.count[special] == 2
    assert np.all(np.isinf(d.times[special, 1:])) and np.all(np.isinf(e.times[special, 2:]))
    # (d) is symmetric: the occupations of eqs 19-20 cross at e^{-J_II t} = 1/2, and with
    # J_I^L = J_I^R the flux (J^R - J^L)/2 = w0 J_I (n^R - n^L)(1/2 - rho_++) vanishes there.
    t_d = np.log(2.0) / float(model_d.env_L.relaxation_rate(W0))
    assert d.times[special, 0] == pytest.approx(t_d, rel=1e-9)

    # (e): where n^R(t) = n^L(t).
    def occupation_gap(t):
        up = [env.rates(t, W0)[0] / env.spectrum_I(W0) for env in (model_e.env_L, model_e.env_R)]
        return float(up[1] - up[0])

    crossings = [
        brentq(occupation_gap, *bracket, xtol=1e-14) for bracket in ((10, 1e3), (1e4, 1e7))
    ]
    np.testing.assert_allclose(e.times[special, :2], crossings, rtol=1e-9)
    # The brackets are tight and hold the times.
    for out, k in ((d, 1), (e, 2)):
        lo, hi = out.brackets[special, :k].T
        assert np.all((lo <= out.times[special, :k]) & (out.times[special, :k] <= hi))
        assert np.all((hi - lo) / lo < 1e-8)
    # An independent integration from t = 0 (model.evolve) changes sign across every time.
    times = e.times[special, :2]
    probe = np.sort(np.concatenate([times * (1 - 1e-6), times * (1 + 1e-6), np.zeros(1997)]))
    _, currents = _evolve(model_e, _diag(float(fig.initial_populations(model_e)[special])), probe)
    flux = np.asarray(currents["R"] - currents["L"])[-4:]
    assert flux[0] > 0 > flux[1] and flux[2] < 0 < flux[3]
    # Late reversals do not depend on the initial state; |e> adds an early one (rho_++ = 1/2).
    np.testing.assert_allclose(d.times[:, 0][[0, 1, 3]], d.times[special, 0], rtol=1e-12)
    assert list(d.count) == [1, 1, 2, 1] and list(e.count) == [2, 2, 3, 2]


def test_effective_temperature_between_the_beta_II():
    model = fig.junction("d")  # beta_II^L = 0.1, beta_II^R = 1
    beta = float(model.effective_inverse_temperature())
    assert 0.1 < beta < 1.0
    p = float(model.steady_excited_population())
    assert p == pytest.approx(1.0 / (1.0 + np.exp(beta * W0)), rel=1e-12)  # eq G4
    # The prethermal state sees the beta_I instead (1 and 0.1 here too).
    assert 0.1 < float(model.effective_inverse_temperature(("I", "I"))) < 1.0


def test_equal_temperatures_give_gibbs_state_and_no_current():
    # Detailed balance: one temperature everywhere, unequal couplings.
    T = 0.7
    model = PrethermalJunction(
        W0, _env(1 / T, 1 / T, 1e-3, g_I=0.02), _env(1 / T, 1 / T, 1e-2, g_I=0.005)
    )
    gibbs = 1.0 / (1.0 + np.exp(W0 / T))
    assert float(model.steady_excited_population()) == pytest.approx(gibbs, rel=1e-12)
    for stages in (None, ("I", "I"), ("I", "II")):
        for value in model.stationary_heat_currents(stages).values():
            assert abs(float(value)) < 1e-16
    out = _run(model, 1e4)
    np.testing.assert_allclose(out.population[:, -1], gibbs, rtol=1e-9)
    for name in ("L", "R"):
        np.testing.assert_allclose(out.heat_currents[name][:, -1], 0.0, atol=1e-13)
    assert np.all(out.count == 0)  # the Gibbs start (index 3) has a flux of round-off only
    assert np.max(np.abs(out.flux[3])) < 1e-14


def test_figure_reports_physical_numbers(tmp_path):
    result = fig.FIGURE.run(tmp_path)
    n = result.numbers
    assert (tmp_path / "heat-flux-flips.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert n["c_sign_changes"] == 0 and n["d_sign_changes"] == 1 and n["e_sign_changes"] == 2
    assert n["d_reversal_time_1"] == pytest.approx(n["d_reversal_time_closed_form_ln2_over_J_II"])
    assert 1e2 < n["e_reversal_time_1"] < 1e3 < 1e4 < n["e_reversal_time_2"] < 1e6
    # R_I hotter than L_I: positive quasi-stationary flux; (d) reversed at long times.
    assert n["d_flux_eq35_I_I"] > 0 > n["d_flux_eq35_II_II"]
    assert n["e_flux_eq35_I_I"] > 0 > n["e_flux_eq35_I_II"] and n["e_flux_eq35_II_II"] > 0
    assert n["max_relative_late_flux_deviation_from_eq35"] < 1e-9
    for panel in "cde":
        assert n[f"{panel}_abs_initial_flux_minus_eq35_qs_state"] < 1e-15
        assert n[f"{panel}_max_abs_late_JL_plus_JR"] < 1e-14
    assert 0.1 < n["beta_eff_d_G4"] < 1.0


def test_gradient_of_steady_current_matches_evolved_finite_difference():
    model = fig.junction("d")
    temperature = model.env_R.bath_II.temperature  # T_II^R = 1

    def with_temperature(t):
        return eqx.tree_at(lambda m: m.env_R.bath_II.temperature, model, t)

    grad = jax.grad(lambda t: with_temperature(t).stationary_heat_currents()["R"])(temperature)
    h = 1e-4
    plus = _run(with_temperature(temperature + h), 1e6)
    minus = _run(with_temperature(temperature - h), 1e6)
    fd = (plus.heat_currents["R"][:, -1] - minus.heat_currents["R"][:, -1]) / (2 * h)
    assert abs(float(grad)) > 1e-4
    np.testing.assert_allclose(fd, float(grad), rtol=1e-7)


def test_bad_arguments():
    model = fig.junction("d")
    with pytest.raises(ValueError, match="quantity"):
        flux_reversal_times(model, _diag(0.0), 1e3, quantity="sum")
    with pytest.raises(ValueError, match="n_grid"):
        flux_reversal_times(model, _diag(0.0), 1e3, n_grid=2)
    with pytest.raises(ValueError, match="t_min"):
        flux_reversal_times(model, _diag(0.0), 1e-3)
