"""Throughput and peak memory of `qoj.scan` on steady heat currents of `CoupledQubits`.

    .venv/bin/python benchmarks/scan.py --quick   # 1e4 points only, ~1 min on 2 cores
    .venv/bin/python benchmarks/scan.py           # 1e4 and 1e6 points (~13 min on 2 cores)
    python benchmarks/scan.py --device gpu        # the same on an accelerator (JAX_PLATFORMS=cuda)

Model: `qoj.models.CoupledQubits(1, 1, coupling, Bath(Ohmic(0.01, 1, 20), T_1),
Bath(Ohmic(0.01, 1, 20), 0.5))`, generator `"global"` or `"local"`, `qoj.steady_state`, and
`qoj.heat_currents` (J_1, J_2) at every point of a square grid coupling in [0.005, 0.1] x
T_1 in [0.5, 5]; double precision.

Every configuration (grid size, chunk size, approach) runs in its own fresh Python process
(`--worker`), so that compiled programs, allocator pools and the peak RSS of one cannot
affect another. A worker

1. imports jax and qoj, sets double precision and runs a tiny (2 x 2) `qoj.scan` of the same
   point function: the peak RSS after that (`getrusage(RUSAGE_SELF).ru_maxrss`) is the
   baseline (interpreter, jax, XLA compiler, qoj);
2. times the first `qoj.scan(fn, grid, chunk_size=C, progress=False)` (tracing + XLA
   compilation for a chunk of C points + the run) and then warm calls of the same scan
   (`qoj.scan` reuses the compiled program because `fn` is the same module-level function);
3. reports peak RSS minus the baseline, and XLA's own estimate of the compiled chunk
   program's buffers (`compiled.memory_analysis()`: arguments + outputs + temporaries).

`--loop` rows: the same point function under `jax.jit` (compiled once), called from a plain
Python loop over a few hundred grid points (one dispatch and one result transfer per point).
`--map` rows (a reference, not qoj.scan): the whole 1e4 grid in one jitted `jax.lax.map`
with `batch_size=--map-batch`, i.e. vmapped blocks small enough to stay in cache.

On an accelerator (`--device gpu`) the RSS column measures host memory only; the device's
`memory_stats()["peak_bytes_in_use"]` is added next to it where the backend reports it.

The parent prints one markdown table: points, chunk size, approach, first call s, warm s,
points/s (warm), peak RSS MiB above baseline, XLA estimate MiB, mean J_1 (a checksum that
must agree between chunk sizes).
"""

import argparse
import json
import os
import subprocess
import sys
import time

COUPLING_RANGE = (0.005, 0.1)
T_1_RANGE = (0.5, 5.0)


# --- point functions (module level, so that qoj.scan's compiled-program cache hits) ---------


def _currents(coupling, T_1, approach):
    import qoj

    def bath(temperature):
        return qoj.Bath(qoj.spectra.Ohmic(0.01, 1.0, 20.0), temperature)

    model = qoj.models.CoupledQubits(1.0, 1.0, coupling, bath(T_1), bath(0.5))
    gen = model.generator(approach)
    currents = qoj.heat_currents(gen, qoj.steady_state(gen))
    return {"J_1": currents["1"], "J_2": currents["2"]}


def current_global(coupling, T_1):
    return _currents(coupling, T_1, "global")


def current_local(coupling, T_1):
    return _currents(coupling, T_1, "local")


POINT_FUNCTIONS = {"global": current_global, "local": current_local}


# --- worker ----------------------------------------------------------------------------------


def _peak_mib():
    import resource

    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / 1024.0


def _device_peak_mib():
    """Peak bytes in use on the accelerator (None on the CPU, where RSS is the measure)."""
    import jax

    try:
        stats = jax.local_devices()[0].memory_stats()
    except Exception:  # noqa: BLE001 - not every backend implements memory_stats
        return None
    if not stats or "peak_bytes_in_use" not in stats:
        return None
    return stats["peak_bytes_in_use"] / 2**20


def _grid(side):
    import numpy as np

    return {"coupling": np.linspace(*COUPLING_RANGE, side), "T_1": np.linspace(*T_1_RANGE, side)}


def _batch(text):
    """--batch: "auto" (qoj.scan's default), "none" (one vmap per chunk) or an int."""
    return text if text == "auto" else None if text == "none" else int(text)


