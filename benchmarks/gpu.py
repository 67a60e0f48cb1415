"""W2 with 1e5 solves and W3 with 1e6 steady states on whatever accelerator JAX sees.

    pip install -e . "jax[cuda12]"        # on a GPU machine
    python benchmarks/gpu.py [--w2-points 100000] [--w3-points 1000000] [--chunk 262144]

Prints the device, first-call (compile + run) and warm times, and checksums (mean J_A) that
must match the CPU run of the same grid. The models are those of `run.py` (W2: 101 saved
J_A on [0, 100] from |gg>; W3: steady J_A), on square (lam, T_A) grids.
"""

import argparse
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import qoj

sys.path.insert(0, str(Path(__file__).parent))

import run  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    out = jax.block_until_ready(fn())
    first = time.perf_counter() - start
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        warm.append(time.perf_counter() - start)
    return first, float(np.median(warm)), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--w2-points", type=int, default=100_000)
    parser.add_argument("--w3-points", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=262_144, help="points per vmapped call")
    args = parser.parse_args()
    qoj.set_precision("double")
    print(f"device: {jax.devices()[0].device_kind} ({jax.default_backend()})")
    m = run.TwoQubitModel(qoj)
    ts = jnp.linspace(0.0, 100.0, 101)

    def generator(lam, T_A):
        return qoj.lindblad(m.hamiltonian(lam), {"A": m.jumps_A(T_A, jnp), "B": m.jumps_B(jnp)})

    def transient(lam, T_A):
        return {"J_A": qoj.evolve(generator(lam, T_A), m.rho0, ts).heat_currents["A"]}

    def steady(lam, T_A):
        gen = generator(lam, T_A)
        return {"J_A": qoj.heat_currents(gen, qoj.steady_state(gen))["A"]}

    for name, point, count in [("W2", transient, args.w2_points), ("W3", steady, args.w3_points)]:
        side = int(np.ceil(np.sqrt(count)))
        lams, tas = (jnp.asarray(v) for v in m.grid(side))
        first, warm, ds = timed(
            lambda point=point, lams=lams, tas=tas: (
                qoj.scan(point, {"lam": lams, "T_A": tas}, chunk_size=args.chunk, progress=False)[
                    "J_A"
                ].values
            )
        )
        print(
            f"{name}: {side * side} points, first call {first:.2f} s, warm {warm:.3f} s, "
            f"mean J_A {float(np.mean(ds)):.9e}"
        )


if __name__ == "__main__":
    main()
