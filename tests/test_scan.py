"""qoj.scan: vmapped outer-product scans returned as labeled xarray Datasets."""

import jax.numpy as jnp
import numpy as np
import pytest

import qoj


def steady_current(T_A, g_B):
    m = qoj.models.QubitTwoBaths(
        1.0, qoj.Bath(qoj.spectra.Flat(0.05), T_A), qoj.Bath(qoj.spectra.Flat(g_B), 0.5)
    )
    gen = m.generator()
    rho = qoj.steady_state(gen)
    return {
        "J_A": qoj.heat_currents(gen, rho)["A"],
        "closed_form": m.steady_heat_current(),
        "rho": rho,
    }


def test_scan_equals_loop_and_is_labeled():
    t_a = np.linspace(0.2, 3.0, 5)
    g_b = np.array([0.01, 0.05, 0.2])
    ds = qoj.scan(steady_current, {"T_A": t_a, "g_B": g_b}, progress=False)
    assert ds["J_A"].dims == ("T_A", "g_B")
    assert ds["rho"].dims == ("T_A", "g_B", "rho_dim0", "rho_dim1")
    np.testing.assert_allclose(ds["T_A"].values, t_a)
    for i, t in enumerate(t_a):
        for j, g in enumerate(g_b):
            np.testing.assert_allclose(
                ds["J_A"].values[i, j], float(steady_current(t, g)["J_A"]), rtol=1e-12, atol=1e-16
            )
    np.testing.assert_allclose(ds["J_A"].values, ds["closed_form"].values, rtol=1e-10, atol=1e-16)


def test_chunked_scan_with_ragged_last_chunk_matches():
    grid = {"T_A": np.linspace(0.2, 3.0, 7), "g_B": np.array([0.01, 0.05])}
    whole = qoj.scan(steady_current, grid, progress=False)
    chunked = qoj.scan(steady_current, grid, chunk_size=4, progress=False)  # 14 = 4+4+4+2
    np.testing.assert_allclose(chunked["J_A"].values, whole["J_A"].values, rtol=1e-14)


def test_blocks_inside_chunks_match_one_vmap():
    """batch_size: the chunk runs as lax.map over vmapped blocks (ragged blocks and chunks)."""
    grid = {"T_A": np.linspace(0.2, 3.0, 7), "g_B": np.array([0.01, 0.05])}
    whole = qoj.scan(steady_current, grid, batch_size=None, progress=False)
    for chunk, block in ((None, 4), (6, 4), (5, 32), (14, 1)):
        blocked = qoj.scan(steady_current, grid, chunk_size=chunk, batch_size=block, progress=False)
        assert blocked.attrs["batch_size"] == block
        np.testing.assert_allclose(blocked["J_A"].values, whole["J_A"].values, rtol=1e-14)
    assert qoj.scan(steady_current, grid, progress=False).attrs["batch_size"] == 32  # CPU
    with pytest.raises(ValueError, match="batch_size"):
        qoj.scan(steady_current, grid, batch_size=0)


def test_scan_bad_grids():
    with pytest.raises(ValueError, match="grid axis 'T_A' is empty"):
        qoj.scan(steady_current, {"T_A": [], "g_B": [0.1]})
    with pytest.raises(ValueError, match="1-D"):
        qoj.scan(steady_current, {"T_A": jnp.ones((2, 2)), "g_B": [0.1]})
    with pytest.raises(ValueError, match="chunk_size"):
        qoj.scan(steady_current, {"T_A": [1.0], "g_B": [0.1]}, chunk_size=0)


