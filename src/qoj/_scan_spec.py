"""Scans from a file: the TOML spec behind `qoj scan SPEC.toml`.

A spec names a ready-made model, a master-equation approach, fixed parameters, baths, axes
and outputs. `load_spec` reads and checks it, `build_function` turns it into the point
function that `qoj.scan` vmaps, and `run_spec` runs the scan and writes the dataset and a
quick-look PNG. Parameters have flat names: a model field (`"coupling"`) or a bath's
temperature and spectral-density arguments (`"baths.1.temperature"`, `"baths.1.cutoff"`).
An example with every key explained is `examples/scan_coupled_qubits.toml`.
"""

import dataclasses
import importlib.util
import inspect
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from . import models
from ._bath import Bath
from ._currents import entropy_production, heat_currents
from ._master_equation import APPROACHES
from ._scan import scan
from ._spectra import Flat, Lorentzian, Newns, Ohmic
from ._steady import steady_state


class SpecError(ValueError):
    """A scan spec that cannot run; the message names the key and the rule it breaks."""


@dataclasses.dataclass(frozen=True)
class _Model:
    """How a spec builds a model: its real scalar fields, its baths (by part name, the
    constructor's `bath_<part>` argument) and its integer fields (they fix array shapes, so
    they are fixed values, never axes)."""

    cls: type
    scalars: tuple[str, ...]
    baths: tuple[str, ...]
    integers: tuple[str, ...] = ()


_MODELS = {
    "QubitTwoBaths": _Model(models.QubitTwoBaths, ("omega0",), ("A", "B")),
    "CoupledQubits": _Model(models.CoupledQubits, ("omega1", "omega2", "coupling"), ("1", "2")),
    "TunnellingQubit": _Model(models.TunnellingQubit, ("omega_s", "tunnelling"), ("l", "r")),
    "CoupledOscillators": _Model(
        models.CoupledOscillators, ("omega1", "omega2", "coupling"), ("A", "B"), ("n_max",)
    ),
}
_SPECTRA = {cls.__name__: cls for cls in (Flat, Lorentzian, Newns, Ohmic)}
# Each output maps (generator, steady state) to named data variables. The steady state is
# stored as real and imaginary parts, which every file format holds.
_OUTPUTS: dict[str, Callable] = {
    "heat_currents": lambda generator, rho: {
        f"J_{part}": current for part, current in heat_currents(generator, rho).items()
    },
    "steady_state": lambda generator, rho: {
        "steady_state_real": jnp.real(rho),
        "steady_state_imag": jnp.imag(rho),
    },
    "entropy_production": lambda generator, rho: {
        "entropy_production": entropy_production(generator, rho)
    },
}
_LONG_NAMES = {
    "steady_state_real": "real part of the steady state (row, column in the model's basis)",
    "steady_state_imag": "imaginary part of the steady state (row, column in the model's basis)",
    "entropy_production": "Spohn's entropy production rate in the steady state",
}
_WRITERS = {".zarr": ("zarr",), ".nc": ("netCDF4", "scipy", "h5netcdf")}
_TOP_LEVEL = (
    "model",
    "approach",
    "options",
    "parameters",
    "baths",
    "axes",
    "outputs",
    "plot",
    "chunk_size",
    "checkpoint",
    "devices",
    "output",
    "units",
)


@dataclasses.dataclass(frozen=True)
class Axis:
    """A scan axis: its values, and whether they are log-spaced (for the quick-look plot)."""

    values: np.ndarray
    log: bool = False


