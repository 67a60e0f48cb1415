"""The ball of accessible states of a qubit in a non-equilibrium environment (seed 000, sec 5).

The canonical master equation of seed 000 (eqs 14, A1, A4-A6),

    d rho/dt = -i [Omega(t) sigma_z/2, rho] + gamma_+(t) D[sigma_+] rho + gamma_-(t) D[sigma_-] rho,

with D[L] rho = L rho L^dag - {L^dag L, rho}/2, moves the polarisation vector p (rho =
(1 + p.sigma)/2, basis index 0 = |e> = |+>) as

    dp_z/dt = (gamma_+ - gamma_-) - Gamma(t) p_z,
    d(p_x - i p_y)/dt = -(i Omega + Gamma/2)(p_x - i p_y),

Gamma = gamma_+ + gamma_-. Hence, with Gamma~(t) = int_0^t Gamma and Omega~(t) = int_0^t Omega,

    p(t) = (sqrt(r) R(Omega~) (p_x, p_y), r p_z + c),    r(t) = e^{-Gamma~(t)},
    c(t) = int_0^t e^{-(Gamma~(t) - Gamma~(t'))} (gamma_+ - gamma_-)(t') dt'          (eq 23).

The paper's eq 21 applies r to all three components ("isotropically contracted"), and its
eq A7 has the coherence decaying at gamma_+ + gamma_-. Both contradict its own eqs A1 and 14:
D[sigma_+] and D[sigma_-] damp |e><g| at gamma_+/2 and gamma_-/2 (the usual T2 = 2 T1 of
amplitude damping; a dephasing channel is absent, gamma_3 = 0 in A1). So the set of
accessible states is a spheroid, not a ball: semi-axis r(t) along z and sqrt(r(t)) across,
centred at (0, 0, c(t)). `ball_radius` is the paper's r (eq 24), the semi-axis along z, which
alone governs the populations (rho_++ = (1 + p_z)/2, figs 2-3) and the trace distances of
sec 5.1; every state lies within sqrt(r) of the centre. `polarisation` evolves all three
components correctly. (Checked against a direct solution of the 2x2 Lindblad equation in
tests/test_prethermal.py.)

Environments: any object with `rates(t, w0) -> (gamma_+(t), gamma_-(t))` elementwise in t
(and `frequency_shift(t, w0)` for `polarisation`). Then Gamma~ and c are integrated
numerically over the lag t - t' (`qoj._lag_quadrature`). For a `qoj.NonEquilibriumBath` with
`rates="approximate"` (eqs 19-20) the closed forms below are used instead. With
Gamma_i = J_I(w0)(2 n_i(w0) + 1), J = J_II(w0) and gamma_+ - gamma_- = -J_I(w0) at all times,

    Gamma~(t) = Gamma_II t + (Gamma_I - Gamma_II)(1 - e^{-J t})/J                      (eq 24),
    c(t) = -J_I int_0^t exp(-Gamma_II tau - (Gamma_I - Gamma_II) e^{-J(t-tau)} S(tau)) dtau,

S(tau) = (1 - e^{-J tau})/J.

The second is eq 26 in the lag tau = t - t'. Appendix F writes it as (F5, F6)

    c = (J_I/J) (A eps)^B e^{A eps} int_A^{A eps} x^{-B-1} e^{-x} dx
      = (J_I/J) (A eps)^B e^{A eps} [Gamma(-B, A) - Gamma(-B, A eps)],

eps = e^{-J t}, A = 2(n_I - n_II) J_I/J, B = (2 n_II + 1) J_I/J. For T_II > T_I (fig 2) A < 0
and x^{-B-1} is not real, and B ~ 1e3-1e7 makes the incomplete gammas over- or underflow.
With x = A eps (1 + s) F5 becomes the real integral

    c = -(J_I/J) int_0^{e^{J t} - 1} e^{-A eps s} (1 + s)^{-B-1} ds,

valid for either sign of A, and s = e^{J tau} - 1 turns it into the lag integral above, whose
integrand lies in (0, 1] and decreases monotonically; `qoj._lag_quadrature` gets it
to a few 1e-16 relative. (For A > 0 it equals F6; for A < 0 it is the real part of F6's
continuation: the branch factors of the two incomplete gammas cancel. Both checked with mpmath
in the tests.)
"""

from typing import Protocol, runtime_checkable

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from .. import _lag_quadrature
from .._checks import ensure, finite, nonnegative
from .._nonequilibrium import NonEquilibriumBath, saturation
from .._precision import real_dtype


@runtime_checkable
class Environment(Protocol):
    """What the ball needs of an environment: its canonical rates (gamma_+, gamma_-) at the
    qubit frequency w0, elementwise over an array of times t."""

    def rates(self, t, w0) -> tuple[Array, Array]: ...


def frequency(w0: ArrayLike) -> Float[Array, ""]:
    """The qubit frequency w0 as a checked real scalar (finite, > 0)."""
    w0 = finite(jnp.asarray(w0, real_dtype()), "w0")
    if w0.ndim != 0:
        raise ValueError(f"w0 must be a scalar, got shape {w0.shape} (use jax.vmap for a batch)")
    return ensure(w0, w0 <= 0, "w0 must be positive (the qubit frequency)")


