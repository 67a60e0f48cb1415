"""Floating-point precision: the one switch qoj offers, and the dtypes it implies."""

import warnings
from typing import Literal

import jax
import jax.numpy as jnp
import numpy as np

_warned_tolerances: set[tuple[float, float]] = set()


def set_precision(precision: Literal["double", "single"]) -> None:
    """Choose double (float64/complex128) or single (float32/complex64) precision.

    This is the only place where qoj touches JAX's global configuration, and it does so only
    when called: importing qoj changes nothing. Call it once, before creating arrays.
    Double precision is needed for tolerances below about 1e-6; single precision roughly
    doubles GPU throughput.
    """
    if precision not in ("double", "single"):
        raise ValueError(f"precision must be 'double' or 'single', got {precision!r}")
    jax.config.update("jax_enable_x64", precision == "double")


def is_double() -> bool:
    """Whether double precision is active."""
    return bool(jax.config.read("jax_enable_x64"))


def real_dtype():
    """The active real floating dtype."""
    return jnp.float64 if is_double() else jnp.float32


def complex_dtype():
    """The active complex floating dtype."""
    return jnp.complex128 if is_double() else jnp.complex64


def warn_if_unreachable(rtol: float, atol: float) -> None:
    """Warn once when a tolerance is finer than the active precision can deliver."""
    eps = float(np.finfo(np.dtype(real_dtype())).eps)
    key = (float(rtol), float(atol))
    if (rtol < 10 * eps) and key not in _warned_tolerances:
        _warned_tolerances.add(key)
        warnings.warn(
            f"rtol={rtol:g} is below what {np.dtype(real_dtype()).name} can deliver "
            f"(machine epsilon {eps:.1e}); call qoj.set_precision('double').",
            stacklevel=3,
        )