def _xla_estimate_mib(fn, chunk, batch):
    """XLA's buffer assignment for qoj.scan's chunk program (arguments + outputs +
    temporaries), built by qoj.scan's own `_batched`."""
    import jax

    from qoj._precision import real_dtype
    from qoj._scan import _CPU_BATCH, _batched

    if batch == "auto":
        batch = _CPU_BATCH if jax.default_backend() == "cpu" else None
    spec = jax.ShapeDtypeStruct((chunk,), real_dtype())
    compiled = _batched(fn, (), batch).lower({"coupling": spec, "T_1": spec}, {}).compile()
    analysis = compiled.memory_analysis()
    if analysis is None:
        return None, None
    total = (
        analysis.argument_size_in_bytes
        + analysis.output_size_in_bytes
        + analysis.temp_size_in_bytes
        - getattr(analysis, "alias_size_in_bytes", 0)
    )
    return total / 2**20, analysis.temp_size_in_bytes / 2**20


def worker_scan(args):
    import gc

    import jax
    import numpy as np

    import qoj

    qoj.set_precision("double")
    fn = POINT_FUNCTIONS[args.approach]
    qoj.scan(fn, _grid(2), progress=False)  # tiny scan: jax, XLA and qoj loaded, fn compiled
    gc.collect()
    baseline = _peak_mib()

    grid = _grid(args.side)
    total = args.side**2
    chunk = None if args.chunk == 0 else args.chunk

    start = time.perf_counter()
    batch = _batch(args.batch)
    ds = qoj.scan(fn, grid, chunk_size=chunk, batch_size=batch, progress=False)
    first = time.perf_counter() - start
    peak_first = _peak_mib()
    mean_j1 = float(ds["J_1"].mean())
    balance = float(np.max(np.abs(ds["J_1"].values + ds["J_2"].values)))
    finite = bool(np.isfinite(ds["J_1"].values).all())
    del ds
    gc.collect()

    warm = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        ds = qoj.scan(fn, grid, chunk_size=chunk, batch_size=batch, progress=False)
        warm.append(time.perf_counter() - start)
        del ds
        gc.collect()
    peak = _peak_mib()
    device_peak = _device_peak_mib()

    # XLA's estimate, after the peak was read (this compiles the chunk program once more)
    count = -(-total // (total if chunk is None else min(chunk, total)))
    size = -(-total // count)
    xla_total, xla_temp = _xla_estimate_mib(fn, size, batch)

    return {
        "kind": "scan",
        "points": total,
        "chunk": chunk,
        "chunk_points": size,
        "batch": args.batch,
        "approach": args.approach,
        "first_s": first,
        "warm_s": float(np.min(warm)),
        "warm_all_s": warm,
        "baseline_mib": baseline,
        "peak_above_mib": peak - baseline,
        "peak_first_above_mib": peak_first - baseline,
        "device_peak_mib": device_peak,
        "xla_mib": xla_total,
        "xla_temp_mib": xla_temp,
        "mean_J_1": mean_j1,
        "max_abs_J1_plus_J2": balance,
        "finite": finite,
        "device": f"{jax.devices()[0].device_kind} ({jax.default_backend()})",
    }


def worker_loop(args):
    import jax
    import numpy as np

    import qoj

    qoj.set_precision("double")
    fn = jax.jit(POINT_FUNCTIONS[args.approach])
    grid = _grid(args.side)
    coupling, t_1 = (m.ravel() for m in np.meshgrid(grid["coupling"], grid["T_1"], indexing="ij"))
    # every (total / n)-th point of the grid, as Python floats (what a user's loop passes)
    index = np.linspace(0, coupling.size - 1, args.loop_points).astype(int)
    pairs = [(float(coupling[i]), float(t_1[i])) for i in index]

    start = time.perf_counter()
    jax.block_until_ready(fn(*pairs[0]))
    first = time.perf_counter() - start
    warm = []
    values = []
    for _ in range(args.repeats):
        values = []
        start = time.perf_counter()
        for lam, temperature in pairs:
            out = fn(lam, temperature)
            values.append(float(out["J_1"]))  # one result transfer per point, as in a loop
        warm.append(time.perf_counter() - start)
    return {
        "kind": "loop",
        "points": len(pairs),
        "chunk": 1,
        "chunk_points": 1,
        "approach": args.approach,
        "first_s": first,
        "warm_s": float(np.min(warm)),
        "warm_all_s": warm,
        "baseline_mib": None,
        "peak_above_mib": None,
        "device_peak_mib": None,
        "xla_mib": None,
        "xla_temp_mib": None,
        "mean_J_1": float(np.mean(values)),
        "max_abs_J1_plus_J2": None,
        "finite": bool(np.isfinite(values).all()),
        "device": f"{jax.devices()[0].device_kind} ({jax.default_backend()})",
    }


def worker_map(args):
    """Reference, not qoj.scan: the whole grid in one jitted `lax.map` over batches of
    `--map-batch` vmapped points (cache-sized blocks, no Python loop over chunks)."""
    import gc

    import jax
    import jax.numpy as jnp
    import numpy as np

    import qoj

    qoj.set_precision("double")
    point = POINT_FUNCTIONS[args.approach]

    def mapped(coupling, t_1):
        return jax.lax.map(lambda p: point(*p), (coupling, t_1), batch_size=args.map_batch)

    fn = jax.jit(mapped)

    def flat(side):
        grid = _grid(side)
        mesh = np.meshgrid(grid["coupling"], grid["T_1"], indexing="ij")
        return tuple(jnp.asarray(m.ravel()) for m in mesh)

    jax.block_until_ready(fn(*flat(2)))  # same baseline as the scan workers: a 2x2 grid
    gc.collect()
    baseline = _peak_mib()
    args_ = flat(args.side)
    start = time.perf_counter()
    out = jax.block_until_ready(fn(*args_))
    first = time.perf_counter() - start
    peak_first = _peak_mib()
    values = np.asarray(out["J_1"])
    warm = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args_))
        warm.append(time.perf_counter() - start)
    peak = _peak_mib()
    return {
        "kind": "map",
        "points": args.side**2,
        "chunk": args.map_batch,
        "chunk_points": args.map_batch,
        "approach": args.approach,
        "first_s": first,
        "warm_s": float(np.min(warm)),
        "warm_all_s": warm,
        "baseline_mib": baseline,
        "peak_above_mib": peak - baseline,
        "peak_first_above_mib": peak_first - baseline,
        "device_peak_mib": _device_peak_mib(),
        "xla_mib": None,
        "xla_temp_mib": None,
        "mean_J_1": float(values.mean()),
        "max_abs_J1_plus_J2": float(np.max(np.abs(values + np.asarray(out["J_2"])))),
        "finite": bool(np.isfinite(values).all()),
        "device": f"{jax.devices()[0].device_kind} ({jax.default_backend()})",
    }


