"""Input validation: eager for concrete values, `equinox.error_if` under tracing.

Every public entry point validates its input through these helpers, so that bad input raises a
clear `ValueError`/`TypeError` naming the argument when values are known (plain Python calls,
or constants closed over by a jitted function), and a runtime error with the same message
inside `jax.jit`/`jax.vmap` when they are traced. Concrete inputs are checked with NumPy, so
they add nothing to a compiled program. Never a silent NaN.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

_TRACER_ERRORS = (
    jax.errors.TracerArrayConversionError,
    jax.errors.ConcretizationTypeError,
    jax.errors.TracerBoolConversionError,
)


def concrete_value(x):
    """`x` as a NumPy array when its value is known, else None (a tracer)."""
    try:
        return np.asarray(x)
    except _TRACER_ERRORS:
        return None


def ensure(x, bad, message: str, error: type[Exception] = ValueError):
    """Return `x`, raising `error(message)` where the boolean array `bad` is True.

    Eager when `bad` is concrete; under tracing `x` comes back wrapped in `eqx.error_if`,
    which raises at run time (so the returned value must be used).
    """
    bad_value = concrete_value(bad)
    if bad_value is None:
        return eqx.error_if(x, bad, message)
    if bad_value.any():
        raise error(message)
    return x


def _as_array(x, name):
    """`x` as a JAX array; a concrete input (NumPy, Python numbers, a JAX array outside a
    trace) stays concrete even inside `jit`, so that checks run eagerly and structure
    (e.g. sparsity, `_structured.py`) can be read from it."""
    try:
        with jax.ensure_compile_time_eval():
            arr = jnp.asarray(x)
    except TypeError as e:
        raise TypeError(f"{name} must be an array, got {type(x).__name__}") from e
    if not (jnp.issubdtype(arr.dtype, jnp.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    return arr


def square_matrix(x, name: str):
    """Convert to a complex square matrix, raising a TypeError/ValueError naming `name`."""
    from ._precision import complex_dtype

    arr = _as_array(x, name)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    with jax.ensure_compile_time_eval():
        return arr.astype(complex_dtype())


def _tolerance(dtype) -> float:
    return 1e3 * float(np.finfo(np.dtype(dtype)).eps)


def hermitian(x, name: str):
    """A complex square matrix that must equal its conjugate transpose."""
    arr = square_matrix(x, name)
    message = f"{name} must be Hermitian (equal to its conjugate transpose)"
    tol = _tolerance(arr.real.dtype)
    value = concrete_value(arr)
    if value is not None:
        scale = max(np.abs(value).max(initial=0.0), 1.0)
        if np.abs(value - value.conj().T).max(initial=0.0) > tol * scale:
            raise ValueError(message)
        return arr
    scale = jnp.maximum(jnp.max(jnp.abs(arr)), 1.0)
    return eqx.error_if(arr, jnp.max(jnp.abs(arr - arr.conj().T)) > tol * scale, message)


def density_matrix(x, name: str = "rho", *, positive: bool = True):
    """A Hermitian, unit-trace, positive semidefinite matrix (`positive=False`: positivity
    not checked, for linear functionals of rho, where the check, an eigendecomposition under
    tracing, would cost more than the function)."""
    arr = hermitian(x, name)
    tol = 10 * _tolerance(arr.real.dtype)
    trace_message = f"{name} must have unit trace, got trace {{}}"
    psd_message = f"{name} must be positive semidefinite (a density matrix)"
    value = concrete_value(arr)
    if value is not None:
        trace = np.trace(value).real
        if abs(trace - 1.0) > tol:
            raise ValueError(trace_message.format(trace))
        if positive and np.linalg.eigvalsh(value)[0] < -tol:
            raise ValueError(psd_message)
        return arr
    arr = eqx.error_if(arr, jnp.abs(jnp.trace(arr).real - 1.0) > tol, trace_message.format("!= 1"))
    if not positive:
        return arr
    return eqx.error_if(arr, jnp.linalg.eigvalsh(arr)[0] < -tol, psd_message)


def nonnegative(x, name: str):
    """A real array whose entries must be finite and >= 0."""
    from ._precision import real_dtype

    arr = _as_array(x, name)
    if jnp.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got a complex value")
    arr = finite(arr.astype(real_dtype()), name)
    value = concrete_value(arr)
    return ensure(arr, (arr < 0) if value is None else (value < 0), f"{name} must be non-negative")


def finite(x, name: str):
    """An array that must be finite."""
    arr = _as_array(x, name)
    value = concrete_value(arr)
    bad = ~jnp.isfinite(arr) if value is None else ~np.isfinite(value)
    return ensure(arr, bad, f"{name} must be finite")
