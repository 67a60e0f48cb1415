"""Moments in time: Lyapunov steady states, closed-form evolution, energies and heat currents.

For a constant generator (d<r>/dt = A <r> + b, dC/dt = A C + C A^T + M, `_quadratic.py`)

    C(t) = e^{At} (C_0 - X) e^{A^T t} + X,    A X + X A^T + M = 0,
    <r>(t) = e^{At} (<r>_0 - m) + m,          A m + b = 0,

exactly (differentiate). X is the steady state when A is stable (Hurwitz); the formula itself
needs only that the Lyapunov equation be solvable (no two eigenvalues of A sum to zero). It is
solved by vectorisation: with row-major vec, vec(A X) = (A (x) 1) vec X and
vec(X A^T) = (1 (x) A) vec X, so (A (x) 1 + 1 (x) A) vec X = -vec M, a dense (2n)^2 system
(`jnp.linalg.solve`; fine for n up to ~15 modes). For drifts without a solvable Lyapunov
equation (closed systems), `method="van_loan"` uses Van Loan's block exponential
exp([[-A, M], [0, A^T]] t) = [[., F^-1 Q], [0, F^T]], C(t) = F C_0 F^T + Q, which needs nothing
but loses accuracy when e^{-At} grows large (long times of a damped system).

Matrix exponentials are `gaussian._expm.expm` (matrix products only, batched over the save
times with `vmap`; derivatives of any order, forward and reverse). The work after the input
checks is one `eqx.filter_jit`-compiled function, reused for systems of the same size.
"""

from typing import Literal

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float

from .._checks import concrete_value, ensure, finite
from .._precision import real_dtype
from ._expm import expm
from ._quadratic import (
    Covariance,
    GaussianPart,
    GaussianSystem,
    Means,
    _as_covariance,
    _as_means,
    mode_hamiltonians,
)


def lyapunov(drift: Float[ArrayLike, "m m"], diffusion: Float[ArrayLike, "m m"]) -> Array:
    """X with A X + X A^T + M = 0 (vectorised, Kronecker sum; symmetric for symmetric M)."""
    a = jnp.asarray(drift)
    m = a.shape[0]
    eye = jnp.eye(m, dtype=a.dtype)
    kron_sum = jnp.kron(a, eye) + jnp.kron(eye, a)
    x = jnp.linalg.solve(kron_sum, -jnp.reshape(jnp.asarray(diffusion), (m * m,)))
    x = jnp.reshape(x, (m, m))
    x = ensure(x, ~jnp.all(jnp.isfinite(x)), "the Lyapunov equation has no unique solution")
    return (x + x.T) / 2


def _check_stable(drift: Array) -> None:
    value = concrete_value(drift)
    if value is not None and np.max(np.linalg.eigvals(value).real) >= 0:
        raise ValueError(
            "the drift matrix is not stable (an eigenvalue has Re >= 0): no unique steady state"
        )


def steady_state(system: GaussianSystem) -> Covariance:
    """The stationary covariance matrix C_ss: A C_ss + C_ss A^T + M = 0.

    Requires a stable drift A (checked when A is concrete; a ValueError otherwise). For the
    steady first moments see `steady_means`.
    """
    _check_stable(system.drift)
    return lyapunov(system.drift, system.diffusion)


def steady_means(system: GaussianSystem) -> Means:
    """The stationary first moments: A <r> + b = 0."""
    _check_stable(system.drift)
    return jnp.linalg.solve(system.drift, -system.force)


def energy(system: GaussianSystem, covariance: Covariance, means: Means | None = None) -> Array:
    """<H> = tr(G C)/2 + <r>^T G <r>/2 + l^T <r> + E_0, the mean energy of the system's H."""
    c = _as_covariance(covariance, system.n_modes)
    m = _as_means(means, system.n_modes)
    g = system.hamiltonian
    return jnp.trace(g @ c) / 2 + m @ g @ m / 2 + system.linear @ m + system.offset


