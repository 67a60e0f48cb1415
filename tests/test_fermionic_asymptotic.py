"""The fermionic dimer of seed 003: Landauer currents (eqs 43-46, D1, D4-D5), the asymptotic
master equation (eqs 48-51, 55-58, 65-75, 77-81, appendix F) and its asymptotic
non-Markovianity (eq 82, Fig 5).

Every closed form is checked against an independent calculation: the Caroli formula, adaptive
quadrature (scipy), a time-domain quadrature of eq 54, the many-body 4 x 4 generator (its
Heisenberg-picture action, its steady state, its exact propagator exp(L t)), and qoj's own
global master equation.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg
from scipy.integrate import quad

import qoj
from qoj.fermionic import _asymptotic as asy, _landauer as la
from qoj.fermionic._correlation import gaussian_state, mode_annihilators
from qoj.fermionic._dimer import Dimer
from qoj.fermionic._newns import eigenmodes, level_width, shifted_energy
from qoj.figures._asymptotic_nonmarkovianity import region_masks
from qoj.nonmarkov import canonical_rates
from qoj.nonmarkov._asymptotic import asymptotic_nonmarkovianity

# A generic point: detuned, finite Gamma/Omega, different temperatures and potentials.
SYSTEM = (1.0, 0.3, 0.5)  # h, delta, g
BAND = (0.05, 10.0)  # Gamma, Omega
BATHS = (0.1, 0.3, 1.2, 0.4)  # T_L, T_R, mu_L, mu_R
ARGS = SYSTEM + BAND + BATHS
# Fig 5: h = 1, delta = 0, g = 0.5 (E_1 = 1.25, E_2 = 0.75), Gamma = 0.01, Omega = 10.
FIG5 = (1.0, 0.0, 0.5, 0.01, 10.0)


def _expect(op, rho):
    return np.trace(np.asarray(op) @ np.asarray(rho))


def _modes(h, delta, g):
    """(d_1, d_2) = R (c_L, c_R) on the 4 x 4 space (eq 16)."""
    return mode_annihilators(eigenmodes(h, delta, g)[1])


def _correlation(rho, modes):
    """C_jk = <d_j^dag d_k> of a 4 x 4 state."""
    modes = np.asarray(modes)
    return np.array([[_expect(a.conj().T @ b, rho) for b in modes] for a in modes])


# --- quadrature and Landauer ---------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        (1.0, 0.0, 0.5, 0.01, 10.0, 0.01, 1.0),  # Fig 5, low T
        (1.0, 0.3, 0.5, 1e-3, 10.0, 1e-4, 0.7),  # narrow peaks, T << Gamma
        (1.0, 0.3, 0.5, 0.2, 10.0, 0.0, 1.2),  # T = 0: a step
        (3.0, 1.0, 1.0, 1.0, 5.0, 2.0, -1.0),  # broad peaks near the band edge
    ],
)
def test_band_quadrature_against_adaptive_quadrature(params):
    """int phi_j f (eq 59) on the graded rule vs scipy.quad with breakpoints: ~1e-15."""
    h, delta, g, Gamma, Omega, T, mu = params
    ours = np.asarray(asy.bath_fixed_points(h, delta, g, Gamma, Omega, T, T, mu, mu)[0])
    energies, _ = eigenmodes(h, delta, g)
    for energy, value in zip(np.asarray(energies), ours, strict=True):
        shift = float(shifted_energy(energy, Gamma, Omega))
        width = float(level_width(energy, Gamma, Omega))

        def integrand(w, shift=shift, width=width):
            density = Gamma / (2 * np.pi) * np.sqrt(1 - (w / Omega) ** 2)
            phi = density / ((1 - Gamma / Omega) * ((w - shift) ** 2 + width**2 / 4))
            fermi = float(w < mu) if T == 0 else 0.5 * (1 - np.tanh((w - mu) / (2 * T)))
            return phi * fermi

        points = [-Omega, Omega, shift, float(np.clip(mu, -Omega, Omega))]
        points += [shift + s * k * width for s in (-1, 1) for k in (1, 10, 100)]
        points += [mu + s * k * T for s in (-1, 1) for k in (1, 10, 40)]
        points = sorted({p for p in points if -Omega <= p <= Omega})
        reference = sum(
            quad(integrand, a, b, epsabs=1e-17, epsrel=1e-13, limit=200)[0]
            for a, b in zip(points[:-1], points[1:], strict=True)
        )
        assert value == pytest.approx(reference, rel=1e-12, abs=1e-15)
    # phi_j is normalised (eq 26) on the same rule
    dimer = Dimer(*params[:5], 0.1, 0.1, 0.0, 0.0)
    np.testing.assert_allclose(dimer.integrate(dimer.phi), 1.0, atol=2e-15)


def test_transmission_is_the_caroli_formula():
    """Eq 45 = Gamma_L Gamma_R |G^R_LR|^2 / 2 pi with the self-energy of a semi-infinite chain
    Sigma = (Gamma / 2 Omega)(w - i sqrt(Omega^2 - w^2)) (textbook NEGF): ~6e-15."""
    h, delta, g = SYSTEM
    Gamma, Omega = BAND
    w = np.linspace(-9.99, 9.99, 41)
    h_s = np.array([[h + delta / 2, -g / 2], [-g / 2, h - delta / 2]])
    sigma = Gamma / (2 * Omega) * (w - 1j * np.sqrt(Omega**2 - w**2))
    rate = Gamma * np.sqrt(1 - (w / Omega) ** 2)  # qoj.spectra.Newns = 2 pi J_N
    green = np.linalg.inv(w[:, None, None] * np.eye(2) - h_s - sigma[:, None, None] * np.eye(2))
    caroli = rate**2 * np.abs(green[:, 0, 1]) ** 2 / (2 * np.pi)
    ours = np.asarray(la.transmission(w, h, delta, g, Gamma, Omega))
    np.testing.assert_allclose(ours, caroli, rtol=1e-13)
    assert np.all(2 * np.pi * ours <= 1.0)
    assert float(la.transmission(10.5, h, delta, g, Gamma, Omega)) == 0.0  # outside the band


@pytest.mark.parametrize("temperatures", [(0.1, 0.3), (0.0, 0.0), (0.02, 1.5)])
def test_landauer_equals_internal_current_and_boundary_current(temperatures):
    """Eq 43-44 (Landauer) = g Im C_12(inf) (eq D1 with eq 32) = eqs D4-D5: to ~1e-15
    relative (measured 2e-16 .. 4e-15)."""
    args = SYSTEM + BAND + temperatures + (1.2, 0.4)
    particle, energy = la.landauer_currents(*args)
    internal = la.internal_current(*args)
    boundary_particle, boundary_energy = la.boundary_currents(*args)
    assert float(particle) > 1e-3
    np.testing.assert_allclose(internal, particle, rtol=1e-12)
    np.testing.assert_allclose(boundary_particle, particle, rtol=1e-12)
    np.testing.assert_allclose(boundary_energy, energy, rtol=1e-12)


def test_second_law_and_signs_over_random_parameters():
    """-sum_a beta_a J^Q_a >= 0 with J^Q_a = J^E_a - mu_a J^P_a (eq 2): 64 random draws; the
    particle current runs down the potential at equal temperatures."""
    rng = np.random.default_rng(3)
    n = 64
    params = {
        "h": rng.uniform(-2, 2, n),
        "delta": rng.uniform(-1, 1, n),
        "g": rng.uniform(0.05, 1.0, n),
        "Gamma": rng.uniform(0.005, 1.0, n),
        "Omega": np.full(n, 10.0),
        "T_L": rng.uniform(0.02, 2.0, n),
        "T_R": rng.uniform(0.02, 2.0, n),
        "mu_L": rng.uniform(-3, 3, n),
        "mu_R": rng.uniform(-3, 3, n),
    }
    particle, energy = jax.vmap(la.landauer_currents)(*(jnp.asarray(v) for v in params.values()))
    heat_l = energy - params["mu_L"] * particle
    heat_r = -energy + params["mu_R"] * particle
    entropy = -(heat_l / params["T_L"] + heat_r / params["T_R"])
    assert np.all(np.asarray(entropy) >= -1e-15)
    assert np.max(entropy) > 1e-3
    same_t = jax.vmap(lambda m_l, m_r: la.landauer_currents(*SYSTEM, *BAND, 0.2, 0.2, m_l, m_r))
    p, _ = same_t(jnp.asarray(params["mu_L"]), jnp.asarray(params["mu_R"]))
    assert np.all(np.sign(np.asarray(p)) == np.sign(params["mu_L"] - params["mu_R"]))


def test_equal_baths_carry_no_current():
    args = SYSTEM + BAND + (0.3, 0.3, 0.9, 0.9)
    particle, energy = la.landauer_currents(*args)
    assert float(particle) == 0.0 and float(energy) == 0.0
    assert float(la.internal_current(*args)) == pytest.approx(0.0, abs=1e-17)
    xi, eta = asy.interference_coefficients(*args)
    assert float(xi) == 0.0 and float(eta) == 0.0


def test_landauer_gradients_match_finite_differences():
    """d J^P_L / d mu_L and d J^P_L / d T_L by autodiff vs central differences (~1e-9), and at
    T_L = T_R = 0 the exact d J^P_L / d mu_L = T(mu_L)."""

    def current(mu_l, t_l):
        return la.landauer_currents(*SYSTEM, *BAND, t_l, 0.3, mu_l, 0.4)[0]

    grad = jax.grad(current, argnums=(0, 1))(1.2, 0.1)
    step = 1e-5
    fd_mu = (current(1.2 + step, 0.1) - current(1.2 - step, 0.1)) / (2 * step)
    fd_t = (current(1.2, 0.1 + step) - current(1.2, 0.1 - step)) / (2 * step)
    assert abs(float(grad[0])) > 1e-3 and abs(float(grad[1])) > 1e-4
    np.testing.assert_allclose(grad[0], fd_mu, rtol=1e-7)
    np.testing.assert_allclose(grad[1], fd_t, rtol=1e-7)

    def cold(mu_l):
        return la.landauer_currents(*SYSTEM, *BAND, 0.0, 0.0, mu_l, 0.4)[0]

    for mu_l in (0.9, 1.2):  # on the lower peak and between the peaks
        exact = la.transmission(mu_l, *SYSTEM, *BAND)
        np.testing.assert_allclose(jax.grad(cold)(mu_l), exact, rtol=1e-9)


def test_quantum_optical_transmission_eq_46():
    """Eq 46 approximates eq 45 to O(Gamma / Delta) of the peak value (Fig 3 parameters)."""
    h, g, delta, Omega = 1.0, 0.5, 0.5, 10.0
    splitting = np.hypot(g, delta)
    w = jnp.linspace(0.3, 1.8, 3001)
    errors = []
    for ratio in (0.02, 0.002):
        Gamma = ratio * splitting
        exact = la.transmission(w, h, delta, g, Gamma, Omega)
        approx = la.transmission_quantum_optical(w, h, delta, g, Gamma, Omega)
        errors.append(float(jnp.max(jnp.abs(approx - exact)) / jnp.max(exact)))
    assert errors[0] < 0.02
    assert 5 < errors[0] / errors[1] < 20  # linear in Gamma


# --- rate matrices -------------------------------------------------------------------------


def test_rate_matrices_are_eq_55():
    """The closed forms (eq 58 diagonal, xi and eta) equal eq 55 integrated as printed (with
    E'_j and 1/(1 - Gamma/Omega)); eq 55 with E_j and no factor differs by O(Gamma/Omega);
    and Lambda^+ = -i[H', C] + {Gamma, C}/2 with C exact (eq 32) on the diagonal."""
    lambda_plus, lambda_minus = asy.rate_matrices(*ARGS)
    dimer = Dimer(*ARGS)
    Gamma, Omega = BAND
    j_n = np.asarray(dimer.junction.density)
    r = np.asarray(dimer.rotation)
    f = np.einsum("ja,an,ka->jkn", r, np.asarray(dimer.occupations), r)  # F = R f R^T
    w = np.asarray(dimer.w)
    shifted, widths, energies = (
        np.asarray(x) for x in (dimer.shifted, dimer.widths, dimer.energies)
    )

    def eq_55(levels, factor):
        out = np.zeros((2, 2), complex)
        for j in range(2):
            for k in range(2):
                kernel = 1 / (levels[j] - w + 0.5j * widths[j]) - 1 / (
                    levels[k] - w - 0.5j * widths[k]
                )
                out[j, k] = np.asarray(
                    dimer.integrate(jnp.asarray(1j * factor * j_n * f[j, k] * kernel))
                )
        return out

    np.testing.assert_allclose(lambda_plus, eq_55(shifted, 1 / (1 - Gamma / Omega)), atol=1e-16)
    printed = eq_55(energies, 1.0)
    relative = np.max(np.abs(printed - lambda_plus)) / np.max(np.abs(lambda_plus))
    assert 0.1 * Gamma / Omega < relative < 3 * Gamma / Omega  # measured 1.5 Gamma/Omega
    np.testing.assert_allclose(lambda_plus + lambda_minus, np.diag(widths), atol=1e-16)
    np.testing.assert_allclose(lambda_plus, np.asarray(lambda_plus).conj().T, atol=0)
    assert np.all(np.diag(np.asarray(lambda_minus)).real > 0)
    # appendix F: Lambda^+_12 = (Tr Gamma / 2 - i (E'_1 - E'_2)) C_12 with the EPA's C
    c_exact = np.asarray(la.stationary_correlation(*ARGS))
    c_epa = np.asarray(asy.asymptotic_correlation(*ARGS))
    np.testing.assert_allclose(
        lambda_plus[0, 1],
        (widths.sum() / 2 - 1j * (shifted[0] - shifted[1])) * c_epa[0, 1],
        rtol=1e-13,
    )
    np.testing.assert_allclose(np.diag(c_epa), np.diag(c_exact), rtol=1e-13)
    assert np.abs(c_epa[0, 1] - c_exact[0, 1]) < Gamma / Omega * np.abs(c_exact[0, 1])


def _eq_54_time_domain(args, decay=25.0):
    """int_0^inf G^dag(t) Phi(t) dt + h.c. with G_j = exp(-i E'_j t - Gamma_j t / 2) and
    Phi(t) = int dw e^{-i w t} J_N(w) F(w) (eqs 28, 53, 54), by brute-force quadrature in w
    (w = Omega sin(theta), uniform Gauss-Legendre panels resolving e^{-i w t}) and in t."""
    h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R = args
    energies, rotation = (np.asarray(x) for x in eigenmodes(h, delta, g))
    shifted = np.asarray(shifted_energy(energies, Gamma, Omega))
    widths = np.asarray(level_width(energies, Gamma, Omega))
    t_max = 2 * decay / widths.min()

    def rule(a, b, panels, n=16):
        x, w = np.polynomial.legendre.leggauss(n)
        edges = np.linspace(a, b, panels + 1)
        lo, width = edges[:-1, None], np.diff(edges)[:, None]
        return (lo + width * (x + 1) / 2).ravel(), (width * w / 2).ravel()

    theta, w_theta = rule(-np.pi / 2, np.pi / 2, int(np.ceil(np.pi * Omega * t_max / 8)))
    w = Omega * np.sin(theta)
    density = Gamma / (2 * np.pi) * Omega * np.cos(theta) ** 2 * w_theta  # J_N dw
    fermi = np.stack(
        [0.5 * (1 - np.tanh((w - mu) / (2 * T))) for mu, T in ((mu_L, T_L), (mu_R, T_R))]
    )
    kernel = np.einsum("ja,ka,an->jkn", rotation, rotation, fermi) * density
    ts, w_t = rule(0.0, t_max, int(np.ceil(t_max * (Omega + 2) / 6)))
    total = np.zeros((2, 2), complex)
    for i in range(0, ts.size, 512):
        t, wt = ts[i : i + 512], w_t[i : i + 512]
        phi = np.einsum("tn,jkn->jkt", np.exp(-1j * np.outer(t, w)), kernel)
        propagator = np.exp((1j * shifted[:, None] - widths[:, None] / 2) * t[None, :])
        total += np.einsum("jt,jkt,t->jk", propagator, phi, wt)
    return total + total.conj().T


def test_rate_matrices_are_the_long_time_limit_of_eq_54():
    """Lambda^+ = lim N int_0^t G^dag Phi + h.c. (eq 54, EPA, with the pole weight N = 1/(1 -
    Gamma/Omega) of `epa_correlations`; the printed eq 54 has N = 1): ~1e-13."""
    args = (1.0, 0.3, 0.5, 0.5, 10.0, 0.2, 0.3, 1.2, 0.4)
    lambda_plus, _ = asy.rate_matrices(*args)
    reference = _eq_54_time_domain(args) / (1 - args[3] / args[4])
    np.testing.assert_allclose(lambda_plus, reference, atol=1e-12 * np.abs(reference).max())


@pytest.mark.slow
def test_rate_matrices_are_the_long_time_limit_of_eq_54_weak_coupling():
    args = (1.0, 0.3, 0.5, 0.1, 10.0, 0.05, 0.3, 1.1, 0.4)
    lambda_plus, _ = asy.rate_matrices(*args)
    reference = _eq_54_time_domain(args, decay=20.0) / (1 - args[3] / args[4])
    np.testing.assert_allclose(lambda_plus, reference, atol=1e-9 * np.abs(reference).max())


# --- the generator -------------------------------------------------------------------------


def _eq_51(args):
    """The dissipator of eq 51 built straight from Lambda^+- (one Kossakowski term)."""
    lambda_plus, lambda_minus = asy.rate_matrices(*args)
    modes = _modes(*args[:3])
    ops = jnp.concatenate([modes, jnp.conj(jnp.swapaxes(modes, -1, -2))])
    zero = jnp.zeros((2, 2))
    rates = jnp.block([[lambda_minus, zero], [zero, lambda_plus.T]])
    return qoj._terms.KossakowskiTerm(ops, rates).matrix()


@pytest.mark.parametrize("basis", ["energy", "local"])
def test_decomposition_adds_up_to_eq_51(basis):
    """L_L + L_R + L_int (eq 56) and L-bar_L + L-bar_R + L-bar_LR (eq 69) are eq 51."""
    gen = asy.asymptotic_generator(*ARGS, basis=basis)
    names = ("L", "R", "interference" if basis == "energy" else "LR")
    assert tuple(gen.parts) == names
    total = sum(part.superoperator() for part in gen.parts.values())
    np.testing.assert_allclose(total, _eq_51(ARGS), atol=1e-16)
    np.testing.assert_allclose(gen.hamiltonian, asy.system_hamiltonian(*SYSTEM), atol=0)
    # eigenmodes: H_S = sum_j E_j d_j^dag d_j, canonical anticommutators
    modes = np.asarray(_modes(*SYSTEM))
    energies, _ = eigenmodes(*SYSTEM)
    np.testing.assert_allclose(
        sum(e * d.conj().T @ d for e, d in zip(np.asarray(energies), modes, strict=True)),
        gen.hamiltonian,
        atol=1e-15,
    )
    for j in range(2):
        for k in range(2):
            anti = modes[j] @ modes[k].conj().T + modes[k].conj().T @ modes[j]
            np.testing.assert_allclose(anti, np.eye(4) * (j == k), atol=1e-15)
    if basis == "energy":
        assert bool(qoj.nonmarkov.is_lindblad(gen.restricted(["L", "R"])))


def test_interference_term_properties_eq_68():
    """L_int^dag n_j = 0 and L_int^dag (d_1^dag d_2) = Lambda^+_12 (eq 68); L_int generates
    coherence only."""
    gen = asy.asymptotic_generator(*ARGS)
    interference = gen.parts["interference"]
    modes = _modes(*SYSTEM)
    lambda_plus, _ = asy.rate_matrices(*ARGS)
    for d in modes:
        np.testing.assert_allclose(interference.adjoint(0.0, d.conj().T @ d), 0.0, atol=1e-17)
    coherence = interference.adjoint(0.0, modes[0].conj().T @ modes[1])
    np.testing.assert_allclose(coherence, lambda_plus[0, 1] * np.eye(4), atol=1e-17)
    assert abs(complex(lambda_plus[0, 1])) > 1e-3


def test_stationary_state_is_gaussian_with_the_exact_populations():
    """qoj.steady_state of the generator is the Gaussian state of `asymptotic_correlation`
    (eq F6); its populations are those of the exact eq 32."""
    gen = asy.asymptotic_generator(*ARGS)
    rho = qoj.steady_state(gen)
    modes = _modes(*SYSTEM)
    c = asy.asymptotic_correlation(*ARGS)
    np.testing.assert_allclose(rho, gaussian_state(c, eigenmodes(*SYSTEM)[1]), atol=1e-15)
    np.testing.assert_allclose(_correlation(rho, modes), c, atol=1e-15)
    exact = la.stationary_correlation(*ARGS)
    np.testing.assert_allclose(np.diag(_correlation(rho, modes)), np.diag(exact), atol=1e-14)
    # the double occupancy is det C (Gaussian, section III B)
    n1, n2 = (d.conj().T @ d for d in modes)
    np.testing.assert_allclose(_expect(n1 @ n2, rho), np.linalg.det(np.asarray(c)), atol=1e-15)


def test_many_body_evolution_reproduces_eqs_48_and_49():
    """exp(L t) of the 4 x 4 generator vs the correlation-matrix equations (eq 48:
    dC/dt = i[H', C] - {Gamma, C}/2 + Lambda^+; eq 49 for the double occupancy D), from a
    random initial state (coherent across particle-number sectors too): ~1e-15."""
    gen = asy.asymptotic_generator(*ARGS)
    modes = _modes(*SYSTEM)
    lambda_plus = np.asarray(asy.rate_matrices(*ARGS)[0])
    dimer = Dimer(*ARGS)
    levels, widths = np.diag(np.asarray(dimer.shifted)), np.diag(np.asarray(dimer.widths))
    rng = np.random.default_rng(1)
    a = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    rho0 = a @ a.conj().T / np.trace(a @ a.conj().T)
    n1, n2 = (np.asarray(d.conj().T @ d) for d in modes)
    # y = (C_11, C_12, C_21, C_22, D, 1): dy/dt = A y
    A = np.zeros((6, 6), complex)
    for j in range(2):
        for k in range(2):
            row = 2 * j + k
            A[row, row] = 1j * (levels[j, j] - levels[k, k]) - (widths[j, j] + widths[k, k]) / 2
            A[row, 5] = lambda_plus[j, k]
    A[4, 4] = -np.trace(widths)
    for j in range(2):
        for k in range(2):
            A[4, 2 * k + k] += lambda_plus[j, j]  # Lambda^+_jj C_kk
            A[4, 2 * k + j] -= lambda_plus[j, k]  # Lambda^+_jk C_kj
    c0 = _correlation(rho0, modes)
    y0 = np.concatenate([c0.ravel(), [_expect(n1 @ n2, rho0), 1.0]])
    superop = np.asarray(gen.superoperator())
    for t in (0.3, 4.0, 40.0, 400.0):
        rho = (scipy.linalg.expm(superop * t) @ rho0.reshape(-1)).reshape(4, 4)
        y = scipy.linalg.expm(A * t) @ y0
        np.testing.assert_allclose(_correlation(rho, modes).ravel(), y[:4], atol=2e-15)
        np.testing.assert_allclose(_expect(n1 @ n2, rho), y[4], atol=2e-15)
    np.testing.assert_allclose(
        y[:4], np.asarray(asy.asymptotic_correlation(*ARGS)).ravel(), atol=1e-6
    )


def test_fixed_points_of_the_bath_generators_eq_59():
    """L_a r_a = 0 for the Gaussian r_a with C = diag(int phi_j f_a) (eq 59), uniquely; for
    Gamma -> 0, C -> f_a(E_j) (eq 7)."""
    gen = asy.asymptotic_generator(*ARGS)
    occupations = asy.bath_fixed_points(*ARGS)
    for index, name in enumerate("LR"):
        r = gaussian_state(jnp.diag(occupations[index]), eigenmodes(*SYSTEM)[1])
        np.testing.assert_allclose(gen.parts[name](0.0, r), 0.0, atol=1e-17)
        singular = scipy.linalg.svdvals(np.asarray(gen.parts[name].superoperator()))
        assert singular[-1] < 1e-16 < 1e-4 < singular[-2]  # a one-dimensional kernel
    weak = asy.bath_fixed_points(*SYSTEM, 1e-6, 10.0, *BATHS)
    energies, _ = eigenmodes(*SYSTEM)
    for index, (T, mu) in enumerate(((BATHS[0], BATHS[2]), (BATHS[1], BATHS[3]))):
        fermi = 1 / (np.exp((np.asarray(energies) - mu) / T) + 1)
        np.testing.assert_allclose(weak[index], fermi, atol=1e-5)


def test_appendix_F_interference_is_not_positive():
    """L_int = sum_j lambda_j D[L_j] (eq F1); for |b> = L_3^dag |0>, <0|L_int(|b><b|)|0> =
    lambda_3 = -|Lambda^+_12| < 0 (eq F2); qoj's canonical rates of L_int are 2 lambda_j."""
    gen = asy.asymptotic_generator(*ARGS)
    lambda_plus, _ = asy.rate_matrices(*ARGS)
    modes = _modes(*SYSTEM)
    rates, channels = asy.interference_channels(lambda_plus, modes)
    rebuilt = sum(
        rate * qoj._terms.JumpTerm(op, 1.0).matrix()
        for rate, op in zip(rates, channels, strict=True)
    )
    np.testing.assert_allclose(rebuilt, gen.parts["interference"].superoperator(), atol=1e-17)
    vacuum = np.zeros(4)
    vacuum[3] = 1.0  # both modes empty (JW factor index 1 = empty)
    np.testing.assert_allclose(np.asarray(modes[0]) @ vacuum, 0.0, atol=0)
    b = np.asarray(channels[2]).conj().T @ vacuum
    assert abs(np.vdot(vacuum, b)) < 1e-15 and np.vdot(b, b).real == pytest.approx(1.0)
    out = np.asarray(gen.parts["interference"](0.0, jnp.asarray(np.outer(b, b.conj()))))
    size = abs(complex(lambda_plus[0, 1]))
    np.testing.assert_allclose(vacuum @ out @ vacuum, -size, rtol=1e-13)
    only = qoj.Generator(gen.hamiltonian, {"interference": gen.parts["interference"]})
    canonical = np.asarray(canonical_rates(only)[0])
    np.testing.assert_allclose(
        canonical[[0, 1, -2, -1]], 2 * size * np.array([-1, -1, 1, 1]), rtol=1e-12
    )
    np.testing.assert_allclose(canonical[2:-2], 0.0, atol=1e-15)


# --- currents ------------------------------------------------------------------------------


def test_additive_currents_eqs_61_62_and_the_quantum_optical_limit():
    """<L_L^dag N_S>, <L_L^dag H_S> in the stationary state (qoj.particle_currents,
    qoj.heat_currents) are eqs 61-62; they tend to the Landauer currents as Gamma/Delta -> 0
    (measured relative differences: particle 4.7e-2, 6.0e-3, 6.2e-4 and energy 5.7e-2, 7.4e-3,
    7.5e-4 for Gamma = 0.05, 0.005, 0.0005, Delta = 0.58)."""
    gen = asy.asymptotic_generator(*ARGS)
    rho = qoj.steady_state(gen)
    sites = mode_annihilators()
    number = sum(c.conj().T @ c for c in sites)
    particle = qoj.particle_currents(gen, rho, number)
    energy = qoj.heat_currents(gen, rho)
    closed = asy.additive_currents(*ARGS)
    np.testing.assert_allclose(particle["L"], closed[0], rtol=1e-12)
    np.testing.assert_allclose(energy["L"], closed[1], rtol=1e-12)
    np.testing.assert_allclose(particle["R"], -closed[0], rtol=1e-12)
    np.testing.assert_allclose(energy["R"], -closed[1], rtol=1e-12)
    assert (
        abs(float(particle["interference"])) < 1e-17 and abs(float(energy["interference"])) < 1e-17
    )
    errors = []
    for Gamma in (0.05, 0.005, 0.0005):
        args = SYSTEM + (Gamma, 10.0) + BATHS
        landauer = np.asarray(la.landauer_currents(*args))
        additive = np.asarray(asy.additive_currents(*args))
        errors.append(np.abs(additive / landauer - 1))
    errors = np.array(errors)
    assert np.all(errors[0] < 0.06)
    assert np.all(errors[1:] < errors[:-1] / 7)  # O(Gamma / Delta)


def test_local_basis_rates_and_currents_eqs_70_to_81():
    """R^T Lambda^+- R has the local rates of eq 70 on its diagonal and eqs 72-75 off it;
    eqs 79-80 and (with the sign corrected) 81 hold in the stationary state; eq 78 in the
    weak-coupling, delta = 0, Delta << Omega limit."""
    local_plus, local_minus = (np.asarray(x) for x in asy.local_rate_matrices(*ARGS))
    loss, gain = (np.asarray(x) for x in asy.local_rates(*ARGS))
    np.testing.assert_allclose(np.diag(local_plus), gain, atol=1e-17)
    np.testing.assert_allclose(np.diag(local_minus), loss, atol=1e-17)
    dimer = Dimer(*ARGS)
    phi, widths = dimer.phi, dimer.widths
    f_l, f_r = dimer.occupations
    g, splitting = SYSTEM[2], float(dimer.splitting)
    difference = widths[1] * phi[1] - widths[0] * phi[0]
    xi, eta = asy.interference_coefficients(*ARGS)
    eq_72 = g / (4 * splitting) * dimer.integrate(difference * (f_l + f_r))
    eq_74 = g / (4 * splitting) * dimer.integrate(difference * (2 - f_l - f_r))
    np.testing.assert_allclose(local_plus[0, 1], eq_72 + 1j * eta, atol=1e-16)
    np.testing.assert_allclose(local_minus[0, 1], eq_74 - 1j * eta, atol=1e-16)
    # eq 66 (corrected factor g / 4 Delta) and eq 67 (E'_j)
    window = f_l - f_r
    np.testing.assert_allclose(
        xi,
        g / (4 * splitting) * dimer.integrate((widths[0] * phi[0] + widths[1] * phi[1]) * window),
        rtol=1e-14,
    )
    # currents of the local dissipators from the generator (Heisenberg picture, steady state)
    gen = asy.asymptotic_generator(*ARGS)
    local = asy.asymptotic_generator(*ARGS, basis="local")
    rho = qoj.steady_state(gen)
    c_l, c_r = mode_annihilators()
    n_l = c_l.conj().T @ c_l
    number = n_l + c_r.conj().T @ c_r
    closed = asy.local_currents(*ARGS)
    np.testing.assert_allclose(
        _expect(local.parts["L"].adjoint(0.0, number), rho), closed["particle"], rtol=1e-12
    )
    np.testing.assert_allclose(
        _expect(local.parts["L"].adjoint(0.0, local.hamiltonian), rho), closed["energy"], rtol=1e-12
    )
    total = sum(part.adjoint(0.0, n_l) for part in gen.parts.values())
    np.testing.assert_allclose(_expect(total, rho), closed["master_equation_particle"], rtol=1e-12)
    np.testing.assert_allclose(
        -_expect(local.parts["LR"].adjoint(0.0, n_l), rho), closed["correction"], rtol=1e-10
    )
    np.testing.assert_allclose(_expect(c_l.conj().T @ c_r, rho).real, closed["hopping"], rtol=1e-12)
    assert abs(float(closed["correction"])) > 1e-6
    # the printed eq 81 (minus sign) is wrong by 2 x (g/2) sum_j R_j1^2 Gamma_j Re<c_L^dag c_R>
    h_l = SYSTEM[0] + SYSTEM[1] / 2
    printed = (
        h_l * closed["particle"]
        - 0.5 * g * jnp.sum(dimer.rotation[:, 0] ** 2 * widths) * closed["hopping"]
    )
    assert abs(float(printed - closed["energy"])) > 0.1 * abs(float(closed["energy"]))
    # eq 78
    h, g, T, Omega = 1.0, 0.5, 0.2, 1e3
    for mu in (0.8, 1.3):
        loss, gain = asy.local_rates(h, 0.0, g, 1e-7, Omega, T, T, mu, mu)
        x, y = (h - mu) / T, g / (2 * T)
        eq_78 = (np.exp(x) + np.cosh(y)) / (1 + np.exp(x) * np.cosh(y)) * np.exp(x)
        np.testing.assert_allclose(np.asarray(loss / gain), eq_78, rtol=2e-6)
        np.testing.assert_allclose(
            asy.effective_local_energies(h, 0.0, g, 1e-7, Omega, T, T, mu, mu),
            T * np.log(eq_78) + mu,
            rtol=1e-6,
        )


def test_weak_coupling_limit_is_qoj_global_master_equation():
    """For Gamma -> 0 the additive parts L_L, L_R are Davies' global master equation for
    tunnelling to fermionic Newns baths (qoj.master_equation, approach "global"): relative
    difference 1.5e-5 at Gamma = 1e-4, mu = 0. qoj.Coupling takes a Hermitian X (x) B, so the
    tunnelling c^dag b + b^dag c is emulated by X = c + c^dag: its gain rates come out as the
    bath's emission rate at -E_j, J(-E_j)(1 - f(-E_j)) = J(E_j) f(E_j) only for mu = 0 and an
    even band; at mu != 0 qoj's global equation does not describe particle exchange (measured
    14% off at mu_L = 0.5)."""
    h, delta, g = SYSTEM
    Gamma, Omega = 1e-4, 10.0
    sites = mode_annihilators()
    hamiltonian = asy.system_hamiltonian(h, delta, g)

    def global_generator(T_L, T_R, mu_L, mu_R):
        def bath(T, mu):
            return qoj.Bath(
                qoj.spectra.Newns(Gamma, Omega), T, chemical_potential=mu, statistics="fermi"
            )

        couplings = [
            qoj.Coupling(name, c + c.conj().T, bath(T, mu))
            for name, c, T, mu in (("L", sites[0], T_L, mu_L), ("R", sites[1], T_R, mu_R))
        ]
        return qoj.master_equation(qoj.OpenSystem(hamiltonian, couplings), "global")

    for baths, expected in (((0.3, 0.6, 0.0, 0.0), 1e-4), ((0.3, 0.6, 0.5, 0.0), None)):
        davies = global_generator(*baths)
        ours = asy.asymptotic_generator(h, delta, g, Gamma, Omega, *baths)
        a, b = (np.asarray(gen.parts["L"].superoperator()) for gen in (davies, ours))
        difference = np.abs(a - b).max() / np.abs(a).max()
        if expected is None:
            assert difference > 0.05
        else:
            assert difference < expected


# --- non-Markovianity ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "baths",
    [(0.01, 0.01, 1.0, 0.3), (0.05, 0.4, 0.75, 0.75), (0.1, 0.3, 1.2, 0.4), (0.2, 0.2, 1.0, 1.0)],
)
def test_generic_nonmarkovianity_is_twice_the_papers(baths):
    """On the dimer, sum of the negative canonical rates (qoj normalisation, Tr[L^dag L] = 1)
    = 2 x eq 82 (jump operators built from d_j, Tr[d^dag d] = 2): the Kossakowski matrix is
    blockdiag(2 Lambda^-, 2 (Lambda^+)^T, 0_11) in the basis d_j/sqrt2, d_j^dag/sqrt2, ..."""
    args = FIG5 + baths
    gen = asy.asymptotic_generator(*args)
    paper = asy.rate_matrix_nonmarkovianity(*asy.rate_matrices(*args))
    generic = asymptotic_nonmarkovianity(gen)
    np.testing.assert_allclose(generic, 2 * paper, rtol=1e-10, atol=1e-18)
    lambda_plus, lambda_minus = asy.rate_matrices(*args)
    expected = np.sort(
        np.concatenate(
            [
                np.zeros(11),
                2 * np.linalg.eigvalsh(lambda_plus),
                2 * np.linalg.eigvalsh(lambda_minus),
            ]
        )
    )
    np.testing.assert_allclose(np.sort(np.asarray(canonical_rates(gen)[0])), expected, atol=1e-15)


def _nu_map(mus, temperature):
    """nu_inf over the (mu_L, mu_R) grid of `mus` (first axis mu_L) at T_L = T_R."""
    nu = jax.jit(
        jax.vmap(
            lambda m_l, m_r: asy.dimer_nonmarkovianity(*FIG5, temperature, temperature, m_l, m_r)
        )
    )
    mu_l, mu_r = np.meshgrid(mus, mus, indexing="ij")
    return np.asarray(nu(jnp.asarray(mu_l.ravel()), jnp.asarray(mu_r.ravel()))).reshape(mu_l.shape)


def _check_fig_5_regions(mus, temperature, smallest, rtol):
    """nu_inf > `smallest` Gamma where one chemical potential lies between E_2 and E_1 and the
    other outside, with median (sqrt 2 - 1) Gamma / 4 to `rtol`; exactly 0 for mu_L = mu_R;
    elsewhere a median below 0.4 of it."""
    nu = _nu_map(mus, temperature)
    masks = region_masks(mus, margin=0.1)
    cross = nu[masks["one_in_one_out"]]
    assert cross.min() > smallest * 0.01
    np.testing.assert_allclose(np.median(cross), (np.sqrt(2) - 1) / 4 * 0.01, rtol=rtol)
    assert np.all(np.diag(nu) == 0.0)
    for name in ("both_in", "both_out_same_side", "both_out_opposite"):
        assert np.median(nu[masks[name]]) < 0.4 * np.median(cross), name


def test_fig_5_regions_at_low_temperature():
    """Fig 5(a) on a 25 x 25 grid, T_L = T_R = 0.02: nu_inf > 0 wherever one chemical
    potential lies between E_2 and E_1 and the other outside; exactly 0 for mu_L = mu_R;
    elsewhere smaller (measured medians relative to the one-in-one-out median: both in 0.0,
    both out on one side 0.17, on opposite sides 0.26; maxima 0.11, 0.65, 0.82 of it, near
    the levels). The one-in-one-out median is 0.104 Gamma (min 0.099 Gamma), the
    delta-function-limit value (sqrt 2 - 1) Gamma / 4 = 0.1036 Gamma; the map's maximum is
    0.23 Gamma, where a chemical potential sits on a level."""
    _check_fig_5_regions(np.linspace(0.0, 2.0, 25), 0.02, smallest=0.02, rtol=0.1)
    # in equilibrium the rate matrices are diagonal and non-negative
    lambda_plus, lambda_minus = asy.rate_matrices(*FIG5, 0.07, 0.07, 0.9, 0.9)
    assert float(jnp.abs(lambda_plus[0, 1])) == 0.0 and float(jnp.abs(lambda_minus[0, 1])) == 0.0
    assert (
        float(asymptotic_nonmarkovianity(asy.asymptotic_generator(*FIG5, 0.07, 0.07, 0.9, 0.9)))
        == 0.0
    )


def test_nonmarkovianity_shrinks_with_temperature():
    """'significantly reduced once the thermal energy grows comparable to the splitting':
    max nu over the map at T = 0.02, 0.1, 0.25: 2.2e-3, 7.7e-4, 7.3e-5 (Gamma = 0.01)."""
    mus = np.linspace(0.0, 2.0, 21)
    peaks = [float(_nu_map(mus, T).max()) for T in (0.02, 0.1, 0.25)]
    assert peaks[0] > 2 * peaks[1] > 4 * peaks[2]


def test_nonmarkovianity_gradients():
    """Where nu_inf > 0, d nu / d mu_L and d nu / d T_L by autodiff match central differences,
    for eq 82 and for 2 x eq 82 through the many-body generator's canonical rates."""

    def paper(mu_l, t_l):
        return asy.dimer_nonmarkovianity(*FIG5, t_l, 0.05, mu_l, 0.3)

    def generic(mu_l, t_l):
        return asymptotic_nonmarkovianity(asy.asymptotic_generator(*FIG5, t_l, 0.05, mu_l, 0.3))

    point = (1.05, 0.05)
    assert float(paper(*point)) > 1e-4
    grad = jax.grad(paper, argnums=(0, 1))(*point)
    step = 1e-6
    fd = [
        (paper(point[0] + step, point[1]) - paper(point[0] - step, point[1])) / (2 * step),
        (paper(point[0], point[1] + step) - paper(point[0], point[1] - step)) / (2 * step),
    ]
    assert abs(float(grad[0])) > 1e-4 and abs(float(grad[1])) > 1e-4
    np.testing.assert_allclose(grad, fd, rtol=1e-6)
    np.testing.assert_allclose(
        jax.grad(generic, argnums=(0, 1))(*point), 2 * np.asarray(grad), rtol=1e-8
    )


def test_vmap_jit_and_no_retracing():
    """Vmapped over mu_L equals point-by-point; jitted once for every parameter value."""
    mus = jnp.linspace(0.0, 2.0, 7)
    batched = jax.vmap(lambda m: asy.rate_matrices(*SYSTEM, *BAND, 0.1, 0.3, m, 0.4))(mus)
    for i, m in enumerate(np.asarray(mus)):
        single = asy.rate_matrices(*SYSTEM, *BAND, 0.1, 0.3, float(m), 0.4)
        np.testing.assert_allclose(batched[0][i], single[0], atol=1e-17)
        np.testing.assert_allclose(batched[1][i], single[1], atol=1e-17)

    @jax.jit
    @eqx.debug.assert_max_traces(max_traces=1)
    def everything(h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R):
        args = (h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R)
        gen = asy.asymptotic_generator(*args)
        return la.landauer_currents(*args), asymptotic_nonmarkovianity(gen), gen.superoperator()

    for args in (ARGS, FIG5 + (0.01, 0.02, 1.0, 0.3)):
        currents, nu, superop = everything(*args)
        np.testing.assert_allclose(currents, la.landauer_currents(*args), rtol=1e-13)
        np.testing.assert_allclose(
            superop,
            _eq_51(args) + asy.asymptotic_generator(*args).coherent.superoperator(),
            atol=1e-16,
        )


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        ((9.6, 0.3, 0.5, 0.5, 10.0, 0.1, 0.1, 0.0, 0.0), "condition 34"),  # E_1 at the band edge
        ((1.0, 0.3, 0.5, 10.0, 10.0, 0.1, 0.1, 0.0, 0.0), "Gamma < Omega"),
        ((1.0, 0.3, 0.5, 12.0, 10.0, 0.1, 0.1, 0.0, 0.0), "Gamma < Omega"),
        ((1.0, 0.3, 0.5, 0.0, 10.0, 0.1, 0.1, 0.0, 0.0), "Gamma must be > 0"),
        ((1.0, 0.3, 0.5, 0.1, 10.0, -0.1, 0.1, 0.0, 0.0), "temperature"),
        ((1.0, 0.3, 0.5, 0.1, 10.0, 0.1, 0.1, 0.0, np.nan), "chemical_potential"),
        ((1.0, 0.0, 0.0, 0.1, 10.0, 0.1, 0.1, 0.0, 0.0), "degenerate"),
    ],
)
def test_bad_input_is_refused(args, message):
    for function in (la.landauer_currents, asy.rate_matrices, asy.asymptotic_generator):
        with pytest.raises(ValueError, match=message):
            function(*args)
    with pytest.raises(Exception, match=message):  # the same check at run time, under jit
        jax.jit(asy.dimer_nonmarkovianity)(*args)


