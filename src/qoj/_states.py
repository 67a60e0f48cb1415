"""Thermal states, partial traces and expectation values."""

import operator
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Bool, Complex, Float, Inexact

from ._checks import ensure, hermitian, nonnegative
from ._custom_types import DensityMatrix, Operator, RealScalarLike
from ._operators import _as_array, _dims, _index_in_range, _prod
from ._precision import real_dtype

# --- Gibbs states ---------------------------------------------------------------------------


def gibbs(
    H: Inexact[ArrayLike, "n n"],
    temperature: RealScalarLike,
    *,
    mu: RealScalarLike = 0.0,
    number: Inexact[ArrayLike, "n n"] | None = None,
) -> DensityMatrix:
    """The (grand-)canonical thermal state of a Hamiltonian.

        rho = exp(-(H - mu N)/T) / Z,    Z = Tr exp(-(H - mu N)/T)

    (hbar = k_B = 1). It is computed from the eigendecomposition `H - mu N = V diag(E) V^dag`
    with the lowest eigenvalue E_0 shifted out, `p_i = exp(-(E_i - E_0)/T) / sum_j (...)`, so
    nothing overflows at low temperature. `temperature = 0` is the limit T -> 0+: the equal
    mixture over the (possibly degenerate) ground space of `H - mu N` (eigenvalues within
    about 1e3 machine epsilons of E_0 count as degenerate). Temperatures below about 1e-154
    (1e-19 in single precision) are treated as exactly 0.

    Differentiable with respect to the entries of `H` and `number`, `temperature` and `mu`.
    The derivative is taken in closed form (Daleckii–Krein divided differences), so it stays
    finite for degenerate Hamiltonians and at T = 0, where the derivative with respect to T
    is 0 (the exact one-sided limit up to exponentially small terms).

    **Arguments:**

    - `H`: the Hermitian Hamiltonian, shape (n, n).
    - `temperature`: T >= 0, a real scalar (use `jax.vmap` for several temperatures).
    - `mu`: the chemical potential; nonzero values need `number`.
    - `number`: the Hermitian particle-number operator N. The grand-canonical ensemble needs
      `[H, N] = 0`; a commutator larger than round-off is a ValueError.

    **Returns:** the density matrix, shape (n, n), dtype `complex_dtype()`.
    """
    H = hermitian(H, "H")
    H = ensure(H, ~jnp.all(jnp.isfinite(H)), "H must be finite (no NaN or inf entries)")
    temperature = nonnegative(temperature, "temperature")
    if temperature.ndim != 0:
        raise ValueError(
            f"temperature must be a scalar, got shape {temperature.shape}; "
            "use jax.vmap over gibbs for several temperatures"
        )
    mu = _real_scalar(mu, "mu")
    if number is None:
        # Attached to H (not mu, which is unused from here on) so that jit keeps the check.
        H = ensure(
            H,
            mu != 0,
            "mu (the chemical potential) is nonzero but no `number` operator was given: "
            "the grand-canonical state exp(-(H - mu N)/T)/Z needs number=N",
        )
        generator = H
    else:
        N = hermitian(number, "number")
        if N.shape != H.shape:
            raise ValueError(f"number must have the shape of H, {H.shape}, got shape {N.shape}")
        N = ensure(
            N,
            _commutator_too_large(H, N),
            "number must commute with H: the grand-canonical state exp(-(H - mu N)/T)/Z "
            "needs [H, N] = 0",
        )
        generator = H - mu.astype(H.dtype) * N
    return _thermal_state(generator, temperature)


def _real_scalar(x, name: str) -> Float[Array, ""]:
    arr = jnp.asarray(x)
    if jnp.iscomplexobj(arr) or not jnp.issubdtype(arr.dtype, jnp.number):
        raise TypeError(f"{name} must be a real number, got dtype {arr.dtype}")
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {arr.shape}")
    arr = arr.astype(real_dtype())
    return ensure(arr, ~jnp.isfinite(arr), f"{name} must be finite")


def _commutator_too_large(H: Operator, N: Operator) -> Bool[Array, ""]:
    commutator = H @ N - N @ H
    eps = jnp.finfo(H.real.dtype).eps
    scale = (
        H.shape[0] * jnp.maximum(jnp.max(jnp.abs(H)), 1.0) * jnp.maximum(jnp.max(jnp.abs(N)), 1.0)
    )
    return jnp.max(jnp.abs(commutator)) > 1e3 * eps * scale


