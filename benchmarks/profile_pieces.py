"""Where the time goes: W3 (steady states), W2 (Tsit5) and W5 (N = 8 chain) split into pieces.

    .venv-bench/bin/python benchmarks/profile_pieces.py [--repeats N]

Every piece is jit(vmap(vmap(...))) over the same grid as in run.py and is timed warm;
the pieces are timed round-robin (one call of each per round) so that load from other
processes on the machine hits all of them alike. Only public qoj API is used; the real
Hermitian-basis transform is re-implemented here (as in run.py) to time it on its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("XLA_FLAGS", "")
if "concurrency_optimized_scheduler" not in os.environ["XLA_FLAGS"]:
    # see run.py / README: avoids a jaxlib 0.10 CPU hang
    os.environ["XLA_FLAGS"] += " --xla_cpu_enable_concurrency_optimized_scheduler=false"

import run  # noqa: E402  (benchmarks/run.py)


def timed(pieces, args, repeats):
    import jax

    for f in pieces.values():  # compile
        jax.block_until_ready(f(*args[f]))
    times = {k: [] for k in pieces}
    for _ in range(repeats):
        for k, f in pieces.items():
            t = time.perf_counter()
            jax.block_until_ready(f(*args[f]))
            times[k].append(time.perf_counter() - t)
    for k, ts in times.items():
        print(
            f"  {k:58s} median {statistics.median(ts) * 1e3:8.2f} ms   min {min(ts) * 1e3:8.2f} ms"
        )


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=20)
    a = p.parse_args()

    qoj, _, jax = run._setup_jax()
    import diffrax
    import jax.numpy as jnp
    import numpy as np

    m = run.TwoQubitModel(qoj)
    U = qoj._superop.hermitian_basis(4, jnp.complex128)

    def generator(lam, TA):
        return qoj.lindblad(m.hamiltonian(lam), {"A": m.jumps_A(TA, jnp), "B": m.jumps_B(jnp)})

    def real_liouvillian(lam, TA):
        return jnp.real(U.conj().T @ generator(lam, TA).superoperator() @ U)

    def bordered_solve(L):
        A = L.at[0].set(jnp.zeros(16).at[:4].set(1.0))
        return jnp.linalg.solve(A, jnp.zeros(16).at[0].set(1.0))

    def grid(fn):
        return jax.jit(jax.vmap(jax.vmap(fn, in_axes=(None, 0)), in_axes=(0, None)))

    # ---- W3 ------------------------------------------------------------------------
    n = 64
    lams, TAs = (jnp.asarray(x) for x in m.grid(n))
    prebuilt = grid(real_liouvillian)(lams, TAs).reshape(n * n, 16, 16)
    pieces = {
        "generator + superoperator() (complex 16x16)": grid(
            lambda lam, T: generator(lam, T).superoperator()
        ),
        "  + real Hermitian basis U^H L U (dense)": grid(real_liouvillian),
        "  + bordered jnp.linalg.solve (hand-written steady state)": grid(
            lambda lam, T: bordered_solve(real_liouvillian(lam, T))
        ),
        "qoj.steady_state": grid(lambda lam, T: qoj.steady_state(generator(lam, T))),
        "qoj.steady_state + qoj.heat_currents (= W3)": grid(
            lambda lam, T: qoj.heat_currents(
                generator(lam, T), qoj.steady_state(generator(lam, T))
            )["A"]
        ),
        "floor: jnp.linalg.solve on prebuilt bordered matrices": jax.jit(jax.vmap(bordered_solve)),
    }
    args = {f: (lams, TAs) for f in pieces.values()}
    args[pieces["floor: jnp.linalg.solve on prebuilt bordered matrices"]] = (prebuilt,)
    print(f"W3 pieces, {n}x{n} grid:")
    timed(pieces, args, a.repeats)

    # ---- W2 with Tsit5 -------------------------------------------------------------
    n = 32
    lams, TAs = (jnp.asarray(x) for x in m.grid(n))
    ts = jnp.linspace(0.0, 100.0, 101)
    x0 = jnp.real(U.conj().T @ jnp.asarray(m.rho0).reshape(-1))

    def bare(L):
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(lambda t, y, args: L @ y),
            diffrax.Tsit5(),
            0.0,
            100.0,
            None,
            x0,
            saveat=diffrax.SaveAt(ts=ts),
            stepsize_controller=diffrax.PIDController(rtol=run.RTOL, atol=run.ATOL),
            max_steps=100_000,
        )
        return sol.ys

    def qoj_tsit5(lam, T):
        return qoj.evolve(
            generator(lam, T), m.rho0, np.asarray(ts), solver=diffrax.Tsit5()
        ).heat_currents["A"]

    prebuilt = grid(real_liouvillian)(lams, TAs).reshape(n * n, 16, 16)
    pieces = {
        "qoj.evolve(solver=Tsit5()) (= W2 qoj Tsit5 row)": grid(qoj_tsit5),
        "bare diffrax Tsit5, L built inside the same jit": grid(
            lambda lam, T: bare(real_liouvillian(lam, T))
        ),
        "bare diffrax Tsit5 on prebuilt real L (input array)": jax.jit(jax.vmap(bare)),
    }
    args = {f: (lams, TAs) for f in pieces.values()}
    args[pieces["bare diffrax Tsit5 on prebuilt real L (input array)"]] = (prebuilt,)
    print(f"W2 Tsit5 pieces, {n}x{n} grid:")
    timed(pieces, args, max(3, a.repeats // 4))

    # ---- W5 at N = 8 ----------------------------------------------------------------
    chain = run.ChainModel(qoj, 8)
    gen = qoj.lindblad(chain.H, {"A": chain.jumps_A, "B": chain.jumps_B})
    fast = qoj._structured.structured(gen)
    stats = qoj.evolve(gen, chain.rho0, chain.ts, rtol=run.RTOL, atol=run.ATOL).stats
    evaluations, flops = run.rhs_work(qoj, gen, stats)
    passes = flops / (2.0 * chain.d**2)  # single-array passes over rho
    y = jnp.stack([jnp.real(chain.rho0), jnp.imag(chain.rho0)]) + 0.01
    d, offsets = chain.d, [(-1) ** k * 2 ** (k % 8) for k in range(16)]
    weights = jnp.ones((16, d))

    def sixteen_passes(x, w):
        """The floor of one diagonal pass: 16 shifted multiply-adds over the (2, d, d) pair."""
        padded = jnp.pad(x, ((0, 0), (d // 2, d // 2), (0, 0)))
        out = jnp.zeros_like(x)
        for k, o in enumerate(offsets):
            out = out + w[k][None, :, None] * padded[:, d // 2 + o : d // 2 + o + d]
        return out

    def solve():
        sol = qoj.evolve(gen, chain.rho0, chain.ts, rtol=run.RTOL, atol=run.ATOL)
        return sol.heat_currents["A"]

    rhs = jax.jit(lambda t, y: fast.real_rhs(t, y))
    hlo = rhs.lower(0.0, y).compile().as_text()
    pieces = {
        "one structured right-hand side": rhs,
        "16 shifted passes over the (2, 256, 256) pair": jax.jit(sixteen_passes),
        "whole W5 solve (= W5 N=8 qoj row)": jax.jit(solve),
    }
    args = {
        rhs: (0.0, y),
        pieces["16 shifted passes over the (2, 256, 256) pair"]: (y, weights),
        pieces["whole W5 solve (= W5 N=8 qoj row)"]: (),
    }
    print(
        f"W5 N=8: {evaluations} RHS evaluations, {passes / 2:.0f} passes over the (a, b) pair "
        f"per evaluation, {hlo.count(' fusion(')} XLA fusions in the compiled right-hand side:"
    )
    timed(pieces, args, max(3, a.repeats // 4))


if __name__ == "__main__":
    main()
