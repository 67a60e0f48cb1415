"""Resumable checkpoints of `qoj.scan` in a zarr store, and the fingerprint that guards them.

Layout of a checkpoint (zarr format 3, readable with `xarray.open_zarr`): one array per output
variable with the flat grid index first, dimensions ("point", <variable>_dim0, ...); one array
per axis holding that axis's value at every point (so `ds.set_index(point=[axes...])
.unstack("point")` rebuilds the grid); a boolean array "done" per point; and group attributes
`qoj_scan` (format version), `fingerprint`, `axes`, `shape`, `outputs`.

Order of writes for every chunk: its values first, then its "done" flags. A process killed in
between leaves the flags False, so the chunk is recomputed on resume: a crash loses at most
the chunk in flight.

The fingerprint is a SHA-256 over the axis names and values, the fixed parameters and a
description of the function: for a Python function its module, name, bytecode, constants,
defaults and closure (recursively: `functools.partial` arguments, equinox modules and other
pytrees by their array leaves). A checkpoint with another fingerprint is refused. Global
variables a function reads are not part of it: change one and the checkpoint would be
resumed; use a new path (or fixed parameters, which are part of the fingerprint) instead.
"""

import functools
import hashlib
import inspect
import types
import warnings
from collections.abc import Mapping
from pathlib import Path

import jax
import numpy as np

FORMAT = 1


def _describe(obj, seen: set, out: list) -> None:
    """Append a deterministic description of `obj` to `out` (bytes-like pieces)."""
    if id(obj) in seen:
        out.append(b"<cycle>")
        return
    if isinstance(obj, str | bytes | int | float | complex | bool | type(None)):
        out.append(repr(obj).encode())
        return
    seen = seen | {id(obj)}
    if isinstance(obj, np.ndarray | np.generic | jax.Array):
        array = np.asarray(obj)
        out += [str(array.dtype).encode(), repr(array.shape).encode(), array.tobytes()]
    elif isinstance(obj, functools.partial):
        out.append(b"partial")
        for part in (obj.func, obj.args, obj.keywords):
            _describe(part, seen, out)
    elif isinstance(obj, types.MethodType):
        out.append(b"method")
        _describe(obj.__func__, seen, out)
        _describe(obj.__self__, seen, out)
    elif isinstance(obj, types.FunctionType):
        out += [obj.__module__.encode(), obj.__qualname__.encode()]
        _describe(obj.__code__, seen, out)
        _describe(obj.__defaults__, seen, out)
        _describe(obj.__kwdefaults__, seen, out)
        for cell in obj.__closure__ or ():
            try:
                _describe(cell.cell_contents, seen, out)
            except ValueError:  # an empty cell
                out.append(b"<empty>")
    elif isinstance(obj, types.CodeType):
        out += [obj.co_code, repr(obj.co_names).encode(), repr(obj.co_varnames).encode()]
        for const in obj.co_consts:
            _describe(const, seen, out)
    elif isinstance(obj, Mapping):
        out.append(b"mapping")
        for key in sorted(obj, key=repr):
            out.append(repr(key).encode())
            _describe(obj[key], seen, out)
    elif isinstance(obj, list | tuple):
        out.append(type(obj).__name__.encode())
        for item in obj:
            _describe(item, seen, out)
    else:
        leaves, treedef = jax.tree.flatten(obj)
        out.append(f"{type(obj).__module__}.{type(obj).__qualname__}".encode())
        method = inspect.getattr_static(type(obj), "__call__", None)
        if isinstance(method, types.FunctionType):  # a callable object: its code counts
            _describe(method, seen, out)
        if leaves != [obj]:  # a pytree (equinox module, dataclass...): its leaves count
            out.append(str(treedef).encode())
            for leaf in leaves:
                _describe(leaf, seen, out)


def fingerprint(fn, axes: Mapping[str, np.ndarray], fixed: Mapping[str, object]) -> str:
    """SHA-256 (hex) of the scan's function, axes (names, order, values) and fixed parameters."""
    pieces: list = []
    _describe(fn, set(), pieces)
    for name, values in axes.items():
        pieces.append(name.encode())
        _describe(np.asarray(values), set(), pieces)
    _describe(dict(fixed), set(), pieces)
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(len(piece).to_bytes(8, "little"))
        digest.update(piece)
    return digest.hexdigest()


