"""Reference numbers for the benchmark smoke test, computed with QuTiP (not with qoj).

    .venv-bench/bin/python benchmarks/reference.py      # writes benchmarks/reference.json

The workloads' models are those of `run.py` (W1-W5), evaluated at a few points with tight
tolerances (rtol 1e-11, atol 1e-13), so that `tests/test_benchmark_smoke.py` can check qoj's
results against an independent solver in CI without QuTiP installed.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import run  # noqa: E402

TIMES_W1 = [0.0, 10.0, 50.0, 200.0]
POINTS = [(0.01, 0.5), (0.1, 2.0), (0.3, 5.0)]  # (lam, T_A) of the W2/W3 model
TIMES_W2 = [20.0, 100.0]
CHAIN_SIZES = [2, 3, 4, 5, 6]
W4_POINT = (0.1, 2.0)


def options():
    return {**run._qutip_mesolve_options(), "rtol": 1e-11, "atol": 1e-13}


def current(qutip, h, jumps_a, jumps_b, rho0, ts, dims):
    return run.qutip_current(qutip, h, jumps_a, jumps_b, rho0, ts, dims, options())


def main():
    import qutip

    import qoj

    qoj.set_precision("double")
    out = {"generated_by": "benchmarks/reference.py", "qutip": qutip.__version__}

    m = run.QubitModel(qoj)
    out["W1"] = {
        "ts": TIMES_W1,
        "J_A": current(
            qutip, m.H, m.jumps(m.TA, np), m.jumps(m.TB, np), m.rho0, TIMES_W1, [[2], [2]]
        ).tolist(),
    }

    m = run.TwoQubitModel(qoj)
    dims = [[2, 2], [2, 2]]
    ts = [0.0, *TIMES_W2]
    out["W2"] = {
        "points": POINTS,
        "ts": TIMES_W2,
        "J_A": [
            current(qutip, m.hamiltonian(lam), m.jumps_A(ta, np), m.jumps_B(np), m.rho0, ts, dims)[
                1:
            ].tolist()
            for lam, ta in POINTS
        ],
    }
    steady = []
    for lam, ta in POINTS:
        h = m.hamiltonian(lam)
        jumps_a = m.jumps_A(ta, np)
        c_ops = [qutip.Qobj(np.sqrt(r) * op, dims=dims) for r, op in jumps_a + m.jumps_B(np)]
        rho = qutip.steadystate(qutip.Qobj(h, dims=dims), c_ops)
        steady.append(
            float(qutip.expect(qutip.Qobj(run.heisenberg_dissipator(jumps_a, h), dims=dims), rho))
        )
    out["W3"] = {"points": POINTS, "J_A": steady}

    ts = np.linspace(0.0, 100.0, 201)

    def heat(lam, ta):
        j = current(qutip, m.hamiltonian(lam), m.jumps_A(ta, np), m.jumps_B(np), m.rho0, ts, dims)
        return np.trapezoid(j, ts)

    lam, ta = W4_POINT
    step = 1e-4
    gradient = [
        (heat(lam + step, ta) - heat(lam - step, ta)) / (2 * step),
        (heat(lam, ta + step) - heat(lam, ta - step)) / (2 * step),
    ]
    out["W4"] = {"point": W4_POINT, "ts": [0.0, 100.0, 201], "gradient": gradient}

    chains = {}
    for n in CHAIN_SIZES:
        c = run.ChainModel(qoj, n)
        dims = [[2] * n, [2] * n]
        chains[str(n)] = current(qutip, c.H, c.jumps_A, c.jumps_B, c.rho0, c.ts, dims)[
            [10, 50]
        ].tolist()
    out["W5"] = {"ts": [10.0, 50.0], "J_A": chains}

    path = Path(__file__).with_name("reference.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
