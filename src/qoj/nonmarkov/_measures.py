"""Measures of non-Markovianity: Rivas–Huelga–Plenio (negative canonical rates) and
Breuer–Laine–Piilo (information backflow).

RHP. A time-local generator L(t) generates a CP-divisible (Markovian) evolution iff all its
canonical rates gamma_k(t) are non-negative at all times (Rivas, Huelga, Plenio, PRL 105,
050403 (2010)); in the canonical form of Hall, Cresser, Li, Andersson, PRA 89, 042120 (2014)
(seed 000 eq 14) the RHP measure is the integral of the negative parts of the rates,

    N_RHP = int sum_k max(0, -gamma_k(t)) dt.

BLP. Trace distance D(rho1, rho2) = (1/2) ||rho1 - rho2||_1 never grows under a CPTP map, so
any growth of D(rho1(t), rho2(t)) is information flowing back from the environment (Breuer,
Laine, Piilo, PRL 103, 210401 (2009)):

    N_BLP = max over pairs (rho1, rho2) of int_{sigma > 0} sigma(t) dt,  sigma = dD/dt.

The dynamical map Phi(t) (rho(t) = Phi(t) rho(ts[0])) is integrated once, as the real
d^2 x d^2 matrix ODE dPhi/dt = L(t) Phi in the Hermitian basis of `_superop.py`; every pair's
trace distances are then linear images, evaluated for all pairs at once.
"""

import functools

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Complex, Float, Inexact

from .. import _superop as so
from .._checks import concrete_value, density_matrix, ensure, finite
from .._generator import Generator
from .._ode import diffeqsolve
from .._operators import _index_in_range, _positive_int, sigmax, sigmay, sigmaz
from .._precision import complex_dtype, real_dtype, warn_if_unreachable
from ._canonical import canonical_rates

# Stencil of the compass search over Bloch directions: (d theta, d phi) in units of the step,
# centre included so that a step never lowers the best value.
_COMPASS = np.array([[i, j] for i in (-1, 0, 1) for j in (-1, 0, 1)], dtype=float)


def _check_generator(generator) -> None:
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a qoj.Generator, got {type(generator).__name__}")


def _time_grid(ts) -> Float[Array, " T"]:
    """`ts` validated: real, finite, 1-D, at least two points, strictly increasing."""
    ts = finite(ts, "ts")
    if jnp.iscomplexobj(ts):
        raise TypeError("ts must be real")
    if ts.ndim != 1 or ts.shape[0] < 2:
        raise ValueError(f"ts must be a 1-D array of at least two times, got shape {ts.shape}")
    ts = ts.astype(real_dtype())
    value = concrete_value(ts)
    bad = jnp.any(jnp.diff(ts) <= 0) if value is None else np.any(np.diff(value) <= 0)
    return ensure(ts, bad, "ts must be strictly increasing")


def _trapezoid(values: Float[Array, " T"], ts: Float[Array, " T"]) -> Float[Array, ""]:
    return 0.5 * jnp.sum((values[1:] + values[:-1]) * jnp.diff(ts))


def rhp_measure(generator: Generator, ts: Float[ArrayLike, " T"]) -> Float[Array, ""]:
    """Rivas–Huelga–Plenio measure: the time integral of the negative canonical rates.

    N_RHP = int_{ts[0]}^{ts[-1]} sum_k max(0, -gamma_k(t)) dt, with gamma_k(t) the canonical
    rates of `canonical_rates` (Hall, Cresser, Li, Andersson, PRA 89, 042120 (2014), seed 000
    eq 14). It is zero iff the generator is of Lindblad form at every time, i.e. the evolution
    is CP-divisible (Rivas, Huelga, Plenio, PRL 105, 050403 (2010), in its integral-of-
    negative-rates form).

    The rates are computed at all times of `ts` at once (vmapped) and integrated by the
    trapezoidal rule on `ts`: second-order accurate, also across the kinks of max(0, -x)
    where a rate changes sign. Refine `ts` to converge. A canonical rate that vanishes
    identically contributes round-off only (~1e-16 x rate scale x duration). Works under
    `jit`, `vmap` and `grad`.

    Args:
        generator: a time-local `Generator`; its rates may be callables of t that go negative.
        ts: the quadrature grid (1-D, strictly increasing, finite, at least two points).

    Returns:
        The non-negative scalar N_RHP.
    """
    _check_generator(generator)
    return _negative_rate_integral(generator, _time_grid(ts))