def checked_times(t: ArrayLike) -> Float[Array, "*shape"]:
    """Times t as a checked real array (finite, >= 0)."""
    return nonnegative(t, "t")


def _is_approximate(env) -> bool:
    return isinstance(env, NonEquilibriumBath) and env.rate_model == "approximate"


def equilibrium_rates(env, w0) -> tuple[Float[Array, ""], ...]:
    """(J_I(w0), Gamma_I, Gamma_II, J_II(w0)) with Gamma_i = J_I(w0)(2 n_i(w0) + 1): the
    short- and long-time limits of gamma_+ + gamma_- in eqs 19-20, and the crossover rate."""
    initial, final = env.system_baths()
    total = [bath.emission_rate(w0) + bath.absorption_rate(w0) for bath in (initial, final)]
    return env.spectrum_I(w0), total[0], total[1], env.relaxation_rate(w0)


def decay(env, w0, t):
    """Gamma~(t) = int_0^t (gamma_+ + gamma_-), so r(t) = e^{-Gamma~(t)} (unchecked input)."""
    if _is_approximate(env):
        _, gamma_I, gamma_II, j_II = equilibrium_rates(env, w0)
        return gamma_II * t + (gamma_I - gamma_II) * saturation(j_II, t)
    tau, weights = _lag_quadrature.lag_nodes(t)
    up, down = env.rates(t[..., None, None] - tau, w0)
    return jnp.sum(weights * (up + down), axis=(-2, -1))


def centre(env, w0, t):
    """c(t) of eq 23 (unchecked input): see the module docstring."""
    tau, weights = _lag_quadrature.lag_nodes(t)
    if _is_approximate(env):
        j_I, gamma_I, gamma_II, j_II = equilibrium_rates(env, w0)
        memory = jnp.exp(-j_II * (t[..., None, None] - tau)) * saturation(j_II, tau)
        exponent = gamma_II * tau + (gamma_I - gamma_II) * memory
        return -j_I * jnp.sum(weights * jnp.exp(-exponent), axis=(-2, -1))
    up, down = env.rates(t[..., None, None] - tau, w0)
    exponent = _lag_quadrature.cumulative(t, up + down)
    return jnp.sum(weights * jnp.exp(-exponent) * (up - down), axis=(-2, -1))


def _rotation_angle(env, w0, t):
    """Omega~(t) = int_0^t (w0 + Delta w(t')) dt'."""
    if isinstance(env, NonEquilibriumBath):
        return w0 * t + env.accumulated_shift(t, w0)
    return w0 * t + _lag_quadrature.integral(lambda s: env.frequency_shift(s, w0), t)


def ball_radius(env: Environment, w0: ArrayLike, t: ArrayLike) -> Float[Array, "*shape"]:
    """The radius r(t) = e^{-Gamma~(t)} of the ball of accessible states (seed 000 eqs 21, 24).

    Gamma~(t) = int_0^t (gamma_+(t') + gamma_-(t')) dt'. For the approximate rates (eqs 19-20)
    this is eq 24, r(t) = e^{-(2 n_II + 1) J_I t} exp(2 (n_II - n_I)(J_I/J_II)(1 - e^{-J_II t}))
    (J_i, n_i at w0), which for J_II t -> 0 is eq 25, e^{-(2 n_I + 1) J_I t}; otherwise
    Gamma~ is integrated numerically. r is the semi-axis along z; the accessible set is a
    spheroid with transverse semi-axis sqrt(r) (the paper's isotropic ball, eq 21, is not
    right: see the module docstring).

    Arguments: `env` (a `qoj.NonEquilibriumBath` or any object with `rates(t, w0)`), the qubit
    frequency `w0` > 0, times `t` >= 0 (any shape). Returns r, shaped like t.
    """
    w0 = frequency(w0)
    return jnp.exp(-decay(env, w0, checked_times(t)))


def ball_centre(env: Environment, w0: ArrayLike, t: ArrayLike) -> Float[Array, "*shape"]:
    """The z-coordinate c(t) of the centre of the ball of accessible states (seed 000 eq 23).

    c(t) = int_0^t e^{-(Gamma~(t) - Gamma~(t'))} (gamma_+(t') - gamma_-(t')) dt': the
    polarisation reached from the maximally mixed state. For the approximate rates this is
    eq 26, c = -J_I int_0^t e^{-(Gamma~(t) - Gamma~(t'))} dt', evaluated in the real form of
    F5 that holds for both signs of A = 2(n_I - n_II) J_I/J_II (module docstring); c goes from
    0 through -1/(2 n_I + 1) (eq 29, if eq 30 holds) to -1/(2 n_II + 1) (eq 31).

    Arguments as `ball_radius`. Returns c, shaped like t.
    """
    w0 = frequency(w0)
    return centre(env, w0, checked_times(t))


