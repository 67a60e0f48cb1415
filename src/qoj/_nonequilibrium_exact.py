"""Exact memory integrals of seed 000 (eqs 16-18, A2-A3): the rate model `rates="exact"` of
`qoj.NonEquilibriumBath`.

Seed 000's system: a qubit (H_S = w0 sigma_z/2) coupled through sigma_+ B + h.c.,
B = sum_l g_l a_l, to the modes a_l of a reservoir R_I (spectral density J_I, thermal at T_I at
t = 0), each mode damped at the amplitude rate gamma(w) = J_II(w)/2 into its own part of a
second reservoir R_II (spectral density J_II, temperature T_II). The second-order master
equation (eq 11) has the canonical rates gamma_+ = 2 Re P, gamma_- = 2 Re M and the frequency
shift Delta w = Im M - Im P (eqs A1-A5) with the memory integrals

    P(t) = int_0^t dtau alpha_+(t, tau) e^{-i w0 (t - tau)},
    M(t) = int_0^t dtau alpha_-(t, tau) e^{+i w0 (t - tau)}.

`memory_terms(env, t, w0)` returns (P_short, P_long, M_short, M_long), the parts from the
first ("short-time") and second ("long-time") terms of eq 16 (Fig 8 compares them with eqs 19
and 20); `memory_integrals` their sums. Frequencies and rates in one unit, hbar = k_B = 1;
the spectral densities are rate-normalised (J_I(w0)(n + 1) is the emission rate).

Correlation functions (eqs C4-C6 with eqs C7-C8), all frequency integrals over (0, inf):

    alpha_+(t, tau) = (1/2pi) int dw J_I(w) n_I(w) e^{i w (t - tau)} e^{-gamma(w)(t + tau)}
                    + (1/4pi^2) int dw int dw' J_I(w) J_II(w') n_II(w') C(w, w'; t, tau),
    C = [e^{i w' t} - e^{(i w - gamma) t}] [e^{-i w' tau} - e^{(-i w - gamma) tau}]
        / ((gamma - i (w - w')) (gamma + i (w - w'))),        gamma = gamma(w),

and alpha_- with n -> n + 1 and every exponential (and C) complex-conjugated, so that M is the
complex conjugate of P computed with n + 1 (that is how it is evaluated).

What the paper prints, and what is right:

- eq 16 prints the prefactors 1/pi and 1/pi^2. With J_I = 2 pi sum_l |g_l|^2 delta(w - w_l)
  (eq C7) and J_II likewise (eq C8), the mode sums of eqs C4 and C6 are (1/2pi) int dw and
  (1/4pi^2) int dw int dw': these reproduce the rate J_I(w0) n_I(w0) of a qubit in an
  equilibrium reservoir (J_II -> 0, t -> inf) and eqs 19-20 at long times, which the paper
  derives from the same expressions; 1/pi would double every rate. (Tests: the J_II = 0 limit
  against a direct quadrature, and the approach to eqs 19-20.)
- eq 18 as printed is the complex conjugate of what eq C5 gives for alpha_+ (with
  t' = t - tau; eq 16 then conjugates it again for alpha_-). With the printed C the
  t'-dependence of alpha_+ is e^{+i w' (t - t')}, which the factor e^{-i w0 t'} of eq A2
  turns into e^{-i (w' + w0) t'}: never resonant, so the long-time part would not approach
  J_I n_II (eq 20). With C from eq C5 it is e^{-i w' (t - t')}, resonant at w' = w0, and
  eq 20 follows (as the tests check).
- The time arguments: eqs A2-A3 integrate alpha(t, t') e^{-+i w0 t'} with t' = t - tau (the
  change of variable stated after eq C8); the forms above are the same integrals in tau.

The tau integrals are elementary. With phi1(z) = (e^z - 1)/z, Q = 1/(gamma + i (w - w0)),
x = w' - w, y = w' - w0, phi(y) = (e^{i y t} - 1)/(i y) and
psi_+-(x) = (1 - e^{-(gamma +- i x) t}) / (gamma +- i x):

    P_short(t) = (1/2pi) int dw J_I n_I e^{-2 gamma t} t phi1((gamma + i (w - w0)) t),
    P_long(t)  = (1/4pi^2) int dw int dw' J_I(w) S(w') Q(w) psi_+(x) [phi(y) - psi_-(x)],

S = J_II n_II (n_II + 1 for M); equivalently e^{i w' t} t phi1(-(gamma + i x) t) B/(gamma - i x)
with B = e^{-i w0 t} t [phi1(i (w0 - w') t) - phi1((i (w0 - w) - gamma) t)]. The integrand
is entire in w, w', but it oscillates (e^{i y t}, e^{+-i x t}, e^{i (w - w0) t}) over the
whole band, with features of width gamma(w) at w' = w, 1/t at w = w0 and w' = w0, and the
band edge w = 0. A quadrature on panels scaled by 1/t
cannot resolve the oscillations at t >> 1 with a fixed number of nodes; this module instead
expands the brackets into terms with one oscillating factor each and integrates every
oscillation exactly:

    4 pi^2 P_long = G1 + C3 + T8 + T4 + T5 + T67,
    G1  = int dw' S(w') phi(w' - w0) B(w'),     B(w') = int dw J_I Q / (gamma + i (w' - w)),
    C3  = -int dw J_I Q Lambda2(w),             Lambda2(w) = int dw' S / (gamma^2 + x^2),
    T8  = -int dw J_I Q e^{-2 gamma t} Lambda2(w),
    T4  = -int dw J_I Q e^{-gamma t} e^{i (w - w0) t} A4(w),
          A4(w) = PV int dw' S / ((gamma + i x) i (w' - w0)),
    T5  = int dx e^{-i x t} PV int dw J_I Q e^{-gamma t} S(w + x) / ((gamma + i x) i (w' - w0)),
    T67 = int dx 2 cos(x t) int dw J_I Q e^{-gamma t} S(w + x) / (gamma^2 + x^2).

Each term oscillates in one variable only, which is the outer one; the inner integrals are
non-oscillatory and, in the order chosen, carry no hidden oscillation in the outer variable
(in (w, w') the residue at w' = w + i gamma would bring e^{i w t} into G1-type terms; in
(x, w) the kink of S at w' = 0 would bring e^{-i w t}: the order is picked so neither
happens). B, Lambda2, A4 do not depend on t; T5 and T67 depend on t only through
e^{-gamma(w) t}, which is interpolated (16-node Legendre) on "gamma panels" chosen so that the
interpolation holds to ~1e-12 for every t <= 1e6/w0: the inner integrals are stored as
Legendre moments on those panels and every t costs O(10^4) operations. The principal values
of T4 and T5 are taken consistently (the same strip |y| < eps excised), so their delta-terms
cancel.

Quadrature: composite 16-node Gauss-Legendre panels (as `_panels.composite_rule`), graded
geometrically towards every singular point (w0, 0, the moving points w' = w and |x|, x = 0,
+-w0) and laid over background panels that equidistribute the variation of log J_I, log J_I n,
log J_II, log S (significant parts) and of e^{-gamma t}; the oscillating factors e^{i k w t}
get Filon weights (the exact integrals of the 16-point interpolant times the exponential, from
int P_n(xi) e^{i theta xi} dxi = 2 i^n j_n(theta), spherical Bessel functions by recurrence).
Removable singularities are kept together where the phase is small (phi1, phi), and the
near-poles of width gamma (which can be far below any grading: gamma ~ w^2 as w -> 0 for
s_II = 2) are subtracted on symmetric windows and integrated in closed form (2 atan(a/gamma)).
As x -> 0, V67 ~ |x|^(s_I/s_II - 1): below |x| = 1e-7 w0 the rule over x is in xi with
x = 1e-7 w0 xi^(s_II/s_I). Everything t-independent (the rules and inner integrals) is set up
once per call (so vmap over t is cheap), jit-able and differentiable (node positions are
stop_gradient'ed; derivatives flow through the spectral functions).

Measured accuracy (double precision):
- against independent brute force (tensor Gauss-Legendre quadrature of the entire integrand /
  of the tau and frequency integrals of alpha_+- written from eqs C4-C6; converged to ~1e-15):
  Ohmic s = 1, cutoffs 10, g_I = g_II = 1e-2, T_I = 10, T_II = 5 (Fig 8): P_short to 1e-13 of
  |P|, P_long to 2e-11 of itself at t = 0.5 ... 10 and to 7e-13 at t = 50 (1.6e9-point JAX
  tensor quadrature); cutoff 2, g_II = 5e-2, T = 2, 0.5, t = 3: 4e-12; sub-Ohmic J_I (s = 1/2)
  with super-Ohmic J_II (s = 2), t = 2: P_long to 1e-7 of itself (7e-10 of |P|);
- no R_II (J_II = 0): P_short equals the equilibrium memory integral to 1e-12 (scipy quad);
- convergence (default against twice the levels and panels) up to t = 3e4: <= 2e-12 of the
  rate for s = 1 (warm and cold baths), <= 3e-8 (at t ~ 0.3, where the rates are small) with
  sub- or super-Ohmic spectra.
Cost (2 CPU cores): the t-independent setup ~1.5-2.5 s (about 2.7e3 x 1.8e3 nodes for T5/T67
and 2.7e3 x 1.8e3 for B, Lambda2, A4), then ~1.5 ms per time (200 times: 0.3 s); compiling
takes ~5 s for the setup and ~1.5 s per new shape of t; jax.grad runs in ~4 s after ~15 s
of compilation.

What the exact rates do (Fig 8, `qoj reproduce exact-rates`): they start at 0 (P ~ t for small
t), and at long times (J_II(w0) t >> 1) approach eqs 19-20 -- gamma_+ -> J_I n_II,
gamma_- -> J_I (n_II + 1) -- up to O(J_II/w0) corrections from the Lorentzian kernel of eq 17
(relative ~5e-4 at g_II = 1e-2, proportional to g_II) and a transient that decays as 1/(w0 t)
and oscillates at w0: the band edge w = 0, where J_I n_I -> g_I T_I for Ohmic s = 1, gives
|Delta P| ~ g_I T_I / (2 pi w0 t). At short times the short-time part shows this oscillating
transient about eq 19, which eq 19 lacks (the paper's Fig 8). The exact frequency shift crosses
over from the Lamb shift at T_I to the one at T_II differently from the interpolation the
"approximate" model uses (up to ~50 % of that model's shift near t ~ 1/J_II(w0), decaying ~1/t).

Limitations: spectra must have a finite bandwidth (`spectrum.quadrature` raises otherwise: a
ValueError here) and bosonic baths; only w = 0 and w0 are graded as singular points of the
spectra, so spectra with other non-analytic points inside the band (Newns band edges) or
poles close to the real axis are integrated less accurately at large t; where gamma(w0) is
below 1e-8 w0 the long-time part loses relative (not absolute) accuracy.
"""

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._checks import ensure, nonnegative
from ._precision import real_dtype