def _part_current(g: Array, part: GaussianPart, c: Array, m: Array, linear: Array) -> Array:
    # d/dt [tr(G C)/2 + m^T G m/2 + l^T m] under this part alone; tr(G C A^T) = tr(G A C)
    dm = part.drift @ m + part.force
    return jnp.trace(g @ part.drift @ c) + jnp.trace(g @ part.diffusion) / 2 + (g @ m + linear) @ dm


def heat_currents(
    system: GaussianSystem,
    covariance: Covariance,
    means: Means | None = None,
    *,
    by_mode: bool = False,
) -> dict[str, Array]:
    """Heat current of every part: J_b = Tr[H D_b(rho)], energy flowing from bath b into S.

        J_b = tr(G A_b C) + tr(G M_b)/2 + (G <r> + l)^T (A_b <r> + b_b)

    This is qoj's sign convention (positive into the system). The seed 001 states the same
    definition (eqs 12-17, J = dU/dt) but its explicit results (eqs 20-38) count energy
    flowing from S into the reservoir: J(seed, eqs 20-38) = -J(here).

    Args:
        system: a `GaussianSystem`.
        covariance: C, (2n, 2n).
        means: <r>, (2n,), default zero.
        by_mode: return, for every part, the (n,) array of d<H_i>/dt under that part, H_i the
            energy of mode i (`mode_hamiltonians`): the local heat currents, e.g. the seed's
            J_2^(c) = sum over parts of [..., 1] (eqs 16-17).

    Returns:
        `{part name: J}` (scalars, or (n,) arrays with `by_mode`).
    """
    c = _as_covariance(covariance, system.n_modes)
    m = _as_means(means, system.n_modes)
    return _currents(system, c, m, by_mode)


def _currents(system: GaussianSystem, c: Array, m: Array, by_mode: bool) -> dict[str, Array]:
    if by_mode:
        gs = mode_hamiltonians(system)
        n = system.n_modes
        linears = jnp.reshape(
            jnp.eye(n, dtype=c.dtype)[:, :, None] * jnp.reshape(system.linear, (1, n, 2)),
            (n, 2 * n),
        )
        return {
            name: jax.vmap(lambda g, lin, p=part: _part_current(g, p, c, m, lin))(gs, linears)
            for name, part in system.parts.items()
        }
    return {
        name: _part_current(system.hamiltonian, part, c, m, system.linear)
        for name, part in system.parts.items()
    }


def integrated_heat(
    system: GaussianSystem, covariance0: Covariance, means0: Means | None = None
) -> dict[str, Array]:
    """Q_b = int_0^infinity (J_b(t) - J_b(infinity)) dt for every part (stable drift).

    At equilibrium (every J_b -> 0, as in seed 001) this is the heat Q_b from bath b.

    With D = C_0 - C_ss, int (C(t) - C_ss) dt = Y solves A Y + Y A^T + D = 0 (and
    int (<r> - m) dt = -A^{-1}(<r>_0 - m)); J_b is affine in (C, <r>) apart from the term
    quadratic in <r>, which is integrated likewise (with means0 = 0 it vanishes). The sum over
    parts is U(infinity) - U(0) (seed 001, eq 11) when the coherent part conserves H.
    """
    a = system.drift
    _check_stable(a)
    c_ss = lyapunov(a, system.diffusion)
    c0 = _as_covariance(covariance0, system.n_modes, "covariance0")
    y = lyapunov(a, c0 - c_ss)
    m_ss = jnp.linalg.solve(a, -system.force)
    dm0 = _as_means(means0, system.n_modes, "means0") - m_ss
    # int dm dm^T dt solves A Z + Z A^T + dm0 dm0^T = 0; int dm dt = -A^{-1} dm0
    z = lyapunov(a, jnp.outer(dm0, dm0))
    int_dm = -jnp.linalg.solve(a, dm0)
    g = system.hamiltonian
    out = {}
    for name, part in system.parts.items():
        # J(C, m) - J(C_ss, m_ss), expanded around (C_ss, m_ss)
        lin = jnp.trace(g @ part.drift @ y)
        grad_m = g @ (part.drift @ m_ss + part.force) + part.drift.T @ (g @ m_ss + system.linear)
        quad = jnp.trace(part.drift.T @ g @ z)
        out[name] = lin + grad_m @ int_dm + quad
    return out


