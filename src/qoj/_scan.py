"""Parameter scans: a function evaluated with `vmap` over the outer product of named axes."""

import functools
from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np


def _flatten_outputs(tree) -> dict[str, jax.Array]:
    flat, _ = jax.tree_util.tree_flatten_with_path(tree)
    out = {}
    for path, leaf in flat:
        name = "/".join(
            str(getattr(k, "key", getattr(k, "name", getattr(k, "idx", k)))) for k in path
        )
        out[name or "value"] = leaf
    return out


def _compile(fn):
    return jax.jit(jax.vmap(lambda p: fn(**p)))


_cached_compile = functools.lru_cache(maxsize=32)(_compile)


def _batched(fn):
    """jit(vmap(fn)) of a point function, cached so that scanning the same function again
    reuses its compiled program (not cached for unhashable callables, e.g. modules holding
    arrays)."""
    try:
        return _cached_compile(fn)
    except TypeError:
        return _compile(fn)


def scan(
    fn: Callable,
    grid: Mapping[str, object],
    *,
    chunk_size: int | None = None,
    devices=None,
    checkpoint=None,
    progress: bool = True,
):
    """Evaluate `fn(**point)` on the outer product of the axes in `grid`, with `jax.vmap`.

    Args:
        fn: a JAX-traceable function of keyword arguments named after the axes, returning a
            pytree of arrays (a dict of named results is the most readable).
        grid: `{axis: 1-D array}`; axes vary in the given order (the last fastest).
        chunk_size: evaluate at most this many grid points per vmapped call (bounds peak
            memory); default: all at once. The grid is split into equal chunks of at most
            this size (never more than the grid), compiled once; the last one is padded with
            copies of a valid point and trimmed.
        devices, checkpoint: sharding over devices and resumable zarr checkpoints are not
            part of this first version; passing them raises.
        progress: show a tqdm progress bar over chunks (when tqdm is installed).

    Returns:
        An `xarray.Dataset` with one coordinate per axis and one data variable per output
        leaf (named by its path, e.g. "currents/A"); extra output dimensions are named
        "<variable>_dim<k>".
    """
    import xarray as xr

    if devices is not None or checkpoint is not None:
        raise ValueError("devices= and checkpoint= are not supported by this version of qoj.scan")
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError("grid must be a non-empty mapping {axis name: 1-D array}")
    axes = {}
    for name, values in grid.items():
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise ValueError(f"grid axis {name!r} must be 1-D, got shape {arr.shape}")
        if arr.size == 0:
            raise ValueError(f"grid axis {name!r} is empty")
        axes[name] = arr
    names = list(axes)
    shape = tuple(a.size for a in axes.values())
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    points = {n: jnp.asarray(m.reshape(-1)) for n, m in zip(names, mesh, strict=True)}
    total = int(np.prod(shape))
    size = total if chunk_size is None else int(chunk_size)
    if size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    # equal chunks of at most `size` points (no chunk larger than the grid, and the padding
    # of the last one below the number of chunks)
    count = -(-total // size)
    size = -(-total // count)

    batched = _batched(fn)
    starts = range(0, total, size)
    bar = None
    if progress and len(starts) > 1:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, unit="pt", desc="qoj.scan")
        except ImportError:
            bar = None
    pieces = []
    for start in starts:
        stop = min(start + size, total)
        index = np.arange(start, start + size)
        index[index >= total] = start  # pad the ragged last chunk with a valid point
        chunk = {n: v[index] for n, v in points.items()}
        result = jax.tree_util.tree_map(lambda a, n=stop - start: np.asarray(a)[:n], batched(chunk))
        pieces.append(result)
        if bar is not None:
            bar.update(stop - start)
    if bar is not None:
        bar.close()
    merged = jax.tree_util.tree_map(lambda *xs: np.concatenate(xs, axis=0), *pieces)
    data_vars = {}
    for var, values in _flatten_outputs(merged).items():
        values = np.asarray(values).reshape(shape + np.shape(values)[1:])
        extra = [f"{var}_dim{k}" for k in range(values.ndim - len(shape))]
        data_vars[var] = (names + extra, values)
    return xr.Dataset(data_vars, coords={n: a for n, a in axes.items()})