def test_other_bad_input():
    with pytest.raises(ValueError, match="basis"):
        asy.asymptotic_generator(*ARGS, basis="site")
    with pytest.raises(ValueError, match="condition 34"):
        la.transmission(0.0, 9.6, 0.3, 0.5, 0.5, 10.0)
    with pytest.raises(ValueError, match="eigenvalues in"):
        gaussian_state(jnp.diag(jnp.array([1.5, 0.2])), eigenmodes(*SYSTEM)[1])
    with pytest.raises(ValueError, match="Hermitian"):
        asy.rate_matrix_nonmarkovianity(jnp.array([[0.0, 1.0], [0.0, 0.0]]), jnp.eye(2))
    with pytest.raises(ValueError, match="T_L, T_R > 0"):
        asy.effective_local_energies(*SYSTEM, *BAND, 0.0, 0.1, 1.0, 1.0)
    moving = qoj.lindblad(qoj.sigmaz(), {"A": [(lambda t: 0.1 + 0.0 * t, qoj.sigmam())]})
    with pytest.raises(ValueError, match="late time"):
        asymptotic_nonmarkovianity(moving)
    assert float(asymptotic_nonmarkovianity(moving, 5.0)) == 0.0
    with pytest.raises(TypeError, match="qoj.Generator"):
        asymptotic_nonmarkovianity(np.eye(4))


