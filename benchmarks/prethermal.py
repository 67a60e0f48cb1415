"""Seed 000's stiff, multi-scale problem: a PrethermalQubit integrated to t = 1e7/w0.

g_I = 1e-2, g_II = 1e-5 (Fig 2 of the paper), 201 log-spaced save times in [1e-2, 1e7] plus
t = 0, from |e><e|. Times qoj's `PrethermalQubit.evolve` (implicit Kvaerno5 in the rotating
frame) for one solve and for a vmapped batch of g_II values, and QuTiP's `mesolve` on the
same rotating-frame equation (time-dependent collapse rates; in the lab frame both would have
to follow ~1e7 coherence oscillations). Run:

    .venv-bench/bin/python benchmarks/prethermal.py [--batch 64]
"""

import argparse
import statistics
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

import qoj

W0, G_I, CUTOFF, BETA_I, BETA_II = 1.0, 1e-2, 10.0, 1.0, 0.1


def model(g_II):
    env = qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(G_I, 1.0, CUTOFF),
        qoj.spectra.Ohmic(g_II, 1.0, CUTOFF),
        1.0 / BETA_I,
        1.0 / BETA_II,
    )
    return qoj.models.PrethermalQubit(W0, env)


def timed(fn, *args, repeats=5):
    start = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    first = time.perf_counter() - start
    warm = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        warm.append(time.perf_counter() - start)
    return out, first, statistics.median(warm)


def qutip_excited(ts, rho0, g_II):
    import qutip

    env = model(g_II).environment
    rates = jax.jit(lambda t: jnp.stack(env.rates(t, W0)))
    table_t = np.concatenate([[0.0], np.geomspace(1e-3, 2e7, 4000)])
    table = np.asarray(rates(jnp.asarray(table_t)))
    up = qutip.coefficient(np.sqrt(table[0]), tlist=table_t, order=3)
    down = qutip.coefficient(np.sqrt(table[1]), tlist=table_t, order=3)
    sp, sm = qutip.sigmap(), qutip.sigmam()  # QuTiP: basis 0 = |e> as in qoj
    h = qutip.QobjEvo(0 * qutip.sigmaz())
    c_ops = [qutip.QobjEvo([sp, up]), qutip.QobjEvo([sm, down])]
    opts = {"rtol": 1e-8, "atol": 1e-10, "nsteps": 10**7, "method": "bdf"}
    result = qutip.mesolve(h, qutip.Qobj(rho0), ts, c_ops, e_ops=[sp * sm], options=opts)
    return np.asarray(result.expect[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    qoj.set_precision("double")
    ts = jnp.concatenate([jnp.zeros(1), jnp.geomspace(1e-2, 1e7, 201)])
    rho0 = jnp.diag(jnp.array([1.0, 0.0])).astype(complex)

    @eqx.filter_jit
    def excited(g_II):
        return model(g_II).evolve(rho0, ts, save_states=True).states[:, 0, 0].real

    one, first, warm = timed(excited, jnp.asarray(1e-5))
    print(f"qoj, one solve to 1e7:        first call {first:6.2f} s, warm {warm * 1e3:8.2f} ms")
    g_grid = jnp.geomspace(1e-6, 1e-3, args.batch)
    _, first_b, warm_b = timed(eqx.filter_jit(jax.vmap(excited)), g_grid, repeats=3)
    print(
        f"qoj, vmap over {args.batch} g_II:         first call {first_b:6.2f} s, "
        f"warm {warm_b * 1e3:8.2f} ms"
    )
    try:
        start = time.perf_counter()
        reference = qutip_excited(np.asarray(ts), np.asarray(rho0), 1e-5)
        seconds = time.perf_counter() - start
        diff = float(np.max(np.abs(reference - np.asarray(one))))
        print(f"QuTiP mesolve (bdf), one solve: {seconds:6.2f} s, max |diff rho_ee| {diff:.1e}")
    except ImportError:
        print("QuTiP not installed (pip install -e '.[bench]')")


if __name__ == "__main__":
    main()
