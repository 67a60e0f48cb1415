"""The prethermalization time of seed 000 (section 5.1), differentiable by implicit differentiation.

t_pr = t_dep - t_rad, where

- t_rad: the radius r(t) of the ball of accessible states (eq 24) falls below `radius` (10%
  in the paper): the state no longer depends on where it started;
- t_dep: the trace distance (eq 32) between the state evolved from rho_th(beta_I) and
  rho_th(beta_I) itself rises above `distance` (d_pr): the qubit leaves the prethermal state.

Prethermalization is present iff t_rad < t_dep; t_pr is undefined when rho_th(beta_I) and
rho_th(beta_II) are themselves closer than d_pr (they cannot be told apart).

For a qubit T(rho_1, rho_2) = |p_1 - p_2|/2, and the state evolved from rho_th(beta_I) has
p_z = r z_I + c (z_I = -tanh(w0/2T_I)), so the departure distance is |(r - 1) z_I + c|/2.

Crossing times: the first sign change of f(t) on a geometric grid of 128 times, then 60
bisections in log t (both on stop_gradient'ed inputs, so nothing differentiates through the
search), then one Newton step in u = log t on the live inputs,

    u* = u0 - f(u0, theta)/f_u(u0, theta),

whose derivative at the root is the implicit-function one, du*/dtheta = -f_theta/f_u (the
term f d(1/f_u)/dtheta vanishes with f(u0) = 0). So t_pr is differentiable w.r.t. everything
in the environment (couplings, temperatures, cutoffs), w0, `distance` and `radius`, in
forward and reverse mode, under jit and vmap, and never NaN.
"""

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Bool, Float

from .._checks import ensure
from .._crossing import first_crossing
from .._nonequilibrium import NonEquilibriumBath
from .._precision import real_dtype
from ._ball import (
    Environment,
    centre,
    checked_times,
    decay,
    equilibrium_rates,
    frequency,
    thermal_polarisation,
)

_GRID = 128
_BATCH = 16
_BISECTIONS = 60
# Default search window for a NonEquilibriumBath: from 1e-3 of its fastest time scale to 1e3
# of its slowest (1/Gamma_I, 1/Gamma_II, 1/J_II); otherwise t_max * 1e-12 to t_max.
_BEFORE_FASTEST = 1e-3
_AFTER_SLOWEST = 1e3
_SPAN = 1e-12


class PrethermalizationTime(eqx.Module):
    """The result of `prethermalization_time` (seed 000 sec 5.1); every field has the shape of
    the inputs (scalars, or the batch of a vmap).

    Attributes:
        time: t_pr = departure_time - radius_time where `present`, else 0.
        radius_time: t_rad, when the ball radius r(t) first falls below `radius`
            (t_max where not reached by t_max).
        departure_time: t_dep, when the trace distance between the state evolved from
            rho_th(beta_I) and rho_th(beta_I) first exceeds `distance` (t_max where not
            reached by t_max).
        defined: T(rho_th(beta_I), rho_th(beta_II)) > `distance`: otherwise the two Gibbs
            states are indistinguishable at that resolution and t_pr is undefined.
        present: prethermalization happens: `defined`, both crossings reached by t_max,
            and radius_time < departure_time.
        radius_reached, departure_reached: whether each crossing happened before t_max.
    """

    time: Float[Array, "*batch"]
    radius_time: Float[Array, "*batch"]
    departure_time: Float[Array, "*batch"]
    defined: Bool[Array, "*batch"]
    present: Bool[Array, "*batch"]
    radius_reached: Bool[Array, "*batch"]
    departure_reached: Bool[Array, "*batch"]


def _thermal_polarisations(env, w0):
    return (
        thermal_polarisation(env.temperature_I, w0),
        thermal_polarisation(env.temperature_II, w0),
    )


def _departure(env, w0, t):
    """T(rho(t), rho_th(beta_I)) for rho(0) = rho_th(beta_I) (unchecked input)."""
    z_I, _ = _thermal_polarisations(env, w0)
    return jnp.abs(jnp.expm1(-decay(env, w0, t)) * z_I + centre(env, w0, t)) / 2


def thermal_distance(env: Environment, w0: ArrayLike) -> Float[Array, ""]:
    """T(rho_th(beta_I), rho_th(beta_II)) = |tanh(w0/2T_I) - tanh(w0/2T_II)|/2 (seed 000
    eq 32 between the two Gibbs states): the asymptote of `departure_distance` (fig 5, dashed)
    and the abscissa of fig 4. `env` needs `temperature_I` and `temperature_II`."""
    z_I, z_II = _thermal_polarisations(env, frequency(w0))
    return jnp.abs(z_I - z_II) / 2


def departure_distance(env: Environment, w0: ArrayLike, t: ArrayLike) -> Float[Array, "*shape"]:
    """T(rho(t), rho_th(beta_I)) for rho(0) = rho_th(beta_I) (seed 000 eq 32, fig 5).

    = |(r(t) - 1) z_I + c(t)|/2 with z_I = -tanh(w0/2T_I), r = `ball_radius`, c =
    `ball_centre`. It rises from 0 to `thermal_distance` as R_I relaxes to T_II.
    Arguments as `ball_radius`; `env` also needs `temperature_I`.
    """
    return _departure(env, frequency(w0), checked_times(t))


def _open_unit_interval(x, name):
    x = jnp.asarray(x, real_dtype())
    if x.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {x.shape}")
    return ensure(x, ~((x > 0) & (x < 1)), f"{name} must lie in the open interval (0, 1)")


