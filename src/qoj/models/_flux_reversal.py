"""When does the heat flux through a qubit junction change sign? (seed 000 section 6, Fig 7).

Which quantity is "the total heat flux". Eq 34 defines J^nu(t) = Tr[H_S D^nu(t) rho(t)], the
energy flowing from environment nu INTO the qubit (qoj's convention, `Solution.heat_currents`).
The text then fixes a sign convention: "the heat flux from the right reservoir [is] positive,
and the one from the left negative. Thus, a positive total heat flux indicates a flow of energy
from right to left", and Fig 7 plots "the total heat flux J^L(t) + J^R(t)" in that convention.
Read literally with eq 34, J^L + J^R = dE_S/dt (eq 33), which vanishes in every (quasi-)
stationary state, whereas Fig 7(c) shows a constant positive flux at long times when R is hotter
and its dashed lines are eq 35, the stationary flux J^ss(nu) of ONE environment. So the left flux
enters with its sign reversed (energy leaving into L counts as positive), and the plotted
quantity tends to eq 35's J^ss(R) = -J^ss(L). The default `quantity="difference"`,

    J(t) = (J^R(t) - J^L(t)) / 2,

is that reading: right positive, left negative, equal to eq 35 for R in any (quasi-)stationary
state, and odd under exchanging L and R. J^R alone (`quantity="right"`) and -J^L (`"left"`)
have the same stationary values and differ from it by +/-(dE_S/dt)/2, so their sign changes
move when the qubit lags the drift of the rates: in Fig 7(e) (g_II^R = 1e-2 = g_I) the first
reversal is at t = 232 (J^R), 247 ((J^R - J^L)/2), 261 (-J^L); the second (107683, 107658,
107632) and that of 7(d) (766.046 for all three, by symmetry) barely move. The factor 1/2
moves no root. With equal J_I^L(w0) = J_I^R(w0) = J, eq 35 per environment gives
(J^R - J^L)/2 = w0 J (n^R(t) - n^L(t)) (1/2 - rho_++), n^nu(t) = gamma_+^nu(t)/J: while
rho_++ < 1/2 this flux changes sign exactly where the occupations of eqs 19-20 cross, for
every initial state (and once more where a state starting above 1/2 falls through it).

Method (`flux_reversal_times`). The flux on a grid, t = 0 and `n_grid - 1` log-spaced times in
[t_min, t_max], from one integration of the rotating-frame master equation (what
`PrethermalJunction.evolve` integrates, with `qoj.evolve` called directly so that later sweeps
can start at t0 > 0). Sign changes between consecutive grid values whose magnitude exceeds
`zero_tol` times the flux scale w0 sum_nu max(Gamma_I^nu, Gamma_II^nu), Gamma = J_I (2 n + 1)
the total rate of a stage, bracket the roots (smaller values count as zero and are skipped, so
a flux that vanishes identically, e.g. from the Gibbs state at equal temperatures everywhere,
has no reversals). Each bracket is then zoomed `n_zoom` times: re-evolve from the state at its
left end across `n_grid` equally spaced times and keep the sub-interval where the sign
changes; the returned time is the secant root of the last bracket. The restarts keep only the
diagonal of rho: the dissipators are phase covariant, so the populations (eq G1) and the
fluxes (eq 34) do not see the coherences. All sweeps go through one traced `evolve` (a
`fori_loop` over rounds, vmapped over the roots), because tracing diffrax's implicit solver
dominates the cost. The result has a fixed size, no NaN, and works under `jax.jit` and
`jax.vmap` (e.g. over initial states; jit the whole call with `equinox.filter_jit` and pass
`t_max` as an array, so that one compilation serves every model of the same structure).

Accuracy. The bracket of a root shrinks from the grid cell, relative width
(t_max/t_min)^(1/(n_grid-2)) - 1 (4.7% for t_max = 1e6), by (n_grid - 1) per zoom: ~1e-9
relative after the default 3 zooms, and the secant does better. These are roots of the
numerically evolved flux; as roots of the exact flux they are accurate to about
delta J / |dJ/dt|, with delta J set by `evolve`'s rtol/atol (default 1e-8/1e-10). Two sign
changes inside one grid cell are not seen: the grid must resolve the fastest change of sign
(the qubit's relaxation, 1/sum_nu J_I^nu (2 n^nu + 1), from the initial state).
"""

