"""Exact memory integrals of seed 000 (eqs 16-18, A2-A3), by panel quadrature with Filon weights."""

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._precision import real_dtype

# ---------------------------------------------------------------------------------------------
# Gauss-Legendre panels and Filon weights
# ---------------------------------------------------------------------------------------------

_N = 16
_GX, _GW = np.polynomial.legendre.leggauss(_N)
_LEG = np.stack([np.polynomial.legendre.Legendre.basis(n)(_GX) for n in range(_N)])  # (n, j)
# int_{-1}^{1} L_j(xi) P_n(xi) dxi... : L_j(xi) = sum_n _LMAT[n, j] P_n(xi) / 2
_LMAT = _GW[None, :] * (2 * np.arange(_N) + 1)[:, None] * _LEG
_IPOW = 1j ** np.arange(_N)
_MILLER = 40  # extra orders of the downward recurrence for j_n at |theta| < _N


def _sph_jn(theta):
    """Spherical Bessel functions j_n(theta), n = 0.._N-1, for real theta: shape (..., _N).

    Upward recurrence for |theta| >= _N (stable for n < |theta|); for |theta| < _N the ratios
    j_n/j_{n-1} from a downward continued fraction, anchored at j_0 or j_1 (whichever is
    larger, so that a zero of sin does not spoil the products).
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
    ratios = ratios[::-1][: _N - 1]  # r_1 .. r_{N-1}, r_n = j_n / j_{n-1}
    small = x < 0.2
    xs = jnp.where(small, 1.0, x)
    j0s = jnp.where(small, 1 - x**2 / 6 + x**4 / 120 - x**6 / 5040, jnp.sin(xs) / xs)
    j1s = jnp.where(
        small,
        x / 3 - x**3 / 30 + x**5 / 840 - x**7 / 45360,
        (jnp.sin(xs) / xs - jnp.cos(xs)) / xs,
    )
    from_j0 = j0s[None] * jnp.concatenate(
        [jnp.ones_like(x)[None], jnp.cumprod(ratios, axis=0)], axis=0
    )
    r1 = jnp.where(ratios[0] == 0, 1.0, ratios[0])
    from_j1 = j1s[None] * jnp.concatenate(
        [(1 / r1)[None], jnp.ones_like(x)[None], jnp.cumprod(ratios[1:], axis=0)], axis=0
    )
    by_down = jnp.where(jnp.abs(j0s) >= jnp.abs(j1s), from_j0, from_j1)
    vals = jnp.where(big, by_up, by_down)
    parity = jnp.asarray((-1.0) ** np.arange(_N)).reshape((_N,) + (1,) * th.ndim)
    vals = jnp.where(th < 0, parity * vals, vals)
    return jnp.moveaxis(vals, 0, -1)


def _filon(theta):
    """W_j(theta): int_{-1}^{1} f(xi) e^{i theta xi} dxi ~ sum_j W_j(theta) f(xi_j), exact for
    polynomials f of degree < _N (W_j(0) are the Gauss-Legendre weights)."""
    jn = _sph_jn(theta)
    re = jn @ jnp.asarray(_IPOW.real[:, None] * _LMAT, real_dtype())
    im = jn @ jnp.asarray(_IPOW.imag[:, None] * _LMAT, real_dtype())
    return jax.lax.complex(re, im)


def _rule(edges):
    """Composite Gauss-Legendre rule on sorted `edges`: (nodes, weights) of shape (P, _N), and
    the panels' centres and half-widths (P,)."""
    lo, hi = edges[:-1], edges[1:]
    c, h = (lo + hi) / 2, (hi - lo) / 2
    nodes = c[:, None] + h[:, None] * jnp.asarray(_GX)[None, :]
    weights = h[:, None] * jnp.asarray(_GW)[None, :]
    return nodes, weights, c, h


def _graded(p, floor, extent, levels, sides=2):
    """Edges p + d_k (and p - d_k if sides == 2), d_k geometric from `floor` to `extent`
    (levels + 1 values), and p."""
    extent = jnp.maximum(extent, 1e-300)
    floor = jnp.clip(floor, 1e-300, extent)
    ratio = (extent / floor) ** (1.0 / levels)
    d = floor * ratio ** jnp.arange(levels + 1, dtype=real_dtype())
    parts = [p + d, jnp.atleast_1d(p)] + ([p - d] if sides == 2 else [])
    return jnp.concatenate(parts)