def _spectrum(generator, temperature):
    """Eigen-decomposition and Boltzmann weights of `generator` at `temperature` (T may be 0)."""
    energies, vectors = jnp.linalg.eigh(generator)
    excitation = energies - energies[0]
    # Below sqrt(smallest normal float) (~1e-154 in double, ~1e-19 in single) T counts as 0,
    # so that 1/T and 1/T^2 in the derivative stay finite.
    positive = temperature > np.sqrt(np.finfo(np.dtype(temperature.dtype)).tiny)
    # Double `where`: the T = 0 branch must not divide by zero, not even in unused lanes.
    safe_temperature = jnp.where(positive, temperature, 1.0)
    weights = jnp.exp(-excitation / safe_temperature)
    p_thermal = weights / jnp.sum(weights)
    tolerance = 1e3 * jnp.finfo(energies.dtype).eps * jnp.maximum(jnp.max(jnp.abs(energies)), 1.0)
    ground = (excitation <= tolerance).astype(energies.dtype)
    p_ground = ground / jnp.sum(ground)
    populations = jnp.where(positive, p_thermal, p_ground)
    return energies, vectors, excitation, populations, positive, safe_temperature, tolerance


def _from_eigenbasis(vectors, diagonal_or_matrix):
    if diagonal_or_matrix.ndim == 1:
        out = (vectors * diagonal_or_matrix.astype(vectors.dtype)[None, :]) @ vectors.conj().T
    else:
        out = vectors @ diagonal_or_matrix.astype(vectors.dtype) @ vectors.conj().T
    return out


@jax.jit
def _thermal_state(generator: Operator, temperature: Float[Array, ""]) -> DensityMatrix:
    # The Hermitian part is what eigh sees; making it explicit keeps tangents Hermitian too.
    # (Jitted so that eager calls compile once per shape instead of once per operation.)
    return _thermal_state_of_hermitian(0.5 * (generator + generator.conj().T), temperature)


@jax.custom_jvp
def _thermal_state_of_hermitian(generator, temperature):
    _, vectors, _, populations, *_ = _spectrum(generator, temperature)
    rho = _from_eigenbasis(vectors, populations)
    return 0.5 * (rho + rho.conj().T)


@_thermal_state_of_hermitian.defjvp
def _thermal_state_jvp(primals, tangents):
    generator, temperature = primals
    d_generator, d_temperature = tangents
    energies, vectors, excitation, p, positive, safe_temperature, tolerance = _spectrum(
        generator, temperature
    )
    rho = _from_eigenbasis(vectors, p)
    rho = 0.5 * (rho + rho.conj().T)

    # Daleckii–Krein: d f(K) = V [(V^dag dK V) o L] V^dag with L_ij the divided difference
    # (p_i - p_j)/(E_i - E_j) (-> f'(E_i) on the diagonal) of p_i = exp(-E_i/T)/Z at fixed Z;
    # the normalisation then subtracts rho Tr[...].
    gap = jnp.abs(energies[:, None] - energies[None, :])
    beta = 1.0 / safe_temperature
    x = beta * gap
    safe_x = jnp.where(x > 0, x, 1.0)
    # (1 - exp(-x))/x written around the lower level of each pair, so nothing overflows.
    one_minus_exp_over_x = jnp.where(x > 0, -jnp.expm1(-safe_x) / safe_x, 1.0)
    p_lower = jnp.maximum(p[:, None], p[None, :])
    divided_thermal = -beta * p_lower * one_minus_exp_over_x
    # At T = 0 the state is the ground-space projector / g: only ground <-> excited mixing
    # moves it; inside a degenerate block the derivative is taken as 0 (the T -> 0 limit
    # of a genuinely degenerate level).
    apart = gap > tolerance
    difference = energies[:, None] - energies[None, :]
    safe_difference = jnp.where(apart, difference, 1.0)
    divided_ground = jnp.where(apart, (p[:, None] - p[None, :]) / safe_difference, 0.0)
    divided = jnp.where(positive, divided_thermal, divided_ground)

    rotated = vectors.conj().T @ d_generator @ vectors
    inner = rotated * divided.astype(rotated.dtype)
    inner = inner - jnp.diag(p.astype(rotated.dtype)) * jnp.trace(inner)
    # d p_i / dT = p_i (E_i - <E>) / T^2.
    mean_excitation = jnp.sum(p * excitation)
    dp_dT = jnp.where(
        positive, p * ((excitation - mean_excitation) / safe_temperature) / safe_temperature, 0.0
    )
    inner = inner + jnp.diag((dp_dT * d_temperature).astype(rotated.dtype))
    d_rho = _from_eigenbasis(vectors, inner)
    return rho, 0.5 * (d_rho + d_rho.conj().T)


# --- Partial trace and expectation values ---------------------------------------------------


