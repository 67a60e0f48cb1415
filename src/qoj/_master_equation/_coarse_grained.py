"""Coarse-grained master equation (seed 004 section III, eqs 39–49).

Averaging the second-order dynamics over a coarse-graining time dt (seed 004 eqs 39, 44)
gives, over the transition operators A_p of `_bohr.py` (A_p releases w_p = E_b - E_a),

    L(rho) = -i[H_S + H_LS, rho] + sum_pq Gamma_pq [A_p rho A_q^dag - {A_q^dag A_p, rho}/2],
    Gamma = M + M^dag,   H_LS = sum_pq sigma_pq A_q^dag A_p,   sigma = (M - M^dag)/(2i),

    M_pq = (1/dt) int_0^dt dt1 int_0^t1 dt2 G(t1 - t2) e^{i w_q t1 - i w_p t2},

with G(tau) = `bath.correlation(tau)` (its Fourier transform int G e^{i w tau} dtau is
`bath.emission_rate(w)`). Gamma is seed 004 eq 45 in qoj's conventions (the seed's X_m carries
w_m = -w_p); the seed drops the Lamb shift H_LS, which is the time-ordered (principal-value)
part of the same double integral. Integrating over t1 at fixed tau = t1 - t2 reduces M to the
one-sided, finite-time transform F(w) = int_0^dt G(tau) e^{i w tau} dtau:

    M_pq = [e^{i z} F(w_p) - F(w_q)] / (i z),   z = (w_q - w_p) dt,              (*)

which for z -> 0 becomes F(w_p) + i F'(w_p)/dt. Only the d^2 values F(w_p) are integrals;
the d^4 entries of Gamma and sigma follow from them. Where |z| < 2e-3 the divided difference
[F(w_q) - F(w_p)]/z, which would cancel catastrophically, is summed as its Taylor series
sum_n F^(n)(w_p) (w_q - w_p)^(n-1)/n! to fourth order (truncation ~z^4/120 ~ 1e-13 relative,
rounding ~eps/z ~ 1e-13 relative beyond). Limits (seed 004 eqs 47–49): as dt grows F(w) ->
emission_rate(w)/2 + i lamb_shift(w), so M_pp -> the one-sided transform of the global
(Davies) equation and pairs with |w_p - w_q| dt >> 1 decouple; pairs with |w_p - w_q| dt << 1
keep rates near the mean frequency (the partial secular generator, eq 55). Gamma is positive
semidefinite for every dt (it is a time average of a positive-type kernel); the computed one
is so up to ~1e-13 relative rounding.

Computing F. Through the spectrum, F(w) = (1/2pi) int S(nu) k(w - nu) dnu with S =
`emission_rate` and k(u) = int_0^dt e^{i u tau} dtau = dt I_0(u dt), I_n(z) = int_0^1 s^n e^{i z
s} ds (the derivatives F^(n) use k^(n)(u) = i^n dt^(n+1) I_n(u dt)). The integrand has a bump
of width ~1/dt at nu = w and oscillations e^{i (w - nu) dt} across the whole band, which a fixed
quadrature cannot resolve for large dt. The line is therefore split with a smooth partition
of unity built from one window per point c (w itself and the "breakpoints" of S: 0 for bosons
and Ohmic spectra, mu for fermions, the band edges of `Newns`, the centre of `Lorentzian`),

    q_c(nu) = (1 - chi_c(nu)) (1 - sech((nu - c) dt))^m_c,   psi_B = prod_breakpoints q_b,
    1 = (1 - psi_B) + (1 - q_w) psi_B + q_w psi_B,

with chi_c a Gaussian-smoothed indicator of |nu - c| < R/dt (erfc edges of width sqrt(2R)/dt,
R = 100), so that each q_c departs from 1 only within Z = (R + 6 sqrt(2R))/dt of c:

* (1 - psi_B), near the breakpoints, does not depend on w: each breakpoint owns the interval up
  to the midpoints with its neighbours (out to Z), integrated on panels of width 8/dt graded
  geometrically towards it (S is singular there); nodes, S and weights are shared by every
  transition, and the ~1000 graded nodes are condensed onto 32 Chebyshev points (the kernel is
  entire, and 32 points interpolate it over the 8/dt of the grading to ~1e-16);
* (1 - q_w) psi_B, w's window, on uniform panels of width 8/dt at fixed offsets from w, so
  that the kernels there are constants (psi_B is tiny near the breakpoints, so S is analytic
  where the weight is not);
* q_w psi_B, far from every point, where only the smooth part of the kernel is kept, k(u) ->
  i/u (k^(n) -> i (-1)^n n!/u^(n+1)), on wide uniform panels out to Z and geometric ones out
  to the points plus 1e8 times the spectrum's scale (the principal-value tail).

The dropped part psi S e^{i u dt}/(i u) is exponentially small in R: q_w psi_B S/u is analytic
in a strip around the real axis except near the points, where it is tiny (it vanishes to order
2 m_c at c; m_w = 3 cancels the poles of the far kernels up to F''''). With R = 64 it was
measured at ~1e-10 relative (dt ~ 5 for an Ohmic bath, whose kink at 0 lies in w's window),
with R = 100 below 1e-14. The cost is O(d^2 N) with N ~ 3500 nodes per distinct transition
frequency, independent of dt (~2 ms for the 13 distinct frequencies of two qubits on one CPU
core).

Accuracy (double precision): F(w) agrees to <= 6e-15 relative with the time integral of the
closed-form T = 0 Ohmic correlation function (dt = 0.01 ... 300, w near and far from the
kink at 0), and Gamma to <= 2e-13 max|Gamma| with the Gram form
(dt/2pi) e^{i (w_q - w_p) dt/2} int S(nu) sinc((nu - w_p) dt/2) sinc((nu - w_q) dt/2) dnu
(qoj's earlier implementation, itself checked against adaptive quadrature) on Ohmic (T = 0,
0.5, 3; s = 1 and 0.5) and fermionic Newns baths for dt = 1e-3 ... 1e4; the largest errors
are at dt <= 0.1, from the divided differences. A spectral density with a non-analytic point
qoj does not know (a user subclass of `AbstractSpectralDensity` with a kink away from 0)
loses accuracy there: O((dt * distance)^-2) relative at worst. Physics note: for w_p = 0 and
a bosonic spectrum with a kink at 0 (Ohmic with a cutoff) the eq 47 correction diverges
logarithmically, so Gamma_pp -> S(0) as log(dt)/dt.
"""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erfc
from jaxtyping import Array, ArrayLike, Complex, Float

