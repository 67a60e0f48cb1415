"""Two harmonic oscillators dissipating in cascade into one thermal reservoir (seed 001).

The generator of eqs 1-5 (H = omega (a_1^dag a_1 + a_2^dag a_2), hbar = 1) is

    L1 + L2 + D12,   L_i = gamma (N+1) D[a_i] + gamma N D[a_i^dag]                      (eq 4)
    D12 rho = gamma (N+1) (a_1 [rho, a_2^dag] + [a_2, rho] a_1^dag)
            + gamma N (a_1^dag [rho, a_2] + [a_2^dag, rho] a_1)                          (eq 5)

with D[L] rho = L rho L^dag - {L^dag L, rho}/2. Collecting the cross terms of collective jump
operators gives Gardiner's cascaded form (verified on random density matrices in Fock space in
tests/test_gaussian.py, to round-off):

    L1 + L2 + D12 = gamma (N+1) D[a_1 + a_2] + gamma N D[a_1^dag + a_2^dag] - i [H_c, .],
    H_c = (i gamma / 2) (a_1^dag a_2 - a_2^dag a_1)       (independent of N).

`cascaded_oscillators` builds the parts from this identity with the general builder of
`_quadratic.py`, D12 = (collective dissipator + H_c) - L1 - L2, and so derives the seed's
eqs B1-B3 (rotating frame):

    A = -gamma [[1/2, 0, 0, 0], [0, 1/2, 0, 0], [1, 0, 1/2, 0], [0, 1, 0, 1/2]],
    M = gamma (N + 1/2) [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]].

Closed forms (sec V; N = 0 in the paper's sec V B, any N here, with N_S -> N_S - N): for the
initial state of eq 31 (C_ii = N_S + 1/2, correlations C13, C24; C13 = C24 = 0 is the thermal
state of sec V A), with delta = N_S - N, s = C13(0) + C24(0), u = gamma t, in the seed's sign
(energy flowing from S into the reservoir):

    J1 = omega gamma delta e^{-u}                                         (eq 26)
    J2 = (1 + u^2) J1 - omega gamma u s e^{-u}                            (eqs 27, 32)
    J12 = -2 u J1 + omega gamma s e^{-u}                                  (eqs 27, 33)
    J2^(c) = J2 + J12 = (1 - u)^2 J1 + omega gamma (1 - u) s e^{-u}       (eqs 28, 34)
    J^(c) = J1 + J2^(c),   J^(ind) = 2 J1                                (eqs 29, 30, 18)

J^(c) is stationary at u1 = 2 and u2 = 2 (1 + s/(2 delta)) (eq 35), with J^(c)(0) =
omega gamma (2 delta + s), J^(c)(u1) = omega gamma (2 delta - s) e^{-2} and J^(c)(u2) =
omega gamma (2 delta + s) e^{-(2 delta + s)/delta} (eqs 36-38). The functions below return
qoj's sign (energy into the system), i.e. minus the seed's J's; times are unaffected.
"""

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from .._checks import finite, nonnegative
from .._precision import complex_dtype, real_dtype
from ._quadratic import GaussianSystem, dissipator, system


def cascaded_oscillators(
    omega: Float[ArrayLike, ""],
    gamma: Float[ArrayLike, ""],
    occupation: Float[ArrayLike, ""],
    *,
    rotating_frame: bool = False,
) -> GaussianSystem:
    """The seed 001's cascaded oscillators (eqs 3-5) as a `GaussianSystem`.

    Parts follow qoj's cascaded models: "1" = L1, "2" = L2, "cascade" = D12, so that
    `heat_currents(sys, C)` gives J1, J2, J12 (eqs 13-14, 20-22, with qoj's sign: minus the
    seed's) and `sys.restricted(["1", "2"])` is the independent model L(ind) (fig 1b).

    Args:
        omega: the oscillators' frequency.
        gamma: the relaxation rate of each oscillator alone.
        occupation: the reservoir's N = 1/(e^{omega/T} - 1).
        rotating_frame: drop the free rotation from the drift (the seed's eq B1 is written in
            this frame; heat currents are the same in both frames).
    """
    omega = finite(jnp.asarray(omega, real_dtype()), "omega")
    gamma = nonnegative(gamma, "gamma")
    n = nonnegative(occupation, "occupation")
    e1 = jnp.asarray([1.0, 0.0], complex_dtype())
    e2 = jnp.asarray([0.0, 1.0], complex_dtype())
    local1 = dissipator([(gamma * (n + 1), e1, None), (gamma * n, None, e1)])
    local2 = dissipator([(gamma * (n + 1), e2, None), (gamma * n, None, e2)])
    h_c = 0.5j * gamma * jnp.asarray([[0.0, 1.0], [-1.0, 0.0]], complex_dtype())
    collective = dissipator(
        [(gamma * (n + 1), e1 + e2, None), (gamma * n, None, e1 + e2)], hamiltonian=h_c
    )
    parts = {"1": local1, "2": local2, "cascade": collective - local1 - local2}
    h = omega * jnp.eye(2, dtype=complex_dtype())
    return system(h, parts, rotating_frame=rotating_frame)