# --- parent ----------------------------------------------------------------------------------


def _run_worker(argv, device, timeout):
    env = dict(os.environ)
    if device == "cpu":
        env["JAX_PLATFORMS"] = "cpu"
    elif device == "gpu":
        env["JAX_PLATFORMS"] = "cuda"
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--worker", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        return {"error": f"worker {' '.join(argv)} exited with {proc.returncode}"}
    line = [s for s in proc.stdout.splitlines() if s.startswith("{")][-1]
    row = json.loads(line)
    row["process_s"] = wall
    return row


def _fmt_points(n):
    exponent = len(str(n)) - 1
    return f"1e{exponent}" if n == 10**exponent else str(n)


def _row(r, side):
    if "error" in r:
        return f"| {r['error']} | | | | | | | | |"
    if r["kind"] == "loop":
        points = f"{r['points']} (Python loop of a jitted point)"
        chunk = "1"
    elif r["kind"] == "map":
        points = f"{_fmt_points(r['points'])} ({side}x{side}), one jit(lax.map), not qoj.scan"
        chunk = f"{r['chunk']} (lax.map batch)"
    else:
        points = f"{_fmt_points(r['points'])} ({side}x{side})"
        chunk = "all" if r["chunk"] is None else _fmt_points(r["chunk"])
        if r["chunk"] is not None and r["chunk_points"] != r["chunk"]:
            chunk += f" ({r['chunk_points']} used)"
        chunk += f", batch {r['batch']}"
    rate = r["points"] / r["warm_s"]
    mem = "—" if r["peak_above_mib"] is None else f"{r['peak_above_mib']:.0f}"
    if r.get("device_peak_mib") is not None:
        mem += f" (device peak {r['device_peak_mib']:.0f})"
    xla = "—" if r["xla_mib"] is None else f"{r['xla_mib']:.0f}"
    return (
        f"| {points} | {chunk} | {r['approach']} | {r['first_s']:.2f} | {r['warm_s']:.3f} | "
        f"{rate:,.0f} | {mem} | {xla} | {r['mean_J_1']:.9e} |"
    )