# ---------------------------------------------------------------------------------------------
# Gauss-Legendre panels, Filon weights, Legendre bases
# ---------------------------------------------------------------------------------------------

_N = 16  # Gauss-Legendre nodes per panel (every rule)
_GX, _GW = np.polynomial.legendre.leggauss(_N)
_LEG = np.stack([np.polynomial.legendre.Legendre.basis(n)(_GX) for n in range(_N)])  # (n, j)
# Lagrange basis at the nodes: L_j(xi) = sum_n _LMAT[n, j] P_n(xi) / 2
_LMAT = _GW[None, :] * (2 * np.arange(_N) + 1)[:, None] * _LEG
_IPOW = 1j ** np.arange(_N)
_MILLER = 40  # extra orders of the downward recurrence for j_n(theta) at |theta| < _N


def _sph_jn(theta):
    """Spherical Bessel functions j_n(theta), n < _N, for real theta: shape (..., _N).

    Upward recurrence for |theta| >= _N (stable for n < |theta|); below, the ratios
    j_n/j_{n-1} from the downward continued fraction, anchored at j_0 or j_1 (the larger, so
    that a zero of sin does not spoil the products).
    """
    th = jnp.asarray(theta, real_dtype())
    a = jnp.abs(th)
    big = a >= _N
    ab = jnp.where(big, a, _N + 1.0)
    s, c = jnp.sin(ab), jnp.cos(ab)
    j0 = s / ab
    j1 = s / ab**2 - c / ab

    def up(carry, n):
        jm, j = carry
        jn = (2 * n + 1) / ab * j - jm
        return (j, jn), jn

    _, rest = jax.lax.scan(up, (j0, j1), jnp.arange(1, _N - 1, dtype=real_dtype()))
    by_up = jnp.concatenate([j0[None], j1[None], rest], axis=0)

    x = jnp.where(big, 1.0, a)

    def down(r, n):
        r = x / (2 * n + 1 - x * r)
        return r, r

    orders = jnp.arange(_N + _MILLER, 0, -1, dtype=real_dtype())
    _, ratios = jax.lax.scan(down, jnp.zeros_like(x), orders)
    ratios = ratios[::-1][: _N - 1]  # r_n = j_n / j_{n-1}, n = 1 .. _N - 1
    small = x < 0.2
    xs = jnp.where(small, 1.0, x)
    j0s = jnp.where(small, 1 - x**2 / 6 + x**4 / 120 - x**6 / 5040, jnp.sin(xs) / xs)
    j1s = jnp.where(
        small,
        x / 3 - x**3 / 30 + x**5 / 840 - x**7 / 45360,
        (jnp.sin(xs) / xs - jnp.cos(xs)) / xs,
    )
    one = jnp.ones_like(x)[None]
    from_j0 = j0s[None] * jnp.concatenate([one, jnp.cumprod(ratios, axis=0)], axis=0)
    r1 = jnp.where(ratios[0] == 0, 1.0, ratios[0])
    from_j1 = j1s[None] * jnp.concatenate(
        [(1 / r1)[None], one, jnp.cumprod(ratios[1:], axis=0)], axis=0
    )
    by_down = jnp.where((jnp.abs(j0s) >= jnp.abs(j1s))[None], from_j0, from_j1)
    vals = jnp.where(big[None], by_up, by_down)
    parity = jnp.asarray((-1.0) ** np.arange(_N)).reshape((_N,) + (1,) * th.ndim)
    vals = jnp.where((th < 0)[None], parity * vals, vals)
    return jnp.moveaxis(vals, 0, -1)