@dataclasses.dataclass(frozen=True)
class ScanSpec:
    """A checked scan spec (the file format is described in `load_spec`).

    Attributes:
        model: name of a model in `qoj.models`.
        approach: master-equation approach, `model.generator(approach, **options)`.
        options: keyword options of the approach (e.g. `resolution`, `dt`, `lamb_shift`).
        fixed: fixed parameter values by flat name (`"omega0"`, `"baths.A.temperature"`).
        spectra: the spectral-density class name of each bath, by part name.
        axes: scan axes by parameter name, in the order they vary (the last fastest).
        outputs: names of outputs (keys of `_OUTPUTS`).
        plot: data variable of the quick-look PNG; None for the first one.
        chunk_size, checkpoint, devices: passed on to `qoj.scan` (devices: "all", a number
            of devices, or None).
        output: where the dataset goes, ending in ".zarr" or ".nc".
        units: the unit of energies, frequencies, temperatures and rates.
    """

    model: str
    approach: str
    options: Mapping[str, object]
    fixed: Mapping[str, float | int]
    spectra: Mapping[str, str]
    axes: Mapping[str, Axis]
    outputs: tuple[str, ...]
    plot: str | None
    chunk_size: int | None
    checkpoint: Path | None
    devices: str | int | None
    output: Path
    units: str


