"""The design examples run with --quick and print the physics they claim.

Each script runs in a subprocess (`--quick --out tmp_path`); the tests parse its printed
numbers, so nothing here imports an example. Scripts whose quick run takes more than ~20 s on
two CPU cores are `slow`; for those, a fast test checks the physics the example rests on
directly with qoj (the same model and parameters as the script).
"""

import re
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import pytest

import qoj

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FLOAT = r"([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"


def run(script: str, out: Path, *extra: str) -> str:
    """Run examples/<script> --quick --out <out>; check the PNG; return its stdout."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--quick", "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    png = out / f"{Path(script).stem}.png"
    assert png.stat().st_size > 10_000
    return result.stdout


def number(pattern: str, text: str) -> float:
    """The float captured by `pattern` (with {x} standing for a number) in `text`."""
    match = re.search(pattern.replace("{x}", FLOAT), text)
    assert match, f"{pattern!r} not found in:\n{text}"
    return float(match.group(1))


# --- examples/design_coupled_qubits.py -----------------------------------------------------


def coupled_qubit_current(coupling, detuning, approach):
    """The script's model: omega_{1,2} = 1 -+ delta/2, Ohmic kappa = 0.01, w_c = 2, T = 2, 1."""
    bath = lambda T: qoj.Bath(qoj.spectra.Ohmic(0.01, 1.0, 2.0), T)  # noqa: E731
    model = qoj.models.CoupledQubits(
        1.0 - detuning / 2, 1.0 + detuning / 2, coupling, bath(2.0), bath(1.0)
    )
    gen = model.generator(approach)
    return qoj.heat_currents(gen, qoj.steady_state(gen))["1"]


def test_coupled_qubits_approaches_disagree_where_the_example_says():
    """Local: heat from the cold bath into the hot one where omega1/T_1 > omega2/T_2 (delta =
    -1: 1.5/2 > 0.5/1), a second-law violation; global and Redfield stay positive there. At
    resonance and lambda = 1e-3 << gamma the global current is seed 004 eq 115's constant,
    while Redfield follows the local approach (eq 118) towards 0."""
    points = jnp.array([[0.3, -1.0], [1e-3, 0.0]])
    currents = {
        a: jax.jit(jax.vmap(lambda p, a=a: coupled_qubit_current(p[0], p[1], a)))(points)
        for a in ("local", "global", "redfield")
    }
    assert currents["local"][0] < -1e-5
    assert currents["global"][0] > 1e-5 and currents["redfield"][0] > 1e-5
    weak = {a: float(c[1]) for a, c in currents.items()}
    model = qoj.models.CoupledQubits(
        1.0, 1.0, 1e-3, *(qoj.Bath(qoj.spectra.Ohmic(0.01, 1.0, 2.0), T) for T in (2.0, 1.0))
    )
    assert weak["global"] == pytest.approx(float(model.cresser_secular_heat_current()), rel=1e-5)
    assert weak["local"] == pytest.approx(
        float(model.cresser_partial_secular_heat_current()), rel=1e-10
    )
    assert weak["redfield"] == pytest.approx(weak["local"], rel=1e-4)
    assert weak["redfield"] < 0.02 * weak["global"]


@pytest.mark.slow
def test_design_coupled_qubits_script(tmp_path):
    out = run("design_coupled_qubits.py", tmp_path)
    for approach in ("local", "global", "redfield"):
        assert number(rf"optimum {approach}: coupling = {{x}}", out) > 0
        assert number(rf"optimum {approach}: .*J_redfield there = {{x}}", out) > 0
    # the second-law violation of the local approach, and none for global and Redfield
    assert number(r"min J over the map local: {x}", out) < -1e-4
    assert number(r"min J over the map global: {x}", out) > 0
    assert number(r"min J over the map redfield: {x}", out) > 0
    eq115 = number(r"J_global = {x}", out), number(r"eq 115 {x}", out)
    assert eq115[0] == pytest.approx(eq115[1], rel=1e-5)
    eq118 = number(r"J_local = {x}", out), number(r"eq 118 \(corrected\) {x}", out)
    assert eq118[0] == pytest.approx(eq118[1], rel=1e-6)
    assert number(r"J_redfield = {x}", out) < 0.02 * eq115[0]