def test_chunks_are_equal_and_never_larger_than_the_grid(monkeypatch):
    """10 points: chunk_size 1000 -> one call of 10, 4 -> calls of 4, 7 -> two calls of 5."""
    import jax

    batch_sizes = []
    original = jax.vmap

    def spy(f, *args, **kwargs):
        vmapped = original(f, *args, **kwargs)

        def call(p, *rest):
            batch_sizes.append(jax.tree_util.tree_leaves(p)[0].shape[0])
            return vmapped(p, *rest)

        return call

    monkeypatch.setattr(jax, "vmap", spy)
    for chunk, expected in [(1000, 10), (4, 4), (7, 5)]:
        batch_sizes.clear()
        ds = qoj.scan(
            lambda x: {"y": 2 * x}, {"x": jnp.arange(10.0)}, chunk_size=chunk, batch_size=None
        )
        np.testing.assert_array_equal(ds["y"].values, 2 * np.arange(10.0))
        assert set(batch_sizes) == {expected}, (chunk, batch_sizes)


def test_scan_of_an_unhashable_callable():
    import equinox as eqx

    class Scaled(eqx.Module):
        factor: jnp.ndarray

        def __call__(self, x):
            return {"y": self.factor * x}

    ds = qoj.scan(Scaled(jnp.asarray(3.0)), {"x": jnp.arange(4.0)}, progress=False)
    np.testing.assert_array_equal(ds["y"].values, 3 * np.arange(4.0))


# ---------------------------------------------------------------------------------------------
# fixed parameters, labels, memory budget, bad input
# ---------------------------------------------------------------------------------------------


def qubit_current(T_A, g_B, T_B, approach):
    """Steady current from bath A of the Fogedby qubit; T_B traced, approach static."""
    model = qoj.models.QubitTwoBaths(
        1.0, qoj.Bath(qoj.spectra.Flat(0.05), T_A), qoj.Bath(qoj.spectra.Flat(g_B), T_B)
    )
    gen = model.generator(approach=approach)
    return {"J_A": qoj.heat_currents(gen, qoj.steady_state(gen))["A"]}


def test_fixed_parameters_are_traced_recorded_and_labeled():
    """Fixed parameters reach the function (T_B: the current vanishes when T_A = T_B, the
    equilibrium law) and the attributes; a new fixed value reuses the compiled program."""
    grid = {"T_A": np.array([0.5, 1.0, 2.0]), "g_B": np.array([0.02, 0.05])}
    fixed = {"T_B": 1.0, "approach": "global"}
    units = {"T_A": "omega0", "J_A": "omega0^2"}
    ds = qoj.scan(qubit_current, grid, fixed=fixed, units=units, progress=False)
    np.testing.assert_allclose(ds["J_A"].sel(T_A=1.0).values, 0.0, atol=1e-15)
    assert np.all(ds["J_A"].sel(T_A=2.0).values > 0) and np.all(ds["J_A"].sel(T_A=0.5) < 0)
    assert ds.attrs["fixed_T_B"] == 1.0 and ds.attrs["fixed_approach"] == "global"
    assert ds["T_A"].attrs["units"] == "omega0" and ds["J_A"].attrs["units"] == "omega0^2"
    assert ds.attrs["points_computed"] == 6 and ds.attrs["points_resumed"] == 0

    from qoj._scan import _cached_compile

    before = _cached_compile.cache_info().misses
    other = qoj.scan(qubit_current, grid, fixed={"T_B": 2.0, "approach": "global"}, progress=False)
    assert _cached_compile.cache_info().misses == before  # same program, new traced value
    np.testing.assert_allclose(other["J_A"].sel(T_A=2.0).values, 0.0, atol=1e-15)


def test_memory_budget_sets_the_chunk_size():
    """A budget of a few points' worth of XLA's memory estimate gives small chunks, a large one
    the whole grid; the values do not depend on it."""
    grid = {"T_A": np.linspace(0.3, 3.0, 40), "g_B": np.array([0.02, 0.05])}
    fixed = {"T_B": 1.0, "approach": "global"}
    whole = qoj.scan(qubit_current, grid, fixed=fixed, memory_budget="1GB", progress=False)
    small = qoj.scan(qubit_current, grid, fixed=fixed, memory_budget=20_000, progress=False)
    assert whole.attrs["chunk_size"] == 80
    assert 1 <= small.attrs["chunk_size"] < 80
    np.testing.assert_allclose(small["J_A"].values, whole["J_A"].values, rtol=1e-13)
    with pytest.raises(ValueError, match="memory_budget"):
        qoj.scan(qubit_current, grid, fixed=fixed, memory_budget="lots")
    with pytest.raises(ValueError, match="not both"):
        qoj.scan(qubit_current, grid, fixed=fixed, memory_budget=1e9, chunk_size=4)