from .._bath import Bath
from .._checks import ensure
from .._panels import (
    WIDTH,
    composite_rule,
    geometric_edges,
    graded_edges,
    symmetric,
)
from .._precision import complex_dtype, real_dtype
from .._spectra import AbstractSpectralDensity, Lorentzian, Newns, Ohmic
from .._system import Coupling, OpenSystem
from .._terms import HamiltonianTerm, KossakowskiTerm
from ._base import AbstractMasterEquation
from ._bohr import bohr_decomposition

# Half-width R (units of 1/dt) of the windows and scale sqrt(2R) of their Gaussian edges (the
# edges' Fourier transform decays as e^{-s^2/4} and grows off the real axis as e^{y^2/s^2};
# s^2 = 2R balances the two). R = 64 left ~1e-10 of the dropped oscillating part, R = 100
# leaves < 1e-14.
_WINDOW = 100.0
_EDGE = math.sqrt(2 * _WINDOW)
# Windows reach Z = WIDTH * _UNIFORM >= R + 6 s, beyond which chi < 1e-17.
_UNIFORM = math.ceil((_WINDOW + 6 * _EDGE) / WIDTH)
# The far part is smooth: panels four times as wide out to Z, then geometric.
_FAR_SCALE = 4
_FAR_UNIFORM = math.ceil(_UNIFORM / _FAR_SCALE)
# Gauss-Legendre nodes per far panel, and geometric levels out to the range (ratio ~2.3 for
# dt = 5, ~3.2 for dt = 1e4). Measured: 12 outer nodes cost 1e-13, 10 cost 2e-11, 16 levels
# 5e-13 relative in F, for <= 25% less time.
_FAR_NODES = 16
_OUTER_LEVELS = 24
_OUTER_NODES = 16
# The integration range: the points plus 1e8 times the spectrum's own scale (the 1/nu^2 tails
# of a Lorentzian J, times the 1/nu of the principal value, contribute < 1e-16 beyond).
_RANGE = 1e8
# Derivatives F, F', ..., F'''' and the |z| below which divided differences use them.
_ORDERS = 5
_TAYLOR = 2e-3
# |z| below which I_n(z) is summed as a power series (0.5^j/j! < 1e-18 beyond 16 terms);
# above it the upward recurrence loses at most a factor n!/0.5^n (I_1: 2, I_4: 384, used with
# weights z^3/24 < 1e-9).
_SERIES = 0.5
_SERIES_TERMS = 16
# Orders of vanishing (1 - sech)^m of psi at w and at a breakpoint.
_W_ORDER = 3
_BREAKPOINT_ORDER = 1