def _graded2(p, floor, mid, extent, levels, sides=2):
    """Two-stage grading: `levels[0]` from `floor` to `mid`, `levels[1]` from `mid` to
    `extent`."""
    mid = jnp.maximum(mid, floor)
    return jnp.concatenate(
        [
            _graded(p, floor, mid, levels[0], sides),
            _graded(p, mid, jnp.maximum(extent, mid), levels[1], sides),
        ]
    )


def _sorted_edges(pieces, lo, hi):
    e = jnp.concatenate(
        [jnp.ravel(jnp.asarray(x, real_dtype())) for x in pieces] + [jnp.stack([lo, hi])]
    )
    return jnp.sort(jnp.clip(e, lo, hi))


def _expm1(z):
    """e^z - 1 for complex z, accurate for small |z| (and Re z << 0)."""
    x, y = jnp.real(z), jnp.imag(z)
    re = jnp.expm1(x) * jnp.cos(y) - 2 * jnp.sin(y / 2) ** 2
    im = jnp.exp(x) * jnp.sin(y)
    return jax.lax.complex(re, im)


def _phi1(z):
    """(e^z - 1)/z, = 1 at z = 0."""
    small = jnp.abs(z) < 1e-3
    zs = jnp.where(small, 1.0, z)
    series = 1 + z / 2 + z**2 / 6 + z**3 / 24 + z**4 / 120
    return jnp.where(small, series, _expm1(zs) * _recip(jnp.real(zs), jnp.imag(zs)))


# ---------------------------------------------------------------------------------------------
# Background panels from the shapes of the spectral functions
# ---------------------------------------------------------------------------------------------

_AUX = 1024


def _equidistributed(log_fns, lo, hi, n_panels, significance=1e-14):
    """n_panels + 1 edges on [lo, hi] with equal total variation of sum_k c_k log f_k per panel.

    log_fns: w -> (values (K, n), weights c_k (K,), significant mask (K, n)).
    """
    u = lo + (hi - lo) * jnp.concatenate([jnp.zeros(1), jnp.geomspace(1e-7, 1.0, _AUX - 1)]).astype(
        real_dtype()
    )
    logs, scale, sig = log_fns(u)
    var = jnp.abs(jnp.diff(logs, axis=1)) * scale[:, None]
    var = jnp.where(sig[:, 1:] | sig[:, :-1], var, 0.0)
    var = jnp.sum(var, axis=0)
    var = var + jnp.diff(u) / (hi - lo)  # a floor: at least one panel over the range
    cum = jnp.concatenate([jnp.zeros(1), jnp.cumsum(var)])
    levels = jnp.linspace(0.0, cum[-1], n_panels + 1)
    return jnp.interp(levels, cum, u)


# ---------------------------------------------------------------------------------------------
# The model's functions
# ---------------------------------------------------------------------------------------------


def _bandwidth(spectrum, name):
    if not hasattr(spectrum, "quadrature"):
        raise TypeError(
            f"exact rates need {name} from qoj.spectra (an AbstractSpectralDensity with a "
            f"finite bandwidth), got {type(spectrum).__name__}"
        )
    try:
        nodes, _ = spectrum.quadrature(_N, 0.0, math.inf)
    except ValueError as e:
        raise ValueError(
            f"exact rates: {name} has no finite bandwidth, so the memory integrals of eqs 16-18 "
            f"diverge; give a finite cutoff ({e})"
        ) from e
    return jax.lax.stop_gradient(jnp.max(nodes))


class _Model:
    """The spectral functions of a NonEquilibriumBath at frequencies w > 0 (0 at w <= 0)."""

    def __init__(self, env):
        self.env = env

    @staticmethod
    def _rates(bath, w):
        """(J n, J (n + 1)) stacked on a new leading axis; 0 at w <= 0."""
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
# Grids
# ---------------------------------------------------------------------------------------------

