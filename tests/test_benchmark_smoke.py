"""Benchmark smoke: every workload of `benchmarks/run.py`, at a few points, against reference
numbers computed with QuTiP (`benchmarks/reference.py` -> `benchmarks/reference.json`).

A regression guard for the fast paths the benchmarks time (vmapped exact propagators,
batched steady states, gradients through the propagator, the structured right-hand side of
large chains): not a timed test.
"""

import importlib.util
import json
from pathlib import Path

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import qoj  # noqa: E402

ROOT = Path(__file__).resolve().parents[1] / "benchmarks"
REFERENCE = json.loads((ROOT / "reference.json").read_text())
# QuTiP's adams at rtol 1e-11 against qoj's exact propagator or Tsit5 at rtol 1e-8, for
# currents of order 1e-2
TOLERANCE = 1e-8


def _load_run():
    spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load_run()


def test_w1_qubit_between_two_baths():
    m = run.QubitModel(qoj)
    ref = REFERENCE["W1"]
    gen = qoj.lindblad(m.H, {"A": m.jumps(m.TA, jnp), "B": m.jumps(m.TB, jnp)})
    f = jax.jit(lambda ts: qoj.evolve(gen, m.rho0, ts).heat_currents["A"])
    np.testing.assert_allclose(f(jnp.asarray(ref["ts"])), ref["J_A"], atol=TOLERANCE)


def _two_qubit_generator(m, lam, ta):
    return qoj.lindblad(m.hamiltonian(lam), {"A": m.jumps_A(ta, jnp), "B": m.jumps_B(jnp)})


def test_w2_and_w3_vmapped_over_parameters():
    m = run.TwoQubitModel(qoj)
    lam, ta = (jnp.asarray(v) for v in zip(*REFERENCE["W2"]["points"], strict=True))
    ts = jnp.asarray([0.0, *REFERENCE["W2"]["ts"]])

    def transient(lam, ta):
        return qoj.evolve(_two_qubit_generator(m, lam, ta), m.rho0, ts).heat_currents["A"][1:]

    def steady(lam, ta):
        gen = _two_qubit_generator(m, lam, ta)
        return qoj.heat_currents(gen, qoj.steady_state(gen))["A"]

    np.testing.assert_allclose(
        jax.jit(jax.vmap(transient))(lam, ta), REFERENCE["W2"]["J_A"], atol=TOLERANCE
    )
    np.testing.assert_allclose(
        jax.jit(jax.vmap(steady))(lam, ta), REFERENCE["W3"]["J_A"], atol=1e-12
    )


def test_w4_gradient_of_the_integrated_heat():
    m = run.TwoQubitModel(qoj)
    ref = REFERENCE["W4"]
    ts = jnp.linspace(*ref["ts"][:2], ref["ts"][2])

    def heat(lam, ta):
        sol = qoj.evolve(_two_qubit_generator(m, lam, ta), m.rho0, ts)
        return jnp.trapezoid(sol.heat_currents["A"], ts)

    grad = jax.jit(jax.grad(heat, argnums=(0, 1)))(*ref["point"])
    # the reference is a central difference of step 1e-4: O(1e-8) relative truncation
    np.testing.assert_allclose(np.asarray(grad), ref["gradient"], rtol=1e-6)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_w5_chain(n):
    c = run.ChainModel(qoj, n)
    ref = REFERENCE["W5"]
    ts = jnp.asarray([0.0, *ref["ts"]])
    gen = qoj.lindblad(c.H, {"A": c.jumps_A, "B": c.jumps_B})
    got = jax.jit(lambda: qoj.evolve(gen, c.rho0, ts).heat_currents["A"][1:])()
    np.testing.assert_allclose(got, ref["J_A"][str(n)], atol=TOLERANCE)
