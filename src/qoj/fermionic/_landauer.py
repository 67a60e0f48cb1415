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

Every integral runs over the frequency rule of `_quadrature` (graded around the peaks E'_j,
the Fermi levels mu_L, mu_R and the band edges; 2496 nodes whatever the values), so the
functions are accurate to ~1e-15 for any T >= 0, and jit-, vmap- and grad-able in all nine
parameters (the nodes move with mu, T, h, ..., so derivatives are those of the integrals).
"""

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Complex, Float

from .._precision import real_dtype
from ._dimer import Dimer, dimer_function
from ._junction import steady_state_correlation
from ._newns import checked_levels, energy_distribution, level_width


def _eq_45(g, phi):
    """T(w) = (pi g^2 / 2) phi_1(w) phi_2(w) (eq 45) from phi_j on the leading axis."""
    return 0.5 * jnp.pi * g**2 * phi[0] * phi[1]


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
    energies, _, (_, _, g, Gamma, Omega) = checked_levels(h, delta, g, Gamma, Omega)
    w = jnp.asarray(w, real_dtype())
    return _eq_45(g, jnp.stack([energy_distribution(w, e, Gamma, Omega) for e in energies]))


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
    energies, _, (_, _, g, Gamma, Omega) = checked_levels(h, delta, g, Gamma, Omega)
    w = jnp.asarray(w, real_dtype())
    splitting = energies[0] - energies[1]
    total = sum(
        level_width(e, Gamma, Omega) * energy_distribution(w, e, Gamma, Omega) for e in energies
    )
    return g**2 / (4 * splitting**2) * total


@dimer_function
def landauer_currents(dimer: Dimer) -> tuple[Float[Array, ""], Float[Array, ""]]:
    """Stationary particle and energy currents (J^P_L, J^E_L) from bath L into the dimer
    (seed 003 eqs 43-44 with T(w) of eq 45); J_R = -J_L.

        J^P_L = int dw T(w) [f_L(w) - f_R(w)],   J^E_L = int dw w T(w) [f_L(w) - f_R(w)]

    with f_a(w) = 1/(exp((w - mu_a)/T_a) + 1) (T_a = 0 allowed). Exact for the model (no
    weak-coupling approximation). The heat current is J^Q_a = J^E_a - mu_a J^P_a.

    {parameters}

    Returns:
        (J^P_L, J^E_L), scalars; differentiable in every argument, vmappable.
    """
    window = dimer.occupations[0] - dimer.occupations[1]
    t = _eq_45(dimer.g, dimer.phi)
    return dimer.integrate(t * window), dimer.integrate(dimer.w * t * window)


@dimer_function
def stationary_correlation(dimer: Dimer) -> Complex[Array, "2 2"]:
    """The exact stationary correlation matrix C_jk(inf) = <d_j^dag d_k> (seed 003 eq 32),

        C_jk = int dw J_N(w) F_jk(w) [theta_j(w) + i pi phi_j(w)] [theta_k(w) - i pi phi_k(w)],

    F = R diag(f_L, f_R) R^T, in the eigenmode basis d = R c: `steady_state_correlation` of
    the dimer's junction. Complex 2 x 2, Hermitian.

    {parameters}"""
    return steady_state_correlation(dimer.junction)


@dimer_function
def internal_current(dimer: Dimer) -> Float[Array, ""]:
    """The intra-system particle current <J^P_S> = g Im C_12(inf) (seed 003 eqs 42, D1), from
    site L to site R, with C(inf) of eq 32 (`stationary_correlation`). Equal to J^P_L of
    `landauer_currents` (eq D1 -> eq 45 through eq 37).

    {parameters}"""
    return dimer.g * jnp.imag(steady_state_correlation(dimer.junction)[0, 1])


@dimer_function
def boundary_currents(dimer: Dimer) -> tuple[Float[Array, ""], Float[Array, ""]]:
    """(J^P_L, J^E_L) from the boundary-current formulae of appendix D (seed 003 eqs D4-D5),

        J^{P,E}_L = 2 pi sum_kl R_k1 R_l1 int dw {1, w} J_N F_kl
                        {phi_k - J_N [theta_k theta_l + pi^2 phi_k phi_l]},

    which hold for any spectral density (here the Newns band, with phi_j and theta_j of eqs
    35, 37). The first term is, since sum_l R_l1 F_kl = R_k1 f_L, f_L sum_k R_k1^2 phi_k
    (checked: it is Meir-Wingreen's J_L = int Gamma_L [f_L A_LL - (G^R Gamma F G^A)_LL] / 2 pi
    in the eigenbasis).

    {parameters}"""
    j_n, theta, phi = dimer.junction.density, dimer.theta, dimer.phi
    bracket = phi[:, None, :] - j_n[None, None, :] * (
        theta[:, None, :] * theta[None, :, :] + jnp.pi**2 * phi[:, None, :] * phi[None, :, :]
    )  # (k, l, n)
    r1 = dimer.rotation[:, 0]
    weights = jnp.real(dimer.junction.noise_weights) * (r1[:, None] * r1[None, :])[None]
    integrand = 2 * jnp.pi * jnp.einsum("nkl,kln->n", weights, bracket)
    return jnp.sum(integrand), jnp.sum(dimer.w * integrand)