def _read_toml(path: Path) -> dict:
    import tomllib

    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise SpecError(f"cannot read {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"{path} is not valid TOML: {e}") from None


def _check_keys(table: Mapping, allowed, where: str) -> None:
    unknown = [key for key in table if key not in allowed]
    if unknown:
        raise SpecError(
            f"unknown key(s) {', '.join(map(repr, unknown))} in {where}; "
            f"allowed: {', '.join(allowed)}"
        )


def _table(raw: Mapping, key: str) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise SpecError(f"[{key}] must be a table, got {value!r}")
    return value


def _choice(raw: Mapping, key: str, choices, default=None) -> str:
    value = raw.get(key, default)
    if value is None:
        raise SpecError(f"the spec needs `{key} = ...`; choose one of {', '.join(choices)}")
    if value not in choices:
        raise SpecError(f"unknown {key} {value!r}; choose one of {', '.join(choices)}")
    return value


def _number(value, where: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"{where} must be a number, got {value!r}")
    return value


def _string(raw: Mapping, key: str, default: str | None = None) -> str | None:
    value = raw.get(key, default)
    if value is not None and not isinstance(value, str):
        raise SpecError(f"{key} must be a string, got {value!r}")
    return value


def _suffix_checked(path: Path) -> Path:
    if path.suffix not in _WRITERS:
        raise SpecError(
            f"output path {str(path)!r} must end in .zarr (xarray.Dataset.to_zarr) or .nc "
            "(to_netcdf)"
        )
    return path


def _axis(name: str, value) -> Axis:
    """An axis from a list of values or a table {start, stop, num, spacing = "linear"|"log"}."""
    where = f"axis {name!r}"
    if isinstance(value, list):
        values, log = np.array([_number(v, f"each value of {where}") for v in value]), False
    elif isinstance(value, dict):
        _check_keys(value, ("start", "stop", "num", "spacing"), where)
        missing = [key for key in ("start", "stop", "num") if key not in value]
        if missing:
            raise SpecError(f"{where} needs {', '.join(missing)} (with start, stop, num)")
        start = _number(value["start"], f"start of {where}")
        stop = _number(value["stop"], f"stop of {where}")
        num = value["num"]
        if isinstance(num, bool) or not isinstance(num, int) or num < 0:
            raise SpecError(f"num of {where} must be a positive integer, got {num!r}")
        spacing = value.get("spacing", "linear")
        if spacing not in ("linear", "log"):
            raise SpecError(f"spacing of {where} must be 'linear' or 'log', got {spacing!r}")
        log = spacing == "log"
        if log and not (start > 0 and stop > 0):
            raise SpecError(f"{where} has log spacing: start and stop must be > 0")
        values = (np.geomspace if log else np.linspace)(start, stop, num)
    else:
        raise SpecError(
            f"{where} must be a list of values or a table {{start, stop, num, spacing}}, "
            f"got {value!r}"
        )
    if values.size == 0:
        raise SpecError(f"{where} is empty")
    return Axis(values.astype(float), log)


def _flatten_axes(table: Mapping, prefix: str = "") -> dict:
    """Axes by dotted name: an unquoted TOML key `baths.1.temperature = ...` nests tables, a
    quoted one does not; both mean the same axis. A table with range keys is an axis."""
    flat = {}
    for key, value in table.items():
        name = prefix + key
        if isinstance(value, dict) and not {"start", "stop", "num", "spacing"} & set(value):
            flat.update(_flatten_axes(value, name + "."))
        else:
            flat[name] = value
    return flat


def _baths(table: Mapping, model_name: str) -> tuple[dict[str, str], dict[str, float | int]]:
    """The spectrum name of each bath, and the bath's numbers under flat names."""
    names = _MODELS[model_name].baths
    listing = f"{model_name} has baths {', '.join(names)}"
    unknown = [part for part in table if part not in names]
    if unknown:
        raise SpecError(f"unknown bath(s) {', '.join(unknown)}: {listing}")
    missing = [part for part in names if part not in table]
    if missing:
        raise SpecError(f"missing [baths.{missing[0]}]: {listing}, each needs a table")
    kinds, numbers = {}, {}
    for part in names:
        bath = table[part]
        if not isinstance(bath, dict):
            raise SpecError(f"[baths.{part}] must be a table, got {bath!r}")
        kinds[part] = _choice(bath, "spectrum", _SPECTRA)
        for key, value in bath.items():
            if key != "spectrum":
                numbers[f"baths.{part}.{key}"] = _number(value, f"baths.{part}.{key}")
    return kinds, numbers


def _parameters(model: _Model, kinds: Mapping[str, str]) -> dict[str, bool]:
    """Every parameter of the model with these baths, mapped to whether it is required."""
    known = dict.fromkeys(model.scalars + model.integers, True)
    for part, kind in kinds.items():
        known[f"baths.{part}.temperature"] = True
        for argument in inspect.signature(_SPECTRA[kind]).parameters.values():
            known[f"baths.{part}.{argument.name}"] = argument.default is inspect.Parameter.empty
    return known


def _check_parameters(model_name: str, kinds, fixed, axes) -> None:
    model = _MODELS[model_name]
    known = _parameters(model, kinds)
    listing = f"the parameters of {model_name} with these baths are {', '.join(known)}"
    for name in axes:
        if name not in known:
            raise SpecError(f"axis {name!r} names no parameter of the model; {listing}")
        if name in model.integers:
            raise SpecError(f"axis {name!r}: {name} sets array shapes and cannot be an axis")
        if name in fixed:
            raise SpecError(f"{name!r} is given both as a fixed value and as an axis")
    for name in fixed:
        if name not in known:
            raise SpecError(f"unknown parameter {name!r}; {listing}")
    given = {**fixed, **axes}
    missing = [name for name, required in known.items() if required and name not in given]
    if missing:
        raise SpecError(
            f"missing required parameter(s) {', '.join(missing)}: give each a fixed value "
            "([parameters] or [baths.<name>]) or an axis"
        )
    for name in model.integers:
        if not isinstance(fixed[name], int):
            raise SpecError(f"{name} must be an integer, got {fixed[name]!r}")


def _outputs(raw: Mapping) -> tuple[str, ...]:
    outputs = raw.get("outputs", ["heat_currents"])
    if not isinstance(outputs, list) or not outputs:
        raise SpecError(f"outputs must be a non-empty list of {', '.join(_OUTPUTS)}")
    unknown = [name for name in outputs if name not in _OUTPUTS]
    if unknown:
        raise SpecError(f"unknown output(s) {unknown}; choose from {', '.join(_OUTPUTS)}")
    return tuple(dict.fromkeys(outputs))


def _scan_options(raw: Mapping) -> tuple[int | None, str | int | None]:
    chunk_size, devices = raw.get("chunk_size"), raw.get("devices")
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
    ):
        raise SpecError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    if (
        devices is not None
        and devices != "all"
        and (isinstance(devices, bool) or not isinstance(devices, int) or devices < 1)
    ):
        raise SpecError(f"devices must be 'all' or a number of devices >= 1, got {devices!r}")
    return chunk_size, devices