def _ints(text):
    return [int(float(x)) for x in text.split(",") if x]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e4 points only, fewer chunks")
    parser.add_argument(
        "--device",
        choices=["cpu", "gpu", "default"],
        default="cpu",
        help="JAX_PLATFORMS of the workers: cpu, gpu (cuda) or JAX's default",
    )
    parser.add_argument("--approaches", default="global,local", help="comma-separated")
    parser.add_argument(
        "--small-chunks", default="100,1000,0", help="chunk sizes for 1e4 points (0 = all)"
    )
    parser.add_argument(
        "--large-chunks", default="1000,10000,100000", help="chunk sizes for 1e6 points"
    )
    parser.add_argument("--large-side", type=int, default=1000, help="side of the large grid")
    parser.add_argument("--loop-points", type=int, default=300)
    parser.add_argument("--map-batch", type=int, default=32, help="lax.map reference row")
    parser.add_argument(
        "--batch",
        default="auto",
        help="qoj.scan batch_size: auto (32 on the CPU), none (one vmap per chunk) or an int",
    )
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--timeout", type=float, default=1800.0, help="per worker, seconds")
    # worker-only arguments
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--loop", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--map", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--side", type=int, default=100, help=argparse.SUPPRESS)
    parser.add_argument("--chunk", type=int, default=0, help=argparse.SUPPRESS)  # 0 = all
    parser.add_argument("--approach", default="global", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        if args.loop:
            row = worker_loop(args)
        elif args.map:
            row = worker_map(args)
        else:
            row = worker_scan(args)
        print(json.dumps(row))
        return

    approaches = [a for a in args.approaches.split(",") if a]
    # (grid side, chunk sizes (0 = all at once), warm repeats)
    if args.quick:
        plan = [(100, [1_000, 0], 3)]
    else:
        plan = [(100, _ints(args.small_chunks), 5), (args.large_side, _ints(args.large_chunks), 1)]

    rows = []
    started = time.perf_counter()
    print(
        "| points | chunk size | approach | first call s | warm s | points/s (warm) | "
        "peak RSS MiB above baseline | XLA estimate MiB | mean J_1 |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for approach in approaches:
        jobs = []
        for side, chunks, repeats in plan:
            for chunk in chunks:
                argv = [f"--side={side}", f"--chunk={chunk}", f"--repeats={repeats}"]
                jobs.append((side, argv))
            if side == 100 and not args.quick:
                argv = ["--map", "--side=100", f"--map-batch={args.map_batch}"]
                jobs.append((100, [*argv, f"--repeats={repeats}"]))
            if side == 100:
                argv = ["--loop", "--side=100", "--repeats=3"]
                jobs.append((100, [*argv, f"--loop-points={args.loop_points}"]))
        for side, argv in jobs:
            if "--map" not in argv and "--loop" not in argv:
                argv = [*argv, f"--batch={args.batch}"]
            r = _run_worker([*argv, f"--approach={approach}"], args.device, args.timeout)
            r["side"] = side
            rows.append(r)
            print(_row(r, side), flush=True)

    ok = [r for r in rows if "error" not in r]
    if ok:
        print()
        baselines = sorted(r["baseline_mib"] for r in ok if r["baseline_mib"])
        print(
            f"device: {ok[0]['device']}; baseline peak RSS (after a 2x2 scan) "
            f"{baselines[0]:.0f}-{baselines[-1]:.0f} MiB"
        )
        for approach in approaches:
            scans = [r for r in ok if r["kind"] == "scan" and r["approach"] == approach]
            loops = [r for r in ok if r["kind"] == "loop" and r["approach"] == approach]
            if scans and loops:
                best = max(scans, key=lambda r: r["points"] / r["warm_s"])
                rate = best["points"] / best["warm_s"]
                loop = loops[0]["points"] / loops[0]["warm_s"]
                print(
                    f"{approach}: best qoj.scan {rate:,.0f} points/s ({best['points']} "
                    f"points, chunk {best['chunk'] or 'all'}) = {rate / loop:.1f}x the Python "
                    f"loop ({loop:,.0f} points/s)"
                )
            for side in sorted({r["side"] for r in scans}):
                means = [r["mean_J_1"] for r in scans if r["side"] == side]
                print(
                    f"{approach}, {side}x{side}: mean J_1 spread over chunk sizes "
                    f"{max(means) - min(means):.1e}; max |J_1 + J_2| "
                    f"{max(r['max_abs_J1_plus_J2'] for r in scans if r['side'] == side):.1e}"
                )
        print(f"total {time.perf_counter() - started:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