class GaussianSolution(eqx.Module):
    """Result of `gaussian.evolve`.

    Attributes:
        ts: save times, (T,).
        covariances: C(t), (T, 2n, 2n).
        means: <r>(t), (T, 2n).
        heat_currents: `{part: (T,)}` J_b(t) = Tr[H D_b(rho(t))] (into the system).
        local_heat_currents: `{part: (T, n)}` the same split over the modes' energies H_i.
    """

    ts: Float[Array, " T"]
    covariances: Float[Array, "T 2n 2n"]
    means: Float[Array, "T 2n"]
    heat_currents: dict[str, Float[Array, " T"]]
    local_heat_currents: dict[str, Float[Array, "T n"]]


def _propagators(a: Array, ts: Array) -> Array:
    return jax.vmap(lambda t: expm(a * t))(ts)


def evolve(
    system: GaussianSystem,
    covariance0: Covariance,
    ts: Float[ArrayLike, " T"],
    *,
    means0: Means | None = None,
    method: Literal["lyapunov", "van_loan"] = "lyapunov",
) -> GaussianSolution:
    """Covariance matrix, first moments and heat currents at the times `ts` (from t = 0).

        C(t) = e^{At} (C_0 - X) e^{A^T t} + X,   A X + X A^T + M = 0   (module docstring)

    evaluated for all `ts` at once (vmapped matrix exponentials, no loop over time).

    Args:
        system: a `GaussianSystem`.
        covariance0: C(0), (2n, 2n). Not checked for physicality (see `check_physical`).
        ts: save times (any order, t >= 0 not required).
        means0: <r>(0), default zero.
        method: "lyapunov" (default; needs a solvable Lyapunov equation, e.g. a stable drift)
            or "van_loan" (any drift; inaccurate when e^{-At} is huge).

    Returns:
        A `GaussianSolution`.
    """
    n = system.n_modes
    c0 = _as_covariance(covariance0, n, "covariance0")
    m0 = _as_means(means0, n, "means0")
    ts = finite(jnp.asarray(ts, real_dtype()), "ts")
    if ts.ndim != 1:
        raise ValueError(f"ts must be one-dimensional, got shape {ts.shape}")
    if method not in ("lyapunov", "van_loan"):
        raise ValueError(f"method must be 'lyapunov' or 'van_loan', got {method!r}")
    return _evolve(system, c0, m0, ts, method)


@eqx.filter_jit
def _evolve(system, c0, m0, ts, method):
    n = system.n_modes
    a, diff, b = system.drift, system.diffusion, system.force
    if method == "lyapunov":
        x = lyapunov(a, diff)
        m_ss = jnp.linalg.solve(a, -b)
        f = _propagators(a, ts)
        covs = f @ (c0 - x)[None] @ jnp.swapaxes(f, -1, -2) + x[None]
        means = jnp.einsum("tij,j->ti", f, m0 - m_ss) + m_ss[None]
    else:
        m = 2 * n
        block = jnp.zeros((2 * m, 2 * m), a.dtype)
        block = block.at[:m, :m].set(-a).at[:m, m:].set(diff).at[m:, m:].set(a.T)
        phi = _propagators(block, ts)
        f = jnp.swapaxes(phi[:, m:, m:], -1, -2)
        q = f @ phi[:, :m, m:]
        covs = f @ c0[None] @ jnp.swapaxes(f, -1, -2) + q
        covs = (covs + jnp.swapaxes(covs, -1, -2)) / 2
        # d/dt (r, 1) = [[A, b], [0, 0]] (r, 1)
        aug = jnp.zeros((m + 1, m + 1), a.dtype).at[:m, :m].set(a).at[:m, m].set(b)
        g = _propagators(aug, ts)
        means = jnp.einsum("tij,j->ti", g[:, :m, :m], m0) + g[:, :m, m]
    currents = jax.vmap(lambda c, mm: _currents(system, c, mm, False))(covs, means)
    local = jax.vmap(lambda c, mm: _currents(system, c, mm, True))(covs, means)
    return GaussianSolution(ts, covs, means, currents, local)
