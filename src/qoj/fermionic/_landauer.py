"""Stationary currents through the fermionic dimer (seed 003, section III D and appendix D).

Two sites L, R (H_S of eq 10) between two identical uniform tight-binding chains at
temperatures T_L, T_R and chemical potentials mu_L, mu_R. In the stationary state the particle
current is the same everywhere, J^P_L = J^P_S = -J^P_R, and so is the energy current,
J^E_L = -J^E_R (positive: into the system from bath L). They follow from the Landauer formulae
(eqs 43-45)

    J^P_L = int dw T(w) [f_L(w) - f_R(w)],      J^E_L = int dw w T(w) [f_L(w) - f_R(w)],
    T(w)  = (pi g^2 / 2) phi_1(w) phi_2(w),

with the energy distributions phi_j of eq 35 (`qoj.fermionic.energy_distribution`); from the
intra-system current <J^P_S> = g Im C_12(inf) of the exact stationary correlation matrix (eq
D1 with eq 32); and from the boundary currents of appendix D (eqs D4-D5, written for any
spectral density). All three are computed here and agree to quadrature accuracy (~1e-14,
tests/test_fermionic_asymptotic.py).

Verified (besides the three-way agreement): T(w) equals the Caroli formula
Gamma_L Gamma_R |G^R_LR(w)|^2 / (2 pi) with G^R = (w - h_S - Sigma(w))^{-1} and the retarded
self-energy of a semi-infinite chain Sigma(w) = (Gamma / 2 Omega)(w - i sqrt(Omega^2 - w^2))
(the transmission probability of textbook NEGF is 2 pi T(w) <= 1, so T(w) <= 1/(2 pi)); the
Landauer formulae obey the second law -sum_a beta_a (J^E_a - mu_a J^P_a) >= 0 for random
parameters.

Quadrature. Every integral over the band runs over one rule (`band_rule`): the band
[-Omega, Omega] is cut at the peaks E'_j of phi_j (width Gamma_j, which may be << Omega) and at
the Fermi levels mu_L, mu_R (width T_a, which may be 0), and on each piece composite
Gauss-Legendre panels (10 nodes) are graded geometrically (ratio 2) towards both ends, down to
2^-41 of the piece. Every feature of the integrands (the Lorentzian poles E'_j +- i Gamma_j/2,
the Fermi poles mu +- i pi T (2n + 1), a step at T = 0, the square-root band edges) then sits
at a panel edge, so the rule is accurate (~1e-15, checked against adaptive quadrature) for any
T >= 0 and Gamma_j down to ~1e-9 Omega with a fixed number of nodes (4100). The nodes move
with the breakpoints, so derivatives with respect to mu, T, h, ... are those of the integrals
(for T = 0 too). Everything is jit-, vmap- and grad-able.
"""

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float

from .._bath import Bath
from .._checks import ensure, finite
from .._precision import real_dtype
from .._spectra import Newns
from ._newns import (
    check_in_band,
    eigenmodes,
    energy_distribution,
    hilbert_transform,
    level_width,
    shifted_energy,
)

# Gauss-Legendre nodes per panel, and levels of geometric grading (ratio 2) towards each end
# of a piece of the band: the smallest panel is 2^-(_LEVELS + 1) of the piece, which must be
# below the narrowest feature (Gamma_j / 2 >~ 2 Omega 2^-41 ~ 1e-12 Omega). A singularity
# at distance d from a panel [d, 2d] costs the 10-node rule ~5.8^-20 ~ 1e-15.
_NODES = 10
_LEVELS = 40