_THETA = 2.0  # panels with |phase| <= _THETA over them take the combined (regular) kernel
_T_DESIGN = 1e6  # the rules resolve e^{-gamma(w) t} for t <= _T_DESIGN / w0
_F_OUT = 1e-8  # the 1D rules are graded towards w0 down to max(gamma(w0)/16, _F_OUT w0)
_FLOOR = 1e-12  # the finest grading, relative to w0
_DEEP = 1e-20  # sub-Ohmic singularities at w = 0 are graded down to this (relative to w0)
_SIG = 1e-14


class _Res(NamedTuple):
    """Static resolution of the rules (levels of graded panels, numbers of panels)."""

    l_out: tuple = (24, 8)  # levels towards w0 in the 1D rules over w and w' (to w0/2, to W)
    l_x0: tuple = (16, 8)  # levels towards x = 0 in the rule over x
    l_xw: tuple = (10, 2)  # levels towards x = -+w0 (to w0/2, to 2 w0)
    l_in: tuple = (8, 4)  # levels towards each point in the inner (non-oscillatory) rules
    n_bg: int = 24  # background panels (spectral shapes)
    n_gam: int = 28  # panels interpolating e^{-gamma(w) t}
    z_out: tuple = (16, 10)  # levels towards w = 0 (ratio ~2 to 1e-6, then deeper)
    z_in: tuple = (8, 10)
    z_sub: tuple = (12, 8)
    l_v: tuple = (8, 4)  # the fixed rule of V: levels towards w0
    z_v: tuple = (8, 10)  # ... towards 0 (the moving lower limit |x|, x < 0, of V)


_DEFAULT = _Res()


def _near_zero(lo, hi, scale, levels, deep):
    """Edges graded towards `lo`: from min(hi - lo, scale) to 1e-6 scale, then to `deep`."""
    mid = 1e-6 * scale
    a = _graded(lo, mid, jnp.maximum(jnp.minimum(hi - lo, scale), 2 * mid), levels[0], sides=1)
    b = _graded(lo, jnp.minimum(deep, mid), mid, levels[1], sides=1)
    return jnp.concatenate([a, b])


def _spectral_panels(model, hi, t_max, n_bg, n_gam):
    """Edges of two partitions of [0, hi], equidistributing a monitor on a fine auxiliary grid:

    - background (n_bg panels): the shapes of J_I, J_I n_I, J_I (n_I + 1), J_II, J_II n_II,
      J_II (n_II + 1) (a panel per ~10 in |log f| where f is significant) and of e^{-gamma t};
    - gamma panels (n_gam): e^{-gamma(w) t} for every t <= t_max: 16-node interpolation to
      ~1e-12 needs h |gamma'| <= 0.8 gamma where gamma t_max >= 16 (the worst t is 16/gamma),
      else h |gamma'| t_max e^{-gamma t_max/16} <= 4.8.
    """
    u = hi * jnp.concatenate([jnp.zeros(1), jnp.geomspace(1e-9, 1.0, _AUX - 1)]).astype(
        real_dtype()
    )
    j1, g = model.J1(u), model.gamma(u)
    fns = [j1, *model.F1(u), 2 * g, *model.S(u)]
    shape = jnp.zeros(_AUX - 1, real_dtype())
    for f in fns:
        sig = f > _SIG * jnp.max(f)
        lf = jnp.log(jnp.where(sig, f, 1.0))
        shape = shape + jnp.where(sig[1:] & sig[:-1], jnp.abs(jnp.diff(lf)) / 10.0, 0.0)
    gm = (g[1:] + g[:-1]) / 2
    lg = jnp.log(jnp.maximum(g, 1e-300))
    branch1 = jnp.abs(jnp.diff(lg)) / 0.8
    branch2 = jnp.abs(jnp.diff(g)) * t_max * jnp.exp(-gm * t_max / 16) / 4.8
    significant = (j1 > _SIG * jnp.max(j1))[1:]
    gvar = jnp.where(significant, jnp.where(gm * t_max >= 16, branch1, branch2), 0.0)
    floor = jnp.diff(u) / hi

    def equidistribute(var, n):
        cum = jnp.concatenate([jnp.zeros(1), jnp.cumsum(var + floor)])
        return jnp.interp(jnp.linspace(0.0, cum[-1], n + 1), cum, u)

    return equidistribute(shape + gvar, n_bg), equidistribute(gvar, n_gam)