def _filon(theta):
    """W_j(theta) with int_{-1}^{1} f(xi) e^{i theta xi} dxi ~ sum_j W_j(theta) f(xi_j), exact
    for polynomials f of degree < _N (W_j(0) are the Gauss-Legendre weights), from
    int P_n(xi) e^{i theta xi} dxi = 2 i^n j_n(theta). W(-theta) = conj W(theta)."""
    jn = _sph_jn(theta)
    re = jn @ jnp.asarray(_IPOW.real[:, None] * _LMAT, real_dtype())
    im = jn @ jnp.asarray(_IPOW.imag[:, None] * _LMAT, real_dtype())
    return jax.lax.complex(re, im)


def _legendre(xi):
    """P_n(xi), n < _N: shape (..., _N)."""

    def step(carry, n):
        pm, p = carry
        pn = ((2 * n + 1) * xi * p - n * pm) / (n + 1)
        return (p, pn), pn

    one = jnp.ones_like(xi)
    _, rest = jax.lax.scan(step, (one, xi), jnp.arange(1, _N - 1, dtype=real_dtype()))
    return jnp.moveaxis(jnp.concatenate([one[None], xi[None], rest], axis=0), 0, -1)


def _legendre_coefficients(values):
    """Legendre coefficients (..., _N) of the polynomial through `values` (..., _N) at the
    Gauss-Legendre nodes."""
    return values @ jnp.asarray(_LMAT.T / 2, values.dtype)


def _rule(edges):
    """Composite Gauss-Legendre rule on sorted `edges`: nodes and weights (P, _N), the panels'
    centres and half-widths (P,). A panel of zero width gets zero weights."""
    lo, hi = edges[:-1], edges[1:]
    c, h = (lo + hi) / 2, (hi - lo) / 2
    nodes = c[:, None] + h[:, None] * jnp.asarray(_GX, real_dtype())[None, :]
    weights = h[:, None] * jnp.asarray(_GW, real_dtype())[None, :]
    return nodes, weights, c, h


def _graded(p, floor, extent, levels, sides=2):
    """Edges p + d_k (and p - d_k if sides == 2) with d_k geometric from `floor` to `extent`
    (levels + 1 values), and p."""
    extent = jnp.maximum(extent, 1e-300)
    floor = jnp.clip(floor, 1e-300, extent)
    ratio = (extent / floor) ** (1.0 / levels)
    d = floor * ratio ** jnp.arange(levels + 1, dtype=real_dtype())
    parts = [p + d, jnp.atleast_1d(p)] + ([p - d] if sides == 2 else [])
    return jnp.concatenate(parts)


def _graded2(p, floor, mid, extent, levels, sides=2):
    """`levels[0]` geometric levels from `floor` to `mid`, `levels[1]` from `mid` to `extent`."""
    mid = jnp.maximum(mid, floor)
    return jnp.concatenate(
        [
            _graded(p, floor, mid, levels[0], sides),
            _graded(p, mid, jnp.maximum(extent, mid), levels[1], sides),
        ]
    )


def _near_zero(lo, hi, scale, levels, deep):
    """Edges graded towards `lo` (one side): from min(hi - lo, scale) to 1e-6 scale, then on
    to `deep` (integrable singularities w^(s-1) of sub-Ohmic spectra)."""
    mid = 1e-6 * scale
    a = _graded(lo, mid, jnp.maximum(jnp.minimum(hi - lo, scale), 2 * mid), levels[0], sides=1)
    b = _graded(lo, jnp.minimum(deep, mid), mid, levels[1], sides=1)
    return jnp.concatenate([a, b])


def _sorted_edges(pieces, lo, hi):
    e = jnp.concatenate(
        [jnp.ravel(jnp.asarray(x, real_dtype())) for x in pieces] + [jnp.stack([lo, hi])]
    )
    return jnp.sort(jnp.clip(e, lo, hi))


def _panel_index(edges, x):
    """Index of the panel [edges[i], edges[i+1]] holding x (clipped to the valid range)."""
    x = jnp.asarray(x)
    i = jnp.sum(x[..., None] >= edges.reshape((1,) * x.ndim + (-1,)), axis=-1) - 1
    return jnp.clip(i, 0, edges.shape[0] - 2)


def _local(x, c, h):
    """x in a panel's local coordinate, clipped to [-1, 1]."""
    return jnp.clip((x - c) / jnp.where(h > 0, h, 1.0), -1.0, 1.0)


# ---------------------------------------------------------------------------------------------
# Complex arithmetic (real operations: XLA's complex division is slow to compile and to run)
# ---------------------------------------------------------------------------------------------


