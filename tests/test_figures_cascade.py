"""Seed 001's Fig. 2 and Fig. 3 a, b (cascaded oscillators and qubits): each figure runs at
its default size and reports the agreement it claims."""

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from qoj.figures import _cascade_correlated, _cascade_thermal  # noqa: E402


def _run(module, name, tmp_path):
    result = module.FIGURE.run(tmp_path)
    assert module.FIGURE.name == name
    png = tmp_path / f"{name}.png"
    assert result.files[0] == png
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return result.numbers


def test_cascade_thermal(tmp_path):
    n = _run(_cascade_thermal, "cascade-thermal", tmp_path)
    # Oscillators: covariance-matrix numerics are eqs 26-30 to round-off.
    assert n["oscillators_max_abs_dev_from_closed_forms"] < 1e-10
    assert n["oscillators_max_abs_Jind_minus_2J1"] < 1e-10
    # |J(c)| = |J(ind)| exactly at gamma t = 2; |J12| peaks at gamma t = 1 (grid step 0.01).
    assert n["oscillators_gamma_t_Jc_equals_Jind_max_dev_from_2"] < 1e-8
    assert n["oscillators_gamma_t_of_max_abs_J12_max_dev_from_1"] < 1e-3
    assert n["oscillators_J12_opposite_sign_to_J1"] == "passed"
    # Qubits: S1 relaxes alone; the independent model's total is 2 J1.
    assert n["qubits_max_abs_J1_dev_from_closed_form"] < 1e-8
    assert n["qubits_max_abs_Jind_minus_2J1"] < 1e-8
    assert n["qubits_J12_opposite_sign_to_J1"] == "passed"
    for t_s in _cascade_thermal.T_SYSTEM:
        crossing = n[f"qubits_gamma_t_Jc_equals_Jind_TS_{t_s:g}"]
        assert 1.0 < crossing < _cascade_thermal.U_MAX


def test_cascade_correlated(tmp_path):
    n = _run(_cascade_correlated, "cascade-correlated", tmp_path)
    assert n["oscillators_max_abs_dev_from_closed_forms"] < 1e-10
    assert n["qubits_max_abs_dev_from_closed_form"] < 1e-10
    assert n["qubits_closed_form_vs_printed_sec_VI_B_max_abs_dev"] < 1e-12
    # J(ind) does not see the correlations (seed Fig. 3 caption).
    assert n["oscillators_Jind_max_spread_over_correlations"] < 1e-12
    assert n["qubits_Jind_max_spread_over_correlations"] < 1e-12
    # Eq 35: stationary points at gamma t = 2 and 2 (1 + s/2N_S); none for s = 0.
    assert n["oscillators_stationary_points_uncorrelated"] == 0
    assert n["oscillators_stationary_times_max_dev_from_eq_35"] < 1e-4
    assert n["oscillators_Jc_at_stationary_max_dev_from_eqs_37_38"] < 1e-8
    for c, expected in ((-0.7, (0.6, 2.0)), (0.7, (2.0, 3.4))):
        found = [float(x) for x in n[f"oscillators_gamma_t_stationary_C_{c:g}NS"].split()]
        np.testing.assert_allclose(found, expected, atol=1e-4)
    # Qubits: only the positive correlation gives a minimum then a maximum.
    assert n["qubits_stationary_points_Re_rho23_-0.75"] == 0
    assert n["qubits_stationary_points_Re_rho23_0"] == 0
    assert n["qubits_stationary_points_Re_rho23_0.75"] == pytest.approx(2)