def _legendre(xi):
    """P_n(xi), n < _N: shape (..., _N)."""
    p = [jnp.ones_like(xi), xi]
    for n in range(1, _N - 1):
        p.append(((2 * n + 1) * xi * p[n] - n * p[n - 1]) / (n + 1))
    return jnp.stack(p, axis=-1)


def _panel_index(edges, x):
    """Index of the panel [edges[i], edges[i+1]] holding x (clipped to the valid range)."""
    i = jnp.searchsorted(edges, x, side="right", method="compare_all") - 1
    return jnp.clip(i, 0, edges.shape[0] - 2)


def _local(x, c, h):
    """x in a panel's local coordinate [-1, 1]."""
    return jnp.clip((x - c) / jnp.where(h > 0, h, 1.0), -1.0, 1.0)


def _legendre_coefficients(values):
    """Legendre coefficients (..., _N) of the polynomial through `values` (..., _N) at the
    Gauss-Legendre nodes."""
    return values @ jnp.asarray(_LMAT.T / 2, values.dtype)


# ---------------------------------------------------------------------------------------------
# t-independent parts
# ---------------------------------------------------------------------------------------------

_BATCH = None
_V_BATCH = 64
_SUB_GAMMA = 6


def _safe_inv(d):
    """1/d for real d, 0 where d == 0."""
    ok = d != 0
    return jnp.where(ok, 1.0 / jnp.where(ok, d, 1.0), 0.0)


def _recip(re, im):
    """1/(re + i im), 0 where both vanish (real arithmetic: XLA's complex division is slow to
    compile)."""
    r = _safe_inv(re * re + im * im)
    return jax.lax.complex(re * r, -im * r)


def _over_i(d):
    """1/(i d) = -i/d for real d, 0 where d == 0."""
    return jax.lax.complex(jnp.zeros_like(d), -_safe_inv(d))


def _cis(phase):
    """e^{i phase} for real phase."""
    return jax.lax.complex(jnp.cos(phase), jnp.sin(phase))


def _wsum(weights, values, axis=(-2, -1)):
    """sum(weights * values), ignoring the values at nodes of zero weight (zero-width panels,
    where a node can sit on a singular point)."""
    return jnp.sum(jnp.where(weights != 0, weights * values, 0.0), axis=axis)


def _msum(weights, values, axis=(-2, -1)):
    """sum(values) over the nodes of nonzero weight (values already weighted)."""
    return jnp.sum(jnp.where(weights != 0, values, 0.0), axis=axis)