def _unit_rule() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes x, 1 - x and weights on [0, 1], graded towards both ends (static)."""
    half = np.concatenate([[0.0], 0.5 * 2.0 ** -np.arange(_LEVELS, 0, -1), [0.5]])
    gl_x, gl_w = np.polynomial.legendre.leggauss(_NODES)
    lo, width = half[:-1], np.diff(half)
    left = (lo[:, None] + width[:, None] * (gl_x + 1) / 2).ravel()
    weights = (width[:, None] * gl_w / 2).ravel()
    # The right half mirrors the left one; its distances to 1 are kept exactly.
    x = np.concatenate([left, 1.0 - left[::-1]])
    one_minus_x = np.concatenate([1.0 - left, left[::-1]])
    return x, one_minus_x, np.concatenate([weights, weights[::-1]])


_UNIT_X, _UNIT_1MX, _UNIT_W = _unit_rule()


def band_rule(
    Omega: ArrayLike, points: Float[ArrayLike, " p"]
) -> tuple[Float[Array, " n"], Float[Array, " n"]]:
    """Nodes and weights for int_{-Omega}^{Omega} g(w) dw, cut at `points` (see module).

    Points outside the band are clipped to its edges (their pieces have zero weight). The rule
    has (len(points) + 1) * 820 nodes, whatever the values.
    """
    Omega = jnp.asarray(Omega, real_dtype())
    points = jnp.clip(jnp.asarray(points, real_dtype()), -Omega, Omega)
    cuts = jnp.sort(jnp.concatenate([-Omega[None], points, Omega[None]]))
    lo, hi = cuts[:-1, None], cuts[1:, None]
    width = hi - lo
    x = jnp.asarray(_UNIT_X, real_dtype())[None, :]
    one_minus_x = jnp.asarray(_UNIT_1MX, real_dtype())[None, :]
    nodes = jnp.where(x < 0.5, lo + width * x, hi - width * one_minus_x)
    weights = width * jnp.asarray(_UNIT_W, real_dtype())[None, :]
    return nodes.ravel(), weights.ravel()


class _Dimer:
    """Validated parameters of the dimer and its baths, with the shared quadrature rule.

    Not a public type: the public functions take the nine parameters as scalars (so that any of
    them can be vmapped or differentiated) and build this internally.
    """

    def __init__(self, h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R):
        h, delta, g, Gamma, Omega = _scalars(h=h, delta=delta, g=g, Gamma=Gamma, Omega=Omega)
        energies, rotation = eigenmodes(h, delta, g)
        self.energies = check_in_band(energies, Gamma, Omega)
        self.rotation = rotation
        self.h, self.delta, self.g, self.Gamma, self.Omega = h, delta, g, Gamma, Omega
        self.splitting = self.energies[0] - self.energies[1]
        self.shifted = shifted_energy(self.energies, Gamma, Omega)
        self.widths = level_width(self.energies, Gamma, Omega)
        spectrum = Newns(Gamma, Omega)
        self.baths = (
            Bath(spectrum, T_L, chemical_potential=mu_L, statistics="fermi"),
            Bath(spectrum, T_R, chemical_potential=mu_R, statistics="fermi"),
        )
        mus = jnp.stack([b.chemical_potential for b in self.baths])
        self.w, self.weights = band_rule(Omega, jnp.concatenate([self.shifted, mus]))
        self.occupations = jnp.stack([b.occupation(self.w) for b in self.baths])  # (2, n)
        self.vacancies = jnp.stack([1.0 - f for f in self.occupations])
        self.phi = jnp.stack(
            [energy_distribution(self.w, e, Gamma, Omega) for e in self.energies]
        )  # (2, n)

    def integrate(self, values: Array) -> Array:
        """int dw values(w) over the band; `values` has the nodes on its last axis."""
        return values @ self.weights

    def newns_density(self) -> Array:
        """J_N(w) = J(w) / 2 pi of the paper (eq 19) at the nodes."""
        return Newns(self.Gamma, self.Omega)(self.w) / (2 * jnp.pi)

    def theta(self) -> Array:
        """theta_j(w) (eq 37) at the nodes, shape (2, n)."""
        return jnp.stack(
            [hilbert_transform(self.w, e, self.Gamma, self.Omega) for e in self.energies]
        )

    def site_occupations(self) -> Array:
        """F(w) = R diag(f_L, f_R) R^T at the nodes, shape (2, 2, n); F_12 is written as
        R_11 R_21 (f_L - f_R) so that it vanishes exactly for equal baths."""
        r = self.rotation
        f_l, f_r = self.occupations
        diagonal = [r[j, 0] ** 2 * f_l + r[j, 1] ** 2 * f_r for j in range(2)]
        off = r[0, 0] * r[1, 0] * (f_l - f_r)
        return jnp.stack([jnp.stack([diagonal[0], off]), jnp.stack([off, diagonal[1]])])


def _scalars(**values):
    """The named parameters as finite real scalar arrays; Omega > 0."""
    out = []
    for name, value in values.items():
        value = finite(value, name)
        if value.ndim != 0 or jnp.iscomplexobj(value):
            raise ValueError(f"{name} must be a real scalar, got {value!r} (use jax.vmap)")
        out.append(value.astype(real_dtype()))
    out[-1] = ensure(out[-1], ~(out[-1] > 0), "Omega must be > 0")
    return out


def _levels(h, delta, g, Gamma, Omega):
    """(E_1, E_2), Gamma, Omega as arrays, validated (condition 34). `check_in_band` needs
    arrays: `~(Gamma > 0)` of a Python float is the int -2."""
    h, delta, g, Gamma, Omega = _scalars(h=h, delta=delta, g=g, Gamma=Gamma, Omega=Omega)
    energies, _ = eigenmodes(h, delta, g)
    return check_in_band(energies, Gamma, Omega), Gamma, Omega


def _transmission(w, energies, g, Gamma, Omega):
    phi_1 = energy_distribution(w, energies[0], Gamma, Omega)
    phi_2 = energy_distribution(w, energies[1], Gamma, Omega)
    return 0.5 * jnp.pi * g**2 * phi_1 * phi_2


def transmission(
    w: Float[ArrayLike, "*shape"],
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
) -> Float[Array, "*shape"]:
    """Transmission function T(w) = (pi g^2 / 2) phi_1(w) phi_2(w) (seed 003 eq 45).

    Elementwise over `w`; zero outside the band |w| < Omega. In the paper's normalisation
    J^P_L = int T (f_L - f_R) dw, so T <= 1/(2 pi) (2 pi T is the transmission probability of
    NEGF, checked against the Caroli formula).

    Args:
        w: frequencies.
        h, delta, g: mean site energy (h_L + h_R)/2, detuning h_L - h_R and tunnel coupling
            of H_S (eq 10); g^2 + delta^2 > 0.
        Gamma, Omega: the Newns band (eq 19; `qoj.spectra.Newns(Gamma, Omega)`), with
            0 < Gamma < Omega and both levels inside the band (condition 34).
    """
    energies, Gamma, Omega = _levels(h, delta, g, Gamma, Omega)
    return _transmission(jnp.asarray(w, real_dtype()), energies, g, Gamma, Omega)


def transmission_quantum_optical(
    w: Float[ArrayLike, "*shape"],
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
) -> Float[Array, "*shape"]:
    """The quantum-optical approximation T(w) ~ (g^2 / 4 Delta^2) sum_j Gamma_j phi_j(w)
    (seed 003 eq 46), valid for Gamma << Delta = sqrt(g^2 + delta^2): near w = E_1 the other
    distribution is phi_2(w) ~ J_N(E_1) / Delta^2 and Gamma_1 = 2 pi J_N(E_1) + O(Gamma/Omega).
    Its error relative to the peak of eq 45 is O(Gamma / Delta) (measured 1.0e-2 at
    Gamma = 0.02 Delta for the parameters of Fig 3). Arguments as `transmission`."""
    energies, Gamma, Omega = _levels(h, delta, g, Gamma, Omega)
    w = jnp.asarray(w, real_dtype())
    splitting = energies[0] - energies[1]
    total = sum(
        level_width(e, Gamma, Omega) * energy_distribution(w, e, Gamma, Omega) for e in energies
    )
    return g**2 / (4 * splitting**2) * total


def landauer_currents(
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
    T_L: ArrayLike,
    T_R: ArrayLike,
    mu_L: ArrayLike,
    mu_R: ArrayLike,
) -> tuple[Float[Array, ""], Float[Array, ""]]:
    """Stationary particle and energy currents (J^P_L, J^E_L) from bath L into the dimer
    (seed 003 eqs 43-44 with T(w) of eq 45); J_R = -J_L.

        J^P_L = int dw T(w) [f_L(w) - f_R(w)],   J^E_L = int dw w T(w) [f_L(w) - f_R(w)]

    with f_a(w) = 1/(exp((w - mu_a)/T_a) + 1) (T_a = 0 allowed). Exact for the model (no
    weak-coupling approximation). The heat current is J^Q_a = J^E_a - mu_a J^P_a.

    Args:
        h, delta, g, Gamma, Omega: as `transmission`.
        T_L, T_R: bath temperatures (>= 0).
        mu_L, mu_R: chemical potentials.

    Returns:
        (J^P_L, J^E_L), scalars; differentiable in every argument, vmappable.
    """
    dimer = _Dimer(h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R)
    window = dimer.occupations[0] - dimer.occupations[1]
    t = 0.5 * jnp.pi * dimer.g**2 * dimer.phi[0] * dimer.phi[1]
    return dimer.integrate(t * window), dimer.integrate(dimer.w * t * window)


def stationary_correlation(
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
    T_L: ArrayLike,
    T_R: ArrayLike,
    mu_L: ArrayLike,
    mu_R: ArrayLike,
) -> Array:
    """The exact stationary correlation matrix C_jk(inf) = <d_j^dag d_k> (seed 003 eq 32),

        C_jk = int dw J_N(w) F_jk(w) [theta_j(w) + i pi phi_j(w)] [theta_k(w) - i pi phi_k(w)],

    F = R diag(f_L, f_R) R^T, in the eigenmode basis d = R c. Complex 2 x 2, Hermitian.
    Equivalently theta_j + i pi phi_j = 1/((1 - Gamma/2 Omega) w - E_j - i pi J_N(w)) =
    G^A_j(w), the advanced Green's function of level j, and J_N |G_j|^2 = phi_j (checked), so
    C_jj = int phi_j F_jj. Arguments as `landauer_currents`."""
    dimer = _Dimer(h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R)
    return _stationary_correlation(dimer)


def _stationary_correlation(dimer: _Dimer) -> Array:
    advanced = dimer.theta() + 1j * jnp.pi * dimer.phi  # (2, n)
    kernel = dimer.newns_density()[None, None, :] * dimer.site_occupations()  # (2, 2, n)
    c = dimer.integrate(kernel * advanced[:, None, :] * advanced.conj()[None, :, :])
    return 0.5 * (c + c.conj().T)


def internal_current(
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
    T_L: ArrayLike,
    T_R: ArrayLike,
    mu_L: ArrayLike,
    mu_R: ArrayLike,
) -> Float[Array, ""]:
    """The intra-system particle current <J^P_S> = g Im C_12(inf) (seed 003 eqs 42, D1), from
    site L to site R, with C(inf) of eq 32 (`stationary_correlation`). Equal to J^P_L of
    `landauer_currents` (eq D1 -> eq 45 through eq 37). Arguments as `landauer_currents`."""
    dimer = _Dimer(h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R)
    return dimer.g * jnp.imag(_stationary_correlation(dimer)[0, 1])


def boundary_currents(
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
    T_L: ArrayLike,
    T_R: ArrayLike,
    mu_L: ArrayLike,
    mu_R: ArrayLike,
) -> tuple[Float[Array, ""], Float[Array, ""]]:
    """(J^P_L, J^E_L) from the boundary-current formulae of appendix D (seed 003 eqs D4-D5),

        J^{P,E}_L = 2 pi sum_kl R_k1 R_l1 int dw {1, w} J_N F_kl
                        {phi_k - J_N [theta_k theta_l + pi^2 phi_k phi_l]},

    which hold for any spectral density (here the Newns band, with phi_j and theta_j of eqs
    35, 37). The first term is, since sum_l R_l1 F_kl = R_k1 f_L, f_L sum_k R_k1^2 phi_k
    (checked: it is Meir-Wingreen's J_L = int Gamma_L [f_L A_LL - (G^R Gamma F G^A)_LL] / 2 pi
    in the eigenbasis). Arguments as `landauer_currents`."""
    dimer = _Dimer(h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R)
    j_n = dimer.newns_density()
    theta, phi = dimer.theta(), dimer.phi
    f = dimer.site_occupations()  # (2, 2, n)
    r1 = dimer.rotation[:, 0]
    weight = r1[:, None] * r1[None, :]  # R_k1 R_l1
    j_n = j_n[None, None, :]
    bracket = phi[:, None, :] - j_n * (
        theta[:, None, :] * theta[None, :, :] + jnp.pi**2 * phi[:, None, :] * phi[None, :, :]
    )
    integrand = 2 * jnp.pi * jnp.sum(weight[:, :, None] * j_n * f * bracket, axis=(0, 1))
    return dimer.integrate(integrand), dimer.integrate(dimer.w * integrand)
