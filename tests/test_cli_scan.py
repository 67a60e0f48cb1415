"""`qoj scan SPEC.toml`: scans from a file agree with the models' closed forms and conserve
energy, the files come back, bad specs stop with exit code 2 and a message."""

import importlib.util

import numpy as np
import pytest
import xarray as xr

import qoj
from qoj._cli import _write_summary, main
from qoj._scan_spec import load_spec, run_spec

PNG = b"\x89PNG\r\n\x1a\n"

# A qubit between a flat bath A and an Ohmic bath B at T_B = 0.5, over T_A and bath B's coupling.
QUBIT = """\
model = "QubitTwoBaths"
outputs = ["heat_currents", "entropy_production"]
chunk_size = 7

[parameters]
omega0 = 1.0

[baths.A]
spectrum = "Flat"
rate = 0.05

[baths.B]
spectrum = "Ohmic"
cutoff = 10.0
temperature = 0.5

[axes]
"baths.A.temperature" = {start = 0.1, stop = 5.0, num = 6, spacing = "log"}
"baths.B.coupling" = [0.01, 0.05, 0.2]
"""

# The smallest valid spec: the base of the bad-input cases.
BASE = """\
model = "QubitTwoBaths"

[parameters]
omega0 = 1.0

[baths.A]
spectrum = "Flat"
rate = 0.05

[baths.B]
spectrum = "Flat"
rate = 0.02
temperature = 0.5

[axes]
"baths.A.temperature" = [0.5, 2.0]
"""