def cascade_heat_currents(
    t: Float[ArrayLike, "..."],
    *,
    gamma: Float[ArrayLike, ""],
    initial_occupation: Float[ArrayLike, ""],
    occupation: Float[ArrayLike, ""] = 0.0,
    c13: Float[ArrayLike, ""] = 0.0,
    c24: Float[ArrayLike, ""] = 0.0,
    omega: Float[ArrayLike, ""] = 1.0,
) -> dict[str, Array]:
    """Closed-form heat currents of the cascaded oscillators (seed 001, eqs 26-30, 32-34).

    From the initial state of eq 31 (`correlated_thermal_covariance(initial_occupation, c13,
    c24)`, thermal for c13 = c24 = 0), in qoj's sign (into the system; the seed's J's are
    minus these). See the module docstring for the formulas.

    Returns:
        `{"1": J1, "2": J2, "cascade": J12, "S2": J2^(c) = J2 + J12, "total": J^(c),
        "independent": J^(ind) = 2 J1}`, each shaped like `t`.
    """
    t = jnp.asarray(t, real_dtype())
    gamma = jnp.asarray(gamma, real_dtype())
    delta = jnp.asarray(initial_occupation, real_dtype()) - jnp.asarray(occupation, real_dtype())
    s = jnp.asarray(c13, real_dtype()) + jnp.asarray(c24, real_dtype())
    scale = -jnp.asarray(omega, real_dtype()) * gamma
    u = gamma * t
    decay = jnp.exp(-u)
    j1 = scale * delta * decay
    j2 = (1 + u**2) * j1 - scale * u * s * decay
    j12 = -2 * u * j1 + scale * s * decay
    return {
        "1": j1,
        "2": j2,
        "cascade": j12,
        "S2": j2 + j12,
        "total": j1 + j2 + j12,
        "independent": 2 * j1,
    }


def cascade_extrema(
    *,
    gamma: Float[ArrayLike, ""],
    initial_occupation: Float[ArrayLike, ""],
    occupation: Float[ArrayLike, ""] = 0.0,
    c13: Float[ArrayLike, ""] = 0.0,
    c24: Float[ArrayLike, ""] = 0.0,
    omega: Float[ArrayLike, ""] = 1.0,
) -> dict[str, Array]:
    """Stationary points of the total cascaded heat current J^(c)(t) (seed 001, eqs 35-38).

        t1 = 2/gamma,   t2 = (2/gamma)(1 + s/(2 delta)),   s = C13 + C24,  delta = N_S - N,
        J^(c)(0) = -omega gamma (2 delta + s),   J^(c)(t1) = -omega gamma (2 delta - s) e^{-2},
        J^(c)(t2) = -omega gamma (2 delta + s) e^{-(2 delta + s)/delta}

    (qoj's sign: minus the seed's; the seed has N = 0.) For s = 0 the two points merge into an
    inflection point.

    Returns:
        `{"t1", "t2", "J0", "J_t1", "J_t2"}`.
    """
    gamma = jnp.asarray(gamma, real_dtype())
    delta = jnp.asarray(initial_occupation, real_dtype()) - jnp.asarray(occupation, real_dtype())
    s = jnp.asarray(c13, real_dtype()) + jnp.asarray(c24, real_dtype())
    scale = -jnp.asarray(omega, real_dtype()) * gamma
    return {
        "t1": 2 / gamma,
        "t2": (2 / gamma) * (1 + s / (2 * delta)),
        "J0": scale * (2 * delta + s),
        "J_t1": scale * (2 * delta - s) * jnp.exp(-2.0),
        "J_t2": scale * (2 * delta + s) * jnp.exp(-(2 * delta + s) / delta),
    }