# w's own window: static rule on [-Z, Z] (units of 1/dt), panels of width WIDTH (the
# emission rate is analytic near w, or its singular point is a breakpoint).
_W_WINDOW = symmetric(*composite_rule(WIDTH * np.arange(_UNIFORM + 1)))


def _far_rules(length):
    """Rules on [0, length] (units of 1/dt, traced) for the smooth far part: wide uniform
    panels out to Z, where psi rises from ~0 to 1, then geometric ones (psi = 1 there)."""
    z = _FAR_SCALE * WIDTH * _FAR_UNIFORM
    uniform = jnp.asarray(_FAR_SCALE * WIDTH * np.arange(_FAR_UNIFORM + 1), real_dtype())
    outer = jnp.concatenate(
        [jnp.full((1,), z, real_dtype()), geometric_edges(z, length, _OUTER_LEVELS)]
    )
    outer = jnp.minimum(outer.at[-1].set(jnp.maximum(length, z)), length)
    return (
        composite_rule(jnp.minimum(uniform, length), _FAR_NODES),
        composite_rule(outer, _OUTER_NODES),
    )


def _window_half_rules(length):
    """Rules on [0, length] (units of 1/dt, traced, at most the window's reach): the panels
    graded towards 0 (within WIDTH) and the uniform ones beyond."""
    graded = jnp.minimum(jnp.asarray(graded_edges(), real_dtype()), length)
    uniform = jnp.minimum(jnp.asarray(WIDTH * np.arange(1, _UNIFORM + 1), real_dtype()), length)
    return composite_rule(graded), composite_rule(uniform)


# Chebyshev points (second kind) on [-WIDTH, WIDTH] onto which the graded panels around a
# breakpoint are condensed: the kernels I_n(z - x) are entire in x, and 32 points interpolate
# e^{i x} on [-8, 8] to ~1e-16, so the ~1000 graded nodes cost 32 kernel evaluations.
_CONDENSED = 32
_CHEBYSHEV = WIDTH * np.cos(np.pi * np.arange(_CONDENSED) / (_CONDENSED - 1))
_BARYCENTRIC = (-1.0) ** np.arange(_CONDENSED) * np.where(
    (np.arange(_CONDENSED) == 0) | (np.arange(_CONDENSED) == _CONDENSED - 1), 0.5, 1.0
)


def _condense(x, weights):
    """Weights on the Chebyshev points equivalent to `weights` at nodes x in [-8, 8] for
    polynomials of degree < 32 (barycentric Lagrange interpolation)."""
    diff = x[:, None] - jnp.asarray(_CHEBYSHEV, real_dtype())[None, :]
    exact = diff == 0
    terms = jnp.asarray(_BARYCENTRIC, real_dtype())[None, :] / jnp.where(exact, 1.0, diff)
    lagrange = terms / jnp.sum(terms, axis=1, keepdims=True)
    lagrange = jnp.where(jnp.any(exact, 1, keepdims=True), exact.astype(diff.dtype), lagrange)
    return weights @ lagrange


def _cells(points, collapses, outer):
    """Half-lengths (left, right) of the interval each point owns: up to the midpoints with its
    neighbours, or to -+outer. Ties: among ordinary points the earlier one owns the left side
    and the later one the right side; a point flagged in `collapses` owns nothing when it
    coincides with another point (which then owns both sides)."""
    n = points.shape[0]
    index = jnp.arange(n)
    diff = points[:, None] - points[None, :]  # [i, j] = p_i - p_j
    other = index[:, None] != index[None, :]
    ordinary = ~collapses[None, :]
    tie_left = collapses[:, None] | (ordinary & (index[None, :] < index[:, None]))
    tie_right = collapses[:, None] | (ordinary & (index[None, :] > index[:, None]))
    left_ok = other & ((diff > 0) | ((diff == 0) & tie_left))
    right_ok = other & ((diff < 0) | ((diff == 0) & tie_right))
    left = jnp.minimum(points + outer, jnp.min(jnp.where(left_ok, diff / 2, jnp.inf), 1))
    right = jnp.minimum(outer - points, jnp.min(jnp.where(right_ok, -diff / 2, jnp.inf), 1))
    return left, right