def _safe_inv(d):
    """1/d for real d, 0 where d == 0."""
    ok = d != 0
    return jnp.where(ok, 1.0 / jnp.where(ok, d, 1.0), 0.0)


def _recip(re, im):
    """1/(re + i im), 0 where both vanish."""
    r = _safe_inv(re * re + im * im)
    return jax.lax.complex(re * r, -im * r)


def _over_i(d):
    """1/(i d) = -i/d for real d, 0 where d == 0."""
    return jax.lax.complex(jnp.zeros_like(d), -_safe_inv(d))


def _cis(phase):
    """e^{i phase} for real phase."""
    return jax.lax.complex(jnp.cos(phase), jnp.sin(phase))


def _expm1(z):
    """e^z - 1 for complex z, accurate for small |z| (and for Re z << 0)."""
    x, y = jnp.real(z), jnp.imag(z)
    re = jnp.expm1(x) * jnp.cos(y) - 2 * jnp.sin(y / 2) ** 2
    return jax.lax.complex(re, jnp.exp(x) * jnp.sin(y))


def _phi1(z):
    """(e^z - 1)/z, 1 at z = 0."""
    small = jnp.abs(z) < 1e-3
    zs = jnp.where(small, 1.0, z)
    series = 1 + z / 2 + z**2 / 6 + z**3 / 24 + z**4 / 120
    return jnp.where(small, series, _expm1(zs) * _recip(jnp.real(zs), jnp.imag(zs)))


def _wsum(weights, values):
    """sum(weights * values) over the last two axes, ignoring the nodes of zero weight
    (zero-width panels, whose nodes can sit on a singular point)."""
    w = jnp.broadcast_to(weights, values.shape)
    return jnp.sum(jnp.where(w != 0, w * values, 0.0), axis=(-2, -1))


def _msum(weights, values):
    """sum(values) (already weighted) over the nodes of nonzero weight (last two axes)."""
    w = jnp.broadcast_to(weights, values.shape)
    return jnp.sum(jnp.where(w != 0, values, 0.0), axis=(-2, -1))


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------


def _bandwidth(spectrum, name):
    if not hasattr(spectrum, "quadrature") or not hasattr(spectrum, "low_frequency_exponent"):
        raise TypeError(
            f"exact rates need {name} from qoj.spectra (an AbstractSpectralDensity with a "
            f"finite bandwidth), got {type(spectrum).__name__}"
        )
    try:
        nodes, _ = spectrum.quadrature(_N, 0.0, math.inf)
    except ValueError as e:
        raise ValueError(
            f"exact rates: {name} has no finite bandwidth, so the memory integrals of eqs "
            f"16-18 diverge; give the spectrum a finite cutoff ({e})"
        ) from e
    return jax.lax.stop_gradient(jnp.max(nodes))


class _Model:
    """The spectral functions of a NonEquilibriumBath at frequencies w > 0 (0 at w <= 0);
    the occupations enter through a leading axis sigma: (n, n + 1)."""

    def __init__(self, env):
        self.env = env

    @staticmethod
    def _rates(bath, w):
        pos = w > 0
        emission, absorption = bath._bose_rates(jnp.where(pos, w, 1.0))
        return jnp.stack([jnp.where(pos, absorption, 0.0), jnp.where(pos, emission, 0.0)])

    def J1(self, w):
        return jnp.where(w > 0, self.env.spectrum_I(jnp.where(w > 0, w, 1.0)), 0.0)

    def F1(self, w):
        """(J_I n_I, J_I (n_I + 1))."""
        return self._rates(self.env.bath_I, w)

    def S(self, w):
        """(J_II n_II, J_II (n_II + 1))."""
        return self._rates(self.env.bath_II, w)

    def gamma(self, w):
        return jnp.where(w > 0, self.env.spectrum_II(jnp.where(w > 0, w, 1.0)), 0.0) / 2


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------

_THETA = 2.0  # panels over which the phase turns by <= _THETA take the combined kernels
_T_DESIGN = 1e6  # the rules interpolate e^{-gamma(w) t} for t <= _T_DESIGN / w0
_F_OUT = 1e-8  # the 1D rules are graded towards w0 down to max(gamma(w0)/16, _F_OUT w0)
_FLOOR = 1e-12  # the finest grading of the inner rules (relative to w0)
_X_IN = 1e-7  # below |x| = _X_IN w0 the rule over x is in xi, x = _X_IN w0 xi^k
_DEEP = 1e-20  # sub-Ohmic singularities at w = 0 are graded down to this (relative to w0)
_SIG = 1e-14  # spectral functions below this fraction of their maximum need no panels
_AUX = 1024  # points of the auxiliary grid the background panels are equidistributed on
_SUB_GAMMA = 6  # the rule graded towards |x| (x < 0) spans at most this many gamma panels
_T_BATCH = 64  # times evaluated together
_ROW_BATCH = 16
_V_BATCH = 32  # values of x evaluated together


class _Res(NamedTuple):
    """Static resolution: geometric levels of the graded panels, numbers of panels."""

    l_out: tuple = (24, 8)  # 1D rules over w, w': towards w0 (to w0/2, then to W)
    l_x0: tuple = (16, 8)  # rule over x: towards x = 0 (to w0/2, then to W)
    l_xw: tuple = (10, 2)  # ... towards x = -+w0 (to w0/2, then to 2 w0)
    l_in: tuple = (8, 4)  # inner rules of B, Lambda, A4: towards w0 and towards the row point
    n_bg: int = 24  # background panels (shapes of the spectral functions)
    n_gam: int = 40  # panels interpolating e^{-gamma(w) t}
    z_out: tuple = (16, 10)  # towards w = 0: ratio ~2 to 1e-6 w0, then on to the deep floor
    z_in: tuple = (8, 10)
    z_sub: tuple = (12, 8)  # V at x < 0: towards the moving lower limit |x|
    l_sub: int = 8  # ... and towards w0
    l_v: tuple = (8, 4)  # the fixed rule of V: towards w0
    z_v: tuple = (16, 14)  # ... and towards 0 (V67 near x = 0 needs the modes w -> 0)


_DEFAULT = _Res()


