"""Exact dynamics of two fermionic modes between two reservoirs (seed 003, sections III B-C,
IV A-B, appendices B and E).

Each eigenmode d_j = (R c)_j of H_S (energy E_j, eq 17) sees its own copy of the reservoir
modes b_q = R a_q, so the propagator G_jk(t) = <0|d_j(t) d_k^dag|0> is diagonal (eq 23), and

    G_j(t) = int dw e^{-i w t} phi_j(w)                                            (eq 24)
    K_j(w, t) = -i int_0^t dt' e^{-i w (t - t')} G_j(t')                           (eq B7)
    Z_jk(t) = int dw J(w) F_jk(w) K_j(w, t)^* K_k(w, t)                      (eqs 28, 30)
    C(t) = G^dag(t) C(0) G(t) + Z(t)                                               (eq 29)
    D(t) = |det G|^2 D(0) + det Z + sum_jk [|G_j|^2 Z_kk C_jj(0)
                                            - G_j^* G_k Z_kj C_jk(0)]              (eq 31)
    C_jk(inf) = int dw J F_jk (theta_j + i pi phi_j)(theta_k - i pi phi_k)         (eq 32)

with J the paper's spectral density J(w) = sum_q |tau_q|^2 delta(w - w_q) (eq 18; qoj's
rate-normalised spectrum divided by 2 pi), F(w) = R^* f(w) R^T, f = diag(f_L, f_R) the Fermi
functions of the reservoirs (real R: F = R f R^T as printed). Z (eq 30 written with the
noise kernel Phi(t) = int dw e^{-iwt} J F) is computed as the frequency integral above. These
hold for any spectral density for which G_j -> 0 (no bound states); `ExactJunction` takes the
sampled phi_j, theta_j of any such model, `newns_junction` builds those of the uniform chains
(eqs 35-37).

Numerics. Frequencies: a composite 16-node Gauss-Legendre rule. For the Newns band it is
built in q, w = -Omega cos q (the chain's dispersion, eq 13), where J dw = (Gamma Omega /
2 pi) sin^2 q dq has no square-root edges: panels of equal width in w, mapped to q, short
enough that e^{-iwt} turns by at most 16 radians across one up to t_max, plus panels graded
geometrically (ratio 4) towards the peaks E'_j of phi_j (down to Gamma_j/4) and towards the
Fermi edges mu_L, mu_R (down to pi T/4; at T = 0 an edge exactly at mu). Times: K_j(w, t) =
e^{-iwt} kappa_j(w, t), kappa_j = -i int_0^t e^{iws} G_j(s) ds, by uniform 16-node panels
on [0, t_max] (e^{iws} G_j(s) turns by at most 16 radians across one) summed cumulatively,
plus one partial panel up to each requested t; G_j on those nodes comes from the frequency
rule. Every quantity costs O(n_w n_t) with n_w ~ 2 Omega t_max and n_t ~ 2 Omega t_max
nodes, chunked over frequencies to bound memory (Fig 4: n_w = 6608, 0.7 s per C(t) on
51 times, 2 CPU cores). Measured (tests/test_fermionic_exact.py): C(t), D(t) agree with
finite chains of 300 sites to 6e-15 (Omega t_max = 100); doubling both rules changes them
by 1e-15 (by < 1e-14 at Fig 4's Omega t_max = 2500); int phi_j = 1 to 1e-13.

Exact master equation (section IV A). With i H + Gamma/2 = -G^{-1} dG/dt (diagonal here),

    Lambda^+ = dZ/dt - i[H, Z] + {Gamma, Z}/2,   Lambda^- = Gamma - Lambda^+          (eq 47)
    dC/dt = i[H, C] - {Gamma, C}/2 + Lambda^+                                     (eq 48)
    dD/dt = -Tr[Gamma] D + sum_jk (Lambda^+_jj C_kk - Lambda^+_jk C_kj)           (eq 49)

and the many-body master equation (eqs 50-51) with H'_S = d^dag H^T d. dZ/dt is computed
exactly (not by differencing): dZ_jk/dt = i int dw J F_jk [G_j^* e^{-iwt} kappa_k - G_k e^{iwt}
kappa_j^*]. Checked: eqs 48-49 against central differences of C(t), D(t) (3e-10, step
1e-4), and the 4 x 4 evolution under eqs 50-51 (`qoj.evolve`) against eqs 29, 31 (1e-7).

Exponential-propagator approximation (section IV B, appendix E): G_j ~ e^{-i z_j t} with
z_j = E'_j - i Gamma_j/2 (eq 53, E'_j and Gamma_j of eq 36: the pole of the continued phi_j,
eqs E1-E2), so kappa_j = -(e^{i(w - z_j)t} - 1)/(w - z_j) in closed form and Z needs one
frequency integral per time; the noise kernel Phi stays exact (eq 54 is then eq 47 with
constant H = diag(E'_j), Gamma = diag(Gamma_j)). `levels="bare"` uses E_j and Gamma_j =
2 pi J_N(E_j) instead, which the text calls the same order. The shifted levels are the ones
that reproduce Fig 4: max |exact - EPA| over C11, C22, Re C12, Im C12 and 0 <= Gamma t <= 5
is 7.1e-4 (a) and 5.7e-4 (b) for Gamma/Omega = 2e-3, and halves when Omega doubles; with
the bare levels it is 4.0e-4 (a) but 4.1e-3 (b): at E_j ~ 50 the shift E'_j - E_j = E_j
Gamma / (2 Omega) ~ 0.05 is not negligible against T_R = 0.01 and the coherences' phases.

Notes on the printed paper (all checked numerically here):
- Eq B12 is printed int_0^inf dt e^{-iwt} G_j(t) = pi phi_j + i theta_j; the left side must be
  int_0^inf dt e^{+iwt} G_j(t) (G~_j(epsilon - i w) = int e^{-(epsilon - iw) t} G_j).
- Eq 52's jump operators read L^-_j = sum_k U^-_jk d_k and L^+_j = sum_k (U^+_jk)^* d_k^dag;
  with [U^+-]^dag Lambda^+- U^+- = diag(lambda^+-) (eigenvectors in the columns of U) they are
  L^-_j = sum_k U^-_kj d_k and L^+_j = sum_k (U^+_kj)^* d_k^dag (see `canonical_form`).
- Eq E1 (and E4) print the pole term as p_j e^{-iE'_j t - Gamma_j t}; the decay is
  Gamma_j t / 2, as in eq 53.
- Eq E2 is garbled in the extracted text; the residue is p_j = sqrt((Omega^2 - z_j^2) /
  (Omega^2 - Gamma Omega - E_j^2)), z_j = E'_j - i Gamma_j/2, and |G_j(t) - p_j e^{-i z_j t}|
  obeys the bound E5 (checked for Fig 4's parameters; it is nearly attained at t = 0, where
  the error is |1 - p_j| ~ Gamma/(2 Omega)).
- In eq E6 the prefactor of u(tau) = int_0^pi e^{-tau sin x} sin^{1/2} x dx / (sqrt(2) pi)
  must be read as 1/(sqrt(2) pi), not 1/sqrt(2 pi): only then u(0) = 0.54 and tau^{3/2} u ->
  (2 pi)^{-1/2}, as the text states (likewise sqrt(2) pi in the second line of eq E5).
"""

