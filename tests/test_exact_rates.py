"""Seed 000's exact rate model (eqs 16-18, A2-A5): limits that must hold."""

import jax
import jax.numpy as jnp
import numpy as np

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