# --- slow reproductions --------------------------------------------------------------------


@pytest.mark.slow
def test_stationary_correlation_matches_the_exact_solution_module():
    """Eq 32 on the stationary rule (`stationary_correlation`) and on a junction built for
    t_max = 150 (more panels) agree to ~5e-16; the asymptotic master equation's populations
    equal them; and the EPA of `epa_correlations` at late times is `asymptotic_correlation`
    (one convention: both carry the weight 1/(1 - Gamma/Omega) of phi_j's pole)."""
    args = SYSTEM + (0.5, 10.0) + BATHS  # Gamma t = 75 at t = 150: the transient is gone
    junction = qoj.fermionic.newns_junction(*args, t_max=150.0)
    exact = np.asarray(qoj.fermionic.steady_state_correlation(junction))
    np.testing.assert_allclose(la.stationary_correlation(*args), exact, atol=1e-14)
    c = np.asarray(asy.asymptotic_correlation(*args))
    np.testing.assert_allclose(np.diag(c), np.diag(exact), atol=1e-14)
    assert np.abs(c[0, 1] - exact[0, 1]) > 1e-5  # O(Gamma / Omega) off the diagonal
    late, _ = qoj.fermionic.epa_correlations(junction, jnp.array([150.0]), jnp.zeros((2, 2)))
    np.testing.assert_allclose(late[0], c, atol=1e-13)