import math
from collections.abc import Callable
from typing import Literal

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Complex, Float, Inexact

from .._bath import Bath
from .._checks import concrete_value, ensure, finite, nonnegative
from .._generator import Generator, GeneratorPart
from .._precision import complex_dtype, real_dtype
from .._spectra import Newns
from .._terms import HamiltonianTerm, KossakowskiTerm
from ._correlation import check_correlations, mode_annihilators
from ._newns import check_in_band, eigenmodes, hilbert_transform, level_width, shifted_energy

# Gauss-Legendre nodes per panel.
_NODES = 16
# Largest phase (radians) of e^{iwt} across one panel: 16 nodes integrate it to ~1e-16.
_PHASE = 16.0
# Graded panels on each side of a breakpoint, each 4 times wider than the last.
_LEVELS = 12
_RATIO = 4.0
_MIN_PANELS = 32
# Complex numbers held per frequency chunk (bounds memory: ~16 bytes each, a few arrays).
_CHUNK_BUDGET = 2**21


def _unit_rule():
    x, w = np.polynomial.legendre.leggauss(_NODES)
    return (x + 1) / 2, w / 2


def _composite(edges):
    """Composite Gauss-Legendre nodes and weights on consecutive `edges` (JAX arrays)."""
    x, w = _unit_rule()
    lo, width = edges[:-1], edges[1:] - edges[:-1]
    nodes = lo[:, None] + width[:, None] * jnp.asarray(x)[None, :]
    return nodes.ravel(), (width[:, None] * jnp.asarray(w)[None, :]).ravel()