def load_spec(path: str | Path) -> ScanSpec:
    """Read and check a TOML scan spec.

    Keys (paths are relative to the spec's folder):

        model = "CoupledQubits"        # QubitTwoBaths, CoupledQubits, TunnellingQubit,
                                       # CoupledOscillators
        approach = "global"            # global, local, partial_secular, coarse_grained, redfield
        outputs = ["heat_currents"]    # also steady_state, entropy_production
        plot = "J_1"                   # optional: data variable of the quick-look PNG
        chunk_size = 256               # optional: points per vmapped call
        checkpoint = "scan-ckpt.zarr"  # optional: resumable scan (qoj.scan)
        devices = "all"                # optional: "all" or a number of devices
        output = "scan.zarr"           # optional (.zarr or .nc); default <spec stem>.zarr
        units = "omega0"               # optional: the unit of energies (for the attributes)
        [options]                      # optional: the approach's options, e.g. dt = 5.0
        [parameters]                   # fixed model fields: omega1 = 1.0, ...
        [baths.1]                      # one table per bath, named after the model's parts
        spectrum = "Ohmic"             # Flat, Lorentzian, Newns, Ohmic (qoj.spectra)
        coupling = 0.01                # the spectrum's arguments
        temperature = 2.0
        [axes]                         # each a list or {start, stop, num, spacing}
        "baths.1.temperature" = {start = 0.5, stop = 4.0, num = 32}
        coupling = {start = 1e-3, stop = 0.3, num = 32, spacing = "log"}

    Every parameter is either fixed or an axis, not both; spectrum arguments with a default
    (Ohmic's `s`, `cutoff`) may be left out.

    Raises:
        SpecError: naming the key and the rule it breaks.
    """
    path = Path(path)
    raw = _read_toml(path)
    _check_keys(raw, _TOP_LEVEL, "the spec")
    model = _choice(raw, "model", _MODELS)
    approach = _choice(raw, "approach", APPROACHES, default="global")
    kinds, fixed = _baths(_table(raw, "baths"), model)
    for name, value in _table(raw, "parameters").items():
        fixed[name] = _number(value, f"parameter {name!r}")
    axes = {name: _axis(name, value) for name, value in _flatten_axes(_table(raw, "axes")).items()}
    if not axes:
        raise SpecError("the spec needs at least one axis in [axes]")
    _check_parameters(model, kinds, fixed, axes)
    integers = _MODELS[model].integers
    fixed = {name: value if name in integers else float(value) for name, value in fixed.items()}
    chunk_size, devices = _scan_options(raw)
    folder = path.parent
    checkpoint = _string(raw, "checkpoint")
    return ScanSpec(
        model=model,
        approach=approach,
        options=_table(raw, "options"),
        fixed=fixed,
        spectra=kinds,
        axes=axes,
        outputs=_outputs(raw),
        plot=_string(raw, "plot"),
        chunk_size=chunk_size,
        checkpoint=None if checkpoint is None else folder / checkpoint,
        devices=devices,
        output=_suffix_checked(folder / _string(raw, "output", path.with_suffix(".zarr").name)),
        units=_string(raw, "units", "omega0"),
    )


def _bath(part: str, kind: str, values: Mapping[str, object]) -> Bath:
    prefix = f"baths.{part}."
    arguments = {
        name.removeprefix(prefix): jnp.asarray(value)
        for name, value in values.items()
        if name.startswith(prefix)
    }
    temperature = arguments.pop("temperature")
    return Bath(_SPECTRA[kind](**arguments), temperature)


def build_model(model: str, spectra: Mapping[str, str], values: Mapping[str, object]):
    """A model at one point: `model` names it, `spectra` the spectral density of each bath,
    and `values` holds every parameter by flat name (a `ScanSpec`'s fields)."""
    fields = _MODELS[model]
    arguments = {name: jnp.asarray(values[name]) for name in fields.scalars}
    arguments |= {name: values[name] for name in fields.integers}
    arguments |= {f"bath_{part}": _bath(part, kind, values) for part, kind in spectra.items()}
    return fields.cls(**arguments)