def _write(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _edit(text, old, new):
    assert old in text
    return text.replace(old, new)


def test_qubit_two_baths_matches_closed_form(tmp_path, capsys):
    out = tmp_path / "qubit.zarr"
    assert main(["scan", _write(tmp_path, QUBIT), "--out", out, "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and str(tmp_path / "qubit.png") in printed
    assert (tmp_path / "qubit.png").read_bytes()[:8] == PNG

    ds = xr.open_zarr(out).load()
    t_a, g_b = ds["baths.A.temperature"].values, ds["baths.B.coupling"].values
    assert ds["J_A"].dims == ("baths.A.temperature", "baths.B.coupling")
    np.testing.assert_allclose(t_a, np.geomspace(0.1, 5.0, 6), rtol=1e-15)
    np.testing.assert_array_equal(g_b, [0.01, 0.05, 0.2])
    closed = np.array(
        [
            [
                qoj.models.QubitTwoBaths(
                    1.0,
                    qoj.Bath(qoj.spectra.Flat(0.05), t),
                    qoj.Bath(qoj.spectra.Ohmic(g, cutoff=10.0), 0.5),
                ).steady_heat_current()
                for g in g_b
            ]
            for t in t_a
        ]
    )
    j_a = ds["J_A"].values
    np.testing.assert_allclose(j_a, closed, rtol=1e-10)
    np.testing.assert_allclose(ds["J_B"].values, -j_a, rtol=1e-10)
    assert np.all(np.sign(j_a) == np.sign(t_a - 0.5)[:, None])  # heat flows from hot to cold
    # In the steady state Spohn's entropy production is -sum_b J_b/T_b = J_A (1/T_B - 1/T_A).
    np.testing.assert_allclose(
        ds["entropy_production"].values, j_a * (1 / 0.5 - 1 / t_a[:, None]), rtol=1e-8
    )

    attrs = ds.attrs
    assert (attrs["model"], attrs["approach"]) == ("QubitTwoBaths", "global")
    assert (attrs["baths.A.spectrum"], attrs["baths.B.spectrum"]) == ("Flat", "Ohmic")
    assert attrs["omega0"] == 1.0 and attrs["baths.A.rate"] == 0.05
    assert attrs["baths.B.temperature"] == 0.5 and attrs["baths.B.cutoff"] == 10.0
    assert attrs["units"].startswith("hbar = k_B = 1") and attrs["units"].endswith("omega0")
    assert attrs["qoj_version"] == qoj.__version__
    assert "steady heat current from bath A" in ds["J_A"].attrs["long_name"]


def test_coupled_qubits_local_conserves_energy(tmp_path):
    spec_path = _write(
        tmp_path,
        """\
model = "CoupledQubits"
approach = "local"
outputs = ["heat_currents", "steady_state"]
plot = "J_2"
output = "local.zarr"

[parameters]
omega1 = 1.0
omega2 = 1.0

[baths.1]
spectrum = "Ohmic"
coupling = 0.01
cutoff = 20.0
temperature = 2.0

[baths.2]
spectrum = "Ohmic"
coupling = 0.02
cutoff = 20.0
temperature = 0.5

[axes]
coupling = [0.001, 0.005, 0.02, 0.1]
""",
    )
    spec = load_spec(spec_path)
    assert spec.output == tmp_path / "local.zarr"  # relative to the spec's folder
    ds = run_spec(spec, progress=False)
    assert (tmp_path / "local.png").read_bytes()[:8] == PNG
    assert set(ds.data_vars) == {"J_1", "J_2", "steady_state_real", "steady_state_imag"}
    assert ds["steady_state_real"].dims == ("coupling", "row", "column")

    j_1, j_2 = ds["J_1"].values, ds["J_2"].values
    assert np.all(j_1 > 0)  # from the hot bath 1 ...
    np.testing.assert_allclose(j_1 + j_2, 0.0, atol=1e-13 * np.abs(j_1).max())  # ... to bath 2
    rho = ds["steady_state_real"].values + 1j * ds["steady_state_imag"].values
    np.testing.assert_allclose(np.trace(rho, axis1=1, axis2=2), 1.0, rtol=1e-12)
    # The local equation's exact current (Cresser, seed 004 eq 118 corrected)
    bath = lambda g, t: qoj.Bath(qoj.spectra.Ohmic(g, cutoff=20.0), t)
    closed = [
        qoj.models.CoupledQubits(
            1.0, 1.0, c, bath(0.01, 2.0), bath(0.02, 0.5)
        ).cresser_partial_secular_heat_current()
        for c in ds["coupling"].values
    ]
    np.testing.assert_allclose(j_1, closed, rtol=1e-9)
    assert xr.open_zarr(tmp_path / "local.zarr")["J_2"].equals(ds["J_2"])


@pytest.mark.skipif(
    not any(importlib.util.find_spec(name) for name in ("netCDF4", "scipy")),
    reason="writing netCDF needs netCDF4 or scipy",
)
def test_netcdf_output(tmp_path):
    spec = load_spec(
        _write(tmp_path, _edit(BASE, "model =", 'outputs = ["steady_state"]\nmodel ='))
    )
    ds = run_spec(spec, tmp_path / "qubit.nc", progress=False)
    back = xr.open_dataset(tmp_path / "qubit.nc").load()
    assert back["steady_state_real"].equals(ds["steady_state_real"])
    assert back.attrs["model"] == "QubitTwoBaths" and back.attrs["baths.B.rate"] == 0.02
    # Populations of |e>, |g> against seed 002 eqs 3.12-3.13.
    for i, t in enumerate(back["baths.A.temperature"].values):
        model = qoj.models.QubitTwoBaths(
            1.0, qoj.Bath(qoj.spectra.Flat(0.05), t), qoj.Bath(qoj.spectra.Flat(0.02), 0.5)
        )
        populations = np.diag(back["steady_state_real"].values[i])
        np.testing.assert_allclose(populations, model.steady_populations(), rtol=1e-12)
    assert (tmp_path / "qubit.png").read_bytes()[:8] == PNG


def test_axis_forms_and_defaults(tmp_path):
    quoted = load_spec(_write(tmp_path, BASE))
    nested = load_spec(
        _write(
            tmp_path,
            _edit(BASE, '"baths.A.temperature" = [0.5, 2.0]', "baths.A.temperature = [0.5, 2.0]"),
            "nested.toml",
        )
    )
    assert list(nested.axes) == list(quoted.axes) == ["baths.A.temperature"]
    np.testing.assert_array_equal(nested.axes["baths.A.temperature"].values, [0.5, 2.0])
    assert quoted.output == tmp_path / "spec.zarr" and nested.output == tmp_path / "nested.zarr"
    assert (quoted.approach, quoted.outputs, quoted.chunk_size) == (
        "global",
        ("heat_currents",),
        None,
    )
    assert quoted.fixed == {
        "omega0": 1.0,
        "baths.A.rate": 0.05,
        "baths.B.rate": 0.02,
        "baths.B.temperature": 0.5,
    }


AXIS = '"baths.A.temperature" = [0.5, 2.0]'


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('"QubitTwoBaths"', '"QubitThreeBaths"', "unknown model 'QubitThreeBaths'; choose one of"),
        ("model =", 'approach = "secular"\nmodel =', "unknown approach 'secular'"),
        ("model =", 'approach = "redfield"\nmodel =', "approach must be one of"),
        ('"Flat"\nrate = 0.02', '"Gaussian"\nrate = 0.02', "unknown spectrum 'Gaussian'"),
        ("model =", 'outputs = ["work"]\nmodel =', "unknown output(s) ['work']"),
        (AXIS, AXIS + "\nomega1 = [1.0]", "axis 'omega1' names no parameter of the model"),
        (AXIS, AXIS + '\n"baths.A.g" = [1.0]', "axis 'baths.A.g' names no parameter"),
        (AXIS, '"baths.A.temperature" = []', "axis 'baths.A.temperature' is empty"),
        (AXIS, '"baths.A.temperature" = {start = 1, stop = 2, num = 0}', "is empty"),
        ("rate = 0.05", "rate = 0.05\ntemperature = 1.0", "given both as a fixed value and as"),
        ("omega0 = 1.0", "", "missing required parameter(s) omega0"),
        ("rate = 0.02", "", "missing required parameter(s) baths.B.rate"),
        ("model =", "chunk_size = 0\nmodel =", "chunk_size must be an integer >= 1, got 0"),
        ("model =", 'output = "scan.csv"\nmodel =', "must end in .zarr"),
        (AXIS, '"baths.A.temperature" = [-1.0, 1.0]', "= -1: temperature must be non-negative"),
        ("model =", "chunksize = 4\nmodel =", "unknown key(s) 'chunksize' in the spec"),
        ("model =", 'plot = "J_C"\nmodel =', "plot = 'J_C' is not an output"),
        ("model =", "model = = 1\nmodel =", "is not valid TOML"),
    ],
)
def test_bad_spec_exits_2(tmp_path, capsys, old, new, message):
    path = _write(tmp_path, _edit(BASE, old, new))
    with pytest.raises(SystemExit) as info:
        main(["scan", path, "--no-progress"])
    assert info.value.code == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("*.zarr"))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--out", "scan.h5"], "output path 'scan.h5' must end in .zarr"),
        (["--nope"], "unrecognized arguments: --nope"),
    ],
)
def test_bad_arguments_exit_2(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        main(["scan", _write(tmp_path, BASE), *argv])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_spec_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["scan", tmp_path / "none.toml"])
    assert info.value.code == 2
    assert "cannot read" in capsys.readouterr().err


def test_reproduce_summary_is_an_index(tmp_path):
    (tmp_path / "demo.txt").write_text(
        "figure: demo\ndescription: a demo\nheadline: J = 1 | 2\ntime_s: 1.25\n\ndetails\n"
    )
    _write_summary(tmp_path, ["demo", "not-run"])
    summary = (tmp_path / "summary.md").read_text()
    row = "| **demo** | a demo | J = 1 \\| 2 | 1.25 | [demo.png](demo.png), [demo.txt](demo.txt) |"
    assert row in summary
    assert "not-run" not in summary