def _spectral_panels(model, hi, t_max, n_bg, n_gam):
    """Two partitions of [0, hi], equidistributing a monitor on a fine auxiliary grid:

    - background (n_bg panels): a panel per ~10 in |log f| for the significant parts of f =
      J_I, J_I n_I, J_I (n_I + 1), J_II, J_II n_II, J_II (n_II + 1), plus the gamma panels'
      monitor;
    - gamma panels (n_gam): 16-node interpolation of e^{-gamma(w) t} to ~1e-12 for every
      t <= t_max needs h |gamma'| <= 0.8 gamma where gamma t_max >= 16 (the worst t is
      16/gamma), else h |gamma'| t_max e^{-gamma t_max / 16} <= 4.8; and, where gamma ~ w^s
      with s not an integer, panels graded towards 0 with ratio <= 3.
    """
    u = hi * jnp.concatenate([jnp.zeros(1), jnp.geomspace(1e-12, 1.0, _AUX - 1)]).astype(
        real_dtype()
    )
    j1, g = model.J1(u), model.gamma(u)
    shape = jnp.zeros(_AUX - 1, real_dtype())
    for f in [j1, *model.F1(u), 2 * g, *model.S(u)]:
        sig = f > _SIG * jnp.max(f)
        lf = jnp.log(jnp.where(sig, f, 1.0))
        shape = shape + jnp.where(sig[1:] & sig[:-1], jnp.abs(jnp.diff(lf)) / 10.0, 0.0)
    gm = (g[1:] + g[:-1]) / 2
    branch1 = jnp.abs(jnp.diff(jnp.log(jnp.maximum(g, 1e-300)))) / 0.8
    branch2 = jnp.abs(jnp.diff(g)) * t_max * jnp.exp(-gm * t_max / 16) / 4.8
    significant = (j1 > _SIG * jnp.max(j1))[1:]
    gvar = jnp.where(significant, jnp.where(gm * t_max >= 16, branch1, branch2), 0.0)
    s_ii = model.env.spectrum_II.low_frequency_exponent()
    branch_point = jnp.abs(s_ii - jnp.round(s_ii)) > 1e-9
    dlog = jnp.diff(jnp.log(jnp.where(u > 0, u, 1.0)))
    gvar = gvar + jnp.where(branch_point & significant & (u[:-1] > 0), dlog / np.log(3.0), 0.0)
    floor = jnp.diff(u) / hi

    def equidistribute(var, n):
        cum = jnp.concatenate([jnp.zeros(1), jnp.cumsum(var + floor)])
        return jnp.interp(jnp.linspace(0.0, cum[-1], n + 1), cum, u)

    return equidistribute(shape + gvar, n_bg), equidistribute(gvar, n_gam)


# ---------------------------------------------------------------------------------------------
# The t-independent parts: rules and inner integrals
# ---------------------------------------------------------------------------------------------


def _setup(env, w0, res=None):
    res = _DEFAULT if res is None else res
    m = _Model(env)
    sg = jax.lax.stop_gradient
    w0 = jnp.asarray(w0, real_dtype())
    sw0 = sg(w0)
    W = jnp.maximum(
        _bandwidth(env.spectrum_I, "spectrum_I"), _bandwidth(env.spectrum_II, "spectrum_II")
    )
    g0 = sg(m.gamma(sw0))
    floor = _FLOOR * sw0
    f_out = jnp.maximum(g0 / 16, _F_OUT * sw0)
    f_in = jnp.maximum(g0 / 16, floor)
    zero = jnp.zeros((), real_dtype())
    half = sw0 / 2
    # sub-Ohmic J(w) n(w) ~ w^(s-1): graded down to where w^s < 1e-12 (at most _DEEP w0)
    s_low = jnp.minimum(
        env.spectrum_I.low_frequency_exponent(), env.spectrum_II.low_frequency_exponent()
    )
    s_low = sg(jnp.clip(s_low, 0.5, 1.0))
    deep = sw0 * jnp.maximum(_DEEP, 1e-12 ** (1 / s_low))

    bg, gam_edges = jax.tree.map(sg, _spectral_panels(m, W, _T_DESIGN / sw0, res.n_bg, res.n_gam))

    # the 1D rule over w (and w'), with the gamma panels' edges
    f_edges = _sorted_edges(
        [
            _graded2(sw0, f_out, half, W, res.l_out),
            _near_zero(zero, W, sw0, res.z_out, deep),
            bg,
            gam_edges,
        ],
        zero,
        W,
    )
    # the rule over x, in two halves (x < 0: V has a moving lower limit), graded towards x = 0
    # (ratio ~2) and x = -+w0. As x -> 0 (from the modes w -> 0, where gamma(w) -> 0) V67(x)
    # ~ |x|^(s_I/s_II - 1) (log|x| for s_I = s_II): below |x| = _X_IN w0 the rule is in xi
    # with x = _X_IN w0 xi^k, k = s_II/s_I (>= 1), which makes the integrand regular
    # (|x| t <= 0.1 there for t <= _T_DESIGN / w0: no Filon weights needed)
    x_in = _X_IN * sw0
    x_pieces = [
        _graded2(x_in, x_in, half, W, res.l_x0, sides=1),
        _graded2(sw0, f_in, half, 2 * sw0, res.l_xw),
        bg,
    ]
    xp_edges = _sorted_edges(x_pieces, x_in, W)
    f_rule = jax.tree.map(sg, _rule(f_edges))
    xp_rule = jax.tree.map(sg, _rule(xp_edges))
    xn_rule = jax.tree.map(sg, _rule(-xp_edges[::-1]))
    g_rule = jax.tree.map(sg, _rule(gam_edges))
    k = sg(
        jnp.clip(
            env.spectrum_II.low_frequency_exponent()
            / jnp.maximum(env.spectrum_I.low_frequency_exponent(), 1e-3),
            1.0,
            16.0,
        )
    )
    xi, xi_w, _, _ = _rule(jnp.asarray(np.concatenate([[0.0], np.geomspace(1e-8, 1.0, 9)])))
    xi_nodes = (x_in * xi**k).ravel()
    xi_weights = (x_in * k * xi ** (k - 1) * xi_w).ravel()

    b, lam2, a4 = _row_integrals(m, w0, W, f_rule[0], bg, deep, f_in, floor, res)
    n_neg = xn_rule[0].size
    v = _v_moments(
        m,
        w0,
        W,
        jnp.concatenate([xn_rule[0].ravel(), -xi_nodes]),
        jnp.concatenate([xp_rule[0].ravel(), xi_nodes]),
        bg,
        gam_edges,
        g_rule,
        deep,
        f_in,
        res,
    )
    n_xi = xi_nodes.size
    v_in = jnp.concatenate([v[n_neg : n_neg + n_xi], v[-n_xi:]])  # (2 n_xi, 4, C N)
    v = jnp.concatenate([v[:n_neg], v[n_neg + n_xi : -n_xi]])
    x_rule = jax.tree.map(lambda a, c: jnp.concatenate([a, c]), xn_rule, xp_rule)

    nodes, weights = f_rule[0], f_rule[1]
    j1 = m.J1(nodes)
    gf = m.gamma(nodes)
    qf = _recip(gf, nodes - w0)
    c3 = -_wsum(weights[None], (j1 * qf)[None] * lam2)
    return dict(
        w0=w0,
        f_rule=f_rule,
        x_rule=x_rule,
        x_in=jnp.concatenate([-xi_nodes, xi_nodes]),
        x_in_weights=jnp.concatenate([xi_weights, xi_weights]),
        v_in=v_in,
        gamma_hat=m.gamma(g_rule[0]),
        F1=m.F1(nodes),
        S=m.S(nodes),
        J1=j1,
        gf=gf,
        qf=qf,
        B=b,
        lam2=lam2,
        a4=a4,
        v=v,
        c3=c3,
    )


