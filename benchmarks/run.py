"""qoj benchmarks against QuTiP and dynamiqs.

    .venv-bench/bin/python benchmarks/run.py [--quick] [--workloads W1,...,W5] [--json OUT.json]

Each workload runs in its own Python process (so compilation caches, thread pools and
memory of one workload cannot flatter or penalise another); this process only collects
the rows and prints one markdown table. See benchmarks/README.md for what each workload is.

All solves are float64 with rtol=1e-8, atol=1e-10. Times: "first call" is the first call
of a freshly built function (tracing + compilation + one run for the JAX libraries; the
first pass of the loop for QuTiP); "median warm"/"min" are over repeated calls of
`jax.block_until_ready(f(...))` (plain calls for QuTiP).

XLA workaround: jax/jaxlib 0.10.x on CPU can hang forever (all threads idle, main thread in
BlockUntilReady) when one compiled program contains two independent batched LAPACK
triangular solves over >= ~1024 matrices (e.g. `vmap` of `jax.scipy.linalg.expm` twice per
point over a 32 x 32 grid). `--xla_cpu_enable_concurrency_optimized_scheduler=false` avoids
it; the workers add it to XLA_FLAGS unless `--no-xla-workaround` is given. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time

XLA_WORKAROUND = "--xla_cpu_enable_concurrency_optimized_scheduler=false"
RESULT_TAG = "@@BENCH-RESULT@@ "
RTOL, ATOL = 1e-8, 1e-10


# ----------------------------------------------------------------------------------------
# timing helpers
# ----------------------------------------------------------------------------------------


def _log(*args):
    print(*args, file=sys.stderr, flush=True)


def bench(fn, *, block=None, min_repeats=3, max_repeats=50, budget=3.0):
    """Time `fn()`: the first call, then warm calls until `budget` seconds or `max_repeats`.

    Returns (first_seconds, [warm_seconds...], result_of_first_call).
    """
    block = block or (lambda x: x)
    t = time.perf_counter()
    out = block(fn())
    first = time.perf_counter() - t
    warm = []
    start = time.perf_counter()
    while len(warm) < max_repeats and (
        len(warm) < min_repeats or time.perf_counter() - start < budget
    ):
        t = time.perf_counter()
        block(fn())
        warm.append(time.perf_counter() - t)
    return first, warm, out


def row(workload, library, first, warm, *, diff=None, note="", reference=False, scale=1.0):
    """One table row; times are scaled by `scale` (for loops timed on a subset)."""
    return {
        "workload": workload,
        "library": library,
        "first": None if first is None else first * scale,
        "median": None if not warm else statistics.median(warm) * scale,
        "min": None if not warm else min(warm) * scale,
        "repeats": len(warm),
        "diff": diff,
        "note": note,
        "reference": reference,
    }


# ----------------------------------------------------------------------------------------
# models (built with numpy from qoj's operators, so every library sees the same matrices)
# ----------------------------------------------------------------------------------------


def _setup_jax():
    import dynamiqs as dq
    import jax

    import qoj

    qoj.set_precision("double")
    dq.set_precision("double")
    assert jax.config.read("jax_enable_x64")
    return qoj, dq, jax


def heisenberg_dissipator(jumps, h):
    """D^dag(H) = sum_k r_k (L_k^dag H L_k - {L_k^dag L_k, H}/2) for jumps [(r_k, L_k)]."""
    out = 0.0
    for rate, op in jumps:
        ld = op.conj().T
        out = out + rate * (ld @ h @ op - 0.5 * (ld @ op @ h + h @ ld @ op))
    return out


def rhs_work(qoj, gen, stats):
    """(RHS evaluations, flops per evaluation) of a qoj ODE solve: the floor of its cost.

    Flops per evaluation: 2 (d^2)^2 for the dense real Liouvillian (d <= 32, unstructured),
    2 d^2 per stored diagonal pass of the structured right-hand side (`qoj._structured`).
    """
    d = gen.dimension
    fast = qoj._structured.structured(gen) if d >= qoj._evolve.STRUCTURED_DIMENSION else None
    if fast is None:
        flops = 2.0 * d**4
    else:

        def passes(op):
            return sum(len(p.offsets) for p in (op.real, op.imag) if p is not None)

        one_sided = sum(
            len(p.offsets) for p in (fast.one_sided_real, fast.one_sided_imag) if p is not None
        )
        pairs = sum(passes(a) + passes(b) for a, b in zip(fast.left, fast.right, strict=True))
        flops = 2.0 * d * d * (4 * one_sided + 2 * pairs)
    return int(stats["rhs_evaluations"]), flops


def bose(w, temperature, xp):
    return 1.0 / (xp.exp(w / temperature) - 1.0)


class QubitModel:
    """W1: H = w0/2 sz, two baths on s-, s+."""

    w0, g, TA, TB = 1.0, 0.05, 2.0, 0.5
    ts_args = (0.0, 200.0, 201)

    def __init__(self, qoj):
        import numpy as np

        self.sm = np.asarray(qoj.sigmam())
        self.sp = np.asarray(qoj.sigmap())
        self.sz = np.asarray(qoj.sigmaz())
        self.H = 0.5 * self.w0 * self.sz
        self.rho0 = np.asarray(qoj.ket2dm(qoj.basis(2, 0)))  # |e>
        self.ts = np.linspace(*self.ts_args)

    def jumps(self, temperature, xp):
        n = bose(self.w0, temperature, xp)
        return [(self.g * (1 + n), self.sm), (self.g * n, self.sp)]


class TwoQubitModel:
    """W2/W3: two flip-flop coupled qubits, bath A on qubit 1, bath B on qubit 2."""

    w1, w2, g, TB = 1.0, 0.8, 0.05, 0.5

    def __init__(self, qoj):
        import numpy as np

        i2 = np.asarray(qoj.identity(2))
        sm, sp, sz = (np.asarray(o) for o in (qoj.sigmam(), qoj.sigmap(), qoj.sigmaz()))
        self.s1m, self.s1p, self.s1z = np.kron(sm, i2), np.kron(sp, i2), np.kron(sz, i2)
        self.s2m, self.s2p, self.s2z = np.kron(i2, sm), np.kron(i2, sp), np.kron(i2, sz)
        assert np.allclose(self.s1m, np.asarray(qoj.kron(qoj.sigmam(), qoj.identity(2))))
        self.H0 = 0.5 * self.w1 * self.s1z + 0.5 * self.w2 * self.s2z
        self.V = self.s1p @ self.s2m + self.s1m @ self.s2p
        self.rho0 = np.asarray(qoj.ket2dm(qoj.basis(4, 3)))  # |gg>

    def hamiltonian(self, lam):
        return self.H0 + lam * self.V

    def jumps_A(self, TA, xp):
        n = bose(self.w1, TA, xp)
        return [(self.g * (1 + n), self.s1m), (self.g * n, self.s1p)]

    def jumps_B(self, xp):
        n = bose(self.w2, self.TB, xp)
        return [(self.g * (1 + n), self.s2m), (self.g * n, self.s2p)]

    @staticmethod
    def grid(n):
        import numpy as np

        return np.linspace(0.01, 0.3, n), np.linspace(0.5, 5.0, n)


def qutip_current(qutip, h, jumps_a, jumps_b, rho0, ts, dims, options):
    """J_A(t) = Tr[D_A^dag(H) rho(t)] from `qutip.mesolve` (jumps as [(rate, operator)])."""
    import numpy as np

    c_ops = [qutip.Qobj(np.sqrt(r) * op, dims=dims) for r, op in jumps_a + jumps_b]
    xa = qutip.Qobj(heisenberg_dissipator(jumps_a, h), dims=dims)
    res = qutip.mesolve(
        qutip.Qobj(h, dims=dims),
        qutip.Qobj(rho0, dims=dims),
        ts,
        c_ops,
        e_ops=[xa],
        options=options,
    )
    return np.real(res.expect[0])


def _qutip_mesolve_options():
    return {
        "atol": ATOL,
        "rtol": RTOL,
        "progress_bar": "",
        "store_states": False,
        "nsteps": 100_000,
    }


# ----------------------------------------------------------------------------------------
# W1: one qubit, two baths, a single time series
# ----------------------------------------------------------------------------------------


def workload_w1(quick):
    import diffrax
    import numpy as np

    qoj, dq, jax = _setup_jax()
    import jax.numpy as jnp
    import qutip

    m = QubitModel(qoj)
    ts = m.ts
    rows = []
    reps = dict(max_repeats=50 if quick else 300, budget=1.0 if quick else 3.0)

    def qoj_solve(TA, TB, solver):
        gen = qoj.lindblad(m.H, {"A": m.jumps(TA, jnp), "B": m.jumps(TB, jnp)})
        sol = qoj.evolve(
            gen, m.rho0, ts, observables={"H": m.H}, rtol=RTOL, atol=ATOL, solver=solver
        )
        return sol.expect["H"], sol.heat_currents["A"]

    block = jax.block_until_ready
    # qoj, default solver (Propagator), jitted
    f = jax.jit(lambda a, b: qoj_solve(a, b, None))
    first, warm, (eH_ref, jA_ref) = bench(lambda: f(m.TA, m.TB), block=block, **reps)
    eH_ref, jA_ref = np.asarray(eH_ref), np.asarray(jA_ref)
    rows.append(row("W1", "qoj (Propagator, jit)", first, warm, reference=True, diff=0.0))
    # sanity: first law at t=0 is not checked here; check <H> starts at +w0/2 (|e>)
    assert abs(eH_ref[0] - 0.5) < 1e-12, eH_ref[0]

    # qoj, eager (no jit): what a plain Python call costs
    first, warm, (_, jA) = bench(
        lambda: qoj_solve(m.TA, m.TB, None),
        block=block,
        max_repeats=10 if quick else 30,
        budget=2.0,
    )
    rows.append(
        row(
            "W1",
            "qoj (Propagator, eager, no jit)",
            first,
            warm,
            diff=float(np.max(np.abs(np.asarray(jA) - jA_ref))),
        )
    )

    # qoj, diffrax Tsit5, jitted
    f = jax.jit(lambda a, b: qoj_solve(a, b, diffrax.Tsit5()))
    first, warm, (_, jA) = bench(lambda: f(m.TA, m.TB), block=block, **reps)
    rows.append(
        row(
            "W1",
            "qoj (diffrax Tsit5, jit)",
            first,
            warm,
            diff=float(np.max(np.abs(np.asarray(jA) - jA_ref))),
        )
    )

    # dynamiqs
    def dq_solve(TA, TB, method):
        jA, jB = m.jumps(TA, jnp), m.jumps(TB, jnp)
        Ls = [jnp.sqrt(r) * op for r, op in jA + jB]
        XA = heisenberg_dissipator(jA, m.H)
        res = dq.mesolve(
            m.H,
            Ls,
            m.rho0,
            ts,
            exp_ops=[m.H, XA],
            method=method,
            save_states=False,
            progress_meter=False,
        )
        e = jnp.real(res.expects)
        return e[0], e[1]

    tsit5 = dq.method.Tsit5(rtol=RTOL, atol=ATOL)
    for label, method, jit in [
        ("dynamiqs (Tsit5, jit)", tsit5, True),
        ("dynamiqs (Tsit5, plain call)", tsit5, False),
        ("dynamiqs (Expm, jit)", dq.method.Expm(), True),
    ]:
        if jit:
            g = jax.jit(lambda a, b, method=method: dq_solve(a, b, method))
        else:
            g = lambda a, b, method=method: dq_solve(a, b, method)  # noqa: E731
        first, warm, (_, jA) = bench(lambda g=g: g(m.TA, m.TB), block=block, **reps)
        rows.append(
            row("W1", label, first, warm, diff=float(np.max(np.abs(np.asarray(jA) - jA_ref))))
        )

    # QuTiP
    def qutip_solve():
        jA, jB = m.jumps(m.TA, np), m.jumps(m.TB, np)
        H = qutip.Qobj(m.H)
        c_ops = [qutip.Qobj(np.sqrt(r) * op) for r, op in jA + jB]
        XA = qutip.Qobj(heisenberg_dissipator(jA, m.H))
        res = qutip.mesolve(
            H, qutip.Qobj(m.rho0), ts, c_ops, e_ops=[H, XA], options=_qutip_mesolve_options()
        )
        return np.real(res.expect[0]), np.real(res.expect[1])

    first, warm, (_, jA) = bench(
        qutip_solve, max_repeats=20 if quick else 100, budget=1.0 if quick else 3.0
    )
    rows.append(
        row("W1", "QuTiP (mesolve, adams)", first, warm, diff=float(np.max(np.abs(jA - jA_ref))))
    )
    return rows


# ----------------------------------------------------------------------------------------
# W2: two qubits, J_A(t) over a 32 x 32 grid of (lambda, T_A)
# ----------------------------------------------------------------------------------------


def workload_w2(quick):
    import diffrax
    import numpy as np

    qoj, dq, jax = _setup_jax()
    import jax.numpy as jnp
    import qutip

    m = TwoQubitModel(qoj)
    n = 32
    lams, TAs = m.grid(n)
    ts = np.linspace(0.0, 100.0, 101)
    rows = []
    block = jax.block_until_ready
    reps = dict(
        min_repeats=2 if quick else 3, max_repeats=5 if quick else 10, budget=2.0 if quick else 8.0
    )

    def qoj_point(lam, TA, solver):
        gen = qoj.lindblad(m.hamiltonian(lam), {"A": m.jumps_A(TA, jnp), "B": m.jumps_B(jnp)})
        return qoj.evolve(gen, m.rho0, ts, rtol=RTOL, atol=ATOL, solver=solver).heat_currents["A"]

    def qoj_grid(solver):
        point = lambda lam, TA: qoj_point(lam, TA, solver)  # noqa: E731
        return jax.jit(jax.vmap(jax.vmap(point, in_axes=(None, 0)), in_axes=(0, None)))

    lams_j, TAs_j = jnp.asarray(lams), jnp.asarray(TAs)
    f = qoj_grid(None)
    first, warm, ref = bench(lambda: f(lams_j, TAs_j), block=block, **reps)
    ref = np.asarray(ref)  # (n_lam, n_TA, T)
    assert ref.shape == (n, n, ts.size)
    rows.append(row("W2", "qoj (Propagator, jit∘vmap∘vmap)", first, warm, reference=True, diff=0.0))

    f = qoj_grid(diffrax.Tsit5())
    first, warm, out = bench(lambda: f(lams_j, TAs_j), block=block, **reps)
    rows.append(
        row(
            "W2",
            "qoj (diffrax Tsit5, jit∘vmap∘vmap)",
            first,
            warm,
            diff=float(np.max(np.abs(np.asarray(out) - ref))),
        )
    )

    # dynamiqs: one batched call. H batched over lambda (n,1,4,4), bath-A jump operators
    # over T_A (1,n,4,4); with cartesian_batching=False they broadcast to the (n, n) grid.
    # exp_ops must be unbatched (n, n) operators, so D_A^dag(H) -- which depends on both
    # lambda and T_A -- is passed through its exact linear decomposition
    #   D_A^dag(H) = g(1+n_A) [X-(H0) + lam X-(V)] + g n_A [X+(H0) + lam X+(V)],
    # X-(O) = s1+ O s1- - {s1+ s1-, O}/2 and X+ likewise with s1+ <-> s1-.
    E = [
        heisenberg_dissipator([(1.0, m.s1m)], m.H0),
        heisenberg_dissipator([(1.0, m.s1m)], m.V),
        heisenberg_dissipator([(1.0, m.s1p)], m.H0),
        heisenberg_dissipator([(1.0, m.s1p)], m.V),
    ]

    def dq_grid(lams, TAs, method, vectorized):
        H = jnp.asarray(m.H0)[None, None] + lams[:, None, None, None] * jnp.asarray(m.V)
        nA = bose(m.w1, TAs, jnp)[None, :, None, None]
        nB = bose(m.w2, m.TB, jnp)
        Ls = [
            jnp.sqrt(m.g * (1 + nA)) * m.s1m,
            jnp.sqrt(m.g * nA) * m.s1p,
            jnp.sqrt(m.g * (1 + nB)) * m.s2m,
            jnp.sqrt(m.g * nB) * m.s2p,
        ]
        res = dq.mesolve(
            H,
            Ls,
            m.rho0,
            ts,
            exp_ops=E,
            method=method,
            save_states=False,
            cartesian_batching=False,
            progress_meter=False,
            vectorized=vectorized,
        )
        e = jnp.real(res.expects)  # (n, n, 4, T)
        lam = lams[:, None, None]
        a, b = m.g * (1 + nA[..., 0]), m.g * nA[..., 0]
        return a * (e[:, :, 0] + lam * e[:, :, 1]) + b * (e[:, :, 2] + lam * e[:, :, 3])

    tsit5 = dq.method.Tsit5(rtol=RTOL, atol=ATOL)
    for label, method, vectorized in [
        ("dynamiqs (Tsit5, one batched call)", tsit5, False),
        ("dynamiqs (Tsit5, vectorized=True)", tsit5, True),
        ("dynamiqs (Expm, one batched call)", dq.method.Expm(), False),
    ]:
        g = jax.jit(functools.partial(dq_grid, method=method, vectorized=vectorized))
        first, warm, out = bench(lambda g=g: g(lams_j, TAs_j), block=block, **reps)
        rows.append(
            row("W2", label, first, warm, diff=float(np.max(np.abs(np.asarray(out) - ref))))
        )

    # QuTiP: a loop of mesolve over the grid (--quick: a fixed random subset, scaled up)
    n_sub = 64 if quick else n * n
    points = [divmod(k, n) for k in range(n * n)]
    if n_sub < n * n:
        rng = np.random.default_rng(0)
        points = [points[int(k)] for k in rng.choice(n * n, n_sub, replace=False)]
    opts = _qutip_mesolve_options()
    jB = m.jumps_B(np)
    dims = [[2, 2], [2, 2]]

    def qutip_loop():
        return np.array(
            [
                qutip_current(
                    qutip,
                    m.hamiltonian(lams[i]),
                    m.jumps_A(TAs[j], np),
                    jB,
                    m.rho0,
                    ts,
                    dims,
                    opts,
                )
                for i, j in points
            ]
        )

    first, warm, out = bench(
        qutip_loop, min_repeats=1 if quick else 2, max_repeats=2 if quick else 3, budget=5.0
    )
    diff = float(np.max(np.abs(out - np.stack([ref[i, j] for i, j in points]))))
    label = "QuTiP (mesolve loop, adams"
    label += f", extrapolated from {n_sub})" if n_sub < n * n else ", all 1024 points)"
    rows.append(row("W2", label, first, warm, diff=diff, scale=n * n / len(points)))
    return rows


# ----------------------------------------------------------------------------------------
# W3: steady states and steady J_A over a 64 x 64 grid
# ----------------------------------------------------------------------------------------


def workload_w3(quick):
    import numpy as np

    qoj, _, jax = _setup_jax()
    import jax.numpy as jnp
    import qutip

    m = TwoQubitModel(qoj)
    n = 64
    lams, TAs = m.grid(n)
    lams_j, TAs_j = jnp.asarray(lams), jnp.asarray(TAs)
    rows = []
    block = jax.block_until_ready
    reps = dict(min_repeats=5, max_repeats=30 if quick else 100, budget=1.0 if quick else 4.0)

    def generator(lam, TA):
        return qoj.lindblad(m.hamiltonian(lam), {"A": m.jumps_A(TA, jnp), "B": m.jumps_B(jnp)})

    def point(lam, TA):
        gen = generator(lam, TA)
        return qoj.heat_currents(gen, qoj.steady_state(gen))["A"]

    f = jax.jit(jax.vmap(jax.vmap(point, in_axes=(None, 0)), in_axes=(0, None)))
    first, warm, ref = bench(lambda: f(lams_j, TAs_j), block=block, **reps)
    ref = np.asarray(ref)
    assert ref.shape == (n, n)
    rows.append(
        row(
            "W3",
            "qoj (steady_state + heat_currents, jit∘vmap∘vmap)",
            first,
            warm,
            reference=True,
            diff=0.0,
        )
    )

    # Floor: a plain vmapped LU solve of the 4096 bordered real 16 x 16 systems, built once
    # outside the timing (Liouvillian in the Hermitian basis, row 0 -> trace condition).
    supers = jax.jit(
        jax.vmap(
            jax.vmap(lambda lam, T: generator(lam, T).superoperator(), in_axes=(None, 0)),
            in_axes=(0, None),
        )
    )(lams_j, TAs_j)
    U = np.asarray(qoj._superop.hermitian_basis(4, np.complex128))
    real_l = np.real(np.einsum("ia,...ij,jb->...ab", U.conj(), np.asarray(supers), U))
    real_l = real_l.reshape(n * n, 16, 16)
    A = real_l.copy()
    A[:, 0, :] = 0.0
    A[:, 0, :4] = 1.0  # Tr(rho) = sum of the 4 diagonal coordinates
    b = np.zeros((n * n, 16))
    b[:, 0] = 1.0
    A_j, b_j = jnp.asarray(A), jnp.asarray(b)
    solve = jax.jit(jax.vmap(jnp.linalg.solve))
    first, warm, x = bench(lambda: solve(A_j, b_j), block=block, **reps)
    # J_A from the coordinates (outside the timing): J_A = sum_a x_a Tr[D_A^dag(H) B_a]
    XA = np.stack(
        [heisenberg_dissipator(m.jumps_A(T, np), m.hamiltonian(lam)) for lam in lams for T in TAs]
    )
    # Tr[X B_a] = sum_ij X_ij (B_a)_ji = vec(X) . conj(vec(B_a)) for Hermitian B_a
    rows_A = np.real(XA.reshape(n * n, 16) @ U.conj())
    jA_lu = np.einsum("ka,ka->k", rows_A, np.asarray(x)).reshape(n, n)
    rows.append(
        row(
            "W3",
            "floor: plain vmapped jnp.linalg.solve (prebuilt 16x16)",
            first,
            warm,
            diff=float(np.max(np.abs(jA_lu - ref))),
        )
    )

    # QuTiP: loop of steadystate + expect. The default method ("direct") spends ~95% of its
    # time in QuTiP's own `CoreOptions(default_dtype_scope=...)` context manager (it rebuilds
    # the data-layer dispatch tables on every call, QuTiP 5.3), so the "eigen" method is
    # timed as well as QuTiP's fastest option for these 16 x 16 Liouvillians.
    jB = m.jumps_B(np)
    dims = [[2, 2], [2, 2]]
    all_points = [divmod(k, n) for k in range(n * n)]

    def subset(size):
        if size >= n * n:
            return all_points
        rng = np.random.default_rng(0)
        return [all_points[int(k)] for k in rng.choice(n * n, size, replace=False)]

    def qutip_loop(points, **kwargs):
        out = np.empty(len(points))
        for k, (i, j) in enumerate(points):
            H = m.hamiltonian(lams[i])
            jA = m.jumps_A(TAs[j], np)
            c_ops = [qutip.Qobj(np.sqrt(r) * op, dims=dims) for r, op in jA + jB]
            rho = qutip.steadystate(qutip.Qobj(H, dims=dims), c_ops, **kwargs)
            out[k] = qutip.expect(qutip.Qobj(heisenberg_dissipator(jA, H), dims=dims), rho)
        return out

    for method, size, label in [
        ("direct", 256 if quick else n * n, "QuTiP (steadystate loop, default method='direct'"),
        ("eigen", 512 if quick else n * n, "QuTiP (steadystate loop, method='eigen'"),
    ]:
        points = subset(size)
        first, warm, out = bench(
            lambda points=points, method=method: qutip_loop(points, method=method),
            min_repeats=1,
            max_repeats=1 if quick else 3,
            budget=0.0 if method == "direct" else 10.0,
        )
        diff = float(np.max(np.abs(out - np.array([ref[i, j] for i, j in points]))))
        label += f", extrapolated from {len(points)})" if len(points) < n * n else ")"
        rows.append(row("W3", label, first, warm, diff=diff, scale=n * n / len(points)))
    rows.append({"workload": "W3", "library": "dynamiqs", "na": "n/a: no steady-state solver"})
    return rows


# ----------------------------------------------------------------------------------------
# W4: gradient of the integrated heat current Q_A with respect to (lambda, T_A)
# ----------------------------------------------------------------------------------------


def workload_w4(quick):
    import diffrax
    import numpy as np

    qoj, dq, jax = _setup_jax()
    import jax.numpy as jnp
    import qutip

    m = TwoQubitModel(qoj)
    lam0, TA0 = 0.1, 2.0
    # Q_A = int_0^100 J_A dt by the trapezoid rule on the same save grid for every library
    ts = np.linspace(0.0, 100.0, 201)
    rows = []
    block = jax.block_until_ready
    reps = dict(max_repeats=20 if quick else 100, budget=1.0 if quick else 3.0)
    args = (jnp.asarray(lam0), jnp.asarray(TA0))

    def qoj_Q(lam, TA, solver):
        gen = qoj.lindblad(m.hamiltonian(lam), {"A": m.jumps_A(TA, jnp), "B": m.jumps_B(jnp)})
        sol = qoj.evolve(gen, m.rho0, ts, rtol=RTOL, atol=ATOL, solver=solver)
        return jnp.trapezoid(sol.heat_currents["A"], ts)

    def grad_diff(g):
        return float(np.max(np.abs(np.asarray(g) - ref)))

    f = jax.jit(jax.grad(functools.partial(qoj_Q, solver=None), argnums=(0, 1)))
    first, warm, ref = bench(lambda: f(*args), block=block, **reps)
    ref = np.array([float(x) for x in ref])
    _log(f"[W4] qoj dQ_A/d(lam, T_A) = {ref}")
    rows.append(row("W4", "qoj (jax.grad, Propagator)", first, warm, reference=True, diff=0.0))

    f = jax.jit(functools.partial(qoj_Q, solver=None))
    first, warm, _ = bench(lambda: f(*args), block=block, **reps)
    rows.append(row("W4", "qoj (forward solve only, Propagator)", first, warm))

    f = jax.jit(jax.grad(functools.partial(qoj_Q, solver=diffrax.Tsit5()), argnums=(0, 1)))
    first, warm, g = bench(lambda: f(*args), block=block, **reps)
    rows.append(row("W4", "qoj (jax.grad, diffrax Tsit5)", first, warm, diff=grad_diff(g)))

    # dynamiqs: Tsit5 with its default reverse-mode gradient, made explicit
    # (BackwardCheckpointed = diffrax.RecursiveCheckpointAdjoint)
    def dq_Q(lam, TA):
        H = jnp.asarray(m.hamiltonian(lam), dtype=jnp.complex128)
        jA = [(r, jnp.asarray(op)) for r, op in m.jumps_A(TA, jnp)]
        jB = [(r, jnp.asarray(op)) for r, op in m.jumps_B(jnp)]
        Ls = [jnp.sqrt(r) * op for r, op in jA + jB]
        res = dq.mesolve(
            H,
            Ls,
            m.rho0,
            ts,
            exp_ops=[H, heisenberg_dissipator(jA, H)],
            method=dq.method.Tsit5(rtol=RTOL, atol=ATOL),
            gradient=dq.gradient.BackwardCheckpointed(),
            save_states=False,
            progress_meter=False,
        )
        return jnp.trapezoid(jnp.real(res.expects[1]), ts)

    f = jax.jit(jax.grad(dq_Q, argnums=(0, 1)))
    first, warm, g = bench(lambda: f(*args), block=block, **reps)
    rows.append(
        row(
            "W4",
            "dynamiqs (jax.grad, Tsit5, checkpointed adjoint)",
            first,
            warm,
            diff=grad_diff(g),
        )
    )

    # QuTiP: central finite differences, 5 mesolve calls (Q itself and +-h in each parameter)
    opts = _qutip_mesolve_options()
    dims = [[2, 2], [2, 2]]
    jB = m.jumps_B(np)

    def qutip_Q(lam, TA):
        j = qutip_current(qutip, m.hamiltonian(lam), m.jumps_A(TA, np), jB, m.rho0, ts, dims, opts)
        return np.trapezoid(j, ts)

    def qutip_grad():
        hl, ht = 1e-6 * lam0, 1e-6 * TA0
        qutip_Q(lam0, TA0)
        return np.array(
            [
                (qutip_Q(lam0 + hl, TA0) - qutip_Q(lam0 - hl, TA0)) / (2 * hl),
                (qutip_Q(lam0, TA0 + ht) - qutip_Q(lam0, TA0 - ht)) / (2 * ht),
            ]
        )

    first, warm, g = bench(qutip_grad, max_repeats=10 if quick else 50, budget=reps["budget"])
    rows.append(
        row("W4", "QuTiP (central finite differences, 5 mesolve)", first, warm, diff=grad_diff(g))
    )
    return rows


# ----------------------------------------------------------------------------------------
# W5: XX chain of N qubits with boundary baths, one time series, N = 2..8
# ----------------------------------------------------------------------------------------


class ChainModel:
    """W5: H = sum w/2 s_iz + J sum (s_i+ s_{i+1}- + h.c.); bath A on site 1, B on site N."""

    w, J, g, TA, TB = 1.0, 0.2, 0.05, 2.0, 0.5
    ts_args = (0.0, 50.0, 51)

    def __init__(self, qoj, N):
        import numpy as np

        self.N, self.d = N, 2**N
        i2 = np.asarray(qoj.identity(2))
        sm, sp, sz = (np.asarray(o) for o in (qoj.sigmam(), qoj.sigmap(), qoj.sigmaz()))

        def site(op, i):
            out = np.ones((1, 1))
            for k in range(N):
                out = np.kron(out, op if k == i else i2)
            return out

        self.sm = [site(sm, i) for i in range(N)]
        self.sp = [site(sp, i) for i in range(N)]
        H = sum(0.5 * self.w * site(sz, i) for i in range(N))
        for i in range(N - 1):
            H = H + self.J * (self.sp[i] @ self.sm[i + 1] + self.sm[i] @ self.sp[i + 1])
        self.H = H
        self.rho0 = np.zeros((self.d, self.d), dtype=np.complex128)
        self.rho0[-1, -1] = 1.0  # all ground: basis index 0 is |e>, so |g...g> is the last
        nA, nB = bose(self.w, self.TA, np), bose(self.w, self.TB, np)
        self.jumps_A = [(self.g * (1 + nA), self.sm[0]), (self.g * nA, self.sp[0])]
        self.jumps_B = [(self.g * (1 + nB), self.sm[-1]), (self.g * nB, self.sp[-1])]
        self.XA = heisenberg_dissipator(self.jumps_A, H)  # J_A = Tr[D_A^dag(H) rho]
        self.ts = np.linspace(*self.ts_args)


def workload_w5(quick):
    rows = []
    for N in (2, 4, 6, 8) if quick else range(2, 9):
        rows.extend(_w5_rows(N, quick))
    return rows


def _w5_rows(N, quick):
    import diffrax
    import numpy as np

    qoj, dq, jax = _setup_jax()
    import jax.numpy as jnp
    import qutip

    block = jax.block_until_ready
    rows = []
    m = ChainModel(qoj, N)
    ts, name = m.ts, f"W5 N={N}"
    slow = N >= 6
    reps = dict(
        min_repeats=1 if slow else 3,
        max_repeats=3 if slow else (20 if quick else 100),
        budget=2.0 if slow else (1.0 if quick else 3.0),
    )
    t_n = time.perf_counter()

    def diff(jA, ref):
        return float(np.max(np.abs(np.asarray(jA) - ref)))

    # qoj gets the operators as closed-over constants, so that it can read their sparsity
    # (`qoj._structured`; it evaluates products of constant operators eagerly). The peers get
    # them as jit arguments (as constants, XLA folds their 256 x 256 products at compile time).
    def qoj_solve(solver):
        gen = qoj.lindblad(m.H, {"A": m.jumps_A, "B": m.jumps_B})
        sol = qoj.evolve(gen, m.rho0, ts, rtol=RTOL, atol=ATOL, solver=solver)
        return sol.heat_currents["A"]

    f = jax.jit(functools.partial(qoj_solve, solver=None))
    first, warm, ref = bench(f, block=block, **reps)
    ref = np.asarray(ref)
    rows.append(
        row(name, f"N={N} qoj (evolve, default solver)", first, warm, reference=True, diff=0.0)
    )
    gen = qoj.lindblad(m.H, {"A": m.jumps_A, "B": m.jumps_B})
    stats = qoj.evolve(gen, m.rho0, ts, rtol=RTOL, atol=ATOL).stats
    if stats.get("rhs_evaluations") is not None:
        rows[-1]["rhs"], rows[-1]["flops"] = rhs_work(qoj, gen, stats)

    label = f"N={N} qoj (evolve, diffrax Tsit5)"
    if m.d > qoj._evolve.DENSE_DIMENSION_LIMIT:
        # the default solver is already Tsit5 (operator-by-operator right-hand side)
        rows.append({"workload": name, "library": label, "na": "= default solver for d > 32"})
    else:
        f = jax.jit(functools.partial(qoj_solve, solver=diffrax.Tsit5()))
        first, warm, jA = bench(f, block=block, **reps)
        rows.append(row(name, label, first, warm, diff=diff(jA, ref)))

    def dq_solve(H, Ls, XA, rho0):
        res = dq.mesolve(
            H,
            Ls,
            rho0,
            ts,
            exp_ops=[XA],
            method=dq.method.Tsit5(rtol=RTOL, atol=ATOL),
            save_states=False,
            progress_meter=False,
        )
        return jnp.real(res.expects[0])

    f = jax.jit(dq_solve)
    dims = (2,) * N
    for label, layout in [
        ("dynamiqs (Tsit5, jit)", dq.dense),
        ("dynamiqs (Tsit5, sparse dia layout)", dq.dia),
    ]:
        dq_ops = (
            dq.asqarray(m.H, dims=dims, layout=layout),
            [
                dq.asqarray(np.sqrt(r) * op, dims=dims, layout=layout)
                for r, op in m.jumps_A + m.jumps_B
            ],
            dq.asqarray(m.XA, dims=dims, layout=layout),
            dq.asqarray(m.rho0, dims=dims),
        )
        first, warm, jA = bench(lambda dq_ops=dq_ops: f(*dq_ops), block=block, **reps)
        rows.append(row(name, f"N={N} {label}", first, warm, diff=diff(jA, ref)))

    qdims = [[2] * N, [2] * N]

    def q(a):
        return qutip.Qobj(a, dims=qdims).to("csr")

    def qutip_solve():
        c_ops = [q(np.sqrt(r) * op) for r, op in m.jumps_A + m.jumps_B]
        res = qutip.mesolve(
            q(m.H), q(m.rho0), ts, c_ops, e_ops=[q(m.XA)], options=_qutip_mesolve_options()
        )
        return np.real(res.expect[0])

    first, warm, jA = bench(qutip_solve, **reps)
    rows.append(row(name, f"N={N} QuTiP (mesolve, adams, CSR)", first, warm, diff=diff(jA, ref)))
    _log(f"[W5] N={N} done in {time.perf_counter() - t_n:.0f} s")
    return rows


WORKLOADS = {
    "W1": workload_w1,
    "W2": workload_w2,
    "W3": workload_w3,
    "W4": workload_w4,
    "W5": workload_w5,
}


def versions():
    import platform

    out = {"python": platform.python_version()}
    for name in [
        "qoj",
        "jax",
        "jaxlib",
        "equinox",
        "diffrax",
        "lineax",
        "qutip",
        "dynamiqs",
        "numpy",
        "scipy",
    ]:
        try:
            import importlib.metadata as md

            out[name] = md.version(name)
        except Exception:  # noqa: BLE001
            out[name] = "?"
    return out


# ----------------------------------------------------------------------------------------
# driver
# ----------------------------------------------------------------------------------------


def _fmt_time(s):
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1.0:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def table(rows):
    lines = [
        "| workload | library | first call | median warm | min | ratio vs qoj "
        "| max abs diff of J_A vs qoj |",
        "|---|---|---|---|---|---|---|",
    ]
    refs = {r["workload"]: r["median"] for r in rows if r.get("reference")}
    for r in rows:
        if "na" in r:
            lines.append(f"| {r['workload']} | {r['library']} | {r['na']} | — | — | — | — |")
            continue
        ref = refs.get(r["workload"])
        if r.get("reference"):
            ratio = "1 (reference)"
        elif ref and r["median"]:
            ratio = f"{r['median'] / ref:.3g}x"
        else:
            ratio = "—"
        diff = "—" if r["diff"] is None else ("0" if r["diff"] == 0 else f"{r['diff']:.1e}")
        lines.append(
            f"| {r['workload']} | {r['library']} | {_fmt_time(r['first'])} | "
            f"{_fmt_time(r['median'])} | {_fmt_time(r['min'])} | {ratio} | {diff} |"
        )
    work = [r for r in rows if r.get("rhs")]
    if work:
        lines += [
            "",
            "| workload | library | RHS evaluations | flops per RHS | GFLOP | achieved GFLOP/s |",
            "|---|---|---|---|---|---|",
        ]
        for r in work:
            total = r["rhs"] * r["flops"]
            lines.append(
                f"| {r['workload']} | {r['library']} | {r['rhs']} | {r['flops']:.3g} | "
                f"{total / 1e9:.3g} | {total / r['median'] / 1e9:.2f} |"
            )
    return "\n".join(lines)


def _worker(name, quick):
    rows = WORKLOADS[name](quick)
    print(RESULT_TAG + json.dumps({"rows": rows, "versions": versions()}), flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats, smaller QuTiP subsets")
    p.add_argument("--workloads", default="W1,W2,W3,W4,W5", help="comma-separated, e.g. W1,W3")
    p.add_argument("--json", default=None, help="also write the raw rows to this file")
    p.add_argument(
        "--no-xla-workaround", action="store_true", help=f"do not add {XLA_WORKAROUND} to XLA_FLAGS"
    )
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per workload process")
    args = p.parse_args(argv)

    if args.worker:
        _worker(args.worker, args.quick)
        return 0

    names = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in names if w not in WORKLOADS]
    if unknown:
        p.error(f"unknown workloads {unknown}; choose from {sorted(WORKLOADS)}")

    env = dict(os.environ)
    if not args.no_xla_workaround and XLA_WORKAROUND.split("=")[0] not in env.get("XLA_FLAGS", ""):
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + XLA_WORKAROUND).strip()

    all_rows, vers, failed = [], None, []
    t0 = time.perf_counter()
    for name in names:
        _log(f"[bench] {name} ...")
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", name]
        if args.quick:
            cmd.append("--quick")
        t = time.perf_counter()
        try:
            proc = subprocess.run(
                cmd, env=env, stdout=subprocess.PIPE, text=True, timeout=args.timeout
            )
        except subprocess.TimeoutExpired:
            _log(f"[bench] {name} timed out after {args.timeout:.0f} s")
            failed.append(name)
            continue
        result = None
        for line in proc.stdout.splitlines():
            if line.startswith(RESULT_TAG):
                result = json.loads(line[len(RESULT_TAG) :])
            else:
                _log(line)
        if proc.returncode != 0 or result is None:
            _log(f"[bench] {name} failed (exit code {proc.returncode})")
            failed.append(name)
            continue
        _log(f"[bench] {name} done in {time.perf_counter() - t:.0f} s")
        all_rows.extend(result["rows"])
        vers = result["versions"]

    print(table(all_rows))
    if vers:
        print()
        print("versions: " + ", ".join(f"{k} {v}" for k, v in vers.items()))
    print(
        f"XLA_FLAGS: {env.get('XLA_FLAGS', '')!r}; mode: {'quick' if args.quick else 'full'};"
        f" total wall time {time.perf_counter() - t0:.0f} s"
    )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"rows": all_rows, "versions": vers, "quick": args.quick}, fh, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