def _argument(name: str) -> str:
    """The keyword argument of the point function for a parameter: `qoj.scan` names axes by
    Python identifiers, so "baths.1.temperature" becomes "baths__1__temperature"."""
    return name.replace(".", "__")


def build_grid(spec: ScanSpec) -> dict[str, np.ndarray]:
    """The grid of `qoj.scan`: each axis's values under its keyword argument (`_argument`)."""
    return {_argument(name): axis.values for name, axis in spec.axes.items()}


def build_function(spec: ScanSpec) -> Callable[..., dict]:
    """The point function `fn(**axis_values) -> {variable: array}` that `qoj.scan` vmaps over
    `build_grid(spec)`.

    It builds the model from the fixed values and the axis values (all JAX scalars, so the
    axes may be traced), takes the generator of the spec's approach and its steady state,
    and returns the spec's outputs: `J_<bath>` (heat currents, energy from the bath into the
    system), `steady_state_real`, `steady_state_imag`, `entropy_production`.
    """
    # The function closes over plain values, not over the spec, so that a `qoj.scan`
    # checkpoint's fingerprint of it sees every fixed value and option.
    model, spectra, fixed = spec.model, dict(spec.spectra), dict(spec.fixed)
    approach, options, outputs = spec.approach, dict(spec.options), spec.outputs
    parameters = {_argument(name): name for name in spec.axes}

    def point(**axis_values):
        values = fixed | {parameters[key]: value for key, value in axis_values.items()}
        generator = build_model(model, spectra, values).generator(approach, **options)
        rho = steady_state(generator)
        return {
            name: value
            for output in outputs
            for name, value in _OUTPUTS[output](generator, rho).items()
        }

    return point


def _check_function(spec: ScanSpec, fn: Callable) -> list[str]:
    """Build the model eagerly at each axis value (the other axes at their first value) and
    trace `fn` once, so that values the model rejects and approaches or options it does not
    take are reported before the scan starts. Returns the data variable names."""
    first = {name: axis.values[0] for name, axis in spec.axes.items()}
    for name, axis in spec.axes.items():
        for value in axis.values:
            try:
                build_model(spec.model, spec.spectra, {**spec.fixed, **first, name: value})
            except (ValueError, TypeError) as e:
                raise SpecError(f"{name} = {value:g}: {e}") from None
    arguments = {_argument(name): value for name, value in first.items()}
    try:
        shapes = jax.eval_shape(lambda point: fn(**point), arguments)
    except (ValueError, TypeError) as e:
        raise SpecError(f"{spec.model} with approach {spec.approach!r}: {e}") from None
    return list(shapes)


def output_path(spec: ScanSpec, out: str | Path | None = None) -> Path:
    """Where `run_spec` writes the dataset: `out` if given, else the spec's `output`."""
    path = spec.output if out is None else _suffix_checked(Path(out))
    packages = _WRITERS[path.suffix]
    if not any(importlib.util.find_spec(package) for package in packages):
        raise SpecError(
            f"writing {path.suffix} files needs one of the packages {', '.join(packages)}"
        )
    return path


def _attributes(spec: ScanSpec) -> dict:
    """The dataset's attributes: model, approach, units, qoj version and the fixed values."""
    from . import __version__

    attrs = {
        "model": spec.model,
        "approach": spec.approach,
        "units": f"hbar = k_B = 1; energies, frequencies, temperatures and rates in units of "
        f"{spec.units}",
        "qoj_version": __version__,
    }
    attrs |= {f"baths.{part}.spectrum": kind for part, kind in spec.spectra.items()}
    attrs |= spec.fixed
    # netCDF has no boolean attributes
    attrs |= {
        f"options.{key}": str(value) if isinstance(value, bool) else value
        for key, value in spec.options.items()
    }
    return attrs