def _row_integrals(m, w0, W, rows, bg, deep, f_in, floor, res):
    """B(u), Lambda2(u), A4(u) at the nodes u of the 1D rule (shapes (P, N), (2, P, N) x 2):

        B(u)       = int dw J_I(w) Q(w) / (gamma(w) + i (u - w))        (u = w', for G1)
        Lambda1(u) = int dw' S(w') / (g_u + i (w' - u))                  (u = w, g_u = gamma(u))
        Lambda2(u) = int dw' S(w') / (g_u^2 + (w' - u)^2)
        A4(u)      = PV int dw' S(w') / ((g_u + i (w' - u)) i (w' - w0))
                   = [Sigma_R - Lambda1(u)] / (g_u + i (w0 - u)),
        Sigma_R    = PV int dw' S(w') / (i (w' - w0)).

    The near-pole at w' = u (width g_u, which can be far below any grading: g_u ~ u^2 as
    u -> 0 for s_II = 2) is subtracted on a window |w' - u| < a symmetric about u and
    integrated there in closed form, int_{-a}^{a} dx / (g -+ i x) = 2 atan(a / g); Sigma_R's
    pole likewise on a window about w0 (where the closed form is 0).
    """
    sg = jax.lax.stop_gradient
    zero = jnp.zeros((), real_dtype())
    sw0 = sg(w0)
    half = sw0 / 2
    a_pv = 0.5 * jnp.minimum(sw0, W - sw0)
    s_w0 = m.S(w0)  # (2,)
    pv_edges = _sorted_edges(
        [
            bg,
            _near_zero(zero, W, sw0, res.z_in, deep),
            _graded2(sw0, f_in, half, W, res.l_in),
            jnp.stack([sw0 - a_pv, sw0 + a_pv]),
        ],
        zero,
        W,
    )
    pv_v, pv_w, _, _ = jax.tree.map(sg, _rule(pv_edges))
    y = pv_v - sw0
    ds = m.S(pv_v) - jnp.where((jnp.abs(y) < a_pv)[None], s_w0[:, None, None], 0.0)
    sigma_r = _wsum(pv_w[None], ds * _over_i(y)[None])  # (2,)

    def row(args):
        u, gu, j1u, su = args  # (gamma, J_I, S at u: evaluated outside, vectorised)
        a = 0.5 * jnp.minimum(jnp.minimum(sg(u), W - sg(u)), sw0)
        edges = _sorted_edges(
            [
                bg,
                _near_zero(zero, W, sw0, res.z_in, deep),
                _graded2(sw0, f_in, half, W, res.l_in),
                _graded2(sg(u), jnp.maximum(sg(gu) / 16, floor), half, W, res.l_in),
                jnp.stack([sg(u) - a, sg(u) + a]),
            ],
            zero,
            W,
        )
        v, wv, _, _ = jax.tree.map(sg, _rule(edges))
        x = v - u
        win = jnp.abs(x) < a
        closed = jnp.where(gu > 0, 2 * jnp.arctan(a * _safe_inv(gu)), 0.0)
        gv = m.gamma(v)
        fu = j1u * _recip(gu, u - w0)
        fv = m.J1(v) * _recip(gv, v - w0) * _recip(gv, -x)
        b = _wsum(wv, fv - jnp.where(win, fu * _recip(gu, -x), 0.0)) + fu * closed
        ds = m.S(v) - jnp.where(win[None], su[:, None, None], 0.0)  # (2, P, N)
        lam1 = _wsum(wv[None], ds * _recip(gu, x)[None]) + su * closed
        lam2 = _wsum(wv[None], ds * _safe_inv(gu**2 + x**2)[None]) + su * closed * _safe_inv(gu)
        a4 = (sigma_r - lam1) * _recip(gu, sw0 - u)
        return b, lam2, a4

    shape = rows.shape
    u = rows.ravel()
    b, lam2, a4 = jax.lax.map(row, (u, m.gamma(u), m.J1(u), m.S(u).T), batch_size=_ROW_BATCH)
    lam2 = jnp.moveaxis(lam2, 0, -1).reshape((2,) + shape)
    a4 = jnp.moveaxis(a4, 0, -1).reshape((2,) + shape)
    return b.reshape(shape), lam2, a4