def _one_minus_sech(x):
    """1 - sech(x) = tanh(x/2) tanh(x): accurate at small x, value and gradient bounded."""
    return jnp.tanh(x / 2) * jnp.tanh(x)


def _outside(y, order):
    """q(y) = (1 - chi(y)) (1 - sech y)^order at distance y (units of 1/dt) from a point."""
    gaussian = 0.5 * (erfc((_WINDOW + y) / _EDGE) + erfc((_WINDOW - y) / _EDGE))
    return gaussian * _one_minus_sech(y) ** order


def _kernels(z, xp=jnp):
    """I_n(z) = int_0^1 s^n e^{i z s} ds for n = 0 ... _ORDERS - 1: (real, imaginary) parts,
    each stacked on axis 0, in real arithmetic (`xp` = numpy for static nodes).

    Where |z| < 0.5: the power series of I_4, sum_j (iz)^j / (j! (5 + j)), then the downward
    recurrence I_{n-1} = (e^{iz} - iz I_n)/n; elsewhere the upward one I_n = (e^{iz} - n
    I_{n-1})/(iz) from I_0 = (e^{iz} - 1)/(iz) (each stable where it is used).
    """
    cos, sin = xp.cos(z), xp.sin(z)
    small = xp.abs(z) < _SERIES
    zs = xp.where(small, z, 0.0)
    z2 = zs * zs
    top = _ORDERS - 1
    real = xp.zeros_like(z)
    imag = xp.zeros_like(z)
    for m in range(_SERIES_TERMS // 2 - 1, -1, -1):  # Horner in z^2
        sign = (-1.0) ** m
        real = real * z2 + sign / (math.factorial(2 * m) * (top + 1 + 2 * m))
        imag = imag * z2 + sign / (math.factorial(2 * m + 1) * (top + 2 + 2 * m))
    imag = imag * zs
    down = [(real, imag)]
    for n in range(top, 0, -1):
        re, im = down[-1]
        down.append(((cos + zs * im) / n, (sin - zs * re) / n))
    down = down[::-1]
    inverse = 1.0 / xp.where(small, 1.0, z)
    up = [(sin * inverse, (1.0 - cos) * inverse)]
    for n in range(1, _ORDERS):
        re, im = up[-1]
        # (e^{iz} - n I)/(iz) = -i (e^{iz} - n I)/z
        up.append(((sin - n * im) * inverse, -(cos - n * re) * inverse))
    real = xp.stack([xp.where(small, d[0], u[0]) for d, u in zip(down, up, strict=True)])
    imag = xp.stack([xp.where(small, d[1], u[1]) for d, u in zip(down, up, strict=True)])
    return real, imag


# I_n(-x) on w's own window (nodes w + x/dt): constants
_W_KERNELS = _kernels(-_W_WINDOW[0], xp=np)


def _far_kernels(z, u):
    """Smooth parts of k^(n)(u)/dt^n: i (-1)^n n! / (z^n u), n = 0 ... _ORDERS - 1."""
    safe = u != 0
    inverse_u = jnp.where(safe, 1.0 / jnp.where(safe, u, 1.0), 0.0)
    inverse_z = jnp.where(safe, 1.0 / jnp.where(safe, z, 1.0), 0.0)
    out = [inverse_u]
    for n in range(1, _ORDERS):
        out.append(-n * inverse_z * out[-1])
    stacked = jnp.stack(out)
    return jax.lax.complex(jnp.zeros_like(stacked), stacked)


def _breakpoints_and_scale(bath: Bath):
    """Non-analytic points of the emission rate, and a frequency scale of its support."""
    spectrum = bath.spectrum
    if not isinstance(spectrum, AbstractSpectralDensity):
        raise TypeError(
            "the coarse-grained master equation needs the bath correlation function, hence a "
            "spectrum derived from qoj.spectra.AbstractSpectralDensity, got "
            f"{type(spectrum).__name__}"
        )
    try:
        nodes, _ = spectrum.quadrature(16, -math.inf, math.inf)
    except ValueError as e:
        raise ValueError(
            f"the coarse-grained master equation needs the bath correlation function G(tau): {e}"
        ) from e
    temperature = jnp.asarray(bath.temperature, real_dtype())
    scale = jnp.max(jnp.abs(nodes)) + 40.0 * temperature
    points = []
    if bath.statistics == "bose":
        scale = ensure(
            scale,
            (temperature > 0) & (spectrum.low_frequency_exponent() <= 0),
            "the coarse-grained rates diverge: the bosonic correlation function diverges at "
            "T > 0 for a spectrum with J(0+) > 0 (J(w) n(w) ~ J(0) T/w is not integrable at "
            "w = 0); use a spectrum vanishing at w = 0 (Ohmic, s > 0)",
        )
        points.append(0.0)
    else:
        points.append(bath.chemical_potential)
        scale = scale + jnp.abs(bath.chemical_potential)
    if isinstance(spectrum, Newns):
        points += [-spectrum.Omega, spectrum.Omega]
    elif isinstance(spectrum, Lorentzian):
        points.append(spectrum.center)
    if isinstance(spectrum, Ohmic) and bath.statistics != "bose":
        points.append(0.0)  # the kink of J at 0 (for bosons, the breakpoint above)
    return jnp.stack([jnp.asarray(p, real_dtype()) for p in points]), scale


def _transforms(bath, w, dt, breakpoints, scale):
    """F^(n)(w_p) / dt^n for n = 0 ... 4 (rows) and every transition p (columns)."""
    k = breakpoints.shape[0]
    outer = jnp.max(jnp.abs(jnp.concatenate([w, breakpoints]))) + _RANGE * scale
    phases = jnp.asarray([1, 1j, -1, -1j, 1][:_ORDERS], complex_dtype())  # i^n

    def weighted(x, c, own):
        """c S(nu) (1 - psi_B(nu)) at nodes nu = b_own + x/dt of the breakpoint windows."""
        y = (breakpoints[own] - breakpoints)[:, None] * dt + x[None, :]
        psi_b = jnp.prod(_outside(y, _BREAKPOINT_ORDER), axis=0)
        return c * (1 - psi_b) * bath.emission_rate(breakpoints[own] + x / dt)

    # Near the breakpoints (weight 1 - psi_B, psi_B = prod_b q_b): each breakpoint owns the
    # interval up to the midpoints with its neighbours, out to its window's reach; graded
    # panels towards it are condensed onto Chebyshev points. Shared by every w.
    left, right = _cells(breakpoints, jnp.zeros(k, bool), outer)
    reach = WIDTH * _UNIFORM
    (g_left, cg_left), (u_left, cu_left) = jax.vmap(_window_half_rules)(
        jnp.minimum(left * dt, reach)
    )
    (g_right, cg_right), (u_right, cu_right) = jax.vmap(_window_half_rules)(
        jnp.minimum(right * dt, reach)
    )
    own = jnp.arange(k)
    graded_x = jnp.concatenate([-g_left, g_right], axis=1)
    graded = jax.vmap(weighted)(graded_x, jnp.concatenate([cg_left, cg_right], 1), own)
    condensed = jax.vmap(_condense)(graded_x, graded)  # [breakpoint, Chebyshev point]
    uniform_x = jnp.concatenate([-u_left, u_right], axis=1)
    uniform = jax.vmap(weighted)(uniform_x, jnp.concatenate([cu_left, cu_right], 1), own)
    chebyshev = jnp.broadcast_to(jnp.asarray(_CHEBYSHEV, real_dtype()), (k, _CONDENSED))
    shared = jnp.concatenate([condensed, uniform], axis=1).ravel()
    shared_offset = breakpoints[:, None] * dt + jnp.concatenate([chebyshev, uniform_x], 1)
    shared_offset = shared_offset.ravel()  # nu dt, to form (w - nu) dt

    x_w, c_w = (jnp.asarray(a, real_dtype()) for a in _W_WINDOW)
    w_real, w_imag = (jnp.asarray(a, real_dtype()) for a in _W_KERNELS)

    def one(frequency):
        # near part, breakpoint windows: z = (w - nu) dt; k^(n)/dt^n = i^n dt I_n and the
        # weights are in units of 1/dt
        real, imag = _kernels(frequency * dt - shared_offset)
        near = jax.lax.complex(real @ shared, imag @ shared)
        # near part, w's window (nu = w + x/dt, z = -x)
        to_breakpoints = (frequency - breakpoints)[:, None] * dt + x_w[None, :]  # [b, node]
        q_b = _outside(to_breakpoints, _BREAKPOINT_ORDER)
        phi_w = (1 - _outside(x_w, _W_ORDER)) * jnp.prod(q_b, axis=0)
        s_w = c_w * phi_w * bath.emission_rate(frequency + x_w / dt)
        near = (near + jax.lax.complex(w_real @ s_w, w_imag @ s_w)) * phases
        # far part, weight psi = q_w psi_B: cells of the points {w} + breakpoints
        points = jnp.concatenate([frequency[None], breakpoints])
        left, right = _cells(points, jnp.arange(k + 1) == 0, outer)
        (t_left, ct_left), (o_left, co_left) = jax.vmap(_far_rules)(left * dt)
        (t_right, ct_right), (o_right, co_right) = jax.vmap(_far_rules)(right * dt)
        # transition panels: psi from every point ([own, other, node] distances)
        y_own = jnp.concatenate([-t_left, t_right], axis=1)
        y = (points[:, None] - points[None, :])[:, :, None] * dt + y_own[:, None, :]
        psi = _outside(y[:, 0], _W_ORDER) * jnp.prod(_outside(y[:, 1:], _BREAKPOINT_ORDER), axis=1)
        c_t = jnp.concatenate([ct_left, ct_right], axis=1) * psi
        y_outer = jnp.concatenate([-o_left, o_right], axis=1)  # psi = 1 there
        c_o = jnp.concatenate([co_left, co_right], axis=1)
        z = -jnp.concatenate([y[:, 0], (points - frequency)[:, None] * dt + y_outer], 1)
        nu = jnp.concatenate([points[:, None] + y_own / dt, points[:, None] + y_outer / dt], 1)
        s_far = (jnp.concatenate([c_t, c_o], axis=1) / dt * bath.emission_rate(nu)).ravel()
        z = z.ravel()
        far = _far_kernels(z, z / dt) @ s_far.astype(complex_dtype())
        return (near + far) / (2 * jnp.pi)

    return jax.vmap(one, out_axes=1)(w)


def _one_sided_matrix(transforms, w, dt):
    """M_pq of (*) from F^(n)(w_p)/dt^n (rows n, columns p)."""
    f = transforms[0]
    z = (w[None, :] - w[:, None]) * dt  # [p, q] = (w_q - w_p) dt
    small = jnp.abs(z) < _TAYLOR
    safe_z = jnp.where(small, 1.0, z)
    i_z = jax.lax.complex(jnp.zeros_like(z), safe_z)
    difference = (f[None, :] - f[:, None]) / i_z  # [F(w_q) - F(w_p)] / (i z)
    series = jnp.zeros_like(difference)
    power = jnp.ones_like(z)
    for n in range(1, _ORDERS):
        series = series + transforms[n][:, None] * power / math.factorial(n)
        power = power * jnp.where(small, z, 0.0)
    series = series / 1j
    # I_0(z) = (e^{iz} - 1)/(iz), e^{iz} F_p - F_q = F_p (e^{iz} - 1) - (F_q - F_p)
    real, imag = _kernels(z)
    return f[:, None] * jax.lax.complex(real[0], imag[0]) - jnp.where(small, series, difference)


def coarse_grained_rates(
    bath: Bath, frequencies: Float[Array, " p"], dt, *, distinct: tuple[int, ...] | None = None
) -> tuple[Complex[Array, "p p"], Complex[Array, "p p"]]:
    """Gamma_pq(dt) (seed 004 eq 45) and the Lamb-shift matrix sigma_pq(dt) for transitions
    releasing `frequencies`.

    Gamma = M + M^dag is Hermitian and positive semidefinite, sigma = (M - M^dag)/(2i) is
    Hermitian, with M the one-sided average of the module docstring. `distinct` (static)
    lists, for each transition, the index of a transition known to have the same frequency
    (e.g. every diagonal transition of a Bohr decomposition releases exactly 0): F is then
    computed once per distinct frequency. Raises TypeError/ValueError (eagerly where the
    values are known) for a bath whose correlation function does not exist.
    """
    if not isinstance(bath, Bath):
        raise TypeError(
            "the coarse-grained master equation needs a qoj.Bath (its correlation function), "
            f"got {type(bath).__name__}"
        )
    breakpoints, scale = _breakpoints_and_scale(bath)
    w = jnp.asarray(frequencies, real_dtype())
    if distinct is None:
        distinct = tuple(range(w.shape[0]))
    return _rates(
        bath,
        w,
        jnp.asarray(dt, real_dtype()),
        breakpoints,
        jax.lax.stop_gradient(scale),
        distinct,
    )


@eqx.filter_jit
def _rates(bath, w, dt, breakpoints, scale, distinct):
    representatives = sorted(set(distinct))
    position = {p: i for i, p in enumerate(representatives)}
    transforms = _transforms(bath, w[np.asarray(representatives)], dt, breakpoints, scale)
    transforms = transforms[:, np.asarray([position[p] for p in distinct])]
    m = _one_sided_matrix(transforms, w, dt)
    adjoint = m.conj().T
    gamma = m + adjoint
    sigma = (m - adjoint) / 2j
    return (
        (0.5 * (gamma + gamma.conj().T)).astype(complex_dtype()),
        (0.5 * (sigma + sigma.conj().T)).astype(complex_dtype()),
    )


class CoarseGrainedMasterEquation(AbstractMasterEquation):
    """Coarse-grained master equation with coarse-graining time `dt` (seed 004 eqs 39–49).

    D(rho) = sum_pq Gamma_pq(dt) [A_p rho A_q^dag - {A_q^dag A_p, rho}/2] over the transitions
    A_p = <a|X|b> |a><b| of H_S (released energy w_p = E_b - E_a), with

        Gamma_pq(dt) = (1/dt) int_0^dt dt1 int_0^dt dt2 G(t2 - t1) e^{-i w_p t1} e^{+i w_q t2}

    (seed 004 eq 45 with the seed's w_m = -w_p; G = `bath.correlation`). Gamma is Hermitian
    and positive semidefinite for every dt > 0, so the generator is of Lindblad form. As dt
    grows it tends to the global (Davies) generator, Gamma_pp -> emission_rate(w_p) with a
    correction ~1/dt (eq 47); for 1/w_S << dt << 1/|w_p - w_q| pairs of close frequencies
    keep rates near their mean frequency (the partial secular generator, eqs 49 and 55).

    With `lamb_shift=True` the time-ordered part of the same average adds H_LS = sum_pq
    sigma_pq(dt) A_q^dag A_p (seed 004 drops it), which tends to the global equation's Lamb
    shift as dt grows.

    The rates come from the bath's spectrum (`emission_rate`) through an exact spectral
    representation of the double integral, evaluated with a fixed quadrature whose error is
    ~1e-13 max|Gamma| for every dt (see `qoj._master_equation._coarse_grained`); it needs a
    finite-bandwidth spectral density (not `Flat`, nor Ohmic with `cutoff=inf`), like
    `Bath.correlation`.

    Arguments:
        dt: the coarse-graining time, > 0 and finite (a differentiable scalar).
        lamb_shift: add the Lamb-shift Hamiltonian (static, default False).
    """

    dt: Float[Array, ""]

    def __init__(self, dt: ArrayLike, *, lamb_shift: bool = False):
        self.lamb_shift = lamb_shift
        dt = jnp.asarray(dt)
        if dt.ndim != 0:
            raise ValueError(
                f"dt must be a scalar, got shape {dt.shape} (use jax.vmap for a batch)"
            )
        if jnp.iscomplexobj(dt):
            raise TypeError("dt must be real, got a complex value")
        dt = dt.astype(real_dtype())
        self.dt = ensure(
            dt,
            ~((dt > 0) & jnp.isfinite(dt)),
            "dt (the coarse-graining time) must be positive and finite",
        )

    def dissipator(self, system: OpenSystem, coupling: Coupling):
        decomposition = bohr_decomposition(system.hamiltonian, coupling.operator)
        d = system.hamiltonian.shape[0]
        # every diagonal transition |a><a| releases exactly 0
        distinct = tuple(0 if p % (d + 1) == 0 else p for p in range(d * d))
        rates, shifts = coarse_grained_rates(
            coupling.bath, decomposition.frequencies, self.dt, distinct=distinct
        )
        ops = decomposition.operators
        terms = (KossakowskiTerm(ops, rates),)
        if self.lamb_shift:
            h_ls = jnp.einsum("pq,qji,pjk->ik", shifts, ops.conj(), ops)
            terms += (HamiltonianTerm(0.5 * (h_ls + h_ls.conj().T)),)
        return terms