def _window(env, w0, t_max):
    """(t_lo, t_hi): the times between which crossings are searched (see the constants)."""
    if t_max is not None:
        t_max = jnp.asarray(t_max, real_dtype())
        t_max = ensure(
            t_max, ~(jnp.isfinite(t_max) & (t_max > 0)), "t_max must be finite and positive"
        )
    if not isinstance(env, NonEquilibriumBath):
        if t_max is None:
            raise TypeError(
                "prethermalization_time needs t_max for an environment other than "
                f"qoj.NonEquilibriumBath (got {type(env).__name__})"
            )
        return _SPAN * t_max, t_max
    _, gamma_I, gamma_II, j_II = equilibrium_rates(env, w0)
    scales = jnp.stack([gamma_I, gamma_II, j_II])
    fastest = jnp.max(scales)
    fastest = jnp.where(fastest > 0, fastest, 1.0)
    slowest = jnp.min(jnp.where(scales > 0, scales, fastest))
    t_hi = _AFTER_SLOWEST / slowest if t_max is None else t_max
    return jnp.minimum(_BEFORE_FASTEST / fastest, _SPAN * t_hi), t_hi


def _first_crossing(fn, params, t_lo, t_hi):
    """(t, reached): the first time in [t_lo, t_hi] where fn(params, t) turns positive.

    `qoj._crossing.first_crossing` in u = log t on a geometric grid, with one extra point
    1e-6 t_lo before it (where both crossing functions are negative: the radius starts at 1
    and the distance at 0), so that a crossing before t_lo is found too. t = t_hi where not
    reached.
    """
    grid = jnp.linspace(jnp.log(t_lo), jnp.log(t_hi), _GRID)
    grid = jnp.concatenate([grid[:1] - 14.0, grid])
    u, reached = first_crossing(
        lambda u: fn(params, jnp.exp(u)), grid, n_bisect=_BISECTIONS, batch_size=_BATCH
    )
    return jnp.where(reached, jnp.exp(u), t_hi), reached


def _radius_crossing(params, t):
    env, w0, log_radius = params
    return log_radius + decay(env, w0, t)


def _departure_crossing(params, t):
    env, w0, distance = params
    return _departure(env, w0, t) - distance


def prethermalization_time(
    env: Environment,
    w0: ArrayLike,
    *,
    distance: ArrayLike = 1e-2,
    radius: ArrayLike = 0.1,
    t_max: ArrayLike | None = None,
) -> PrethermalizationTime:
    """The prethermalization time t_pr of seed 000 (section 5.1, figs 4-6).

    t_pr = t_dep - t_rad: t_rad is when the ball radius r(t) (eq 24) falls below `radius`,
    t_dep when the trace distance (eq 32) between the state evolved from rho_th(beta_I) and
    rho_th(beta_I) exceeds `distance` (d_pr). Prethermalization is present iff t_rad < t_dep,
    and t_pr is undefined if T(rho_th(beta_I), rho_th(beta_II)) <= d_pr. See the module
    docstring for the root finding and its (implicit) derivatives.

    `radius` bounds the z semi-axis r, as in the paper; the transverse semi-axis is sqrt(r)
    (`ball_radius`), so `radius=0.01` asks every state to be within 0.1 of the centre.

    For R_II weakly coupled (condition 30, `prethermal_condition` >> 1) the qubit follows the
    instantaneous Gibbs state of R_I's occupation n(t) = n_I e^{-J_II t} + n_II (1 - e^{-J_II
    t}), so t_dep J_II(w0) -> ln((n_II - n_I)/(n_II - n*)) with n* the occupation whose Gibbs
    polarisation -1/(2 n* + 1) lies 2 d_pr from z_I towards z_II; t_rad and the lag of the
    state behind n(t) stay O(1/Gamma), hence t_pr ~ 1/g_II (fig 6). For fig 2 (w0 = 1,
    beta_I = 1, beta_II = 0.1, s = 1, cutoffs 10) and d_pr = 1e-2, t_pr g_II -> 6.0766e-3
    (6.0765e-3 at g_II = 1e-9, 6.008e-3 at g_II = 1e-6).

    Arguments:
        env: a `qoj.NonEquilibriumBath`, or any object with `rates(t, w0)`, `temperature_I`
            and `temperature_II` (then `t_max` is required).
        w0: the qubit frequency (> 0).
        distance: d_pr in (0, 1).
        radius: the radius threshold in (0, 1).
        t_max: the latest time searched (default, for a NonEquilibriumBath, 1e3 times its
            slowest time scale: 1/J_II(w0), 1/Gamma_I or 1/Gamma_II).

    Returns a `PrethermalizationTime` (time = 0 and `present` False where undefined or
    absent; the flags say which).
    """
    w0 = frequency(w0)
    distance = _open_unit_interval(distance, "distance")
    radius = _open_unit_interval(radius, "radius")
    t_lo, t_hi = _window(env, w0, t_max)
    return _prethermalization_time(env, w0, distance, radius, t_lo, t_hi)


@eqx.filter_jit
def _prethermalization_time(env, w0, distance, radius, t_lo, t_hi):
    t_rad, rad_reached = _first_crossing(_radius_crossing, (env, w0, jnp.log(radius)), t_lo, t_hi)
    t_dep, dep_reached = _first_crossing(_departure_crossing, (env, w0, distance), t_lo, t_hi)
    defined = thermal_distance(env, w0) > distance
    present = defined & rad_reached & dep_reached & (t_rad < t_dep)
    return PrethermalizationTime(
        time=jnp.where(present, t_dep - t_rad, 0.0),
        radius_time=t_rad,
        departure_time=t_dep,
        defined=defined,
        present=present,
        radius_reached=rad_reached,
        departure_reached=dep_reached,
    )