def _v_moments(m, w0, W, xn_nodes, xp_nodes, bg, gam_edges, g_rule, deep, f_in, res):
    """V5(x), V67(x) at the nodes of the rule over x (negative half, then positive), as
    Legendre moments on the gamma panels: shape (n_x, 4, n_gam N), the rows (V5 for n,
    V5 for n + 1, V67 for n, V67 for n + 1). Contracted with the Legendre coefficients of
    e^{-gamma t} on the gamma panels they give, at any t,

        V5(x)  = PV int dw J_I(w) Q(w) S(w + x) e^{-gamma(w) t} / ((gamma(w) + i x) i (w - p)),
        V67(x) = int dw J_I(w) Q(w) S(w + x) e^{-gamma(w) t} / (gamma(w)^2 + x^2),

    p = w0 - x, over w in [max(0, -x), W]. A fixed rule over w (inside the gamma panels)
    serves every x; for x < 0 the lower limit |x| (where S(w + x) starts, a singular point
    of sub-Ohmic S) moves with x: a rule graded towards |x| covers [|x|, e_cut], e_cut a fixed
    edge >= 1.5 |x|. The PV is PV int f/(i (w - p)) = sum w (f - f(p))/(i (w - p)) +
    f(p) (1/i) log((W - p)/(p - lo)), with f(p) carrying the interpolated e^{-gamma(p) t}.
    """
    sg = jax.lax.stop_gradient
    zero = jnp.zeros((), real_dtype())
    sw0 = sg(w0)
    half = sw0 / 2
    g_c, g_h = g_rule[2], g_rule[3]
    n_gam = g_c.shape[0]
    fv_edges = _sorted_edges(
        [
            gam_edges,
            bg,
            _near_zero(zero, W, sw0, res.z_v, deep),
            _graded2(sw0, f_in, half, W, res.l_v),
        ],
        zero,
        W,
    )
    fv_nodes, fv_weights, fv_c, _ = jax.tree.map(sg, _rule(fv_edges))
    fv_panel = _panel_index(gam_edges, fv_c)
    fv_leg = _legendre(_local(fv_nodes, g_c[fv_panel][:, None], g_h[fv_panel][:, None]))
    fv_onehot = (fv_panel[:, None] == jnp.arange(n_gam)[None, :]).astype(real_dtype())
    fv_g = m.gamma(fv_nodes)
    fv_j1q = m.J1(fv_nodes) * _recip(fv_g, fv_nodes - w0)
    s_w0 = m.S(w0)

    def integrand(x, nodes, j1q, g):
        """The values (4, P, N) of J_I Q S(w + x) / (g + i x) and J_I Q S(w + x) / (g^2 + x^2)
        (for n and n + 1)."""
        common = j1q[None] * m.S(nodes + x)
        return jnp.concatenate([common * _recip(g, x)[None], common * _safe_inv(g**2 + x**2)[None]])

    def moments(u, leg, onehot):
        """Legendre moments (4, n_gam, N) of the weighted values u (4, P, N)."""
        return jnp.einsum("spn,pc->scn", jnp.einsum("spj,pjn->spn", u, leg), onehot)

    def with_pv(vals, d, weights):
        """Divide the V5 rows by i (w - p); return them and sum weights / (i (w - p))."""
        inv = _over_i(d)
        vals = jnp.concatenate([vals[:2] * inv[None], vals[2:]])
        return vals, jnp.sum(jnp.where(weights != 0, weights * inv, 0.0))

    def pv_point(x, p, gp, j1p, lo, pv_sum, inside):
        """f(p) [(1/i) log((W - p)/(p - lo)) - sum w / (i (w - p))] as moments (4, C, N)."""
        g5p = j1p * s_w0 * _recip(gp, p - w0) * _recip(gp, x)  # (2,)
        log = jnp.log(jnp.where(inside, (W - p) / jnp.where(inside, p - lo, 1.0), 1.0))
        coef = jnp.where(inside, g5p * (-1j * log - pv_sum), 0.0)
        cp = _panel_index(gam_edges, p)
        lp = _legendre(_local(p, g_c[cp], g_h[cp]))
        onep = (jnp.arange(n_gam) == cp).astype(real_dtype())
        corr = coef[:, None, None] * (onep[:, None] * lp[None, :])[None]
        return jnp.concatenate([corr, jnp.zeros_like(corr)])

    def fixed_part(x, p, e_cut):
        """Moments from the fixed rule's nodes above e_cut, and their sum w / (i (w - p))."""
        keep = (fv_nodes >= e_cut) & (fv_weights != 0)
        w = jnp.where(keep, fv_weights, 0.0)
        vals = jnp.where(keep[None], integrand(x, fv_nodes, fv_j1q, fv_g), 0.0)
        vals, pv_sum = with_pv(vals, fv_nodes - p, w)
        return moments(w[None] * vals, fv_leg, fv_onehot), pv_sum

    def v_of(args):
        """w in [lo, W], lo = max(0, -x) (S(w + x) vanishes above W - x for x > 0); for x < 0
        a rule graded towards lo = |x| covers [|x|, e_cut] (empty for x >= 0)."""
        x, gp, j1p = args  # (gamma and J_I at p = w0 - x: evaluated outside, vectorised)
        neg = x < 0
        lo = jnp.where(neg, -x, zero)
        i0 = _panel_index(gam_edges, lo)
        e_cut = jnp.minimum(
            fv_edges[_panel_index(fv_edges, 1.5 * lo) + 1],
            gam_edges[jnp.minimum(i0 + _SUB_GAMMA, n_gam)],
        )
        e_cut = jnp.maximum(e_cut, fv_edges[_panel_index(fv_edges, lo) + 1])
        e_cut = jnp.where(neg, e_cut, zero)
        p = sw0 - x
        mom, pv_sum = fixed_part(x, p, e_cut)
        sub = _sorted_edges(
            [
                _near_zero(lo, e_cut, jnp.maximum(e_cut - lo, deep), res.z_sub, deep),
                _graded(sw0, f_in, half, res.l_sub),
                gam_edges[jnp.clip(i0 + jnp.arange(1, _SUB_GAMMA + 1), 0, n_gam)],
            ],
            lo,
            jnp.maximum(e_cut, lo),
        )
        sn, sw, sc, _ = jax.tree.map(sg, _rule(sub))
        sp = _panel_index(gam_edges, sc)
        sleg = _legendre(_local(sn, g_c[sp][:, None], g_h[sp][:, None]))
        sone = (sp[:, None] == jnp.arange(n_gam)[None, :]).astype(real_dtype())
        sgam = m.gamma(sn)
        svals = integrand(x, sn, m.J1(sn) * _recip(sgam, sn - w0), sgam)
        svals = jnp.where((sw != 0)[None], svals, 0.0)
        svals, sub_sum = with_pv(svals, sn - p, sw)
        mom = mom + moments(sw[None] * svals, sleg, sone)
        inside = (p > lo) & (p < W)
        return (mom + pv_point(x, p, gp, j1p, lo, pv_sum + sub_sum, inside)).reshape(4, -1)

    xs = jnp.concatenate([xn_nodes.ravel(), xp_nodes.ravel()])
    ps = sw0 - xs
    return jax.lax.map(v_of, (xs, m.gamma(ps), m.J1(ps)), batch_size=_V_BATCH)


_setup_jit = jax.jit(_setup, static_argnames="res")