def test_axes_must_match_the_function():
    with pytest.raises(ValueError, match="do not match the arguments"):
        qoj.scan(
            qubit_current, {"T_A": [1.0], "g_C": [0.1]}, fixed={"T_B": 1.0, "approach": "global"}
        )
    with pytest.raises(ValueError, match="do not match the arguments"):
        qoj.scan(qubit_current, {"T_A": [1.0]}, fixed={"T_B": 1.0, "approach": "global"})
    with pytest.raises(ValueError, match="both grid axes and fixed"):
        qoj.scan(lambda x: x, {"x": [1.0]}, fixed={"x": 2.0})
    with pytest.raises(ValueError, match="identifiers"):
        qoj.scan(lambda x: x, {"x y": [1.0]})
    with pytest.raises(ValueError, match="chunk_size"):
        qoj.scan(lambda x: x, {"x": [1.0]}, chunk_size=2.5)
    with pytest.raises(ValueError, match="devices"):
        qoj.scan(lambda x: x, {"x": [1.0]}, devices=99)


# ---------------------------------------------------------------------------------------------
# sharding over devices (4 forced host devices, in a subprocess)
# ---------------------------------------------------------------------------------------------

SHARDED = """
import jax
jax.config.update("jax_enable_x64", True)
import numpy as np, qoj
assert len(jax.devices()) == 4, jax.devices()

def currents(T_A, g_B):
    model = qoj.models.QubitTwoBaths(
        1.0, qoj.Bath(qoj.spectra.Ohmic(0.05, 1.0, 10.0), T_A),
        qoj.Bath(qoj.spectra.Ohmic(g_B, 1.0, 10.0), 0.5))
    gen = model.generator()
    rho = qoj.steady_state(gen)
    return {"J": qoj.heat_currents(gen, rho), "rho": rho}

grid = {"T_A": np.linspace(0.3, 3.0, 13), "g_B": np.array([0.01, 0.03, 0.1])}  # 39 points
plain = qoj.scan(currents, grid, progress=False)
for devices, chunk in (("all", None), ("all", 10), (2, 7), (jax.devices()[1:], 5)):
    sharded = qoj.scan(currents, grid, devices=devices, chunk_size=chunk, progress=False)
    n = sharded.attrs["devices"]
    assert sharded.attrs["chunk_size"] % n == 0, (devices, chunk, sharded.attrs)
    for var in plain.data_vars:
        np.testing.assert_allclose(sharded[var].values, plain[var].values, rtol=1e-13, atol=1e-16)
print("SHARDED OK", n)
"""


