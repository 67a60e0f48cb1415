"""The master-equation figures of `qoj reproduce`: each runs (default size) and reports the
agreement it claims. Numbers are read back from `<name>.txt`, as a user would."""

import jax

jax.config.update("jax_enable_x64", True)

import pytest  # noqa: E402

from qoj._cli import main  # noqa: E402


def _reproduce(name, tmp_path):
    """Run one figure through the command line; its PNG and its `key: value` header."""
    assert main(["reproduce", name, "--out", str(tmp_path)]) == 0
    png = tmp_path / f"{name}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    header = {}
    for line in (tmp_path / f"{name}.txt").read_text().splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(": ")
        header[key] = value
    assert header["figure"] == name
    assert float(header["time_s"]) > 0
    return header


def _float(header, key):
    return float(header[key])


def test_fogedby_coupled(tmp_path):
    h = _reproduce("fogedby-coupled", tmp_path)
    # The global equation's steady current is eqs 3.53-3.54 (Ohmic, so g(omega_+-) differ).
    assert _float(h, "max_relative_difference") < 1e-8
    assert _float(h, "max_relative_difference_eq_3_50_vs_eqs_3_53_3_54") < 1e-12
    assert _float(h, "max_abs_qA_plus_qB") < 1e-15
    assert _float(h, "max_abs_qA_at_TA_equal_TB") < 1e-15
    assert h["second_law_sign_check"] == "passed"
    assert _float(h, "max_qA_at_TA_4") > 0
    assert int(h["grid_points"]) > 1000


def test_local_violation(tmp_path):
    h = _reproduce("local-violation", tmp_path)
    # Local: heat from cold to hot exactly in the wedge T_B < T_A < T_B omega1/omega2 (and
    # its mirror); global: never.
    assert int(h["local_violations"]) > 0.1 * int(h["map_points"])
    assert int(h["global_violations"]) == 0
    assert int(h["local_violation_region_mismatches_vs_predicted_wedge"]) == 0
    assert _float(h, "cut_violation_TA_over_TB_min") == pytest.approx(1.0, abs=0.02)
    assert _float(h, "cut_violation_TA_over_TB_max") == pytest.approx(2.0, abs=0.02)
    # The truncated master equations show the same, and agree with the closed forms to
    # about the truncation error.
    assert int(h["numeric_local_violations"]) == 5
    assert int(h["numeric_global_violations"]) == 0
    assert _float(h, "max_truncation_error") < 1e-4
    assert _float(h, "max_relative_difference_local") < 1e-3
    assert _float(h, "max_relative_difference_global") < 2e-3
    assert _float(h, "max_abs_qA_plus_qB") < 1e-15
    assert _float(h, "min_entropy_production_local") < 0
    assert _float(h, "min_entropy_production_global") >= 0


def test_cresser_qubits(tmp_path):
    h = _reproduce("cresser-qubits", tmp_path)
    # Local (eq 116) current = eq 118 without its (1/4)(...)(gamma_h - gamma_c) term, exactly;
    # the printed eq 118 is off by percents for gamma_h != gamma_c.
    assert _float(h, "max_relative_difference_local_vs_eq_118") < 1e-8
    assert _float(h, "max_relative_difference_printed_eq_118_vs_local") > 1e-3
    # Global and partial secular reach eqs 115 and 118 for Omega << omega_S, T.
    assert _float(h, "max_relative_difference_global_vs_eq_115_small_Omega") < 1e-3
    assert _float(h, "max_relative_difference_partial_secular_vs_eq_118_small_Omega") < 1e-3
    # Secular current stays finite as Omega -> 0, the partial-secular one vanishes; they
    # meet for Omega >> linewidths.
    assert _float(h, "ratio_partial_secular_to_global_at_min_Omega") < 1e-3
    assert _float(h, "ratio_partial_secular_to_global_at_max_Omega") > 0.95
    assert _float(h, "J_sec_eq_115") > 0
    assert _float(h, "max_abs_Jh_plus_Jc") < 1e-15
    # Steady coherence of the partial-secular equation: eqs 107-108; none for the global one.
    assert _float(h, "max_relative_difference_p0_vs_eq_107") < 1e-6
    assert _float(h, "max_relative_difference_imag_coherence_vs_eq_108") < 1e-6
    assert _float(h, "max_abs_global_coherence") < 1e-14


def test_cresser_tunnelling(tmp_path):
    h = _reproduce("cresser-tunnelling", tmp_path)
    assert _float(h, "max_relative_difference_local_vs_eq_145") < 1e-8
    assert _float(h, "max_relative_difference_eq_145_printed_vs_model") < 1e-12
    assert _float(h, "max_relative_difference_global_vs_eq_140_small_Omega") < 1e-3
    assert _float(h, "max_relative_difference_partial_secular_vs_eq_145_small_Omega") < 1e-3
    assert _float(h, "ratio_partial_secular_to_global_at_min_Omega") < 1e-3
    assert _float(h, "ratio_partial_secular_to_global_at_max_Omega") > 0.95
    assert _float(h, "J_secular_eq_140") > 0
    assert _float(h, "max_abs_Jl_plus_Jr") < 1e-15


def test_coarse_graining(tmp_path):
    h = _reproduce("coarse-graining", tmp_path)
    # Long dt: the global (Davies) current; 1/omega_S << dt << 1/Omega: near the
    # partial-secular one, although the two limits differ by a factor > 5.
    assert _float(h, "J_global") > 5 * _float(h, "J_partial_secular") > 0
    assert _float(h, "relative_difference_vs_global_at_max_dt") < 1e-4
    for dt in ("100", "300", "1000"):
        assert _float(h, f"relative_difference_vs_partial_secular_at_dt_{dt}") < 0.03
    assert 100 < _float(h, "dt_closest_to_partial_secular") < 3000
    # The rate matrix of eq 45 is positive semidefinite, and its cross rate follows
    # sinc(Omega dt) once dt >> tau_c.
    assert _float(h, "min_rate_matrix_eigenvalue_over_max") > -1e-12
    assert _float(h, "max_abs_cross_rate_minus_sinc_for_dt_ge_100") < 5e-3
    assert _float(h, "max_abs_Jh_plus_Jc") < 1e-15