from typing import Literal

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Complex, Float, Int

from .._checks import ensure
from .._evolve import evolve
from .._precision import real_dtype

_QUANTITIES = ("difference", "right", "left")


class FluxReversals(eqx.Module):
    """The sign changes of a junction's heat flux found by `flux_reversal_times`.

    Attributes:
        times: the first `max_count` reversal times, ascending, padded with +inf.
        count: how many sign changes the grid showed (may exceed `max_count`).
        brackets: (max_count, 2) final brackets [t_a, t_b] around each root (+inf padded).
        grid: the grid times (t = 0 first, then log-spaced).
        flux: the flux J(t) (`quantity`) on the grid.
        population: rho_++(t) on the grid.
        heat_currents: {"L": J^L, "R": J^R} on the grid (eq 34, energy into the qubit).
    """

    times: Float[Array, " k"]
    count: Int[Array, ""]
    brackets: Float[Array, "k 2"]
    grid: Float[Array, " n"]
    flux: Float[Array, " n"]
    population: Float[Array, " n"]
    heat_currents: dict[str, Float[Array, " n"]]


def _combine(currents, quantity):
    if quantity == "difference":
        return 0.5 * (currents["R"] - currents["L"])
    if quantity == "right":
        return currents["R"]
    return -currents["L"]


def _sign_changes(flux, threshold):
    """Where consecutive signed values of `flux` differ (|flux| <= threshold has no sign):
    the mask of the right ends and, for every index, the last signed index before it."""
    n = flux.shape[0]
    sign = jnp.where(jnp.abs(flux) > threshold, jnp.sign(flux), 0.0)
    index = jnp.arange(n)
    last = jax.lax.cummax(jnp.where(sign != 0, index, -1))
    prev = jnp.concatenate([jnp.full(1, -1), last[:-1]])
    prev_sign = jnp.where(prev >= 0, sign[jnp.maximum(prev, 0)], 0.0)
    return (sign != 0) & (prev_sign != 0) & (sign != prev_sign), prev


def _flux_scale(model):
    """w0 sum_nu max(Gamma_I^nu, Gamma_II^nu), Gamma = J_I (2 n + 1) at w0 of each stage: the
    size of the heat fluxes (|J^nu| <= w0 max(gamma_+^nu, gamma_-^nu))."""
    w = model.omega0
    total = 0.0
    for env in model.environments().values():
        gammas = [b.absorption_rate(w) + b.emission_rate(w) for b in env.system_baths()]
        total = total + jnp.maximum(*gammas)
    return w * total


