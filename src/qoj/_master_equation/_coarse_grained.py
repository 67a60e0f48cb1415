"""Coarse-grained master equation (seed 004 section III, eqs 39–49).

Averaging the second-order dynamics over a coarse-graining time dt gives a dissipator of
Kossakowski form (seed 004 eqs 39, 44) over the transition operators A_p of `_bohr.py`,

    D(rho) = sum_pq Gamma_pq(dt) [A_p rho A_q^dag - {A_q^dag A_p, rho}/2],
    Gamma_pq(dt) = (1/dt) int_0^dt dt1 int_0^dt dt2 G(t2 - t1) e^{-i w_p t1} e^{+i w_q t2},

seed 004 eq 45 in qoj's conventions: A_p = <a|X|b> |a><b| releases w_p = E_b - E_a (the seed's
X_m carries w_m = -w_p), and G(tau) = `bath.correlation(tau)`, whose Fourier transform
int G(tau) e^{i w tau} dtau is `bath.emission_rate(w)`. Writing G through its spectrum S(nu) =
emission_rate(nu) >= 0 turns the double time integral into a Gram matrix,

    Gamma_pq = e^{i (w_q - w_p) dt/2} K_pq,
    K_pq = (dt / 2 pi) int S(nu) sinc((nu - w_p) dt/2) sinc((nu - w_q) dt/2) dnu,   (*)

(sinc x = sin x / x), so Gamma is Hermitian and positive semidefinite for every dt > 0: the
generator is of Lindblad form without any secular approximation. Its limits (seed 004 eqs
47–49): for dt much longer than the bath correlation time, K_pq -> sinc((w_q - w_p) dt/2)
(S(w_p) + S(w_q))/2 + O(1/dt), the O(1/dt) term being the second one of eq 47; so pairs with
|w_p - w_q| dt >> 1 decouple (dt -> infinity: the global, Davies generator, Gamma_pp =
emission_rate(w_p)), and pairs with |w_p - w_q| dt << 1 keep rates near the mean frequency
(the partial secular generator of eq 55).

Numerics. (*) is a one-dimensional integral with peaks of width ~1/dt at every w_p and
oscillations e^{i nu dt} across the whole band, which a fixed quadrature cannot resolve for
large dt. It is split with a smooth partition of unity 1 = chi(nu) + psi(nu):

* chi ~ 1 within R/dt of every "breakpoint" (the w_p and the non-analytic points of S: 0 for
  bosons and Ohmic spectra, mu for fermions, the band edges of `Newns`, the centre of
  `Lorentzian`); there the integrand of (*) is integrated as it is, on panels of width 8/dt
  (graded geometrically towards each breakpoint, so singular and thermal features of S at any
  scale are resolved);
* psi = (1 - chi) prod_c (1 - sech((nu - c) dt)) elsewhere, where the oscillating half of
  sinc sinc = [cos((w_q - w_p) dt/2) - cos((nu - (w_p + w_q)/2) dt)] / (2 x_p x_q)
  (x_p = (nu - w_p) dt/2) is dropped and the rest integrated on geometrically growing panels.

chi is a Gaussian-smoothed indicator of the union of the windows, so psi S / (x_p x_q) is
analytic in a strip around the real axis except near the breakpoints, where psi is tiny; the
dropped part is then O(e^{-R/2}) (R = 64 here, ~1e-14), and its cost does not grow with dt.
Both parts are Gram matrices with non-negative weights, so the computed Gamma is exactly
Hermitian and positive semidefinite up to rounding.

Accuracy (double precision), measured against adaptive quadrature of (*), the closed-form
T = 0 Ohmic correlation function (time-domain form of eq 45) and, for dt = 3, the double
integral of eq 45 with `Bath.correlation`: |error| <= 2e-15 max|Gamma| for Ohmic (s = 1,
cutoff 10) baths at T = 0 and dt = 1e-3 ... 1e3 (1e-14 at dt = 1e4), <= 1e-15 at T = 0.5 and
3 for dt = 1e-2 ... 30; <= 1e-15 for Newns (T = 0, 0.1) and Lorentzian fermionic baths
(dt = 0.1 ... 30); ~1e-11 for sub-Ohmic s = 0.5 (the |nu|^(s-1) singularity at 0). Beyond
dt ~ 1e6/w the rounding of nu - w_p costs ~eps w dt (4e-11 at dt = 1e8/w). A spectral density
with a non-analytic point qoj does not know (a user subclass of `AbstractSpectralDensity` with
a kink or band edge away from 0) loses accuracy there: O((dt * distance)^-2) relative at
worst. Physics note: for w_p = 0 and a bosonic spectrum with a kink at 0 (Ohmic with a cutoff)
the eq 47 correction diverges logarithmically, so Gamma_pp -> S(0) as log(dt)/dt.

Cost: O(P^2 N) with P = d^2 transitions and N ~ 2340 (P + k) quadrature nodes (k = 1 ... 3
extra breakpoints), independent of dt; ~0.05 s per coupling for two qubits on one CPU core.
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
from .._precision import complex_dtype, real_dtype
from .._spectra import AbstractSpectralDensity, Lorentzian, Newns, Ohmic
from .._system import Coupling, OpenSystem
from .._terms import KossakowskiTerm
from ._base import AbstractMasterEquation
from ._bohr import bohr_decomposition

# Gauss-Legendre nodes per panel.
_PANEL = 16
# Width (in units of 1/dt) of the panels that resolve the oscillations: e^{i u} over 8 radians
# is integrated by 16 Gauss-Legendre nodes to ~1e-17.
_WIDTH = 8.0
# Half-width R (units of 1/dt) of the windows around breakpoints and scale s = sqrt(2R) of
# their Gaussian edges: the dropped oscillating part is ~e^{-R/2} ~ 1e-14 (s^2 = 2R balances
# the decay of the edges' Fourier transform, e^{-s^2/4}, against their growth off the real
# axis, e^{y^2/s^2}, at the thermal poles and breakpoints).
_WINDOW = 64.0
_EDGE = math.sqrt(2 * _WINDOW)
# Panels of width _WIDTH out to Z = _WIDTH * _UNIFORM >= R + 6 s, beyond which chi < 1e-17.
_UNIFORM = math.ceil((_WINDOW + 6 * _EDGE) / _WIDTH)
# Geometric grading towards a breakpoint below the first panel: ratio 2 (resolves smooth
# features of S such as exp(-nu/cutoff) or the thermal scale), then ratio 8 (integrable
# singularities |nu|^(s-1)), down to ~4e-19 / dt.
_FINE_LEVELS = 16
_COARSE_LEVELS = 16
# Geometric panels from Z out to the end of the half-interval (ratio 2.5 for X dt ~ 4e11).
_OUTER_LEVELS = 24
# The integration range: the breakpoints plus 1e4 times the spectrum's own scale (the
# 1/nu^2 tails of a Lorentzian J contribute < 1e-16 beyond).
_RANGE = 1e4

_GL_X, _GL_W = np.polynomial.legendre.leggauss(_PANEL)


def _inner_edges() -> np.ndarray:
    """Panel edges in [0, _WIDTH] (units of 1/dt), graded towards 0."""
    fine = _WIDTH * 2.0 ** -np.arange(_FINE_LEVELS, -1, -1)
    coarse = fine[0] * 8.0 ** -np.arange(_COARSE_LEVELS, 0, -1)
    return np.concatenate([[0.0], coarse, fine])


def _panel_edges(length, dt):
    """Edges of the panels covering [0, length], distances from a breakpoint (length >= 0)."""
    z = _WIDTH * _UNIFORM
    inner = _inner_edges()
    uniform = _WIDTH * np.arange(2, _UNIFORM + 1)
    ratio = jnp.maximum(length * dt / z, 1.0) ** (1.0 / _OUTER_LEVELS)
    outer = z * ratio ** jnp.arange(1, _OUTER_LEVELS + 1, dtype=real_dtype())
    u = jnp.concatenate(
        [jnp.asarray(inner, real_dtype()), jnp.asarray(uniform, real_dtype()), outer]
    )
    return jnp.minimum(u / dt, length).at[-1].set(length)


def _half_interval_rule(length, dt):
    """Composite Gauss-Legendre rule on [0, length]: (distances, weights)."""
    edges = _panel_edges(length, dt)
    lo, width = edges[:-1], edges[1:] - edges[:-1]
    x = jnp.asarray((_GL_X + 1) / 2, real_dtype())
    w = jnp.asarray(_GL_W / 2, real_dtype())
    return (lo[:, None] + width[:, None] * x[None, :]).ravel(), (
        width[:, None] * w[None, :]
    ).ravel()


def _one_minus_sech(x):
    """1 - sech(x) = tanh(x/2) tanh(x): accurate at small x, value and gradient bounded."""
    return jnp.tanh(x / 2) * jnp.tanh(x)


def _far_weight(nu, points, midpoints, dt, outer):
    """psi(nu) = (1 - chi(nu)) prod_c (1 - sech((nu - c) dt)), in [0, 1].

    chi is the Gaussian-smoothed indicator (erfc edges of width sqrt(2R)/dt) of the union of
    the windows [c - R/dt, c + R/dt], each clipped to the midpoints with its neighbours so that
    they are disjoint; the sech factors make psi vanish quadratically at every breakpoint,
    cancelling the double poles of the averaged kernel.
    """
    radius = _WINDOW / dt
    scale = _EDGE / dt
    far = jnp.full((1,), outer)
    lo = jnp.maximum(points - radius, jnp.concatenate([-far, midpoints]))
    hi = jnp.minimum(points + radius, jnp.concatenate([midpoints, far]))
    edges = erfc((lo[None, :] - nu[:, None]) / scale) - erfc((hi[None, :] - nu[:, None]) / scale)
    chi = jnp.clip(0.5 * jnp.sum(edges, axis=1), 0.0, 1.0)
    vanish = _one_minus_sech((nu[:, None] - points[None, :]) * dt)
    return (1.0 - chi) * jnp.prod(vanish, axis=1)


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
        nodes, _ = spectrum.quadrature(_PANEL, -math.inf, math.inf)
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
        points.append(jnp.zeros((), real_dtype()))
    else:
        points.append(jnp.asarray(bath.chemical_potential, real_dtype()))
        scale = scale + jnp.abs(bath.chemical_potential)
    if isinstance(spectrum, Ohmic):
        points.append(jnp.zeros((), real_dtype()))
    elif isinstance(spectrum, Newns):
        points += [-spectrum.Omega, spectrum.Omega]
    elif isinstance(spectrum, Lorentzian):
        points.append(spectrum.center)
    return jnp.stack([jnp.asarray(p, real_dtype()) for p in points]), scale


def coarse_grained_rates(bath: Bath, frequencies: Float[Array, " p"], dt) -> Complex[Array, "p p"]:
    """The rate matrix Gamma_pq(dt) of seed 004 eq 45 for transitions releasing `frequencies`.

    Gamma_pq = (1/dt) int_0^dt int_0^dt G(t2 - t1) e^{-i w_p t1 + i w_q t2} dt1 dt2, Hermitian
    and positive semidefinite; see the module docstring for the method and its accuracy.
    Raises TypeError/ValueError (eagerly where the values are known) for a bath whose
    correlation function does not exist.
    """
    if not isinstance(bath, Bath):
        raise TypeError(
            "the coarse-grained master equation needs a qoj.Bath (its correlation function), "
            f"got {type(bath).__name__}"
        )
    extra, scale = _breakpoints_and_scale(bath)
    return _rates(
        bath, jnp.asarray(frequencies, real_dtype()), jnp.asarray(dt, real_dtype()), extra, scale
    )


@eqx.filter_jit
def _rates(bath, w, dt, extra, scale):
    """Gamma(dt) by the partition-of-unity quadrature of (*) (one compiled program)."""
    points = jnp.sort(jnp.concatenate([w, extra]))
    outer = jnp.max(jnp.abs(points)) + _RANGE * scale
    midpoints = 0.5 * (points[1:] + points[:-1])
    left = points - jnp.concatenate([jnp.full((1,), -outer), midpoints])
    right = jnp.concatenate([midpoints, jnp.full((1,), outer)]) - points
    rule = jax.vmap(_half_interval_rule, in_axes=(0, None))
    d_left, c_left = rule(left, dt)
    d_right, c_right = rule(right, dt)
    nu = jnp.concatenate([(points[:, None] - d_left).ravel(), (points[:, None] + d_right).ravel()])
    weights = jnp.concatenate([c_left.ravel(), c_right.ravel()]) * bath.emission_rate(nu)

    psi = _far_weight(nu, points, midpoints, dt, outer)
    x = (nu[:, None] - w[None, :]) * (dt / 2)
    sinc = jnp.sinc(x / jnp.pi)
    nonzero = x != 0
    inverse = jnp.where(nonzero, 1.0 / jnp.where(nonzero, x, 1.0), 0.0)
    near = sinc.T @ ((weights * (1.0 - psi))[:, None] * sinc)
    far = inverse.T @ ((weights * psi)[:, None] * inverse)
    phase = (w[None, :] - w[:, None]) * (dt / 2)
    k = (dt / (2 * jnp.pi)) * (near + 0.5 * jnp.cos(phase) * far)
    gamma = jax.lax.complex(jnp.cos(phase), jnp.sin(phase)) * k
    return (0.5 * (gamma + gamma.conj().T)).astype(complex_dtype())


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
    Lamb shifts are neglected, as in the other approaches.

    The rates come from the bath's spectrum (`emission_rate`) through an exact spectral
    representation of the double integral, evaluated with a fixed quadrature whose error is
    ~1e-14 max|Gamma| for every dt (see `qoj._master_equation._coarse_grained`); it needs a
    finite-bandwidth spectral density (not `Flat`, nor Ohmic with `cutoff=inf`), like
    `Bath.correlation`.

    Arguments:
        dt: the coarse-graining time, > 0 and finite (a differentiable scalar).
    """

    dt: Float[Array, ""]

    def __init__(self, dt: ArrayLike, *, lamb_shift: bool = False):
        self.lamb_shift = lamb_shift  # not supported: `generator` raises a ValueError
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
        rates = coarse_grained_rates(coupling.bath, decomposition.frequencies, self.dt)
        return (KossakowskiTerm(decomposition.operators, rates),)