class Checkpoint:
    """A zarr group holding a scan's finished points (see the module docstring)."""

    def __init__(self, group, total: int):
        self.group = group
        self.total = total

    @classmethod
    def open(cls, path, key: str, axes: Mapping[str, np.ndarray], fixed: Mapping) -> "Checkpoint":
        """Open the checkpoint at `path` for a scan with fingerprint `key`, creating it if the
        path does not exist. Refuses (ValueError) a path that holds anything else, or a
        checkpoint of another scan; nothing is written in either case."""
        import zarr

        path = Path(path)
        shape = [int(np.size(v)) for v in axes.values()]
        total = int(np.prod(shape))
        if path.exists():
            if not path.is_dir():
                raise ValueError(f"checkpoint path {str(path)!r} exists and is not a directory")
            try:
                group = zarr.open_group(str(path), mode="r+")
                attrs = dict(group.attrs)
            except Exception as error:  # not a zarr group
                if any(path.iterdir()):
                    raise ValueError(
                        f"checkpoint path {str(path)!r} holds something that is not a qoj "
                        "scan checkpoint; choose another path"
                    ) from error
                group, attrs = None, None
            if attrs is not None:
                if attrs.get("qoj_scan") != FORMAT:
                    raise ValueError(
                        f"checkpoint path {str(path)!r} holds a zarr store that is not a qoj "
                        "scan checkpoint; choose another path"
                    )
                if attrs.get("fingerprint") != key:
                    raise ValueError(
                        f"checkpoint {str(path)!r} belongs to a different scan (its grid "
                        f"axes {attrs.get('axes')} with shape {attrs.get('shape')}, or its "
                        "function or fixed parameters, differ from this call's); use "
                        "another path or delete it"
                    )
                return cls(group, total)
        group = zarr.open_group(str(path), mode="w")
        group.attrs.update(
            {
                "qoj_scan": FORMAT,
                "fingerprint": key,
                "axes": list(axes),
                "shape": shape,
                "fixed": {k: _attr_value(v) for k, v in fixed.items()},
                "outputs": None,
            }
        )
        mesh = np.meshgrid(*axes.values(), indexing="ij")
        for name, values in zip(axes, mesh, strict=True):
            flat = np.ascontiguousarray(values.reshape(-1))
            array = group.create_array(
                name, shape=flat.shape, dtype=flat.dtype, dimension_names=["point"]
            )
            array[...] = flat
        done = group.create_array(
            "done", shape=(total,), dtype=bool, fill_value=False, dimension_names=["point"]
        )
        done[...] = np.zeros(total, bool)
        return cls(group, total)

    def done(self) -> np.ndarray:
        """The per-point flags of finished points."""
        return np.asarray(self.group["done"][...])

    def prepare(self, outputs: Mapping[str, tuple[tuple[int, ...], np.dtype]], chunk: int):
        """Create the output arrays (once; later calls check that the outputs match)."""
        described = {
            k: [list(shape), str(np.dtype(dtype))] for k, (shape, dtype) in outputs.items()
        }
        stored = self.group.attrs.get("outputs")
        if stored is not None:
            if stored != described:
                raise ValueError(
                    f"the function's outputs {described} differ from those in the checkpoint "
                    f"{stored}"
                )
            return
        for name, (shape, dtype) in outputs.items():
            self.group.create_array(
                _array_name(name),
                shape=(self.total, *shape),
                chunks=(max(1, min(chunk, self.total)), *shape),
                dtype=dtype,
                dimension_names=["point", *[f"{name}_dim{k}" for k in range(len(shape))]],
            )
        self.group.attrs["outputs"] = described

    def write(self, start: int, stop: int, values: Mapping[str, np.ndarray]) -> None:
        """Store the values of points [start, stop), then mark them done."""
        for name, array in values.items():
            self.group[_array_name(name)][start:stop] = array
        self.group["done"][start:stop] = True

    def consolidate(self) -> None:
        """Write consolidated metadata (what `xarray.open_zarr` reads first)."""
        import zarr

        with warnings.catch_warnings():  # "not part of the zarr v3 spec": xarray reads it
            warnings.simplefilter("ignore", UserWarning)
            zarr.consolidate_metadata(self.group.store)

    def read(self, name: str) -> np.ndarray:
        return np.asarray(self.group[_array_name(name)][...])


def _array_name(name: str) -> str:
    """Output paths such as "currents/A" become flat array names ("currents.A")."""
    return name.replace("/", ".")


def _attr_value(value):
    """A JSON-friendly version of a fixed parameter for the attributes."""
    array = np.asarray(value)
    if array.dtype.kind in "biuf" and array.ndim == 0:
        return array.item()
    if array.dtype.kind in "biuf":
        return array.tolist()
    return repr(value)