# ---------------------------------------------------------------------------------------------
# One time t
# ---------------------------------------------------------------------------------------------


def _at(pre, t):
    """(P_short, P_long) for the two occupations sigma = (n, n + 1): two arrays of shape (2,)
    (M = conj of the sigma = 1 entries)."""
    w0 = pre["w0"]
    two_pi = 2 * jnp.pi
    nodes, weights, c, h = pre["f_rule"]
    xn, xw, xc, xh = pre["x_rule"]
    nf = c.shape[0]
    fil = _filon(jnp.concatenate([t * h, t * xh]))
    fil_f = (h * _cis(t * (c - w0)))[:, None] * fil[:nf]  # e^{i (w - w0) t}
    fil_x = (xh * _cis(t * xc))[:, None] * fil[nf:]  # e^{i x t}
    fil_xm = jnp.conj(fil_x)  # e^{-i x t}
    dw = nodes - w0
    g, q = pre["gf"], pre["qf"]
    e1 = jnp.exp(-g * t)
    comb = (jnp.maximum(jnp.abs(c - h - w0), jnp.abs(c + h - w0)) * t <= _THETA)[:, None]
    # short-time part: (1/2pi) int dw F(w) e^{-gamma t} Q (e^{i dw t} - e^{-gamma t})
    f1 = pre["F1"]
    split = (fil_f * e1 * q)[None] * f1 - (weights * e1**2 * q)[None] * f1
    combined = (weights * e1**2 * t * _phi1((g + 1j * dw) * t))[None] * f1
    short = _msum(weights[None], jnp.where(comb[None], combined, split)) / two_pi
    # long-time part
    j1 = pre["J1"]
    t4 = -_msum(weights[None], (fil_f * j1 * q * e1)[None] * pre["a4"])
    t8 = -_wsum(weights[None], (j1 * q * e1**2)[None] * pre["lam2"])
    amp = pre["S"] * pre["B"][None]
    iy = _over_i(dw)
    g1_split = (fil_f * iy - weights * iy)[None] * amp
    g1_comb = (weights * t * _phi1(1j * dw * t))[None] * amp
    g1 = _msum(weights[None], jnp.where(comb[None], g1_comb, g1_split))
    e = _legendre_coefficients(jnp.exp(-pre["gamma_hat"] * t)).ravel()
    v = jnp.moveaxis((pre["v"] @ e).reshape(xn.shape + (4,)), -1, 0)  # (4, P, N)
    t5 = _msum(xw[None], fil_xm[None] * v[:2])
    t67 = _msum(xw[None], (fil_x + fil_xm)[None] * v[2:])
    # |x| < _X_IN w0: plain weights
    v_in = (pre["v_in"] @ e).T  # (4, n)
    xin, win = pre["x_in"], pre["x_in_weights"]
    t5 = t5 + jnp.sum((win * _cis(-t * xin))[None] * v_in[:2], axis=-1)
    t67 = t67 + jnp.sum((win * 2 * jnp.cos(t * xin))[None] * v_in[2:], axis=-1)
    long = (g1 + pre["c3"] + t8 + t4 + t5 + t67) / two_pi**2
    # P(0) = 0 (the terms cancel there to rounding)
    return jnp.where(t > 0, short, 0.0), jnp.where(t > 0, long, 0.0)


class _Baths(NamedTuple):
    """The two baths of a NonEquilibriumBath (without its static rate model, so that both
    rate models share compiled code)."""

    bath_I: object
    bath_II: object

    @property
    def spectrum_I(self):
        return self.bath_I.spectrum

    @property
    def spectrum_II(self):
        return self.bath_II.spectrum


def _times(pre, t):
    """_at over a flat array of times: (n, 2) arrays P_short-like, P_long-like."""
    return jax.lax.map(lambda s: _at(pre, s), t, batch_size=_T_BATCH)


_times_jit = jax.jit(_times)


def memory_terms(env, t, w0, *, res=None):
    """(P_short, P_long, M_short, M_long) at the times t (any shape; complex arrays of t's
    shape): the memory integrals P(t) = int_0^t dtau alpha_+(t, tau) e^{-i w0 (t - tau)} and
    M(t) = int_0^t dtau alpha_-(t, tau) e^{i w0 (t - tau)} of `env` (a `NonEquilibriumBath`)
    for a qubit of frequency w0, split into the parts from the first ("short-time") and second
    ("long-time") terms of eq 16. See the module docstring for the formulas, the method and
    its accuracy. `res` (static, a `_Res`) overrides the resolution (for convergence checks).
    """
    from ._nonequilibrium import NonEquilibriumBath

    if not isinstance(env, NonEquilibriumBath):
        raise TypeError(f"env must be a qoj.NonEquilibriumBath, got {type(env).__name__}")
    for name, bath in (("bath_I", env.bath_I), ("bath_II", env.bath_II)):
        if bath.statistics != "bose":
            raise ValueError(f"exact rates: {name} must be bosonic")
    t = nonnegative(t, "t")
    w0 = jnp.asarray(w0, real_dtype())
    if w0.ndim != 0:
        raise ValueError(f"w0 must be a scalar, got shape {w0.shape} (use jax.vmap)")
    w0 = ensure(w0, ~(w0 > 0), "w0 must be positive (the qubit frequency)")
    # the t-independent setup and the times are compiled separately: new shapes of t only
    # recompile the (cheap) second part; long arrays are padded to a multiple of _T_BATCH
    pre = _setup_jit(_Baths(env.bath_I, env.bath_II), w0, res=res)
    tf = t.ravel()
    n = tf.size
    if n > _T_BATCH:
        tf = jnp.concatenate([tf, jnp.zeros(-n % _T_BATCH, tf.dtype)])
    short, long = _times_jit(pre, tf)
    shape = t.shape
    return (
        short[:n, 0].reshape(shape),
        long[:n, 0].reshape(shape),
        jnp.conj(short[:n, 1]).reshape(shape),
        jnp.conj(long[:n, 1]).reshape(shape),
    )


def memory_integrals(env, t, w0):
    """(P(t), M(t)) = (P_short + P_long, M_short + M_long) (see `memory_terms`): the canonical
    rates are gamma_+ = 2 Re P, gamma_- = 2 Re M and the frequency shift is Im M - Im P."""
    ps, pl, ms, ml = memory_terms(env, t, w0)
    return ps + pl, ms + ml
