"""Exact dynamics of two fermionic modes between two reservoirs, and the exponential-propagator
approximation (seed 003, sections III B-C, IV B, appendices B and E).

On a sampled junction (`_junction`: phi_j, theta_j, J, F = R^* f R^T on a frequency rule) the
propagator G_jk(t) = <0|d_j(t) d_k^dag|0> is diagonal (eq 23), and

    G_j(t) = int dw e^{-i w t} phi_j(w)                                            (eq 24)
    K_j(w, t) = -i int_0^t dt' e^{-i w (t - t')} G_j(t')                           (eq B7)
    Z_jk(t) = int dw J(w) F_jk(w) K_j(w, t)^* K_k(w, t)                      (eqs 28, 30)
    C(t) = G^dag(t) C(0) G(t) + Z(t)                                               (eq 29)
    D(t) = |det G|^2 D(0) + det Z + sum_jk [|G_j|^2 Z_kk C_jj(0)
                                            - G_j^* G_k Z_kj C_jk(0)]              (eq 31)

(Z, eq 30 written with the noise kernel Phi(t) = int dw e^{-iwt} J F, is computed as the
frequency integral above), tending to eq 32 (`steady_state_correlation`).

Numerics. Frequencies: the rule of `_quadrature` (uniform panels short enough for e^{-iwt} up
to t_max, graded around the peaks E'_j, the Fermi levels and the band edges). Times: K_j(w, t)
= e^{-iwt} kappa_j(w, t), kappa_j = -i int_0^t e^{iws} G_j(s) ds, by uniform 16-node panels on
[0, t_max] (e^{iws} G_j(s) turns by at most 16 radians across one) summed cumulatively, plus
one partial panel up to each requested t; G_j on those nodes comes from the frequency rule.
Every quantity costs O(n_w n_t) with n_w ~ 2 Omega t_max and n_t ~ 2 Omega t_max nodes,
chunked over frequencies to bound memory (Fig 4: n_w = 6992). Measured
(tests/test_fermionic_exact.py): C(t), D(t) agree with finite chains of 300 sites to 6e-15
(Omega t_max = 100); doubling both rules changes them by 1e-15 (a rule 1.5 times finer, by
2e-15 at Fig 4's Omega t_max = 2500); int phi_j = 1 to 5e-15.

Exponential-propagator approximation (EPA, section IV B, appendix E): G_j ~ e^{-i z_j t}, z_j =
E'_j - i Gamma_j/2 (eq 53, E'_j and Gamma_j of eq 36: the pole of the continued phi_j, eqs
E1-E2), so that kappa_j = -(e^{i(w - z_j)t} - 1)/(w - z_j) in closed form. Convention: the
bath's part carries the weight N = 1/(1 - Gamma/Omega) of the pole in phi_j (eq 35: phi_j =
N J_N / |w - z_j|^2 exactly), Z_jk -> N Z_jk, i.e. eq 54 reads Lambda^+(t) = N int_0^t
G^dag(t') Phi(t') dt' + h.c. -- the normalisation of the asymptotic rate matrices (eq 55,
`qoj.fermionic.rate_matrices`), so that C(t -> inf) is `asymptotic_correlation`, whose
populations equal the exact eq 32. G itself keeps unit amplitude: C(0) is the given c0. The
printed paper has N = 1 in eqs 53-54 (and E_j for E'_j in eq 55, "to the same order"); with
N = 1 the stationary populations miss eq 32 by (Gamma/Omega) C_jj. At Fig 4's parameters
(Gamma/Omega = 2e-3, 0 <= Gamma t <= 5) max |exact - EPA| over C11, C22, Re C12, Im C12 is
4.0e-7 (a) and 5.2e-7 (b) with N, 7.1e-4 (a) and 5.7e-4 (b) with N = 1. `levels="bare"` uses
E_j and Gamma_j = 2 pi J_N(E_j) instead, which the text calls the same order: 6.4e-4 (a) but
4.3e-3 (b), where at E_j ~ 50 the shift E'_j - E_j = E_j Gamma / (2 Omega) ~ 0.05 is not
negligible against T_R = 0.01 and the coherences' phases.

Notes on the printed paper (all checked numerically here):
- Eq B12 is printed int_0^inf dt e^{-iwt} G_j(t) = pi phi_j + i theta_j; the left side must be
  int_0^inf dt e^{+iwt} G_j(t) (G~_j(epsilon - i w) = int e^{-(epsilon - iw) t} G_j).
- Eq E1 (and E4) print the pole term as p_j e^{-iE'_j t - Gamma_j t}; the decay is
  Gamma_j t / 2, as in eq 53.
- Eq E2 is garbled in the extracted text; the residue is p_j = sqrt((Omega^2 - z_j^2) /
  (Omega^2 - Gamma Omega - E_j^2)), z_j = E'_j - i Gamma_j/2, and |G_j(t) - p_j e^{-i z_j t}|
  obeys the bound E5 (checked for Fig 4's parameters; it is nearly attained at t = 0, where
  the error is |1 - p_j| ~ Gamma/(2 Omega)). |p_j|^2 = N to first order in Gamma/Omega: the
  EPA's weight N is that of the pole term at late times.
- In eq E6 the prefactor of u(tau) = int_0^pi e^{-tau sin x} sin^{1/2} x dx / (sqrt(2) pi)
  must be read as 1/(sqrt(2) pi), not 1/sqrt(2 pi): only then u(0) = 0.54 and tau^{3/2} u ->
  (2 pi)^{-1/2}, as the text states (likewise sqrt(2) pi in the second line of eq E5).
"""