def polarisation(
    env: Environment, w0: ArrayLike, t: ArrayLike, p0: ArrayLike
) -> Float[Array, "... 3"]:
    """The polarisation p(t) reached from initial polarisations p0 (seed 000 eqs 21-23).

    p(t) = (sqrt(r) R(Omega~) (p0_x, p0_y), r p0_z + c), with r = `ball_radius`, c =
    `ball_centre` and R the rotation about z by Omega~(t) = int_0^t Omega (eq 22; Omega = w0 +
    `frequency_shift`). Eq 21 as printed scales the transverse components by r too; they shrink
    by sqrt(r) (module docstring). rho(t) = (1 + p(t).sigma)/2; rho_++ = (1 + p_z)/2.

    Arguments: as `ball_radius` (`env` also needs `frequency_shift(t, w0)`), and Bloch vectors
    `p0` of shape (*batch, 3) with |p0| <= 1. Returns shape t.shape + p0.shape.
    """
    w0 = frequency(w0)
    t = checked_times(t)
    p0 = finite(jnp.asarray(p0, real_dtype()), "p0")
    if p0.ndim == 0 or p0.shape[-1] != 3:
        raise ValueError(f"p0 must have shape (..., 3) (Bloch vectors), got {p0.shape}")
    norm = jnp.sqrt(jnp.sum(p0**2, axis=-1))
    p0 = ensure(p0, norm > 1 + 1e-12, "p0 must be Bloch vectors, |p0| <= 1")
    log_r = -decay(env, w0, t)
    angle = _rotation_angle(env, w0, t)
    c = centre(env, w0, t)
    times = t.shape + (1,) * (p0.ndim - 1)
    states = (1,) * t.ndim + p0.shape[:-1]
    x, y, z = (p0[..., k].reshape(states) for k in range(3))
    cos, sin, transverse = (
        v.reshape(times) for v in (jnp.cos(angle), jnp.sin(angle), jnp.exp(log_r / 2))
    )
    return jnp.stack(
        [
            transverse * (cos * x - sin * y),
            transverse * (sin * x + cos * y),
            jnp.exp(log_r).reshape(times) * z + c.reshape(times),
        ],
        axis=-1,
    )


def thermal_polarisation(temperature, w0):
    """p_z of the Gibbs state at `temperature`: -tanh(w0/2T) = -1/(2 n(w0) + 1); -1 at T = 0."""
    positive = temperature > 0
    x = jnp.where(positive, w0 / (2 * jnp.where(positive, temperature, 1.0)), 1.0)
    return jnp.where(positive, -jnp.tanh(x), -1.0)


def short_time_centre(
    env: NonEquilibriumBath, w0: ArrayLike, t: ArrayLike
) -> Float[Array, "*shape"]:
    """The centre while J_II(w0) t << 1 (seed 000 eq 27): (e^{-Gamma_I t} - 1)/(2 n_I + 1).

    Gamma_I = J_I(w0)(2 n_I(w0) + 1): R_I alone, at T_I. For Gamma_I t << 1 it is
    -J_I(w0) t (eq 28); for Gamma_I t >> 1 it is `prethermal_centre` (eq 29).
    Arguments as `ball_radius` (needs a `qoj.NonEquilibriumBath`).
    """
    w0 = frequency(w0)
    j_I, gamma_I, _, _ = equilibrium_rates(env, w0)
    return -j_I * saturation(gamma_I, checked_times(t))


def prethermal_centre(env: NonEquilibriumBath, w0: ArrayLike) -> Float[Array, ""]:
    """The prethermal centre (seed 000 eq 29): -1/(2 n_I(w0) + 1) = -tanh(w0/2T_I), the
    polarisation of the Gibbs state at T_I, reached for 1/Gamma_I << t << 1/J_II(w0)."""
    return thermal_polarisation(env.temperature_I, frequency(w0))


def long_time_centre(env: NonEquilibriumBath, w0: ArrayLike) -> Float[Array, ""]:
    """The asymptotic centre (seed 000 eq 31, appendix F): -1/(2 n_II(w0) + 1) =
    -tanh(w0/2T_II), the polarisation of the Gibbs state at T_II (appendix E, eq E2:
    rho_++ -> e^{-w0/2T_II}/(2 cosh(w0/2T_II)))."""
    return thermal_polarisation(env.temperature_II, frequency(w0))


def prethermal_condition(env: NonEquilibriumBath, w0: ArrayLike) -> Float[Array, ""]:
    """J_I(w0)(2 n_I(w0) + 1)/J_II(w0): condition (30) of seed 000 asks it to be >> 1.

    Then the ball shrinks (at Gamma_I) onto the Gibbs state at T_I long before R_I relaxes
    (at J_II) towards T_II, so the qubit can prethermalize. inf if J_II(w0) = 0 < Gamma_I
    (and 0 if both vanish).
    """
    w0 = frequency(w0)
    _, gamma_I, _, j_II = equilibrium_rates(env, w0)
    positive = j_II > 0
    ratio = gamma_I / jnp.where(positive, j_II, 1.0)
    return jnp.where(positive, ratio, jnp.where(gamma_I > 0, jnp.inf, 0.0))