@pytest.mark.slow
def test_fig_5_full_map():
    """Fig 5(a) on a 101 x 101 grid at T = 0.01: the same statements as the fast test."""
    _check_fig_5_regions(np.linspace(0.0, 2.0, 101), 0.01, smallest=0.05, rtol=0.05)


@pytest.mark.slow
def test_figures_run(tmp_path):
    from qoj.figures import _asymptotic_nonmarkovianity, _fermionic_transmission

    result = _fermionic_transmission.run(tmp_path)
    numbers = result.numbers
    assert abs(numbers["peak_upper_minus_E1_prime_over_Gamma_1"]) < 0.05
    assert abs(numbers["peak_lower_minus_E2_prime_over_Gamma_2"]) < 0.05
    assert numbers["eq46_max_error_over_peak_gamma_0.02Delta"] < 0.02
    assert numbers["n_peaks_gamma_2Delta"] == 1.0
    assert numbers["max_2pi_T_all"] <= 1.0
    result = _asymptotic_nonmarkovianity.run(tmp_path)
    numbers = result.numbers
    assert numbers["a_max_on_diagonal_mu_L_eq_mu_R"] == 0.0
    assert numbers["a_median_nu_over_Gamma_one_in_one_out"] == pytest.approx(0.1036, rel=0.05)
    assert numbers["b_max_nu_over_Gamma"] < 0.5 * numbers["a_max_nu_over_Gamma"]
    assert numbers["c_max_nu_over_Gamma"] > 0.01
    assert all(path.exists() for path in result.files)
