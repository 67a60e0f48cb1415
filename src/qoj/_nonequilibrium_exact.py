"""Exact memory integrals of seed 000 (eqs 16-18, A2-A3): the rate model `rates="exact"` of
`qoj.NonEquilibriumBath`.

DOCSTRING_PLACEHOLDER
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
    p = [jnp.ones_like(xi), xi]
    for n in range(1, _N - 1):
        p.append(((2 * n + 1) * xi * p[n] - n * p[n - 1]) / (n + 1))
    return jnp.stack(p, axis=-1)


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
    i = jnp.searchsorted(edges, x, side="right", method="compare_all") - 1
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
_DEEP = 1e-20  # sub-Ohmic singularities at w = 0 are graded down to this (relative to w0)
_SIG = 1e-14  # spectral functions below this fraction of their maximum need no panels
_AUX = 1024  # points of the auxiliary grid the background panels are equidistributed on
_SUB_GAMMA = 6  # the rule graded towards |x| (x < 0) spans at most this many gamma panels
_T_BATCH = 64  # times evaluated together
_V_BATCH = 64  # values of x evaluated together


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
    z_v: tuple = (8, 10)  # ... and towards 0


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
    # the rule over x, in two halves (x < 0: V has a moving lower limit). V(x) ~ log|x| as
    # x -> 0 (from the modes w -> 0, where gamma(w) -> 0): graded with ratio ~2 down to
    # 1e-7 w0, then with ratio ~10 down to 1e-17 w0
    x_pieces = [
        _graded2(zero, 1e-7 * sw0, half, W, res.l_x0, sides=1),
        _graded(zero, 1e-17 * sw0, 1e-7 * sw0, 10, sides=1),
        _graded2(sw0, f_in, half, 2 * sw0, res.l_xw),
        bg,
    ]
    xp_edges = _sorted_edges(x_pieces, zero, W)
    f_rule = jax.tree.map(sg, _rule(f_edges))
    xp_rule = jax.tree.map(sg, _rule(xp_edges))
    xn_rule = jax.tree.map(sg, _rule(-xp_edges[::-1]))
    g_rule = jax.tree.map(sg, _rule(gam_edges))

    b, lam2, a4 = _row_integrals(m, w0, W, f_rule[0], bg, deep, f_in, floor, res)
    v = _v_moments(m, w0, W, xn_rule[0], xp_rule[0], bg, gam_edges, g_rule, deep, f_in, res)
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

    def row(u):
        gu = m.gamma(u)
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
        fu = m.J1(u) * _recip(gu, u - w0)
        fv = m.J1(v) * _recip(gv, v - w0) * _recip(gv, -x)
        b = _wsum(wv, fv - jnp.where(win, fu * _recip(gu, -x), 0.0)) + fu * closed
        su = m.S(u)  # (2,)
        ds = m.S(v) - jnp.where(win[None], su[:, None, None], 0.0)  # (2, P, N)
        lam1 = _wsum(wv[None], ds * _recip(gu, x)[None]) + su * closed
        lam2 = _wsum(wv[None], ds * _safe_inv(gu**2 + x**2)[None]) + su * closed * _safe_inv(gu)
        a4 = (sigma_r - lam1) * _recip(gu, sw0 - u)
        return b, lam2, a4

    shape = rows.shape
    b, lam2, a4 = jax.lax.map(row, rows.ravel())
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

    def pv_point(x, p, lo, pv_sum, inside):
        """f(p) [(1/i) log((W - p)/(p - lo)) - sum w / (i (w - p))] as moments (4, C, N)."""
        gp = m.gamma(p)
        g5p = m.J1(p) * s_w0 * _recip(gp, p - w0) * _recip(gp, x)  # (2,)
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

    def v_pos(x):
        """x >= 0: w in [0, W - x], the fixed rule (S(w + x) vanishes above W - x)."""
        p = sw0 - x
        mom, pv_sum = fixed_part(x, p, zero)
        return (mom + pv_point(x, p, zero, pv_sum, (p > 0) & (p < W))).reshape(4, -1)

    def v_neg(x):
        """x < 0: w in [|x|, W]."""
        lo = -x
        i0 = _panel_index(gam_edges, lo)
        e_cut = jnp.minimum(
            fv_edges[_panel_index(fv_edges, 1.5 * lo) + 1],
            gam_edges[jnp.minimum(i0 + _SUB_GAMMA, n_gam)],
        )
        e_cut = jnp.maximum(e_cut, fv_edges[_panel_index(fv_edges, lo) + 1])
        p = sw0 - x
        mom, pv_sum = fixed_part(x, p, e_cut)
        sub = _sorted_edges(
            [
                _near_zero(lo, e_cut, jnp.maximum(e_cut - lo, deep), res.z_sub, deep),
                _graded(sw0, f_in, half, res.l_sub),
                gam_edges[jnp.clip(i0 + jnp.arange(1, _SUB_GAMMA + 1), 0, n_gam)],
            ],
            lo,
            e_cut,
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
        return (mom + pv_point(x, p, lo, pv_sum + sub_sum, p < W)).reshape(4, -1)

    return jnp.concatenate(
        [
            jax.lax.map(v_neg, xn_nodes.ravel(), batch_size=_V_BATCH),
            jax.lax.map(v_pos, xp_nodes.ravel(), batch_size=_V_BATCH),
        ]
    )


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
    long = (g1 + pre["c3"] + t8 + t4 + t5 + t67) / two_pi**2
    return short, long


def _memory_terms(env, t, w0, res=None):
    pre = _setup(env, w0, res)
    tf = t.ravel()
    short, long = jax.lax.map(lambda s: _at(pre, s), tf, batch_size=_T_BATCH)
    shape = t.shape
    return (
        short[:, 0].reshape(shape),
        long[:, 0].reshape(shape),
        jnp.conj(short[:, 1]).reshape(shape),
        jnp.conj(long[:, 1]).reshape(shape),
    )


_memory_terms_jit = jax.jit(_memory_terms, static_argnames="res")


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
    return _memory_terms_jit(env, t, w0, res=res)


def memory_integrals(env, t, w0):
    """(P(t), M(t)) = (P_short + P_long, M_short + M_long) (see `memory_terms`): the canonical
    rates are gamma_+ = 2 Re P, gamma_- = 2 Re M and the frequency shift is Im M - Im P."""
    ps, pl, ms, ml = memory_terms(env, t, w0)
    return ps + pl, ms + ml