@eqx.filter_jit
def _negative_rate_integral(generator: Generator, ts: Float[Array, " T"]) -> Float[Array, ""]:
    rates = jax.vmap(lambda t: canonical_rates(generator, t)[0])(ts)
    return _trapezoid(jnp.sum(jnp.maximum(-rates, 0.0), axis=1), ts)


@eqx.filter_jit
def _map_vector_field(t, phi, generator):
    """d Phi/dt = L(t) Phi (the generator travels as `args`, see `qoj._ode.diffeqsolve`)."""
    return generator.real_superoperator(t) @ phi


def _dynamical_map(generator, ts, rtol, atol, max_steps) -> Float[Array, "T m m"]:
    """Phi(t_j) for rho(t_j) = Phi(t_j) rho(ts[0]), real, in the Hermitian basis."""
    m = generator.dimension**2
    solution = diffeqsolve(
        _map_vector_field,
        diffrax.Tsit5(),
        t0=ts[0],
        t1=ts[-1],
        dt0=None,
        y0=jnp.eye(m, dtype=ts.dtype),
        args=generator,
        saveat=diffrax.SaveAt(ts=ts),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        max_steps=max_steps,
    )
    return solution.ys


@jax.jit
def _backflow(maps, pairs: Complex[Array, "n 2 d d"]) -> Float[Array, " n"]:
    """Sum of the increases of D(Phi(t) rho1, Phi(t) rho2) along the grid, for each pair."""
    d = pairs.shape[-1]
    basis = so.hermitian_basis(d, pairs.dtype)
    initial = jax.vmap(lambda delta: so.coordinates(delta, basis))(pairs[:, 0] - pairs[:, 1])
    differences = so.from_coordinates(jnp.einsum("tab,nb->nta", maps, initial), basis)
    distances = 0.5 * jnp.sum(jnp.abs(jnp.linalg.eigvalsh(differences)), axis=-1)
    return jnp.sum(jnp.maximum(jnp.diff(distances, axis=1), 0.0), axis=1)


def _bloch_pairs(angles: Float[Array, "n 2"]) -> Complex[Array, "n 2 2 2"]:
    """The antipodal pure states (1 +- n.sigma)/2 for directions n(theta, phi)."""
    theta, phi = angles[:, 0], angles[:, 1]
    direction = jnp.stack(
        [jnp.sin(theta) * jnp.cos(phi), jnp.sin(theta) * jnp.sin(phi), jnp.cos(theta)], axis=1
    )
    n_sigma = jnp.einsum("nk,kij->nij", direction, jnp.stack([sigmax(), sigmay(), sigmaz()]))
    eye = jnp.eye(2, dtype=n_sigma.dtype)[None]
    return jnp.stack([eye + n_sigma, eye - n_sigma], axis=1) / 2


@functools.partial(jax.jit, static_argnames=("grid", "refine_steps"))
def _best_qubit_pair(maps, grid: tuple[int, int], refine_steps: int):
    """Bloch direction with the largest backflow: a (theta, phi) grid over the hemisphere
    (theta in [0, pi/2] with both ends, phi in [0, 2 pi)), then a compass search that halves
    its step `refine_steps` times."""
    n_theta, n_phi = grid
    theta, phi = jnp.meshgrid(
        jnp.linspace(0.0, np.pi / 2, n_theta, dtype=maps.dtype),
        jnp.arange(n_phi, dtype=maps.dtype) * (2 * np.pi / n_phi),
        indexing="ij",
    )
    angles = jnp.stack([theta.reshape(-1), phi.reshape(-1)], axis=1)
    start = angles[jnp.argmax(_backflow(maps, _bloch_pairs(angles)))]
    step0 = jnp.array([np.pi / 2 / max(n_theta - 1, 1), 2 * np.pi / n_phi], dtype=maps.dtype)
    compass = jnp.asarray(_COMPASS, dtype=maps.dtype)

    def refine(k, best):
        candidates = best[None, :] + compass * (step0 * 0.5**k)[None, :]
        return candidates[jnp.argmax(_backflow(maps, _bloch_pairs(candidates)))]

    best = jax.lax.fori_loop(0, refine_steps, refine, start)
    return _bloch_pairs(best[None, :])[0]


