"""Parameter scans: a function evaluated with `vmap` over the outer product of named axes, in
chunks that bound memory, sharded over devices, checkpointed to zarr, returned as a labeled
`xarray.Dataset`.

How a scan runs: the grid's points are numbered in C order (the last axis fastest) and cut
into equal chunks of at most `chunk_size` points (the last one padded with copies of a valid
point and trimmed). One program, `jit(vmap(fn))`, is compiled for the chunk size and reused
for every chunk (and for later scans of the same function with the same chunk size and
static fixed parameters). With several devices each chunk is one global array split over a
1-D mesh ("points") with `jax.sharding.NamedSharding`, so XLA runs a slice of the chunk on
every device; the chunk size is rounded up to a multiple of the device count.

Multi-host (several machines, one process each): call `jax.distributed.initialize()` in
every process before anything else, then the same `qoj.scan(..., devices="all")` in every
process. The mesh spans `jax.devices()` (all hosts' devices); every process builds the same
grid, feeds its own devices' slices (`jax.make_array_from_callback`), and the chunk's results
are gathered to every process (`multihost_utils.process_allgather`). Only process 0 writes the
checkpoint, which must live on a filesystem all processes see.
"""

import functools
import inspect
import re
from collections.abc import Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ._scan_checkpoint import Checkpoint, fingerprint


def _flatten_outputs(tree) -> dict[str, object]:
    flat, _ = jax.tree_util.tree_flatten_with_path(tree)
    out = {}
    for path, leaf in flat:
        name = "/".join(
            str(getattr(k, "key", getattr(k, "name", getattr(k, "idx", k)))) for k in path
        )
        out[name or "value"] = leaf
    return out


def _compile(fn, static: tuple, batch_size: int | None):
    def point(p, traced):
        return fn(**p, **traced, **dict(static))

    if batch_size is None:
        return jax.jit(jax.vmap(point, in_axes=(0, None)))

    def blocked(p, traced):
        return jax.lax.map(lambda q: point(q, traced), p, batch_size=batch_size)

    return jax.jit(blocked)


_cached_compile = functools.lru_cache(maxsize=32)(_compile)


def _batched(fn, static: tuple, batch_size: int | None):
    """The chunk program: `fn` vmapped over the points (in blocks of `batch_size` under
    `lax.map` when given), with the array-valued fixed parameters as traced (unbatched)
    arguments and the others static; cached so that scanning the same function again
    reuses its compiled program (not cached for unhashable callables, e.g. modules holding
    arrays)."""
    try:
        return _cached_compile(fn, static, batch_size)
    except TypeError:
        return _compile(fn, static, batch_size)


def _axes(grid) -> dict[str, np.ndarray]:
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError("grid must be a non-empty mapping {axis name: 1-D array}")
    axes = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"grid axis names must be Python identifiers, got {name!r}")
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise ValueError(f"grid axis {name!r} must be 1-D, got shape {arr.shape}")
        if arr.size == 0:
            raise ValueError(f"grid axis {name!r} is empty")
        if arr.dtype.kind not in "biufc":
            raise ValueError(f"grid axis {name!r} must be numeric, got dtype {arr.dtype}")
        axes[name] = arr
    return axes


