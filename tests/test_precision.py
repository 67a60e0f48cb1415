"""Precision is one explicit switch; importing qoj changes no global setting."""

import subprocess
import sys

import numpy as np
import pytest

import qoj


def test_import_changes_no_global_setting():
    code = (
        "import jax; before = jax.config.read('jax_enable_x64'); import qoj; "
        "print(before, jax.config.read('jax_enable_x64'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_single_precision_runs_and_double_is_restored():
    code = (
        "import qoj, jax.numpy as jnp\n"
        "qoj.set_precision('single')\n"
        "gen = qoj.lindblad(qoj.sigmaz(), {'A': [(0.5, qoj.sigmam())]})\n"
        "rho0 = qoj.ket2dm(qoj.basis(2, 0))\n"
        "sol = qoj.evolve(gen, rho0, jnp.linspace(0, 2, 3), rtol=1e-5, atol=1e-7)\n"
        "current = sol.heat_currents['A']\n"
        "print(qoj.sigmaz().dtype, current.dtype, float(current[-1]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    dtype, current_dtype, value = out.stdout.split()
    assert (dtype, current_dtype) == ("complex64", "float32")
    np.testing.assert_allclose(float(value), -2 * 0.5 * np.exp(-1.0), rtol=1e-5)


def test_unreachable_tolerance_warns_in_single_precision():
    code = (
        "import warnings, qoj, jax.numpy as jnp\n"
        "qoj.set_precision('single')\n"
        "gen = qoj.lindblad(qoj.sigmaz(), {'A': [(0.5, qoj.sigmam())]})\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    qoj.evolve(gen, qoj.ket2dm(qoj.basis(2, 0)), jnp.linspace(0, 2, 3), rtol=1e-8)\n"
        "print(any('set_precision' in str(x.message) for x in w))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_set_precision_rejects_unknown_names():
    with pytest.raises(ValueError, match="precision must be"):
        qoj.set_precision("quad")


def test_version():
    assert isinstance(qoj.__version__, str)