def _unitary_pairs(unitaries: Complex[Array, "n d d"]) -> Complex[Array, "n 2 d d"]:
    """The orthogonal pure states U|0>, U|1> (as density matrices) for each unitary U."""
    first, second = unitaries[:, :, 0], unitaries[:, :, 1]
    outer = lambda v: jnp.einsum("ni,nj->nij", v, v.conj())
    return jnp.stack([outer(first), outer(second)], axis=1)


def _gaussian(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    return rng.normal(size=(n, d, d)) + 1j * rng.normal(size=(n, d, d))


def _haar_unitaries(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """n Haar-random d x d unitaries (QR of Gaussian matrices, phases fixed by diag R)."""
    q, r = np.linalg.qr(_gaussian(rng, n, d))
    diagonal = np.diagonal(r, axis1=1, axis2=2)
    return q * (diagonal / np.abs(diagonal))[:, None, :]


def _local_unitaries(rng: np.random.Generator, n: int, d: int, eps: float) -> np.ndarray:
    """n unitaries (1 - i eps G/2)^-1 (1 + i eps G/2) ~ exp(i eps G), for random Hermitian G
    of unit Frobenius norm (the Cayley transform: unitary, cheaper than exp)."""
    a = _gaussian(rng, n, d)
    g = a + np.swapaxes(a.conj(), 1, 2)
    g = eps * g / np.linalg.norm(g, axis=(1, 2))[:, None, None]
    eye = np.eye(d)[None]
    return np.linalg.solve(eye - 0.5j * g, eye + 0.5j * g)


@functools.partial(jax.jit, static_argnames=("d", "samples", "refine_steps", "seed"))
def _best_unitary_pair(maps, d: int, samples: int, refine_steps: int, seed: int):
    """Largest backflow over orthogonal pure pairs U|0>, U|1>: `samples` Haar-random U, then
    `refine_steps` rounds of random local search, round k trying V U_best for `samples`
    random unitaries V ~ exp(i eps_k G), eps_k = 2^-(k+1) (`_local_unitaries`). All random
    matrices come from `numpy.random.default_rng(seed)`, so the search is reproducible."""
    rng = np.random.default_rng(seed)
    dtype = complex_dtype()
    unitaries = jnp.asarray(_haar_unitaries(rng, samples, d), dtype=dtype)
    moves = [_local_unitaries(rng, samples, d, 0.5 ** (k + 1)) for k in range(refine_steps)]
    moves = jnp.asarray(np.reshape(moves, (refine_steps, samples, d, d)), dtype=dtype)
    values = _backflow(maps, _unitary_pairs(unitaries))
    start = (unitaries[jnp.argmax(values)], jnp.max(values))

    def refine(k, carry):
        best, best_value = carry
        candidates = moves[k] @ best[None]
        values = _backflow(maps, _unitary_pairs(candidates))
        improved = jnp.max(values) > best_value
        return (
            jnp.where(improved, candidates[jnp.argmax(values)], best),
            jnp.maximum(jnp.max(values), best_value),
        )

    best, _ = jax.lax.fori_loop(0, refine_steps, refine, start)
    return _unitary_pairs(best[None])[0]


def _check_pairs(pairs, d: int) -> Complex[Array, "n 2 d d"]:
    """Each `pairs[i, j]` a density matrix of dimension d: eagerly when concrete."""
    arr = jnp.asarray(pairs)
    if arr.ndim != 4 or arr.shape[1:] != (2, d, d) or arr.shape[0] == 0:
        raise ValueError(f"pairs must have shape (n, 2, {d}, {d}) with n >= 1, got {arr.shape}")
    value = concrete_value(arr)
    if value is None:
        check = lambda rho: density_matrix(rho, "pairs")
        return jax.vmap(jax.vmap(check))(arr)
    return jnp.stack(
        [
            jnp.stack([density_matrix(value[i, j], f"pairs[{i}, {j}]") for j in range(2)])
            for i in range(value.shape[0])
        ]
    )


def blp_measure(
    generator: Generator,
    ts: Float[ArrayLike, " T"],
    *,
    pairs: Inexact[ArrayLike, "n 2 d d"] | None = None,
    grid: tuple[int, int] = (9, 16),
    samples: int = 64,
    refine_steps: int = 10,
    seed: int = 0,
    return_pair: bool = False,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    max_steps: int = 100_000,
) -> Float[Array, ""] | tuple[Float[Array, ""], Complex[Array, "2 d d"]]:
    """Breuer–Laine–Piilo measure: the largest total growth of the trace distance of a pair.

    N_BLP = max over pairs of int_{sigma > 0} sigma dt, where sigma(t) = dD/dt and
    D = (1/2) ||rho1(t) - rho2(t)||_1 (Breuer, Laine, Piilo, PRL 103, 210401 (2009)), both
    states evolved by the generator from `ts[0]`. The integral is taken in its discrete form,
    the sum of the positive increments D(t_{j+1}) - D(t_j) over the grid `ts`: exact when
    the grid contains every time at which D turns, a lower bound that converges (error
    O(h^2) at each turning point of a smooth D) as the grid is refined. The states are
    prepared at `ts[0]`. Where D is flat, errors of the map (of order `rtol`) can register
    as spurious increments of that order.

    The dynamical map is integrated once on `ts` (the d^2 x d^2 matrix ODE, diffrax Tsit5 with
    tolerances `rtol`, `atol`), so every pair costs only matrix products and an eigenvalue
    decomposition per time. Pairs searched:

    - `pairs` given: the maximum over those pairs only.
    - d = 2: optimal pairs are orthogonal (Wißmann, Karlsson, Laine, Piilo, Breuer, PRA 86,
      062108 (2012)), hence pure and antipodal, +-n on the Bloch sphere. The directions
      n(theta, phi) of a `grid` = (n_theta, n_phi) grid over the hemisphere are tried
      (theta = 0 and pi/2 included), then a compass search around the best one halves its
      step `refine_steps` times.
    - d > 2: orthogonal pure pairs U|0>, U|1> for `samples` Haar-random unitaries U (from
      `numpy.random.default_rng(seed)`, so the result is reproducible), then `refine_steps`
      rounds of random local search around the best U (see `_best_unitary_pair`). Optimal
      pairs are orthogonal but need not be pure for d > 2 (same reference), and the search
      is random: the result is a lower bound on N_BLP.

    The search itself carries no derivative; the returned value is re-evaluated at the pair
    found, so `jax.grad` gives the derivative of N_BLP at fixed maximising pair (the envelope
    theorem).

    Args:
        generator: a time-local `Generator`.
        ts: the time grid (1-D, strictly increasing, finite, at least two points).
        pairs: optional density-matrix pairs, shape (n, 2, d, d).
        grid: (n_theta, n_phi) of the qubit direction grid.
        samples: random unitaries (and candidates per refinement round) for d > 2.
        refine_steps: rounds of local refinement after the initial search.
        seed: seed of the random unitaries (d > 2).
        return_pair: also return the maximising pair, shape (2, d, d).
        rtol, atol, max_steps: of the ODE solver for the dynamical map.

    Returns:
        N_BLP, or `(N_BLP, pair)` with `return_pair`.
    """
    _check_generator(generator)
    ts = _time_grid(ts)
    grid = (_positive_int(grid[0], "grid[0]"), _positive_int(grid[1], "grid[1]"))
    samples = _positive_int(samples, "samples")
    refine_steps = _index_in_range(refine_steps, 64, "refine_steps")
    warn_if_unreachable(rtol, atol)
    d = generator.dimension
    if d < 2:
        raise ValueError("blp_measure needs a generator of dimension d >= 2")
    candidates = None if pairs is None else _check_pairs(pairs, d)
    maps = _dynamical_map(generator, ts, rtol, atol, max_steps)
    frozen = jax.lax.stop_gradient(maps)
    if candidates is not None:
        pair = candidates[jnp.argmax(_backflow(frozen, jax.lax.stop_gradient(candidates)))]
    elif d == 2:
        pair = _best_qubit_pair(frozen, grid, refine_steps)
    else:
        pair = _best_unitary_pair(frozen, d, samples, refine_steps, seed)
    value = _backflow(maps, pair[None])[0]
    return (value, pair) if return_pair else value