def _static_count(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _panels_for(phase_length, given, name):
    """`given` (a static int), or the number of panels that keeps each below _PHASE radians
    when `phase_length` is concrete."""
    if given is not None:
        return _static_count(given, name)
    value = concrete_value(phase_length)
    if value is None:
        raise TypeError(
            f"{name} must be given (a static int) when Omega or t_max are traced (jit/vmap): "
            f"use at least ceil(2 Omega t_max / {_PHASE:g})"
        )
    return max(_MIN_PANELS, math.ceil(float(value) / _PHASE))


class ExactJunction(eqx.Module):
    """Two eigenmodes and their reservoirs, sampled on a frequency quadrature rule: everything
    the exact solution of seed 003 (eqs 24-33) needs, for any spectral density.

    Fields:
        energies: E_j, the single-particle energies of H_S (eq 17).
        rotation: R with d = R c (eq 16; real orthogonal, or unitary).
        spectrum: the reservoirs' rate-normalised spectral density (qoj convention; the
            paper's J_N = spectrum / (2 pi)), used for the EPA with `levels="bare"`.
        poles: z_j = E'_j - i Gamma_j / 2, the EPA levels (eq 53).
        nodes, weights: the frequency rule; it must resolve phi_j, F and e^{-iwt} for
            0 <= t <= t_max (`newns_junction` builds such a rule).
        density: J(w_m) (paper's normalisation, eq 18) at the nodes.
        distributions: phi_j(w_m), shape (2, n) (eq 25).
        hilbert: theta_j(w_m) (eq 33), shape (2, n).
        occupations: f_L(w_m), f_R(w_m), shape (2, n).
        t_max: the largest time the rules resolve.
        time_panels: (static) uniform time panels on [0, t_max]; must satisfy
            2 max|w| t_max / time_panels <= 16.

    For another spectral density J (the same for both reservoirs, no bound states) the
    distributions follow from eqs B5-B6, B12: phi_j = J / ((w - E_j - Delta)^2 + pi^2 J^2) and
    theta_j = (w - E_j - Delta) phi_j / J, Delta(w) = P int J(w') / (w - w') dw' (for the
    Newns band Delta = Gamma w / (2 Omega), which gives eqs 35-37).
    """

    energies: Float[Array, "2"]
    rotation: Inexact[Array, "2 2"]
    spectrum: Callable
    poles: Complex[Array, "2"]
    nodes: Float[Array, " n"]
    weights: Float[Array, " n"]
    density: Float[Array, " n"]
    distributions: Float[Array, "2 n"]
    hilbert: Float[Array, "2 n"]
    occupations: Float[Array, "2 n"]
    t_max: Float[Array, ""]
    time_panels: int = eqx.field(static=True)

    def __init__(
        self,
        energies: Float[ArrayLike, "2"],
        rotation: Inexact[ArrayLike, "2 2"],
        spectrum: Callable,
        poles: Complex[ArrayLike, "2"],
        nodes: Float[ArrayLike, " n"],
        weights: Float[ArrayLike, " n"],
        density: Float[ArrayLike, " n"],
        distributions: Float[ArrayLike, "2 n"],
        hilbert: Float[ArrayLike, "2 n"],
        occupations: Float[ArrayLike, "2 n"],
        t_max: Float[ArrayLike, ""],
        time_panels: int | None = None,
    ):
        rdt = real_dtype()
        self.energies = finite(jnp.asarray(energies, rdt), "energies")
        self.rotation = jnp.asarray(rotation)
        self.spectrum = spectrum
        self.poles = jnp.asarray(poles, complex_dtype())
        self.nodes = finite(jnp.asarray(nodes, rdt), "nodes")
        n = self.nodes.shape[0] if self.nodes.ndim == 1 else -1
        self.weights = jnp.asarray(weights, rdt)
        self.density = jnp.asarray(density, rdt)
        self.distributions = jnp.asarray(distributions, rdt)
        self.hilbert = jnp.asarray(hilbert, rdt)
        self.occupations = jnp.asarray(occupations, rdt)
        shapes = {
            "energies": (self.energies.shape, (2,)),
            "rotation": (self.rotation.shape, (2, 2)),
            "poles": (self.poles.shape, (2,)),
            "nodes": (self.nodes.shape, (n,)),
            "weights": (self.weights.shape, (n,)),
            "density": (self.density.shape, (n,)),
            "distributions": (self.distributions.shape, (2, n)),
            "hilbert": (self.hilbert.shape, (2, n)),
            "occupations": (self.occupations.shape, (2, n)),
        }
        for name, (got, want) in shapes.items():
            if n < 1 or got != want:
                raise ValueError(f"{name} must have shape {want} (n = number of nodes), got {got}")
        if not callable(spectrum):
            raise TypeError("spectrum must be a spectral density (a callable of w)")
        self.t_max = nonnegative(t_max, "t_max")
        span = 2 * jnp.max(jnp.abs(self.nodes)) * self.t_max
        self.time_panels = _panels_for(span, time_panels, "time_panels")
        self.t_max = ensure(
            self.t_max,
            span > _PHASE * self.time_panels * (1 + 1e-9),
            f"time_panels too few for t_max: need 2 max|w| t_max / time_panels <= {_PHASE:g}",
        )

    @property
    def noise_weights(self) -> Float[Array, "n 2 2"]:
        """weights x J(w) F(w), F = R^* f R^T (eq 28): the measure of the noise integrals."""
        r = self.rotation
        f = self.occupations.astype(complex_dtype())
        fmat = jnp.einsum("ja,an,ka->njk", r.conj(), f, r)
        return (self.weights * self.density)[:, None, None] * fmat


def _fermi(temperature, mu, name):
    temperature = nonnegative(temperature, f"T_{name}")
    return Bath(Newns(1.0, 1.0), temperature, chemical_potential=mu, statistics="fermi")


def newns_junction(
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
    T_L: ArrayLike,
    T_R: ArrayLike,
    mu_L: ArrayLike,
    mu_R: ArrayLike,
    *,
    t_max: ArrayLike = 0.0,
    frequency_panels: int | None = None,
    time_panels: int | None = None,
) -> ExactJunction:
    """The two-site system of seed 003 between two uniform tight-binding chains (eqs 10-19),
    with the Newns energy distributions (eqs 35-37) sampled on a rule for 0 <= t <= t_max.

    Arguments: the local energies' mean h and detuning delta, the tunnelling g (eq 10); the
    coupling Gamma and half-bandwidth Omega of the chains (eqs 11-19; ValueError unless
    0 < Gamma < Omega and condition 34, sqrt(E_j^2 + Gamma Omega) < Omega); temperatures
    T_L, T_R >= 0 and chemical potentials mu_L, mu_R; t_max, the largest time to be asked
    for. `frequency_panels`, `time_panels` (static ints) size the rules: by default (concrete
    Omega, t_max) ceil(2 Omega t_max / 16) panels each (at least 32): frequency panels of
    equal width in w (so that e^{-iwt} turns by at most 16 radians across one), mapped to q,
    and time panels of equal width (e^{i(w - w')t} by at most 16). They must be given under
    jit/vmap when Omega or t_max is traced. All float arguments are differentiable.
    """
    rdt = real_dtype()
    with jax.ensure_compile_time_eval():  # panel counts wherever the values are known
        span = 2 * jnp.asarray(Omega, rdt) * jnp.asarray(t_max, rdt)
    Gamma, Omega = (jnp.asarray(x, rdt) for x in (Gamma, Omega))
    energies, _ = eigenmodes(h, delta, g)
    check_in_band(energies, Gamma, Omega)
    t_max = nonnegative(t_max, "t_max")
    for name, value in (("T_L", T_L), ("T_R", T_R)):
        nonnegative(value, name)
    for name, value in (("mu_L", mu_L), ("mu_R", mu_R)):
        finite(value, name)
    # arrays, not Python floats: filter_jit would take floats as static (a compile per value)
    params = tuple(jnp.asarray(x, rdt) for x in (h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R))
    return _newns_junction(
        (*params, t_max),
        _panels_for(span, frequency_panels, "frequency_panels"),
        _panels_for(span, time_panels, "time_panels"),
    )


@eqx.filter_jit
def _newns_junction(params, n_panels: int, time_panels: int) -> ExactJunction:
    """`newns_junction` after the eager checks (which run again here as `error_if`)."""
    rdt = real_dtype()
    h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R, t_max = (jnp.asarray(p, rdt) for p in params)
    energies, rotation = eigenmodes(h, delta, g)
    energies = check_in_band(energies, Gamma, Omega)
    bath_L, bath_R = _fermi(T_L, mu_L, "L"), _fermi(T_R, mu_R, "R")

    shifted = shifted_energy(energies, Gamma, Omega)
    widths = level_width(energies, Gamma, Omega)
    temps = jnp.stack([bath_L.temperature, bath_R.temperature])
    centres = jnp.stack(
        [shifted[0], shifted[1], bath_L.chemical_potential, bath_R.chemical_potential]
    )
    scales = jnp.concatenate([widths / 4, jnp.pi * temps / 4])
    x = jnp.clip(-centres / Omega, -1 + 1e-12, 1 - 1e-12)
    q_centres = jnp.arccos(x)
    q_scales = jnp.minimum(scales / (Omega * jnp.sqrt(1 - x**2)), jnp.pi)
    steps = _RATIO ** jnp.arange(_LEVELS, dtype=rdt)
    offsets = jnp.concatenate([-steps, jnp.zeros(1, rdt), steps])
    graded = q_centres[:, None] + offsets[None, :] * q_scales[:, None]
    # equal widths in w = -Omega cos q (numbers independent of Omega: no edge gradients)
    uniform = jnp.asarray(np.arccos(-np.linspace(-1.0, 1.0, n_panels + 1)), rdt)
    q_edges = jnp.sort(jnp.clip(jnp.concatenate([uniform, graded.ravel()]), 0.0, jnp.pi))
    q, q_weights = _composite(q_edges)

    w = -Omega * jnp.cos(q)
    sin_q = jnp.sin(q)
    weights = Omega * sin_q * q_weights
    density = Gamma * sin_q / (2 * jnp.pi)  # J_N(w) (eq 19) without the square root
    ratio = Gamma / Omega
    denominator = (1 - ratio) * ((w[None] - shifted[:, None]) ** 2 + widths[:, None] ** 2 / 4)
    distributions = density[None] / denominator  # eq 35
    hilbert = jax.vmap(lambda e: hilbert_transform(w, e, Gamma, Omega))(energies)  # eq 37
    occupations = jnp.stack([bath_L.occupation(w), bath_R.occupation(w)])
    return ExactJunction(
        energies,
        rotation,
        Newns(Gamma, Omega),
        shifted - 0.5j * widths,
        w,
        weights,
        density,
        distributions,
        hilbert,
        occupations,
        t_max,
        time_panels=time_panels,
    )


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
    x, v = (jnp.asarray(a, real_dtype()) for a in _unit_rule())
    h = jnp.where(junction.t_max > 0, junction.t_max / n_panels, 1.0)
    starts = jnp.arange(n_panels, dtype=real_dtype()) * h
    panel = jnp.clip(jnp.floor(ts / h), 0, n_panels - 1)
    mask = (jnp.arange(n_panels, dtype=real_dtype())[:, None] < panel[None, :]).astype(cdt)
    length = ts - panel * h
    sigma = (panel * h)[:, None] + x[None, :] * length[:, None]  # partial panels (T, 16)
    sigma_weights = v[None, :] * length[:, None]

    w = junction.nodes
    amplitude = (junction.weights[None] * junction.distributions).T.astype(cdt)  # (n, 2)
    size, count = _chunks(w.shape[0], 2 * n_panels + 2 * _NODES * ts.shape[0])
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
        jnp.zeros((2, n_panels, _NODES), cdt),
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


def steady_state_correlation(junction: ExactJunction) -> Complex[Array, "2 2"]:
    """C(inf) = int dw J F_jk (theta_j + i pi phi_j)(theta_k - i pi phi_k) (eq 32): the
    correlation matrix of the unique, Gaussian (D = det C) stationary state."""
    amplitude = junction.hilbert - 1j * jnp.pi * junction.distributions  # kappa_j(w, inf)
    return jnp.einsum("njk,jn,kn->jk", junction.noise_weights, amplitude.conj(), amplitude)


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
    default) or E_j - i pi J_N(E_j) (`"bare"`), and the exact noise kernel. Same arguments
    and returns as `exact_correlations`."""
    ts = _times(junction, ts)
    c0, d0 = _initial(c0, d0)
    z = _epa_poles(junction, levels)
    g = jnp.exp(-1j * ts[:, None] * z[None, :])
    u = junction.nodes[:, None] - z[None, :]  # (n, 2)
    kappa = -(jnp.exp(1j * u[:, :, None] * ts[None, None, :]) - 1) / u[:, :, None]  # (n, 2, T)
    noise = jnp.einsum("njk,njt,nkt->tjk", junction.noise_weights, kappa.conj(), kappa)
    c = g.conj()[:, :, None] * c0[None] * g[:, None, :] + noise
    return c, _double_occupancy(g, noise, c0, d0)


# --- exact master equation ----------------------------------------------------------------------


def master_equation_rates(
    junction: ExactJunction, ts: Float[ArrayLike, " T"]
) -> tuple[Complex[Array, "T 2 2"], ...]:
    """(H(t), Gamma(t), Lambda^+(t), Lambda^-(t)), each (T, 2, 2), of the exact time-local
    master equation (section IV A): i H + Gamma/2 = -G^{-1} dG/dt and eq 47. ValueError where
    G(t) is singular (the equation does not exist there)."""
    ts = _times(junction, ts)
    g, gd, z, zd = _dynamics(junction, ts, rates=True)
    g = ensure(g, jnp.any(jnp.abs(g) < 1e-12), "G(t) is singular: no time-local master equation")
    rate = -gd / g  # i H_jj + Gamma_jj / 2
    eye = jnp.eye(2, dtype=complex_dtype())
    ham = jnp.imag(rate)[:, :, None] * eye[None]
    gamma = 2 * jnp.real(rate)[:, :, None] * eye[None]
    comm = ham @ z - z @ ham
    anti = gamma @ z + z @ gamma
    plus = zd - 1j * comm + 0.5 * anti
    plus = 0.5 * (plus + plus.conj().transpose(0, 2, 1))  # Hermitian up to round-off
    return ham.astype(complex_dtype()), gamma.astype(complex_dtype()), plus, gamma - plus


def correlation_equations(
    hamiltonian: Inexact[ArrayLike, "*T 2 2"],
    gamma: Inexact[ArrayLike, "*T 2 2"],
    lambda_plus: Inexact[ArrayLike, "*T 2 2"],
    c: Inexact[ArrayLike, "*T 2 2"],
    d: Float[ArrayLike, "*T"],
) -> tuple[Complex[Array, "*T 2 2"], Float[Array, "*T"]]:
    """(dC/dt, dD/dt) from eqs 48-49: i[H, C] - {Gamma, C}/2 + Lambda^+ and
    -Tr[Gamma] D + sum_jk (Lambda^+_jj C_kk - Lambda^+_jk C_kj). Batched over leading axes."""
    hm, gm, lp, c = (jnp.asarray(a, complex_dtype()) for a in (hamiltonian, gamma, lambda_plus, c))
    d = jnp.asarray(d, real_dtype())
    dc = 1j * (hm @ c - c @ hm) - 0.5 * (gm @ c + c @ gm) + lp
    trace = lambda a: jnp.real(jnp.trace(a, axis1=-2, axis2=-1))
    gain = trace(lp) * trace(c) - jnp.real(jnp.sum(lp * jnp.swapaxes(c, -1, -2), axis=(-2, -1)))
    return dc, -trace(gm) * d + gain


# Hermitian basis of 2 x 2 matrices: A = sum_b a_b B_b with real a_b (see _hermitian_coordinates).
_BASIS = np.array(
    [[[1, 0], [0, 0]], [[0, 0], [0, 1]], [[0, 1], [1, 0]], [[0, 1j], [-1j, 0]]], dtype=complex
)


def _hermitian_coordinates(a):
    """Real (a_11, a_22, Re a_12, Im a_12): A = sum_b a_b _BASIS[b]."""
    return jnp.stack(
        [
            jnp.real(a[..., 0, 0]),
            jnp.real(a[..., 1, 1]),
            jnp.real(a[..., 0, 1]),
            jnp.imag(a[..., 0, 1]),
        ],
        axis=-1,
    )


class _HermiteTable(eqx.Module):
    """Values and exact time derivatives on a grid, read by cubic Hermite interpolation (held
    at the end values outside the grid)."""

    times: Float[Array, " n"]
    values: Float[Array, "n k"]
    slopes: Float[Array, "n k"]

    def __call__(self, t):
        t = jnp.clip(jnp.asarray(t, real_dtype()), self.times[0], self.times[-1])
        k = jnp.clip(jnp.searchsorted(self.times, t, side="right") - 1, 0, self.times.size - 2)
        step = self.times[k + 1] - self.times[k]
        s = (t - self.times[k]) / step
        s2, s3 = s * s, s * s * s
        return (
            (2 * s3 - 3 * s2 + 1) * self.values[k]
            + (s3 - 2 * s2 + s) * step * self.slopes[k]
            + (-2 * s3 + 3 * s2) * self.values[k + 1]
            + (s3 - s2) * step * self.slopes[k + 1]
        )


class _Coefficient(eqx.Module):
    """t -> one interpolated real coefficient of the exact generator."""

    table: _HermiteTable
    index: int = eqx.field(static=True)

    def __call__(self, t):
        return self.table(t)[self.index]


def exact_generator(junction: ExactJunction, table_times: Float[ArrayLike, " n"]) -> Generator:
    """The exact time-local master equation of seed 003 (eqs 50-51) on the 4 x 4 space of
    `qoj.fermion_ops(2)` (site basis; d = R c):

        d rho/dt = -i[d^dag H^T(t) d, rho]
                   + sum_jk Lambda^-_jk(t) (d_j rho d_k^dag - {d_k^dag d_j, rho}/2)     ("loss")
                   + sum_jk Lambda^+_jk(t) (d_k^dag rho d_j - {d_j d_k^dag, rho}/2)     ("gain")

    The coefficients are computed exactly (`master_equation_rates`) with their exact time
    derivatives (forward mode) at `table_times` (increasing, within [0, t_max]) and read by
    cubic Hermite interpolation in between: Lambda^+ rises from 0 on the time scale
    1/Omega, so the table should be fine near t = 0. `gen.hamiltonian` is H_S = sum_j E_j
    d_j^dag d_j (eq 10). Not additive: the dissipator has no parts per reservoir.
    """
    times = _times(junction, table_times)
    times = ensure(times, jnp.any(jnp.diff(times) <= 0), "table_times must be increasing")

    def coordinates(t):
        ham, _, plus, minus = master_equation_rates(junction, t)
        return jnp.concatenate(
            [_hermitian_coordinates(a) for a in (jnp.swapaxes(ham, -1, -2), minus, plus)], axis=-1
        )

    values, slopes = jax.jvp(coordinates, (times,), (jnp.ones_like(times),))
    table = _HermiteTable(times, values, slopes)
    d = mode_annihilators(junction.rotation)
    d_dag = jnp.swapaxes(d.conj(), -1, -2)
    basis = jnp.asarray(_BASIS, complex_dtype())
    number_ops = jnp.einsum("bac,anm,cmk->bnk", basis, d_dag, d)  # sum_ac B_ac d_a^dag d_c
    coherent = [HamiltonianTerm(number_ops[b], _Coefficient(table, b)) for b in range(4)]
    loss = [KossakowskiTerm(d, basis[b], _Coefficient(table, 4 + b)) for b in range(4)]
    gain = [KossakowskiTerm(d_dag, basis[b].T, _Coefficient(table, 8 + b)) for b in range(4)]
    h_s = jnp.einsum("j,jnm,jmk->nk", junction.energies.astype(complex_dtype()), d_dag, d)
    return Generator(
        h_s,
        {"loss": GeneratorPart(loss), "gain": GeneratorPart(gain)},
        coherent=GeneratorPart(coherent),
    )


def canonical_form(
    lambda_plus: Inexact[ArrayLike, "2 2"], lambda_minus: Inexact[ArrayLike, "2 2"]
) -> tuple[Float[Array, "2"], Complex[Array, "2 2"], Float[Array, "2"], Complex[Array, "2 2"]]:
    """Canonical gain and loss rates and modes of the dissipator (eq 52): (lambda^-, U^-,
    lambda^+, U^+) with [U^+-]^dag Lambda^+- U^+- = diag(lambda^+-) (ascending). The jump
    operators are L^-_j = sum_k U^-_kj d_k (rate lambda^-_j) and L^+_j = sum_k (U^+_kj)^* d_k^dag
    (rate lambda^+_j), so that L = sum_j,s lambda^s_j D[L^s_j]. (The paper prints U_jk: the
    eigenvectors are the columns of U.) A negative rate means the dissipator is not of
    Lindblad form at that time."""
    lp, up = jnp.linalg.eigh(jnp.asarray(lambda_plus, complex_dtype()))
    lm, um = jnp.linalg.eigh(jnp.asarray(lambda_minus, complex_dtype()))
    return lm, um, lp, up


def canonical_jump_operators(
    loss_modes: Inexact[ArrayLike, "2 2"],
    gain_modes: Inexact[ArrayLike, "2 2"],
    rotation: Inexact[ArrayLike, "2 2"] | None = None,
) -> tuple[Complex[Array, "2 4 4"], Complex[Array, "2 4 4"]]:
    """(L^-_j, L^+_j) of eq 52 on the 4 x 4 space from the modes of `canonical_form`:
    L^-_j = sum_k U^-_kj d_k, L^+_j = sum_k (U^+_kj)^* d_k^dag, d = R c."""
    d = mode_annihilators(rotation)
    loss = jnp.einsum("kj,knm->jnm", jnp.asarray(loss_modes, complex_dtype()), d)
    gain = jnp.einsum("kj,kmn->jnm", jnp.asarray(gain_modes, complex_dtype()).conj(), d.conj())
    return loss, gain