# --- examples/design_rectifier.py ----------------------------------------------------------


def test_design_rectifier_script(tmp_path):
    """R = 0 for the symmetric junction (mirror symmetry) under both master equations; the
    optimum rectifies, meets the current constraint, and heat flows from hot to cold in both
    directions; Redfield and global agree there (splitting 0.2 >> damping)."""
    out = run("design_rectifier.py", tmp_path)
    assert abs(number(r"symmetric junction \(redfield\): R = {x}", out)) < 1e-12
    assert abs(number(r"symmetric junction \(global\): R = {x}", out)) < 1e-12
    R = number(r"optimum: R = {x}", out)
    assert 0.3 < R < 2.0
    assert abs(number(r"optimum: .* at detuning = {x}", out)) < 1.0
    assert abs(number(r"optimum: .* asymmetry a = {x}", out)) < 2.0
    assert number(r"J\(T_A, T_B\) = {x}", out) > 0 > number(r"J\(T_B, T_A\) = {x}", out)
    assert number(r"J\(T_A, T_B\) = \S+ \({x} J_min\)", out) > 0.99
    assert number(r"global approach there: R = {x}", out) == pytest.approx(R, abs=1e-2)


# --- examples/learn_spectral_density.py ----------------------------------------------------


def test_learn_spectral_density_script(tmp_path):
    """steady_state reproduces Fogedby eq 3.14; both models fit the data to the noise (1%)
    and give J at the sampled frequencies to ~1% (tolerance 3%); the Lorentzians, which have
    the true form, also interpolate, the MLP does not have to."""
    out = run("learn_spectral_density.py", tmp_path)
    assert number(r"vs eq 3.14: max relative difference {x}", out) < 1e-10
    assert number(r"two Lorentzians {x}", out) < 1.5
    assert number(r"MLP {x} after", out) < 1.5
    assert number(r"sampled frequencies: Lorentzians {x}", out) < 0.03
    assert number(r"sampled frequencies: MLP {x}", out) < 0.03
    assert number(r"Lorentzians: max relative error between the samples {x}", out) < 0.03


# --- examples/prethermal_design.py ---------------------------------------------------------


def prethermal_environment(g_II, T_II):
    """The script's environment: Ohmic g_I = 1e-2, cutoff 10, T_I = 1, driven by R_II."""
    return qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(1e-2, 1.0, 10.0), qoj.spectra.Ohmic(g_II, 1.0, 10.0), 1.0, T_II
    )


def test_prethermal_design_optimum_is_feasible():
    """The optimum the example reports with its default 300 steps (g_II = 2.044e-5, T_II =
    0.783) has t_pr ~ 1.408e4 and meets condition (30) of seed 000 with room to spare."""
    env = prethermal_environment(2.044e-5, 0.783)
    t_pr = qoj.prethermal.prethermalization_time(env, 1.0, distance=1e-2).time
    assert float(t_pr) == pytest.approx(1.408e4, rel=2e-3)
    assert float(qoj.prethermal.prethermal_condition(env, 1.0)) > 100.0


@pytest.mark.slow
def test_prethermal_design_script_quick(tmp_path):
    out = run("prethermal_design.py", tmp_path)
    # the script asserts its gradient checks; here: the printed relative differences
    residuals = [float(x) for x in re.findall(r"relative difference " + FLOAT, out)]
    assert len(residuals) == 4 and max(residuals) < 1e-5
    assert number(r"optimum: .*t_pr = {x}", out) > 1e3


@pytest.mark.slow
def test_prethermal_design_script_default_steps(tmp_path):
    """The port to qoj.optimize reproduces the hand-written optax loop's optimum."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "prethermal_design.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert number(r"optimum: g_II = {x}", out) == pytest.approx(2.044e-5, rel=2e-3)
    assert number(r"optimum: .*T_II = {x}", out) == pytest.approx(0.783, abs=2e-3)
    assert number(r"optimum: .*t_pr = {x}", out) == pytest.approx(1.408e4, rel=2e-3)
    violations = re.search(r"separation\): (.*)", out).group(1).split(", ")
    assert all(float(v) <= 0 for v in violations)
