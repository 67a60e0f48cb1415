"""Peak memory of a W2-like batch: 1e5 two-qubit solves (101 saved J_A each), through
`qoj.scan` in chunks, on the CPU.

    .venv/bin/python benchmarks/memory.py [--points 100000] [--chunk 16384]

Prints the wall time, the peak resident memory of the process (ru_maxrss) and a checksum.
The model is `run.TwoQubitModel` (W2): lam in [0.01, 0.3] x T_A in [0.5, 5].
"""

import argparse
import resource
import sys
import time
from pathlib import Path

import jax.numpy as jnp
import numpy as np

import qoj

sys.path.insert(0, str(Path(__file__).parent))

import run  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=16_384)
    args = parser.parse_args()
    qoj.set_precision("double")
    m = run.TwoQubitModel(qoj)
    side = int(np.ceil(np.sqrt(args.points)))
    lams, tas = m.grid(side)
    ts = jnp.linspace(0.0, 100.0, 101)

    def point(lam, T_A):
        gen = qoj.lindblad(m.hamiltonian(lam), {"A": m.jumps_A(T_A, jnp), "B": m.jumps_B(jnp)})
        return {"J_A": qoj.evolve(gen, m.rho0, ts).heat_currents["A"]}

    start = time.perf_counter()
    ds = qoj.scan(point, {"lam": lams, "T_A": tas}, chunk_size=args.chunk, progress=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    print(
        f"{side * side} solves x {ts.size} saves in {seconds:.1f} s (with compilation), "
        f"chunk {args.chunk}: peak RSS {peak:.2f} GiB; "
        f"mean J_A(t=100) = {float(ds['J_A'].values[..., -1].mean()):.6e}"
    )


if __name__ == "__main__":
    main()