def _setup(env, w0, res=None):
    """Everything that does not depend on t: the rules and the inner integrals."""
    res = _DEFAULT if res is None else res
    m = _Model(env)
    sg = jax.lax.stop_gradient
    w0 = jnp.asarray(w0, real_dtype())
    sw0 = sg(w0)
    tm = _T_DESIGN / sw0
    W = jnp.maximum(
        _bandwidth(env.spectrum_I, "spectrum_I"), _bandwidth(env.spectrum_II, "spectrum_II")
    )
    g0 = sg(m.gamma(sw0))
    floor = _FLOOR * sw0
    f_out = jnp.maximum(g0 / 16, _F_OUT * sw0)
    f_in = jnp.maximum(g0 / 16, floor)
    zero = jnp.zeros((), real_dtype())
    half = sw0 / 2
    # sub-Ohmic J(w) n(w) ~ w^(s-1): graded down to where w^s < 1e-12 (at most 1e-20 w0)
    s_low = jnp.minimum(
        env.spectrum_I.low_frequency_exponent(), env.spectrum_II.low_frequency_exponent()
    )
    s_low = sg(jnp.clip(s_low, 0.5, 1.0))
    deep = sw0 * jnp.maximum(_DEEP, 1e-12 ** (1 / s_low))

    bg, gam_edges = jax.tree.map(sg, _spectral_panels(m, W, tm, res.n_bg, res.n_gam))

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
    # the rule over x, in two halves (x < 0, where V has a moving lower limit, and x >= 0);
    # V(x) ~ log|x| as x -> 0 (the modes w -> 0, where gamma(w) -> 0): graded with ratio ~2
    # down to 1e-7 w0, then ratio ~10 down to 1e-17 w0
    x_pos = [
        _graded2(zero, 1e-7 * sw0, half, W, res.l_x0, sides=1),
        _graded(zero, 1e-17 * sw0, 1e-7 * sw0, 10, sides=1),
        _graded2(sw0, f_in, half, 2 * sw0, res.l_xw),
        bg,
    ]
    xp_edges = _sorted_edges(x_pos, zero, W)
    xn_edges = -_sorted_edges(x_pos, zero, W)[::-1]
    f_rule = jax.tree.map(sg, _rule(f_edges))
    xp_rule = jax.tree.map(sg, _rule(xp_edges))
    xn_rule = jax.tree.map(sg, _rule(xn_edges))
    g_rule = jax.tree.map(sg, _rule(gam_edges))

    # ---- inner integrals on the f rule, for each node u:
    #   B(u) = int dw J_I(w) Q(w) L+(u - w; gamma(w))          (u = w', the rule of G1)
    #   Lambda2(u) = int dw' S(w') |L+(w' - u; gamma(u))|^2     (u = w)
    #   A4(u) = PV int dw' S(w') L+(w' - u; gamma(u)) / (i (w' - w0))
    a_pv = 0.5 * jnp.minimum(sw0, W - sw0)
    s_w0 = m.S(w0)  # (2,)

    def row(u):
        gu = m.gamma(u)
        edges = _sorted_edges(
            [
                bg,
                _near_zero(zero, W, sw0, res.z_in, deep),
                _graded2(sw0, f_in, half, W, res.l_in),
                _graded2(sg(u), jnp.maximum(sg(gu) / 16, floor), half, W, res.l_in),
                jnp.stack([sw0 - a_pv, sw0 + a_pv]),
            ],
            zero,
            W,
        )
        v, wv, _, _ = jax.tree.map(sg, _rule(edges))
        gv = m.gamma(v)
        b = _wsum(wv, m.J1(v) * _recip(gv, v - w0) * _recip(gv, u - v))
        sv = m.S(v)  # (2, P, N)
        lam2 = _wsum(wv, sv * _safe_inv(gu**2 + (v - u) ** 2))
        y = v - sw0
        lp = _recip(gu, v - u)
        lp0 = _recip(gu, sw0 - u)
        num = sv * lp - jnp.where(jnp.abs(y) < a_pv, s_w0[:, None, None] * lp0, 0.0)
        a4 = _wsum(wv, num * _over_i(y))
        return b, lam2, a4

    shape = f_rule[0].shape
    b, lam2, a4 = jax.lax.map(row, f_rule[0].ravel(), batch_size=_BATCH)
    b = b.reshape(shape)
    lam2 = jnp.moveaxis(lam2, 0, -1).reshape((2,) + shape)
    a4 = jnp.moveaxis(a4, 0, -1).reshape((2,) + shape)

    # ---- V5(x), V67(x) on the x rule, as Legendre moments on the gamma panels (the factor
    # e^{-gamma(w) t} is interpolated there, so that t enters only through those moments):
    #   V5 = PV int dw J_I(w) Q(w) S(w + x) L+(x; gamma(w)) e^{-gamma t} / (i (w - (w0 - x)))
    #   V67 = int dw J_I(w) Q(w) S(w + x) |L+(x; gamma(w))|^2 e^{-gamma t}
    # over w in [max(0, -x), W - max(0, x)]. A fixed rule over w (inside the gamma panels) serves
    # every x; for x < 0 the lower limit |x| (where S(w + x) starts) is moving: a rule graded
    # towards |x| covers [|x|, e_cut], e_cut the first fixed edge >= 1.5 |x|.
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
    fv_j1q = m.J1(fv_nodes) * _recip(m.gamma(fv_nodes), fv_nodes - w0)
    fv_g = m.gamma(fv_nodes)
    s_w0 = m.S(w0)

    def integrand(x, nodes, j1q, g):
        """(J_I Q S(w + x) L+ , J_I Q S(w + x) |L+|^2) at nodes: (4, ...) (two of each)."""
        common = j1q * m.S(nodes + x)
        return jnp.concatenate([common * _recip(g, x), common * _safe_inv(g**2 + x**2)])

    def moments(u, leg, onehot):
        """Legendre moments (4, C, N) of the weighted values u (4, P, N)."""
        return jnp.einsum("spn,pc->scn", jnp.einsum("spj,pjn->spn", u, leg), onehot)

    def pv_point(x, p, lo, pv_sum, inside):
        """The PV correction f(p) [(1/i) log((W - p)/(p - lo)) - sum w/(i(w - p))] as Legendre
        moments at p's gamma panel: (4, C, N) (zero rows for V67)."""
        gp = m.gamma(p)
        g5p = m.J1(p) * s_w0 * _recip(gp, p - w0) * _recip(gp, x)  # (2,)
        log = jnp.log(jnp.where(inside, (W - p) / jnp.where(inside, p - lo, 1.0), 1.0))
        coef = jnp.where(inside, g5p * (-1j * log - pv_sum), 0.0)
        cp = _panel_index(gam_edges, p)
        lp_ = _legendre(_local(p, g_c[cp], g_h[cp]))
        onep = (jnp.arange(n_gam) == cp).astype(real_dtype())
        corr = coef[:, None, None] * (onep[None, :, None] * lp_[None, None, :])
        return jnp.concatenate([corr, jnp.zeros_like(corr)])

    def fixed_part(x, p, e_cut):
        """Moments from the fixed rule's nodes above e_cut, and their sum w/(i(w - p))."""
        keep = (fv_nodes >= e_cut) & (fv_weights != 0)
        vals = jnp.where(keep, integrand(x, fv_nodes, fv_j1q, fv_g), 0.0)
        d = fv_nodes - p
        vals = vals.at[:2].multiply(_over_i(d))
        mom = moments(fv_weights * vals, fv_leg, fv_onehot)
        return mom, jnp.sum(jnp.where(keep, fv_weights * _over_i(d), 0.0))

    def v_pos(x):
        """x >= 0: w in [0, W - x], the fixed rule (S(w + x) vanishes above W - x)."""
        p = sw0 - x
        inside = (p > 0) & (p < W)
        mom, pv_sum = fixed_part(x, p, zero)
        return (mom + pv_point(x, p, zero, pv_sum, inside)).reshape(4, -1)

    def v_neg(x):
        """x < 0: w in [|x|, W]; a rule graded towards |x| on [|x|, e_cut], e_cut a fixed edge
        >= 1.5 |x| (at most _SUB_GAMMA gamma panels above |x|, and stopping half-way to w0 if
        |x| < w0, so that w0's near-pole stays in the fixed rule), the fixed rule above."""
        lo = -x
        i0 = _panel_index(gam_edges, lo)
        e_cut = jnp.minimum(
            fv_edges[_panel_index(fv_edges, 1.5 * lo) + 1],
            gam_edges[jnp.minimum(i0 + _SUB_GAMMA, n_gam)],
        )
        below = fv_edges[_panel_index(fv_edges, (lo + sw0) / 2)]
        e_cut = jnp.where(lo < sw0, jnp.minimum(e_cut, below), e_cut)
        e_cut = jnp.maximum(e_cut, fv_edges[_panel_index(fv_edges, lo) + 1])
        p = sw0 - x
        mom, pv_sum = fixed_part(x, p, e_cut)
        sub = _sorted_edges(
            [
                _near_zero(lo, e_cut, jnp.maximum(e_cut - lo, deep), res.z_sub, deep),
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
        svals = jnp.where(sw != 0, svals, 0.0)
        sd = sn - p
        svals = svals.at[:2].multiply(_over_i(sd))
        mom = mom + moments(sw * svals, sleg, sone)
        pv_sum = pv_sum + jnp.sum(jnp.where(sw != 0, sw * _over_i(sd), 0.0))
        return (mom + pv_point(x, p, lo, pv_sum, p < W)).reshape(4, -1)

    v = jnp.concatenate(
        [
            jax.lax.map(v_neg, xn_rule[0].ravel(), batch_size=_V_BATCH),
            jax.lax.map(v_pos, xp_rule[0].ravel(), batch_size=_V_BATCH),
        ]
    )  # (n_x, 4, C N)
    x_rule = jax.tree.map(lambda a, b: jnp.concatenate([a, b]), xn_rule, xp_rule)

    j1 = m.J1(f_rule[0])
    gf = m.gamma(f_rule[0])
    qf = _recip(gf, f_rule[0] - w0)
    c3 = -_wsum(f_rule[1], j1 * qf * lam2)
    return dict(
        w0=w0,
        f_rule=f_rule,
        x_rule=x_rule,
        gamma_hat=m.gamma(g_rule[0].ravel()),
        F1=m.F1(f_rule[0]),
        S=m.S(f_rule[0]),
        J1=j1,
        gf=gf,
        qf=qf,
        B=b,
        lam2=lam2,
        a4=a4,
        v=v,
        c3=c3,
    )


# ---------------------------------------------------------------------------------------------
# One time t
# ---------------------------------------------------------------------------------------------


def _select_combined(lo, hi, t):
    """Panels over which |phase| stays <= _THETA: those take the combined kernel."""
    return jnp.maximum(jnp.abs(lo), jnp.abs(hi)) * t <= _THETA


def _at(pre, t):
    w0 = pre["w0"]
    two_pi = 2 * jnp.pi
    nodes, weights, c, h = pre["f_rule"]
    xn, xw, xc, xh = pre["x_rule"]
    # Filon weights for all panels at once (W(-theta) = conj W(theta))
    nf = c.shape[0]
    fil = _filon(jnp.concatenate([t * h, t * xh]))
    fil_f = (h * _cis(t * (c - w0)))[:, None] * fil[:nf]
    fil_x = (xh * _cis(t * xc))[:, None] * fil[nf:]  # e^{+i x t}
    fil_xm = jnp.conj(fil_x)  # e^{-i x t}
    dw = nodes - w0
    g, q = pre["gf"], pre["qf"]
    e1 = jnp.exp(-g * t)
    comb = _select_combined(c - h - w0, c + h - w0, t)[:, None]
    # ---- short-time part
    f1 = pre["F1"]
    split = fil_f * f1 * e1 * q - weights * f1 * e1**2 * q
    combined = weights * f1 * e1**2 * t * _phi1((g + 1j * dw) * t)
    short = _msum(weights, jnp.where(comb, combined, split)) / two_pi
    # ---- long-time part
    j1 = pre["J1"]
    t4 = -_msum(weights, fil_f * j1 * q * e1 * pre["a4"])
    t8 = -_wsum(weights, j1 * q * e1**2 * pre["lam2"])
    amp = pre["S"] * pre["B"]
    iy = _over_i(dw)
    g1_split = fil_f * amp * iy - weights * amp * iy
    g1_comb = weights * amp * t * _phi1(1j * dw * t)
    g1 = _msum(weights, jnp.where(comb, g1_comb, g1_split))
    e = _legendre_coefficients(jnp.exp(-pre["gamma_hat"] * t).reshape(-1, _N)).ravel()
    v = (pre["v"] @ e).reshape((xn.size, 4)).T.reshape((4,) + xn.shape)
    t5 = _msum(xw, fil_xm * v[:2])
    t67 = _msum(xw, (fil_x + fil_xm) * v[2:])
    long = (g1 + pre["c3"] + t8 + t4 + t5 + t67) / two_pi**2
    if _DEBUG:
        return short, long, dict(g1=g1, c3=pre["c3"], t8=t8, t4=t4, t5=t5, t67=t67)
    return short, long


_DEBUG = False


_setup_jit = jax.jit(_setup, static_argnames="res")


def memory_terms(env, t, w0, *, res=None):
    """(P_short, P_long, M_short, M_long) at times t (any shape)."""
    t = jnp.asarray(t, real_dtype())
    tf = t.ravel()
    pre = _setup_jit(env, w0, res=res)
    short, long = jax.vmap(lambda s: _at(pre, s))(tf)
    ps, ms = short[:, 0], jnp.conj(short[:, 1])
    pl, ml = long[:, 0], jnp.conj(long[:, 1])
    shape = t.shape
    return ps.reshape(shape), pl.reshape(shape), ms.reshape(shape), ml.reshape(shape)


def memory_integrals(env, t, w0):
    ps, pl, ms, ml = memory_terms(env, t, w0)
    return ps + pl, ms + ml