def flux_reversal_times(
    model,
    rho0: Complex[ArrayLike, "2 2"],
    t_max: float,
    *,
    t_min: float = 1e-2,
    n_grid: int = 400,
    max_count: int = 4,
    quantity: Literal["difference", "right", "left"] = "difference",
    zero_tol: float = 1e-8,
    n_zoom: int = 3,
    **evolve_kwargs,
) -> FluxReversals:
    """The times at which the heat flux of a `PrethermalJunction` from `rho0` changes sign.

    The flux is (J^R - J^L)/2 by default (right counted positive, left negative, seed 000
    section 6; see the module for why, and for the method and its accuracy).

    Args:
        model: a `qoj.models.PrethermalJunction` (parts "L" and "R").
        rho0: the qubit's state at t = 0.
        t_max: the last time searched.
        t_min: the first nonzero grid time (the grid also holds t = 0).
        n_grid: number of grid times, also the points of every zoom (static).
        max_count: how many reversals are refined and returned (static).
        quantity: "difference" (J^R - J^L)/2, "right" J^R, or "left" -J^L (static).
        zero_tol: on the grid, values with |J| <= zero_tol * w0 sum_nu max_stage Gamma^nu (the
            flux scale, see the module) have no sign.
        n_zoom: zoom rounds per root, each shrinking its bracket by n_grid - 1 (static).
        **evolve_kwargs: passed to `qoj.evolve` (`rtol`, `atol`, `solver`, `max_steps`;
            default solver `diffrax.Kvaerno5()`, as in `model.evolve`).

    Returns:
        A `FluxReversals` (times padded with +inf; no NaN).
    """
    if quantity not in _QUANTITIES:
        raise ValueError(f"quantity must be one of {_QUANTITIES}, got {quantity!r}")
    if n_grid < 3 or max_count < 1 or n_zoom < 0:
        raise ValueError("need n_grid >= 3, max_count >= 1 and n_zoom >= 0")
    evolve_kwargs.setdefault("solver", diffrax.Kvaerno5())
    dtype = real_dtype()
    cdtype = jnp.result_type(dtype, 1j)
    t_min = jnp.asarray(t_min, dtype)
    t_min = ensure(t_min, (t_min <= 0) | (t_min >= t_max), "need 0 < t_min < t_max")
    grid = jnp.concatenate(
        [jnp.zeros(1, dtype), jnp.geomspace(t_min, t_max, n_grid - 1, dtype=dtype)]
    )
    excited = jnp.zeros((2, 2), cdtype).at[0, 0].set(1.0)
    generator = model.generator(frame="rotating")
    # Only the populations matter: the dissipators are phase covariant (see the module), so
    # every sweep, the first one included, starts from the diagonal of the state.
    p0 = jnp.real(jnp.asarray(rho0, cdtype)[0, 0])
    threshold = zero_tol * _flux_scale(model)

    def sweep(t_start, p_start, ts):
        p_start = jnp.clip(p_start, 0.0, 1.0)
        rho = jnp.diag(jnp.stack([p_start, 1.0 - p_start])).astype(cdtype)
        out = evolve(generator, rho, ts, t0=t_start, observables={"p": excited}, **evolve_kwargs)
        currents = {name: out.heat_currents[name] for name in ("L", "R")}
        return _combine(currents, quantity), jnp.real(out.expect["p"]), currents

    def lane(rank):
        # Round 0 sweeps the whole grid (the same in every lane) and picks the rank-th sign
        # change; each later round sweeps n_grid points across the current bracket.
        def round_(r, carry):
            t_lo, t_hi, p_lo, count, on_grid, f_lo, f_hi = carry
            first = r == 0
            ts = jnp.where(first, grid, jnp.linspace(t_lo, t_hi, n_grid))
            flux, p, currents = sweep(jnp.where(first, 0.0, t_lo), jnp.where(first, p0, p_lo), ts)
            flips, prev = _sign_changes(flux, jnp.where(first, threshold, 0.0))
            index = jnp.arange(n_grid)
            order = jnp.argsort(jnp.where(flips, index, n_grid + index))
            pick = order[jnp.where(first, rank, 0)]
            # No sign change in a zoom (the root sits on a bracket end to within the
            # solver's tolerance): keep the bracket.
            found = flips[pick]
            hi = jnp.where(found, pick, n_grid - 1)
            lo = jnp.where(found, prev[pick], n_grid - 2)
            keep = ~first & ~found
            return (
                jnp.where(keep, t_lo, ts[lo]),
                jnp.where(keep, t_hi, ts[hi]),
                jnp.where(keep, p_lo, p[lo]),
                jnp.where(first, jnp.sum(flips), count),
                jax.tree.map(
                    lambda new, old: jnp.where(first, new, old),
                    {"flux": flux, "population": p, **currents},
                    on_grid,
                ),
                jnp.where(keep, f_lo, flux[lo]),
                jnp.where(keep, f_hi, flux[hi]),
            )

        zero = jnp.zeros((), dtype)
        on_grid = {key: jnp.zeros_like(grid) for key in ("flux", "population", "L", "R")}
        init = (zero, zero, zero, jnp.zeros((), int), on_grid, zero, zero)
        t_lo, t_hi, _, count, on_grid, f_lo, f_hi = jax.lax.fori_loop(0, n_zoom + 1, round_, init)
        # The secant through the final bracket's ends.
        step = jnp.where(f_hi != f_lo, f_lo / jnp.where(f_hi != f_lo, f_hi - f_lo, 1.0), 0.0)
        time = jnp.clip(t_lo - step * (t_hi - t_lo), t_lo, t_hi)
        return time, jnp.stack([t_lo, t_hi]), count, on_grid

    times, brackets, counts, on_grid = jax.vmap(lane)(jnp.arange(max_count))
    valid = jnp.arange(max_count) < counts[0]
    return FluxReversals(
        times=jnp.where(valid, times, jnp.inf),
        count=counts[0],
        brackets=jnp.where(valid[:, None], brackets, jnp.inf),
        grid=grid,
        flux=on_grid["flux"][0],
        population=on_grid["population"][0],
        heat_currents={"L": on_grid["L"][0], "R": on_grid["R"][0]},
    )
