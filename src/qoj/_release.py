"""Energy release times (seed 001, sec. V B, figs 4a and 6a).

The release time tau_p is the first time at which the cumulative released heat reaches p% of
its total,

    Q(tau_p) = (p / 100) Q(inf),   0 < p < 100,

with Q(t) = int_0^t J(t') dt' = U(0) - U(t) the energy the system has given to the reservoir
by time t (the seed's "released" sign, i.e. minus qoj's heat into the system).

`release_time` solves this for any cumulative heat Q(t) (monotone or not: the FIRST crossing
counts). The root is bracketed on a uniform grid of [0, t_max], refined by bisection on
stop-gradient values, and finished by one differentiable Newton step (`qoj._crossing`)

    tau = t0 - (Q(t0) - q_p) / Q'(t0),     q_p = (p / 100) Q(inf),

so that derivatives follow the implicit function theorem, d tau / d theta =
-(dQ/d theta - d q_p / d theta) / (dQ/dt) at the root, for any parameter theta that Q or
Q(inf) depend on (closed over or passed in). Everything is jit/vmap-able with fixed
iteration counts.

Closed forms for the two seed models (u = gamma t):

Cascaded oscillators (eq 31 initial state, N_S -> N_S - N =: delta, s = C13(0) + C24(0)):
integrating J^(c) = omega gamma e^{-u} [delta (1 + (1 - u)^2) + (1 - u) s] (eqs 26-34,
released sign),

    Q(t) = omega [delta (2 - (2 + u^2) e^{-u}) + s u e^{-u}],   Q(inf) = 2 omega delta.

Cascaded qubits at T = 0 (xi = 1), from any initial state with P_i = <sigma_i+ sigma_i->(0),
Q_ee = <ee|rho|ee>, X = Re <eg|rho|ge> (`CascadedQubits.zero_temperature_heat_currents`),
integrating J1 + J2 + J12 (released sign),

    Q(t) = omega [P1 (1 - (1 + u^2) e^{-u}) + P2 (1 - e^{-u}) + 2 X u e^{-u}
                  + 4 Q_ee ((u - 1) e^{-u} + e^{-2u})],   Q(inf) = omega (P1 + P2).

For the eq-41 state: P_i = (1 - xi_S)/2, Q_ee = P_i^2, X = Re[rho_23(0)]/4 (the seed's
rho_23 is the entry before the overall 1/4 of eq 41).
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from ._checks import ensure
from ._crossing import first_crossing
from ._precision import real_dtype

__all__ = [
    "cascade_release_time",
    "cascade_released_heat",
    "qubit_release_time",
    "qubit_released_heat",
    "release_time",
]


def _percentage(p) -> Array:
    p = jnp.asarray(p, real_dtype())
    return ensure(
        p,
        ~((p > 0) & (p < 100)),
        "p must be a percentage strictly between 0 and 100 (Q(tau_p) = p% of Q(inf))",
    )


def release_time(
    released: Callable[[Array], Array],
    total: Float[ArrayLike, ""],
    p: Float[ArrayLike, ""],
    t_max: Float[ArrayLike, ""],
    *,
    n_grid: int = 512,
    n_bisect: int = 64,
) -> Float[Array, ""]:
    """First time tau in [0, t_max] with released(tau) = (p/100) total.

    Args:
        released: Q(t), the cumulative released heat, a scalar function of a scalar time
            (it may close over traced parameters: derivatives with respect to them come out
            by the implicit function theorem).
        total: Q(inf).
        p: the percentage, 0 < p < 100 (ValueError for concrete values outside, an
            `equinox.error_if` check under jit/vmap).
        t_max: end of the search interval (> 0).
        n_grid: points of the uniform bracketing grid on [0, t_max]; a crossing and
            re-crossing within one grid cell is missed.
        n_bisect: bisection steps inside the bracketing cell (64 reach round-off in double).

    Returns:
        tau_p; `inf` (with zero derivative) when Q never reaches the target in [0, t_max].
        If Q'(tau) vanishes (a tangential crossing) the Newton step is skipped and the
        derivative is zero instead of NaN.
    """
    p = _percentage(p)
    t_max = jnp.asarray(t_max, real_dtype())
    total = jnp.asarray(total, real_dtype())
    target = p / 100 * total

    def h(t):
        return jnp.asarray(released(t), real_dtype()) - target

    grid = jnp.linspace(0.0, 1.0, n_grid, dtype=real_dtype()) * t_max
    tau, found = first_crossing(h, grid, n_bisect=n_bisect)
    return jnp.where(found, tau, jnp.inf)


def cascade_released_heat(
    t: Float[ArrayLike, "..."],
    *,
    gamma: Float[ArrayLike, ""],
    initial_occupation: Float[ArrayLike, ""],
    occupation: Float[ArrayLike, ""] = 0.0,
    c13: Float[ArrayLike, ""] = 0.0,
    c24: Float[ArrayLike, ""] = 0.0,
    omega: Float[ArrayLike, ""] = 1.0,
) -> Array:
    """Q(t) = U(0) - U(t) of the cascaded oscillators from the eq-31 state (module docstring):
    omega [delta (2 - (2 + u^2) e^{-u}) + s u e^{-u}], u = gamma t, delta = N_S - N,
    s = C13 + C24. Elementwise over t; Q(inf) = 2 omega delta."""
    rd = real_dtype()
    u = jnp.asarray(gamma, rd) * jnp.asarray(t, rd)
    delta = jnp.asarray(initial_occupation, rd) - jnp.asarray(occupation, rd)
    s = jnp.asarray(c13, rd) + jnp.asarray(c24, rd)
    decay = jnp.exp(-u)
    return jnp.asarray(omega, rd) * (delta * (2 - (2 + u**2) * decay) + s * u * decay)


def cascade_release_time(
    p: Float[ArrayLike, ""],
    *,
    gamma: Float[ArrayLike, ""],
    initial_occupation: Float[ArrayLike, ""],
    occupation: Float[ArrayLike, ""] = 0.0,
    c13: Float[ArrayLike, ""] = 0.0,
    c24: Float[ArrayLike, ""] = 0.0,
    omega: Float[ArrayLike, ""] = 1.0,
    gamma_t_max: float = 60.0,
) -> Float[Array, ""]:
    """tau_p of the cascaded oscillators (seed 001 fig 4a plots gamma tau_p vs C13 + C24),
    searched in gamma t in [0, gamma_t_max]. Differentiable in every parameter."""
    kwargs = dict(
        gamma=gamma,
        initial_occupation=initial_occupation,
        occupation=occupation,
        c13=c13,
        c24=c24,
        omega=omega,
    )
    total = (
        2
        * jnp.asarray(omega, real_dtype())
        * (jnp.asarray(initial_occupation, real_dtype()) - jnp.asarray(occupation, real_dtype()))
    )
    t_max = gamma_t_max / jax.lax.stop_gradient(jnp.asarray(gamma, real_dtype()))
    return release_time(lambda t: cascade_released_heat(t, **kwargs), total, p, t_max)


def qubit_released_heat(
    t: Float[ArrayLike, "..."],
    *,
    gamma: Float[ArrayLike, ""],
    xi_s: Float[ArrayLike, ""],
    re_rho23: Float[ArrayLike, ""] = 0.0,
    omega: Float[ArrayLike, ""] = 1.0,
) -> Array:
    """Q(t) = U(0) - U(t) of the cascaded qubits (reservoir at T = 0) from the eq-41 state
    with local xi_S and the seed's Re[rho_23(0)] (= 4 Re<eg|rho|ge>); module docstring.
    Elementwise over t; Q(inf) = omega (1 - xi_S)."""
    rd = real_dtype()
    u = jnp.asarray(gamma, rd) * jnp.asarray(t, rd)
    p1 = (1 - jnp.asarray(xi_s, rd)) / 2
    q = p1**2
    x = jnp.asarray(re_rho23, rd) / 4
    decay = jnp.exp(-u)
    return jnp.asarray(omega, rd) * (
        p1 * (1 - (1 + u**2) * decay)
        + p1 * (1 - decay)
        + 2 * x * u * decay
        + 4 * q * ((u - 1) * decay + decay**2)
    )


def qubit_release_time(
    p: Float[ArrayLike, ""],
    *,
    gamma: Float[ArrayLike, ""],
    xi_s: Float[ArrayLike, ""],
    re_rho23: Float[ArrayLike, ""] = 0.0,
    omega: Float[ArrayLike, ""] = 1.0,
    gamma_t_max: float = 60.0,
) -> Float[Array, ""]:
    """tau_p of the cascaded qubits at T = 0 (seed 001 fig 6a plots gamma tau_p vs
    Re[rho_23(0)]), searched in gamma t in [0, gamma_t_max]. Differentiable."""
    total = jnp.asarray(omega, real_dtype()) * (1 - jnp.asarray(xi_s, real_dtype()))
    t_max = gamma_t_max / jax.lax.stop_gradient(jnp.asarray(gamma, real_dtype()))
    return release_time(
        lambda t: qubit_released_heat(t, gamma=gamma, xi_s=xi_s, re_rho23=re_rho23, omega=omega),
        total,
        p,
        t_max,
    )