def _labelled(ds, spec: ScanSpec):
    """Name the axes as the spec does and the steady state's matrix dimensions, and add long
    names and attributes."""
    matrix_dims = {
        f"{variable}_dim{k}": dim
        for variable in ("steady_state_real", "steady_state_imag")
        if variable in ds
        for k, dim in enumerate(("row", "column"))
    }
    ds = ds.rename({_argument(name): name for name in spec.axes} | matrix_dims)
    for variable in ds.data_vars:
        ds[variable].attrs["long_name"] = _LONG_NAMES.get(
            variable, f"steady heat current from bath {variable[2:]} into the system"
        )
    ds.attrs.update(_attributes(spec))
    return ds


def _write_quick_look(ds, spec: ScanSpec, variable: str, path: Path) -> None:
    """A PNG of one data variable: a line over the first axis, or an image over the first
    two; every other dimension is sliced at its first value (said in the title)."""
    from matplotlib.figure import Figure

    shown = list(spec.axes)[:2]
    data = ds[variable]
    rest = [dim for dim in data.dims if dim not in shown]
    data = data.isel(dict.fromkeys(rest, 0))
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.subplots()
    x = shown[-1]
    if len(shown) == 1:
        ax.plot(ds[x].values, data.values, "o-", ms=3)
        ax.set_ylabel(variable)
    else:
        y = shown[0]
        mesh = ax.pcolormesh(
            ds[x].values, ds[y].values, data.transpose(y, x).values, shading="auto"
        )
        fig.colorbar(mesh, ax=ax, label=variable)
        ax.set_ylabel(y)
        ax.set_yscale("log" if spec.axes[y].log else "linear")
    ax.set_xlabel(x)
    ax.set_xscale("log" if spec.axes[x].log else "linear")
    title = f"{spec.model} ({spec.approach}): {data.attrs['long_name']}"
    if rest:
        at = [
            f"{dim} = {ds[dim].values[0]:g}" if dim in ds.coords else f"{dim} = 0" for dim in rest
        ]
        title += "\nother dimensions at their first value: " + ", ".join(at)
    ax.set_title(title, fontsize=9)
    fig.savefig(path, dpi=120)


def run_spec(spec: ScanSpec, out: str | Path | None = None, progress: bool = True):
    """Run the scan a spec describes and write its results.

    Writes the dataset to `out` (default: the spec's `output`; ".zarr" through
    `Dataset.to_zarr`, ".nc" through `to_netcdf`) and a quick-look `<stem>.png` next to it.
    Checks the model at every axis value before scanning (see `_check_function`).

    Returns:
        The `xarray.Dataset` as written: one coordinate per axis, one data variable per
        output (see `build_function`), the model, approach, units, qoj version and fixed
        values as attributes.
    """
    path = output_path(spec, out)
    fn = build_function(spec)
    variables = _check_function(spec, fn)
    plot = variables[0] if spec.plot is None else spec.plot
    if plot not in variables:
        raise SpecError(f"plot = {plot!r} is not an output; choose one of {', '.join(variables)}")
    # qoj.scan may refuse checkpoints: ask for one only when the spec does
    checkpoint = {} if spec.checkpoint is None else {"checkpoint": str(spec.checkpoint)}
    ds = scan(
        fn,
        build_grid(spec),
        chunk_size=spec.chunk_size,
        devices=spec.devices,
        progress=progress,
        **checkpoint,
    )
    ds = _labelled(ds, spec)
    if path.suffix == ".zarr":
        with warnings.catch_warnings():
            # zarr 3 warns that consolidated metadata (xarray's default, which open_zarr
            # reads) is not yet part of its format specification
            warnings.filterwarnings("ignore", "Consolidated metadata", UserWarning)
            ds.to_zarr(path, mode="w")
    else:
        ds.to_netcdf(path)
    _write_quick_look(ds, spec, plot, path.with_suffix(".png"))
    return ds