from typing import Literal

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Complex, Float, Inexact

from .._checks import ensure, finite
from .._precision import complex_dtype, real_dtype
from ._correlation import check_correlations
from ._junction import ExactJunction
from ._quadrature import NODES, gauss_legendre

# Complex numbers held per frequency chunk (bounds memory: ~16 bytes each, a few arrays).
_CHUNK_BUDGET = 2**21


# --- the exact solution ------------------------------------------------------------------------


def _times(junction, ts):
    ts = jnp.asarray(ts, real_dtype())
    if ts.ndim != 1 or ts.shape[0] == 0:
        raise ValueError(f"ts must be a non-empty 1-D array of times, got shape {ts.shape}")
    ts = finite(ts, "ts")
    ts = ensure(ts, jnp.any(ts < 0), "ts must be >= 0")
    return ensure(
        ts,
        jnp.any(ts > junction.t_max * (1 + 1e-12)),
        "ts must not exceed the junction's t_max (build it with a larger t_max)",
    )


def _chunks(n, per_node):
    size = int(max(16, min(n, _CHUNK_BUDGET // max(per_node, 1))))
    count = -(-n // size)
    return size, count


def _split(x, size, count):
    """x (n, ...) zero-padded to count * size and reshaped to (count, size, ...)."""
    pad = count * size - x.shape[0]
    x = jnp.pad(x, [(0, pad)] + [(0, 0)] * (x.ndim - 1))
    return x.reshape((count, size) + x.shape[1:])


@eqx.filter_jit
def _dynamics(junction: ExactJunction, ts, rates: bool):
    """G(t), dG/dt (T, 2), Z(t), dZ/dt (T, 2, 2) at the times ts (see the module)."""
    cdt = complex_dtype()
    n_panels = junction.time_panels
    x, v = (jnp.asarray(a, real_dtype()) for a in gauss_legendre())
    h = jnp.where(junction.t_max > 0, junction.t_max / n_panels, 1.0)
    starts = jnp.arange(n_panels, dtype=real_dtype()) * h
    panel = jnp.clip(jnp.floor(ts / h), 0, n_panels - 1)
    mask = (jnp.arange(n_panels, dtype=real_dtype())[:, None] < panel[None, :]).astype(cdt)
    length = ts - panel * h
    sigma = (panel * h)[:, None] + x[None, :] * length[:, None]  # partial panels (T, 16)
    sigma_weights = v[None, :] * length[:, None]

    w = junction.nodes
    amplitude = (junction.weights[None] * junction.distributions).T.astype(cdt)  # (n, 2)
    size, count = _chunks(w.shape[0], 2 * n_panels + 2 * NODES * ts.shape[0])
    w_c = _split(w, size, count)
    amp_c = _split(amplitude, size, count)

    def first(carry, chunk):
        wc, ac = chunk
        ep = jnp.exp(-1j * wc[:, None] * starts[None, :])
        ek = jnp.exp(-1j * wc[:, None] * (x * h)[None, :])
        g_panel = jnp.einsum("jcp,ck->jpk", ac.T[:, :, None] * ep[None], ek)
        g_sigma = jnp.einsum("cj,ctk->jtk", ac, jnp.exp(-1j * wc[:, None, None] * sigma[None]))
        et = jnp.exp(-1j * wc[:, None] * ts[None, :])
        g_t = ac.T @ et
        gd_t = (ac.T * (-1j * wc)[None, :]) @ et
        out = (g_panel, g_sigma, g_t, gd_t)
        return jax.tree.map(jnp.add, carry, out), None

    zeros = (
        jnp.zeros((2, n_panels, NODES), cdt),
        jnp.zeros((2,) + sigma.shape, cdt),
        jnp.zeros((2, ts.shape[0]), cdt),
        jnp.zeros((2, ts.shape[0]), cdt),
    )
    (g_panel, g_sigma, g_t, gd_t), _ = jax.lax.scan(first, zeros, (w_c, amp_c))

    a_panel = g_panel * (v * h)[None, None, :]
    a_sigma = g_sigma * sigma_weights[None]
    noise_c = _split(junction.noise_weights, size, count)

    def second(carry, chunk):
        wc, nc = chunk
        ep = jnp.exp(1j * wc[:, None] * starts[None, :])
        ek = jnp.exp(1j * wc[:, None] * (x * h)[None, :])
        sums = jnp.einsum("ck,jpk->jcp", ek, a_panel) * ep[None]
        before = sums @ mask  # the whole panels below each t (a matmul: XLA's cumsum is slow)
        part = jnp.einsum("ctk,jtk->jct", jnp.exp(1j * wc[:, None, None] * sigma[None]), a_sigma)
        kappa = -1j * (before + part)  # (2, C, T)
        z = jnp.einsum("cjk,jct,kct->tjk", nc, kappa.conj(), kappa)
        if not rates:
            return carry + z, None
        back = jnp.exp(-1j * wc[:, None] * ts[None, :])
        a = jnp.einsum("cjk,jt,ct,kct->tjk", nc, g_t.conj(), back, kappa)
        zd = 1j * (a - a.conj().transpose(0, 2, 1))
        return (carry[0] + z, carry[1] + zd), None

    zero = jnp.zeros((ts.shape[0], 2, 2), cdt)
    init = (zero, zero) if rates else zero
    out, _ = jax.lax.scan(second, init, (w_c, noise_c))
    z, zd = out if rates else (out, None)
    return g_t.T, gd_t.T, z, zd


def propagator(junction: ExactJunction, ts: Float[ArrayLike, " T"]) -> Complex[Array, "T 2"]:
    """G_j(t) = int dw e^{-iwt} phi_j(w) (seed 003 eq 24) at the times `ts` (0 <= t <= t_max).

    **Returns:** shape (T, 2); G_jk(t) = delta_jk G_j(t) (eq 23)."""
    ts = _times(junction, ts)
    amplitude = (junction.weights[None] * junction.distributions).astype(complex_dtype())
    return (amplitude @ jnp.exp(-1j * junction.nodes[:, None] * ts[None, :])).T


def noise_matrix(junction: ExactJunction, ts: Float[ArrayLike, " T"]) -> Complex[Array, "T 2 2"]:
    """Z(t) = int_0^t int_0^t G^dag(t') Phi(t' - t'') G(t'') dt' dt'' (eq 30): the bath's
    contribution to C(t), shape (T, 2, 2)."""
    ts = _times(junction, ts)
    return _dynamics(junction, ts, rates=False)[2]


def _double_occupancy(g, z, c0, d0):
    """Eq 31 from G (T, 2), Z (T, 2, 2) and the initial (C(0), D(0))."""
    abs2 = jnp.abs(g) ** 2
    det_z = z[:, 0, 0] * z[:, 1, 1] - z[:, 0, 1] * z[:, 1, 0]
    diag_z = jnp.diagonal(z, axis1=1, axis2=2)
    direct = jnp.einsum("tj,tk,j->t", abs2, diag_z, jnp.diagonal(c0))
    exchange = jnp.einsum("tj,tk,tkj,jk->t", g.conj(), g, z, c0)
    return jnp.real(abs2[:, 0] * abs2[:, 1] * d0 + det_z + direct - exchange)


def _initial(c0, d0):
    c0 = jnp.asarray(c0, complex_dtype())
    if d0 is None:
        d0 = jnp.real(c0[0, 0] * c0[1, 1] - c0[0, 1] * c0[1, 0])
    return check_correlations(c0, d0)


def exact_correlations(
    junction: ExactJunction,
    ts: Float[ArrayLike, " T"],
    c0: Inexact[ArrayLike, "2 2"],
    d0: Float[ArrayLike, ""] | None = None,
) -> tuple[Complex[Array, "T 2 2"], Float[Array, " T"]]:
    """The exact C(t) (eq 29) and D(t) (eq 31) of the eigenmodes d = R c.

    **Arguments:** `junction` (`newns_junction` or any `ExactJunction`); `ts` (0 <= t <=
    t_max); the initial correlation matrix `c0` (eigenmode basis) and double occupancy `d0`
    (default det c0: a Gaussian initial state). ValueError unless (c0, d0) is a state.

    **Returns:** C (T, 2, 2), D (T,).
    """
    ts = _times(junction, ts)
    c0, d0 = _initial(c0, d0)
    g, _, z, _ = _dynamics(junction, ts, rates=False)
    c = g.conj()[:, :, None] * c0[None] * g[:, None, :] + z
    return c, _double_occupancy(g, z, c0, d0)


# --- exponential-propagator approximation --------------------------------------------------------


def _epa_poles(junction, levels):
    if levels == "shifted":
        return junction.poles
    if levels == "bare":
        widths = junction.spectrum(junction.energies)  # 2 pi J_N(E_j)
        return (junction.energies - 0.5j * widths).astype(complex_dtype())
    raise ValueError(f"levels must be 'shifted' or 'bare', got {levels!r}")


def epa_correlations(
    junction: ExactJunction,
    ts: Float[ArrayLike, " T"],
    c0: Inexact[ArrayLike, "2 2"],
    d0: Float[ArrayLike, ""] | None = None,
    *,
    levels: Literal["shifted", "bare"] = "shifted",
) -> tuple[Complex[Array, "T 2 2"], Float[Array, " T"]]:
    """C(t) and D(t) in the exponential-propagator approximation (eqs 53-54, appendix E):
    eqs 29-31 with G_j = e^{-i z_j t}, z_j = E'_j - i Gamma_j/2 (`levels="shifted"`, eq 36,
    default) or E_j - i pi J_N(E_j) (`"bare"`), the exact noise kernel, and the bath's part
    weighted by the pole weights N_j (`ExactJunction.pole_weights`; 1/(1 - Gamma/Omega) for the
    Newns band): Z_jk = sqrt(N_j N_k) int J F_jk kappa_j^* kappa_k. With this weight C(t -> inf)
    equals `asymptotic_correlation` (eq 55 with the same factor) and its populations the exact
    eq 32; the printed paper's EPA has N_j = 1 (module docstring: Fig 4's errors both ways).
    Same arguments and returns as `exact_correlations`."""
    ts = _times(junction, ts)
    c0, d0 = _initial(c0, d0)
    z = _epa_poles(junction, levels)
    g = jnp.exp(-1j * ts[:, None] * z[None, :])
    u = junction.nodes[:, None] - z[None, :]  # (n, 2)
    kappa = -(jnp.exp(1j * u[:, :, None] * ts[None, None, :]) - 1) / u[:, :, None]  # (n, 2, T)
    kappa = jnp.sqrt(junction.pole_weights)[None, :, None] * kappa
    noise = jnp.einsum("njk,njt,nkt->tjk", junction.noise_weights, kappa.conj(), kappa)
    c = g.conj()[:, :, None] * c0[None] * g[:, None, :] + noise
    return c, _double_occupancy(g, noise, c0, d0)
