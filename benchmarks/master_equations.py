"""Steady heat currents of CoupledQubits on a 64 x 64 (coupling, T_1) grid, every approach.

The generator is built inside `jit`/`vmap` from traced parameters (one compilation per
approach); prints compile+first-call and warm times. Run:

    .venv/bin/python benchmarks/master_equations.py [--points 64]
"""

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

import qoj

OPTIONS = {
    "global": {},
    "local": {},
    "partial_secular": {"resolution": 0.1},
    "redfield": {},
    "coarse_grained": {"dt": 5.0},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    qoj.set_precision("double")
    lam, t_1 = np.meshgrid(
        np.linspace(0.005, 0.1, args.points), np.linspace(0.5, 5.0, args.points), indexing="ij"
    )
    lam, t_1 = jnp.asarray(lam.ravel()), jnp.asarray(t_1.ravel())
    print("| approach | grid | first call (s) | warm median (ms) | mean J_1 |")
    print("|---|---|---|---|---|")
    for approach, options in OPTIONS.items():

        def current(coupling, temperature, approach=approach, options=options):
            model = qoj.models.CoupledQubits(
                1.0,
                1.0,
                coupling,
                qoj.Bath(qoj.spectra.Ohmic(0.01, s=1.0, cutoff=20.0), temperature),
                qoj.Bath(qoj.spectra.Ohmic(0.01, s=1.0, cutoff=20.0), 0.5),
            )
            gen = model.generator(approach, **options)
            return qoj.heat_currents(gen, qoj.steady_state(gen))["1"]

        if approach == "coarse_grained":
            # ~3500 quadrature nodes x 13 distinct frequencies x 5 derivative orders per
            # coupling and point: a full vmap over 4096 points would hold ~40 GB, so points go
            # through lax.map in batches
            fn = jax.jit(
                lambda a, b, current=current: jax.lax.map(
                    lambda p: current(*p), (a, b), batch_size=64
                )
            )
        else:
            fn = jax.jit(jax.vmap(current))
        start = time.perf_counter()
        values = jax.block_until_ready(fn(lam, t_1))
        first = time.perf_counter() - start
        warm = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            jax.block_until_ready(fn(lam, t_1))
            warm.append(time.perf_counter() - start)
        print(
            f"| {approach} | {args.points}x{args.points} | {first:.2f} | "
            f"{1e3 * np.median(warm):.1f} | {float(jnp.mean(values)):.3e} |"
        )


if __name__ == "__main__":
    main()
