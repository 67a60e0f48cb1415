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

        def call(p):
            batch_sizes.append(jax.tree_util.tree_leaves(p)[0].shape[0])
            return vmapped(p)

        return call

    monkeypatch.setattr(jax, "vmap", spy)
    for chunk, expected in [(1000, 10), (4, 4), (7, 5)]:
        batch_sizes.clear()
        ds = qoj.scan(lambda x: {"y": 2 * x}, {"x": jnp.arange(10.0)}, chunk_size=chunk)
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