def _check_arguments(fn, axes, fixed) -> None:
    """The axes and fixed parameters must be exactly what `fn` accepts (when its signature
    can be read)."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    names = {**dict.fromkeys(axes, 0), **dict.fromkeys(fixed, 0)}
    try:
        signature.bind(**names)
    except TypeError as error:
        raise ValueError(
            f"the grid axes {list(axes)} (and fixed parameters {list(fixed)}) do not match "
            f"the arguments of the scanned function {signature}: {error}"
        ) from None


def _devices(devices) -> list | None:
    if devices is None:
        return None
    if isinstance(devices, str):
        if devices != "all":
            raise ValueError(
                f"devices must be 'all', an int or a sequence of devices, got {devices!r}"
            )
        return list(jax.devices())
    if isinstance(devices, int):
        available = jax.devices()
        if not 1 <= devices <= len(available):
            raise ValueError(f"devices={devices}: between 1 and {len(available)} are available")
        return list(available[:devices])
    if (
        isinstance(devices, Sequence)
        and devices
        and all(isinstance(d, jax.Device) for d in devices)
    ):
        return list(devices)
    raise ValueError("devices must be 'all', an int or a non-empty sequence of jax devices")


_CPU_BATCH = 32  # points per vmapped block on the CPU (benchmarks/scan.py: fastest of 8-1e4)

_UNITS = {"": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "ki": 2**10, "mi": 2**20, "gi": 2**30}


def _bytes(budget) -> int:
    if isinstance(budget, int | float) and budget > 0:
        return int(budget)
    match = re.fullmatch(r"\s*([0-9.]+)\s*([kmgt]i?)?b?\s*", str(budget).lower())
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"memory_budget must be bytes or a size like '2GB', got {budget!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2) or ""])


def _chunk_for_budget(batched, points, traced, budget: int, total: int, multiple: int) -> int:
    """Points per chunk such that XLA's own estimate of the program's memory (arguments,
    outputs and temporaries, which grow linearly with the batch) stays within `budget`."""
    probe = min(total, 64)
    sample = {n: v[:probe] for n, v in points.items()}
    analysis = batched.lower(sample, traced).compile().memory_analysis()
    if analysis is None:
        raise ValueError("this backend gives no memory estimate: pass chunk_size instead")
    used = sum(
        getattr(analysis, f, 0)
        for f in ("argument_size_in_bytes", "output_size_in_bytes", "temp_size_in_bytes")
    )
    per_point = max(used / probe, 1.0)
    if per_point * multiple > budget:
        raise ValueError(
            f"memory_budget {budget} B is below one point per device (~{per_point:.0f} B each)"
        )
    return int(budget // per_point)


def _put(array: np.ndarray, sharding):
    """A global array with `sharding` from the same host array in every process."""
    return jax.make_array_from_callback(array.shape, sharding, lambda index: array[index])


def _gather(tree):
    leaves = jax.tree.leaves(tree)
    if all(leaf.is_fully_addressable for leaf in leaves):
        return jax.tree.map(np.asarray, tree)
    from jax.experimental import multihost_utils

    return jax.tree.map(np.asarray, multihost_utils.process_allgather(tree, tiled=True))


def scan(
    fn: Callable,
    grid: Mapping[str, object],
    *,
    chunk_size: int | None = None,
    memory_budget: int | str | None = None,
    batch_size: int | str | None = "auto",
    devices=None,
    checkpoint=None,
    progress: bool = True,
    fixed: Mapping[str, object] | None = None,
    units: Mapping[str, str] | None = None,
    attrs: Mapping[str, object] | None = None,
):
    """Evaluate `fn(**point, **fixed)` on the outer product of the axes in `grid`, with
    `jax.vmap`, in chunks, optionally sharded over devices and checkpointed.

    Args:
        fn: a JAX-traceable function of keyword arguments named after the axes (and the
            fixed parameters), returning a pytree of arrays (a dict of named results is the
            most readable).
        grid: `{axis: 1-D array}`; axes vary in the given order (the last fastest).
        chunk_size: at most this many points per compiled call (bounds peak memory). The
            grid is split into equal chunks (never larger than the grid); the last is padded
            with copies of a valid point and trimmed. Default: the whole grid at once.
        memory_budget: instead of `chunk_size`, a memory bound per chunk (bytes, or a size
            like "2GB"): the chunk size is set from XLA's memory estimate of the compiled
            program (arguments, outputs and temporaries) for a probe batch of 64 points.
        batch_size: points vectorised together inside a chunk: the chunk runs as
            `lax.map` over blocks of this many vmapped points (None: the whole chunk in one
            vmap). "auto": 32 on an unsharded CPU scan, where blocks that stay in cache are
            ~1.5x faster than one large vmap (`benchmarks/scan.py`), else None.
        devices: None (the default device), "all" (`jax.devices()`, every host's after
            `jax.distributed.initialize()`), an int (the first n), or a sequence of devices:
            every chunk is sharded over a 1-D mesh of them (see the module docstring).
        checkpoint: a path for a zarr store. Every finished chunk is written before the next
            starts; the same call again resumes, skipping finished points (and returns at
            once when all are done). A checkpoint of another scan (grid, function or fixed
            parameters differ) or a path holding anything else is refused, untouched.
        progress: a tqdm progress bar with points/s and the time left (when tqdm is
            installed and there is more than one chunk to compute).
        fixed: parameters held fixed, passed to `fn` at every point and recorded in the
            dataset's attributes. Array-like values are traced (a new value does not
            recompile); others (strings, ...) are static.
        units: `{name: unit}` for axes and outputs, stored as their "units" attribute.
        attrs: further attributes for the dataset.

    Returns:
        An `xarray.Dataset` with one coordinate per axis and one data variable per output
        leaf (named by its path, e.g. "currents/A"); extra output dimensions are named
        "<variable>_dim<k>". Attributes: the fixed parameters, `points_computed` and
        `points_resumed` (from the checkpoint), `chunk_size`, `devices`, `qoj_version`.
    """
    import xarray as xr

    from . import __version__

    axes = _axes(grid)
    fixed = dict(fixed or {})
    clash = set(fixed) & set(axes)
    if clash:
        raise ValueError(f"parameters {sorted(clash)} are both grid axes and fixed")
    _check_arguments(fn, axes, fixed)
    if chunk_size is not None and memory_budget is not None:
        raise ValueError("give chunk_size or memory_budget, not both")
    if chunk_size is not None and (not isinstance(chunk_size, int | np.integer) or chunk_size < 1):
        raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
    device_list = _devices(devices)
    n_devices = 1 if device_list is None else len(device_list)

    traced = {k: jnp.asarray(v) for k, v in fixed.items() if _is_array_like(v)}
    static = tuple(sorted((k, v) for k, v in fixed.items() if not _is_array_like(v)))
    if batch_size == "auto":
        on_cpu = (device_list or jax.devices())[0].platform == "cpu"
        batch_size = _CPU_BATCH if on_cpu and device_list is None else None
    elif batch_size is not None and (
        not isinstance(batch_size, int | np.integer) or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive int, None or 'auto', got {batch_size!r}")
    batched = _batched(fn, static, None if batch_size is None else int(batch_size))

    names = list(axes)
    shape = tuple(a.size for a in axes.values())
    total = int(np.prod(shape))
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    points = {n: np.ascontiguousarray(m.reshape(-1)) for n, m in zip(names, mesh, strict=True)}

    if memory_budget is not None:
        size = _chunk_for_budget(batched, points, traced, _bytes(memory_budget), total, n_devices)
    else:
        size = total if chunk_size is None else int(chunk_size)
    size = max(1, min(size, total))
    count = -(-total // size)
    size = -(-total // count)  # equal chunks: padding below the number of chunks
    size = -(-size // n_devices) * n_devices

    if device_list is None:
        put_points = put_fixed = jnp.asarray
    else:
        from jax.sharding import Mesh, NamedSharding, PartitionSpec

        device_mesh = Mesh(np.asarray(device_list), ("points",))
        split = NamedSharding(device_mesh, PartitionSpec("points"))
        replicated = NamedSharding(device_mesh, PartitionSpec())
        put_points = functools.partial(_put, sharding=split)
        put_fixed = functools.partial(_put, sharding=replicated)
        traced = {k: np.asarray(v) for k, v in traced.items()}
    traced_on_devices = {k: put_fixed(v) for k, v in traced.items()}

    probe = {n: jax.ShapeDtypeStruct((), jnp.asarray(v[:1]).dtype) for n, v in points.items()}
    out_struct = jax.eval_shape(
        lambda p, t: fn(**p, **t, **dict(static)),
        probe,
        {k: jnp.asarray(v) for k, v in traced.items()},
    )
    outputs = {
        k: (tuple(v.shape), np.dtype(v.dtype)) for k, v in _flatten_outputs(out_struct).items()
    }

    writer = jax.process_index() == 0
    store = None
    done = np.zeros(total, bool)
    if checkpoint is not None:
        key = fingerprint(fn, axes, fixed)
        if writer:
            store = Checkpoint.open(checkpoint, key, axes, fixed)
            store.prepare(outputs, size)
        if jax.process_count() > 1:  # the other processes read what process 0 created
            from jax.experimental import multihost_utils

            multihost_utils.sync_global_devices("qoj.scan checkpoint")
            if not writer:
                store = Checkpoint.open(checkpoint, key, axes, fixed)
        done = store.done()
    results = {k: np.zeros((total, *s), d) for k, (s, d) in outputs.items()}

    starts = [s for s in range(0, total, size) if not done[s : s + size].all()]
    resumed = int(done.sum())
    bar = None
    if progress and len(starts) > 1:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, initial=resumed, unit="pt", desc="qoj.scan", smoothing=0.1)
        except ImportError:
            bar = None
    computed = 0
    try:
        for start in starts:
            stop = min(start + size, total)
            index = np.arange(start, start + size)
            index[index >= total] = start  # pad the ragged last chunk with a valid point
            chunk = {n: put_points(v[index]) for n, v in points.items()}
            values = _flatten_outputs(_gather(batched(chunk, traced_on_devices)))
            values = {k: np.asarray(v)[: stop - start] for k, v in values.items()}
            if writer and store is not None:
                store.write(start, stop, values)
            for k, v in values.items():
                results[k][start:stop] = v
            done[start:stop] = True
            computed += stop - start
            if bar is not None:
                bar.update(stop - start)
    finally:
        if bar is not None:
            bar.close()
    if store is not None and resumed:
        results = {k: store.read(k) for k in outputs}
    if writer and store is not None:
        store.consolidate()

    data_vars = {}
    for var, values in results.items():
        values = values.reshape(shape + values.shape[1:])
        extra = [f"{var}_dim{k}" for k in range(values.ndim - len(shape))]
        data_vars[var] = (names + extra, values)
    dataset = xr.Dataset(data_vars, coords=dict(axes))
    dataset.attrs.update({f"fixed_{k}": _attribute(v) for k, v in fixed.items()})
    dataset.attrs.update(
        {
            "points_computed": computed,
            "points_resumed": total - computed,
            "chunk_size": size,
            "batch_size": "chunk" if batch_size is None else int(batch_size),
            "devices": n_devices,
            "function": getattr(fn, "__qualname__", type(fn).__name__),
            "qoj_version": __version__,
        }
    )
    if checkpoint is not None:
        dataset.attrs["checkpoint"] = str(checkpoint)
    dataset.attrs.update(dict(attrs or {}))
    for name, unit in (units or {}).items():
        if name not in dataset.variables:
            raise ValueError(f"units given for {name!r}, which is neither an axis nor an output")
        dataset[name].attrs["units"] = unit
    return dataset


def _is_array_like(value) -> bool:
    return isinstance(value, int | float | complex | np.ndarray | np.generic | jax.Array) and not (
        isinstance(value, bool)
    )


def _attribute(value):
    """A netCDF/zarr-friendly attribute value."""
    if _is_array_like(value):
        array = np.asarray(value)
        return array.item() if array.ndim == 0 else array.tolist()
    return value if isinstance(value, str | bool) else repr(value)