def _keep(keep, n_factors: int) -> tuple[int, ...]:
    if isinstance(keep, (str, bytes)):
        raise TypeError(f"keep must be an int or a sequence of ints, got {keep!r}")
    if isinstance(keep, Sequence) or isinstance(keep, np.ndarray):
        keep = tuple(_index_in_range(k, n_factors, f"keep[{i}]") for i, k in enumerate(keep))
    else:
        try:
            operator.index(keep)
        except TypeError as e:
            raise TypeError(
                f"keep must be an int or a sequence of ints, got {type(keep).__name__}"
            ) from e
        keep = (_index_in_range(keep, n_factors, "keep"),)
    if len(set(keep)) != len(keep):
        raise ValueError(f"keep must not repeat a factor, got {keep}")
    return tuple(sorted(keep))


def partial_trace(
    rho: Inexact[ArrayLike, "*batch n n"] | Inexact[ArrayLike, "*batch n 1"],
    keep: int | Sequence[int],
    dims: Sequence[int],
) -> Complex[Array, "*batch m m"]:
    """Reduced density matrix of the factors `keep` of a tensor-product state.

        rho_keep = Tr_{not keep} rho,
        (rho_keep)_{a,a'} = sum_b rho_{(a,b),(a',b)}

    with the factors ordered as in `kron` (part 1 first). The kept factors come out in the
    order they have in `dims`, whatever the order of `keep`: `partial_trace(kron(A, B, C),
    (2, 0), (dA, dB, dC)) = kron(A, C) Tr B`.

    **Arguments:**

    - `rho`: a density matrix of shape (..., n, n), n = prod(dims), with optional leading
      batch axes; or a pure state as a ket (n, 1) / (..., n, 1) or a 1-D vector (n,),
      meaning |psi><psi|.
    - `keep`: the index of the factor to keep, or a sequence of them (0-based, no repeats).
    - `dims`: the dimensions of all factors, positive Python ints.

    **Returns:** the reduced density matrix, shape (..., m, m), m = prod(dims[keep]).
    """
    dims = _dims(dims)
    keep = _keep(keep, len(dims))
    n = _prod(dims)
    m = _prod(dims[k] for k in keep)
    arr = _as_array(rho, "rho")
    n_factors = len(dims)
    rows = list(range(n_factors))
    out_rows = [rows[k] for k in keep]
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim >= 2 and arr.shape[-2:] == (n, n):
        batch = arr.shape[:-2]
        tensor = arr.reshape(*batch, *dims, *dims)
        cols = [k if k not in keep else n_factors + k for k in range(n_factors)]
        out_cols = [cols[k] for k in keep]
        reduced = jnp.einsum(tensor, [..., *rows, *cols], [..., *out_rows, *out_cols])
    elif arr.ndim >= 2 and arr.shape[-2:] == (n, 1):
        batch = arr.shape[:-2]
        psi = arr.reshape(*batch, *dims)
        primed = [k if k not in keep else n_factors + k for k in range(n_factors)]
        out_cols = [primed[k] for k in keep]
        reduced = jnp.einsum(
            psi, [..., *rows], psi.conj(), [..., *primed], [..., *out_rows, *out_cols]
        )
    else:
        raise ValueError(
            f"rho must have shape (..., {n}, {n}) (a density matrix) or ({n}, 1) (a ket) "
            f"for dims={dims}, got shape {arr.shape}"
        )
    return reduced.reshape(*batch, m, m)


def expect(
    op: Inexact[ArrayLike, "n n"],
    rho: Inexact[ArrayLike, "*batch n n"] | Inexact[ArrayLike, "*batch n 1"],
) -> Complex[Array, "*batch"]:
    """Expectation value `<op> = Tr[op rho]`, or `<psi|op|psi>` for a ket.

    The result is complex (its imaginary part vanishes, up to round-off, for a Hermitian
    `op` and a Hermitian `rho`); take `.real` when `op` is an observable. Whether `op` is
    Hermitian is not something that can be decided statically under `jit`, hence no
    automatic `.real`.

    **Arguments:**

    - `op`: a square matrix, shape (n, n).
    - `rho`: a density matrix (..., n, n) with optional batch axes (for instance the states
      returned by `evolve`), or a ket (n, 1) / (..., n, 1) or a 1-D vector (n,). Kets are
      not normalised here.

    **Returns:** a complex scalar, or an array of shape `batch`.
    """
    op_arr = _as_array(op, "op")
    if op_arr.ndim != 2 or op_arr.shape[0] != op_arr.shape[1]:
        raise ValueError(f"op must be a square matrix, got shape {op_arr.shape}")
    n = op_arr.shape[0]
    arr = _as_array(rho, "rho")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim >= 2 and arr.shape[-2:] == (n, n):
        return jnp.einsum("ij,...ji->...", op_arr, arr)
    if arr.ndim >= 2 and arr.shape[-2:] == (n, 1):
        return jnp.einsum("...ia,ij,...ja->...", arr.conj(), op_arr, arr)
    raise ValueError(
        f"rho must be a density matrix of shape (..., {n}, {n}) or a ket of shape "
        f"({n}, 1) to match op of shape {op_arr.shape}, got shape {arr.shape}"
    )
