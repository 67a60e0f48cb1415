"""Seed 000's exact rate model (eqs 16-18, A2-A5): limits that must hold."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import qoj

W0 = 1.0


def environment(g_II, rates, T_I=10.0, T_II=5.0):
    return qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(1e-2, 1.0, 10.0),
        qoj.spectra.Ohmic(g_II, 1.0, 10.0),
        T_I,
        T_II,
        rates=rates,
    )


def test_exact_rates_approach_eqs_19_20_and_the_equilibrium_limit():
    """(a) With g_II = 1e-2 (the paper's Fig 8) the exact rates approach the approximate ones
    (eqs 19-20) at long times, up to the O(J_II/w0) width of the Lorentzian kernel (eq 17):
    the relative difference falls below 2e-3 by t = 500 and 1e-3 by t = 2000. (b) Without the
    second reservoir (g_II -> 0) the rates are those of an equilibrium reservoir at T_I, whose
    transient dies out as 1/t: within 1 % of J_I n_I and J_I (n_I + 1) by t = 300."""
    # (the quadrature module still relies on implicit rank promotion)
    with jax.numpy_rank_promotion("allow"):
        _check_limits()


def _check_limits():
    t = jnp.array([500.0, 2000.0])
    exact = np.asarray(environment(1e-2, "exact").rates(t, W0))
    approximate = np.asarray(environment(1e-2, "approximate").rates(t, W0))
    relative = np.abs(exact - approximate) / approximate
    assert (relative[:, 0] < 2e-3).all() and (relative[:, 1] < 1e-3).all()
    assert (exact > 0).all()

    alone = np.asarray(environment(1e-9, "exact").rates(jnp.array([300.0, 1000.0]), W0))
    bath = qoj.Bath(qoj.spectra.Ohmic(1e-2, 1.0, 10.0), 10.0)
    limits = np.array([[bath.absorption_rate(W0)], [bath.emission_rate(W0)]])
    np.testing.assert_allclose(alone, np.broadcast_to(limits, alone.shape), rtol=1e-2)


@pytest.mark.slow
def test_exact_rates_figure(tmp_path):
    """Fig 8: the long-time part follows eq 20 closely, the short-time part oscillates about
    eq 19 early on (the transient eq 19 lacks)."""
    from qoj.figures import FIGURES

    numbers = FIGURES["exact-rates"].run(tmp_path).numbers
    assert numbers["max_rel_diff_long_time_part_vs_eq_20_for_t_gt_300"] < 2e-3
    assert numbers["short_time_transient_max_deviation_from_eq_19_over_its_t0_value"] > 0.1
    assert (tmp_path / "exact-rates.png").exists()