def test_sharded_scan_on_four_host_devices_equals_the_unsharded_one():
    import os
    import subprocess
    import sys

    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
    run = subprocess.run(
        [sys.executable, "-c", SHARDED], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "SHARDED OK 3" in run.stdout


# ---------------------------------------------------------------------------------------------
# checkpoints
# ---------------------------------------------------------------------------------------------

JOB = """
import time
import jax
import jax.numpy as jnp
import numpy as np
import qoj

GRID = {"x": np.linspace(0.0, 1.0, 12), "y": np.array([1.0, 2.0])}  # 24 points, 6 chunks
PAUSE = 0.0  # seconds per chunk (a global: not part of the fingerprint)


def wait(a):
    time.sleep(PAUSE)
    return a


def slow(x, y):
    # one host callback per chunk (vmap_method="broadcast_all") that waits PAUSE seconds
    z = jax.pure_callback(wait, jax.ShapeDtypeStruct(jnp.shape(x), jnp.result_type(x)), x,
                          vmap_method="broadcast_all")
    return {"f": jnp.sin(z) * y, "pair": jnp.stack([z, y])}


def run(path, grid=GRID, fn=slow):
    return qoj.scan(fn, grid, chunk_size=4, checkpoint=path, progress=False)
"""


@pytest.fixture
def job(tmp_path, monkeypatch):
    (tmp_path / "scanjob.py").write_text(JOB)
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    import scanjob

    return importlib.reload(scanjob)


def test_checkpoint_resumes_after_a_killed_process(tmp_path, job):
    """A scan process killed (SIGKILL) after some chunks: the rerun computes only the rest and
    equals an uninterrupted scan; a third run computes nothing; the store opens with xarray
    and unstacks to the grid."""
    import subprocess
    import sys
    import time

    import xarray as xr
    import zarr

    path = tmp_path / "scan.zarr"
    code = (
        "import jax; jax.config.update('jax_enable_x64', True); import scanjob; "
        f"scanjob.PAUSE = 1.0; scanjob.run({str(path)!r})"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path)
    finished = 0
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                finished = int(np.sum(zarr.open_group(str(path), mode="r")["done"][...]))
            except Exception:  # not created yet, or being written
                finished = 0
            if finished >= 8:
                process.kill()
                break
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
    assert 8 <= finished < 24, finished

    resumed = job.run(path)
    assert resumed.attrs["points_resumed"] >= 8
    assert resumed.attrs["points_computed"] == 24 - resumed.attrs["points_resumed"]
    fresh = qoj.scan(job.slow, job.GRID, progress=False)
    for var in ("f", "pair"):
        np.testing.assert_array_equal(resumed[var].values, fresh[var].values)
    again = job.run(path)
    assert again.attrs["points_computed"] == 0 and again.attrs["points_resumed"] == 24
    np.testing.assert_array_equal(again["f"].values, fresh["f"].values)

    stored = xr.open_zarr(path).set_index(point=["x", "y"]).unstack("point")
    np.testing.assert_array_equal(stored["f"].transpose("x", "y").values, fresh["f"].values)


def test_checkpoint_refuses_another_scan_and_foreign_paths(tmp_path, job):
    """A checkpoint of another grid, function or fixed parameters is refused and left as it
    was; so is a path holding something else."""
    path = tmp_path / "scan.zarr"
    job.run(path, grid={"x": job.GRID["x"][:8], "y": job.GRID["y"]})  # 16 points, all done
    before = sorted(p.relative_to(path) for p in path.rglob("*"))

    other_grid = {"x": job.GRID["x"], "y": job.GRID["y"]}
    with pytest.raises(ValueError, match="different scan"):
        job.run(path, grid=other_grid)
    with pytest.raises(ValueError, match="different scan"):
        job.run(path, grid={"x": job.GRID["x"][:8], "y": job.GRID["y"]}, fn=lambda x, y: {"f": x})
    assert sorted(p.relative_to(path) for p in path.rglob("*")) == before
    assert (
        job.run(path, grid={"x": job.GRID["x"][:8], "y": job.GRID["y"]}).attrs["points_computed"]
        == 0
    )

    scaled = tmp_path / "scaled.zarr"

    def scaled_scan(scale):
        return qoj.scan(
            lambda x, y, scale: {"f": scale * x * y},
            {"x": job.GRID["x"], "y": job.GRID["y"]},
            fixed={"scale": scale},
            checkpoint=scaled,
            progress=False,
        )

    scaled_scan(1.0)
    with pytest.raises(ValueError, match="different scan"):
        scaled_scan(2.0)

    foreign = tmp_path / "results"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a qoj scan checkpoint"):
        job.run(foreign)
    assert (foreign / "notes.txt").read_text() == "keep me"
    file = tmp_path / "file.zarr"
    file.write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        job.run(file)
    assert file.read_text() == "x"
