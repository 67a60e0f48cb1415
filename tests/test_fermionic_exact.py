"""Seed 003's exact solution (qoj.fermionic._correlation, _exact, _chain): the 4 x 4 state and
its correlation matrix, the Newns energy distributions, the exact C(t), D(t) against finite
chains and a many-body simulation, the steady state, the EPA of Fig 4, the exact master
equation and its 4 x 4 generator, gradients and bad input."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.stats

import qoj
from qoj.fermionic import (
    canonical_form,
    canonical_jump_operators,
    correlation_equations,
    epa_correlations,
    exact_correlations,
    exact_generator,
    master_equation_rates,
    newns_junction,
    noise_matrix,
    propagator,
    steady_state_correlation,
)
from qoj.fermionic._chain import (
    chain_correlations,
    chain_dynamics,
    chain_gibbs_correlation,
    chain_hamiltonian,
)
from qoj.fermionic._correlation import (
    check_correlation_matrix,
    check_correlations,
    correlation_matrix,
    correlations,
    double_occupancy,
    gaussian_state,
    mode_annihilators,
    state_from_correlations,
)
from qoj.fermionic._newns import eigenmodes, energy_distribution, hilbert_transform
from qoj.figures import _fermionic_dynamics

# A non-equilibrium junction small enough for finite chains (Omega t_max = 100).
PARAMS = {
    "h": 1.0,
    "delta": 0.3,
    "g": 0.5,
    "Gamma": 0.5,
    "Omega": 10.0,
    "T_L": 0.5,
    "T_R": 0.2,
    "mu_L": 1.5,
    "mu_R": 0.5,
}
T_MAX = 10.0
TS = np.linspace(0.0, T_MAX, 11)
# A number-conserving, non-Gaussian initial state (eigenmode basis): D0 != det C0.
C0 = np.array([[0.6, 0.2 + 0.1j], [0.2 - 0.1j, 0.3]])
D0 = 0.1


@pytest.fixture(scope="module")
def junction():
    return newns_junction(**PARAMS, t_max=T_MAX)


@pytest.fixture(scope="module")
def exact(junction):
    return exact_correlations(junction, TS, C0, D0)


def _random_state(rng):
    """A random number-conserving 4 x 4 density matrix (blocks: |11>, one particle, |00>)."""
    p = rng.dirichlet(np.ones(3))
    a = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    single = a @ a.conj().T
    rho = np.zeros((4, 4), complex)
    rho[0, 0], rho[3, 3] = p[0], p[2]
    rho[1:3, 1:3] = p[1] * single / np.trace(single)
    return rho


def _random_unitary(rng):
    return scipy.stats.unitary_group.rvs(2, random_state=rng)


# --- the state and its correlation matrix (eqs 21-22, F6) ----------------------------------------


def test_round_trips_state_and_correlations():
    rng = np.random.default_rng(0)
    rotations = [None, eigenmodes(1.0, 0.3, 0.5)[1], _random_unitary(rng)]
    for _ in range(5):
        rho = _random_state(rng)
        for r in rotations:
            c, d = correlations(rho, r)
            np.testing.assert_allclose(c, np.asarray(c).conj().T, rtol=0, atol=1e-15)
            back = state_from_correlations(c, d, r)
            np.testing.assert_allclose(back, rho, rtol=0, atol=1e-14)
            c2, d2 = correlations(back, r)
            np.testing.assert_allclose(c2, c, rtol=0, atol=1e-14)
            assert abs(d2 - d) < 1e-14
    # in the site basis C_LL = <n_L> and D = <n_L n_R>: JW index 0 = occupied
    rho = _random_state(rng)
    c_ops = qoj.fermion_ops(2)
    n_l, n_r = (op.conj().T @ op for op in c_ops)
    c, d = correlations(rho)
    assert abs(c[0, 0] - np.trace(rho @ n_l)) < 1e-15
    assert abs(d - np.trace(rho @ n_l @ n_r).real) < 1e-15


def test_gaussian_state_is_eq_F6():
    """rho = exp(-d^dag P^T d)/det(1 + e^{-P}) with C = (e^P + 1)^{-1}; D = det C."""
    rng = np.random.default_rng(1)
    r = _random_unitary(rng)
    u = _random_unitary(rng)
    c = u @ np.diag([0.15, 0.7]) @ u.conj().T
    p = scipy.linalg.logm(np.linalg.inv(c) - np.eye(2))  # e^P = C^{-1} - 1
    d_ops = np.asarray(mode_annihilators(r))
    exponent = sum(p.T[a, b] * d_ops[a].conj().T @ d_ops[b] for a in range(2) for b in range(2))
    expected = scipy.linalg.expm(-exponent) / np.linalg.det(np.eye(2) + scipy.linalg.expm(-p))
    rho = gaussian_state(c, r)
    np.testing.assert_allclose(rho, expected, rtol=0, atol=1e-13)
    assert abs(double_occupancy(rho) - np.linalg.det(c).real) < 1e-15
    np.testing.assert_allclose(correlation_matrix(rho, r), c, rtol=0, atol=1e-14)


def test_correlation_checks_refuse_non_states():
    with pytest.raises(ValueError, match="0 <= C <= 1"):
        check_correlation_matrix(np.diag([1.2, 0.3]))
    with pytest.raises(ValueError, match="0 <= C <= 1"):
        check_correlation_matrix(np.diag([-0.1, 0.3]))
    with pytest.raises(ValueError, match="Hermitian"):
        check_correlation_matrix(np.array([[0.5, 0.1], [0.2, 0.5]]))
    with pytest.raises(ValueError, match="2 x 2"):
        check_correlation_matrix(np.eye(3) / 2)
    with pytest.raises(ValueError, match="cannot exceed"):
        check_correlations(np.diag([0.5, 0.2]), 0.3)  # D > min C
    with pytest.raises(ValueError, match="vacuum probability"):
        check_correlations(np.diag([0.9, 0.9]), 0.1)  # 1 - Tr C + D < 0
    with pytest.raises(ValueError, match=">= 0"):
        check_correlations(np.diag([0.5, 0.5]), -0.1)
    with pytest.raises(ValueError, match="unitary"):
        state_from_correlations(np.diag([0.5, 0.5]), 0.25, np.array([[1.0, 1.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="4 x 4"):
        correlation_matrix(np.eye(2) / 2)
    # under jit the same rule fails at run time
    with pytest.raises(Exception, match="0 <= C <= 1"):
        jax.jit(check_correlation_matrix)(jnp.diag(jnp.array([1.5, 0.2]))).block_until_ready()
    # a valid (C, D) passes unchanged, including the extreme D = min C
    c, d = check_correlations(np.diag([0.4, 0.7]), 0.4)
    assert float(d) == 0.4


# --- energy distributions (eqs 26-27, 33, 35-37) -------------------------------------------------


def test_energy_distributions_are_normalised():
    """int phi_j = 1 (eq 26) on the junction's rule, also near the band edge and for small Gamma."""
    cases = [
        {**PARAMS},
        {**PARAMS, "h": 7.0, "Gamma": 1.0},  # E_j ~ 7 of Omega = 10, sqrt(E^2 + Gamma Omega) < 10
        {**PARAMS, "Gamma": 1e-3},
        {**PARAMS, "h": -2.0, "T_R": 0.0},
    ]
    for p in cases:
        jn = newns_junction(**p)
        norm = jnp.sum(jn.weights[None] * jn.distributions, axis=1)
        np.testing.assert_allclose(norm, 1.0, rtol=0, atol=2e-13)


def test_energy_distribution_tends_to_a_delta():
    """int phi_j f -> f(E_j) as Gamma -> 0 (eq 27), the deviation O(Gamma)."""
    errors = []
    for gamma in (1e-1, 1e-2, 1e-3):
        p = {**PARAMS, "Gamma": gamma, "T_L": 0.3, "mu_L": 1.0}
        jn = newns_junction(**p)
        occupied = jnp.sum(jn.weights[None] * jn.distributions * jn.occupations[0][None], axis=1)
        f_at_levels = 1 / (np.exp((np.asarray(jn.energies) - 1.0) / 0.3) + 1)
        errors.append(np.max(np.abs(occupied - f_at_levels)))
    assert errors[-1] < 1e-3
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((ratios > 5) & (ratios < 20)), (errors, ratios)


def test_hilbert_transform_against_scipy_principal_value():
    """theta_j(w) of eq 37 = P int phi_j(w')/(w - w') dw' (eq 33) at two frequencies."""
    gamma, omega = PARAMS["Gamma"], PARAMS["Omega"]
    energies, _ = eigenmodes(PARAMS["h"], PARAMS["delta"], PARAMS["g"])
    for e in np.asarray(energies):
        phi = lambda w, e=e: float(energy_distribution(w, e, gamma, omega))
        for w0 in (0.3, 1.4):
            pv, _ = scipy.integrate.quad(
                phi, -omega, omega, weight="cauchy", wvar=w0, epsabs=1e-13, limit=400
            )
            assert abs(-pv - float(hilbert_transform(w0, e, gamma, omega))) < 1e-9


# --- the exact solution --------------------------------------------------------------------------


def test_exact_correlations_match_finite_chains(junction, exact):
    """Eqs 24-31 against system + two 300-site chains (valid for t < 2M/Omega = 60)."""
    c, d = exact
    c_chain, d_chain = chain_correlations(TS, C0, **PARAMS, sites=300, d0=D0)
    assert np.max(np.abs(c - c_chain)) < 1e-12
    assert np.max(np.abs(d - d_chain)) < 1e-12
    prop, noise = chain_dynamics(TS, **PARAMS, sites=300)
    np.testing.assert_allclose(
        propagator(junction, TS), jnp.diagonal(prop, axis1=1, axis2=2), rtol=0, atol=1e-13
    )
    assert np.max(np.abs(prop[:, 0, 1])) < 1e-13  # G is diagonal (eq 23)
    np.testing.assert_allclose(noise_matrix(junction, TS), noise, rtol=0, atol=1e-12)
    # C(0) = C0, and the initial state is forgotten: D -> det C as G -> 0
    np.testing.assert_allclose(c[0], C0, rtol=0, atol=1e-14)
    assert abs(d[0] - D0) < 1e-14
    g_end = np.abs(propagator(junction, TS[-1:]))
    gap = abs(d[-1] - np.linalg.det(np.asarray(c[-1])).real)
    assert gap < 5 * np.max(g_end) ** 2 and gap < 1e-3


def test_quadrature_is_converged(junction, exact):
    """Doubling both rules changes C(t) by round-off."""
    fine = newns_junction(**PARAMS, t_max=T_MAX, frequency_panels=64, time_panels=64)
    c, _ = exact_correlations(fine, TS, C0, D0)
    assert np.max(np.abs(c - exact[0])) < 1e-13


def test_eq_31_against_a_many_body_simulation():
    """C(t) (eq 29) and D(t) (eq 31) from the single-particle G, Z against the full Fock-space
    evolution of system + two 2-site chains (6 modes), initial state rho_S (x) Gibbs (x) Gibbs
    with a non-Gaussian rho_S."""
    p = {"h": 0.3, "delta": 0.3, "g": 0.5, "Gamma": 0.5, "Omega": 2.0}
    temps, mus, sites = (0.7, 0.3), (0.5, -0.2), 2
    ts = np.linspace(0.0, 5.0, 6)
    h1 = np.asarray(chain_hamiltonian(**p, sites=sites))
    ops = np.asarray(qoj.fermion_ops(2 + 2 * sites))
    bilinear = lambda m, idx: sum(
        m[a, b] * ops[i].conj().T @ ops[j] for a, i in enumerate(idx) for b, j in enumerate(idx)
    )
    ham = bilinear(h1, range(len(h1)))
    baths = [list(range(2 + k * sites, 2 + (k + 1) * sites)) for k in range(2)]
    exponent = sum(
        (bilinear(h1[np.ix_(idx, idx)], idx) - mu * bilinear(np.eye(sites), idx)) / t
        for idx, t, mu in zip(baths, temps, mus, strict=True)
    )
    rho_b = scipy.linalg.expm(-exponent)
    _, rotation = eigenmodes(p["h"], p["delta"], p["g"])
    rho_s = np.asarray(state_from_correlations(C0, D0, rotation))
    rho = np.kron(rho_s, np.eye(4**sites)) @ rho_b
    rho /= np.trace(rho)
    energies, vectors = np.linalg.eigh(ham)
    d_ops = np.einsum("ja,amn->jmn", np.asarray(rotation), ops[:2])
    pair = d_ops[0].conj().T @ d_ops[1].conj().T @ d_ops[1] @ d_ops[0]
    c_ref, d_ref = [], []
    for t in ts:
        u = (vectors * np.exp(-1j * energies * t)) @ vectors.conj().T
        rt = u @ rho @ u.conj().T
        c_ref.append(
            [[np.trace(rt @ d_ops[j].conj().T @ d_ops[k]) for k in range(2)] for j in range(2)]
        )
        d_ref.append(np.trace(rt @ pair).real)
    c, d = chain_correlations(
        ts, C0, **p, T_L=temps[0], T_R=temps[1], mu_L=mus[0], mu_R=mus[1], sites=sites, d0=D0
    )
    np.testing.assert_allclose(c, np.array(c_ref), rtol=0, atol=1e-13)
    np.testing.assert_allclose(d, np.array(d_ref), rtol=0, atol=1e-13)
    assert np.ptp(np.array(d_ref)) > 0.05  # D(t) moves: the check is not vacuous


def test_equal_baths_relax_to_the_reduced_global_gibbs_state():
    """Equal baths: C(inf) (eq 32) = diag(int phi_j f) (eq 38) = the system's block of the
    global Gibbs state of system + chains (eq 39, finite chains of 200 sites)."""
    temperature, mu = 0.4, 0.9
    p = {**PARAMS, "T_L": temperature, "T_R": temperature, "mu_L": mu, "mu_R": mu}
    jn = newns_junction(**p)
    c_inf = steady_state_correlation(jn)
    eq_38 = jnp.sum(jn.weights[None] * jn.distributions * jn.occupations[0][None], axis=1)
    np.testing.assert_allclose(c_inf, np.diag(eq_38), rtol=0, atol=1e-14)
    gibbs = chain_gibbs_correlation(
        p["h"], p["delta"], p["g"], p["Gamma"], p["Omega"], temperature, mu, sites=200
    )
    np.testing.assert_allclose(c_inf, gibbs, rtol=0, atol=1e-12)
    # not the weak-coupling value f(E_j): the level broadening matters at Gamma = 0.5
    f_levels = 1 / (np.exp((np.asarray(jn.energies) - mu) / temperature) + 1)
    assert np.max(np.abs(np.diag(np.asarray(c_inf)).real - f_levels)) > 1e-2


def test_non_equilibrium_steady_state(junction, exact):
    """C(t) -> C(inf) (eq 32) from a non-Gaussian start, D(t) -> det C(inf) (Gaussian steady
    state), with a current g Im C_12 != 0; C(t), D(t) are a state all along (positive 4 x 4
    rho, unit trace)."""
    strong = newns_junction(**{**PARAMS, "Gamma": 2.0}, t_max=T_MAX)  # |G(10)|^2 ~ e^{-20}
    c_inf = steady_state_correlation(strong)
    c_late, d_late = exact_correlations(strong, TS, C0, D0)
    assert np.max(np.abs(c_late[-1] - c_inf)) < 1e-4  # ~t^{-3} tails from the band edges
    assert abs(d_late[-1] - np.linalg.det(np.asarray(c_inf)).real) < 1e-4
    assert np.max(np.abs(c_late[1] - c_inf)) > 1e-2  # still relaxing at t = 1
    assert abs(float(jnp.imag(c_inf[0, 1]))) > 0.04
    c, d = exact
    rotation = junction.rotation
    for ct, dt in zip(c, d, strict=True):
        rho = np.asarray(state_from_correlations(ct, dt, rotation))
        assert abs(np.trace(rho) - 1) < 1e-14
        assert np.linalg.eigvalsh(rho)[0] > -1e-14


# --- exponential-propagator approximation (Fig 4) ------------------------------------------------


def test_fig4_epa_error_is_of_order_gamma_over_omega(tmp_path):
    """Fig 4 (Gamma = 0.2, Omega = 100), run as the figure "fermionic-dynamics": the EPA with
    E'_j, Gamma_j (eq 36) and the pole weight N = 1/(1 - Gamma/Omega) on the bath's part misses
    the exact C(t) by ~0.1 (Gamma/Omega)^2 (measured 4.0e-7 (a), 5.3e-7 (b) for Gamma/Omega =
    2e-3); with the printed unit weight by ~0.3 Gamma/Omega (7.1e-4 (a), 5.7e-4 (b)); with
    the bare E_j, 2 pi J_N(E_j) panel (b) is off by 4.3e-3 = 2 Gamma/Omega."""
    result = _fermionic_dynamics.FIGURE.run(tmp_path)
    png = tmp_path / "fermionic-dynamics.png"
    assert result.files[0] == png and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    n = result.numbers
    ratio = n["Gamma_over_Omega"]
    assert ratio == pytest.approx(2e-3)
    for panel in ("a", "b"):
        assert 0.02 * ratio**2 < n[f"max_abs_exact_minus_epa_{panel}"] < 0.5 * ratio**2
        assert n[f"max_abs_D_exact_minus_epa_{panel}"] < 0.05 * ratio**2
        assert 0.1 * ratio < n[f"max_abs_exact_minus_epa_unit_weight_{panel}"] < 0.5 * ratio
    assert n["max_abs_exact_minus_epa_bare_levels_b"] > 1.5 * ratio
    # the exact curves saturate at Fig 4's values (C22 ~ 0.35 in (a), C11 ~ 0.29 in (b))
    assert n["C22_exact_at_Gamma_t_5_a"] == pytest.approx(0.3532, abs=1e-4)
    assert n["C11_exact_at_Gamma_t_5_b"] == pytest.approx(0.2850, abs=1e-4)
    assert n["ImC12_exact_at_Gamma_t_5_a"] > 0.05  # the current g Im C_12 through the system
    assert n["runtime_s"] < 30


def test_pole_term_and_error_bound_of_appendix_E():
    """G_j(t) = p_j e^{-i z_j t} + err_j(t) (eq E1, decay Gamma_j t/2) with the residue
    p_j = sqrt((Omega^2 - z_j^2)/(Omega^2 - Gamma Omega - E_j^2)) (eq E2) and |err_j(t)|
    below the bound E5, u(tau) = int_0^pi e^{-tau sin} sin^{1/2} / (sqrt(2) pi) (eq E6:
    u(0) = 0.54); Fig 4's parameters (the bound is nearly attained at t = 0 in (a))."""
    gamma, omega = _fermionic_dynamics.GAMMA, _fermionic_dynamics.OMEGA
    ts = np.linspace(0.0, 25.0, 51)
    u = np.array(
        [
            scipy.integrate.quad(
                lambda x, t=t: np.exp(-omega * t * np.sin(x)) * np.sqrt(np.sin(x)),
                0,
                np.pi,
                limit=200,
            )[0]
            for t in ts
        ]
    ) / (np.sqrt(2) * np.pi)
    assert u[0] == pytest.approx(0.539, abs=1e-3)
    for p in _fermionic_dynamics.PANELS.values():
        args = (p["h"], 0.1, 0.5, gamma, omega, p["T_L"], p["T_R"], p["mu_L"], p["mu_R"])
        jn = newns_junction(*args, t_max=25.0)
        g = np.asarray(propagator(jn, ts))
        z, e = np.asarray(jn.poles), np.asarray(jn.energies)
        residue = np.sqrt((omega**2 - z**2) / (omega**2 - gamma * omega - e**2))
        err = np.abs(g - residue[None] * np.exp(-1j * ts[:, None] * z[None]))
        scale = (
            (gamma / omega) / (1 - gamma / omega) * omega**2 / ((omega - z.real) ** 2 + z.imag**2)
        )
        bound = scale[None] * u[:, None]
        assert np.all(err <= bound * (1 + 1e-9))
        assert np.all(err[0] > 0.2 * bound[0])  # 0.97 (a), 0.26 (b) of the bound
        assert np.all(np.abs(residue - 1) < gamma / omega)


def test_eq_B12_laplace_transform_of_the_propagator():
    """int_0^inf dt e^{+iwt} G_j(t) = pi phi_j(w) + i theta_j(w) (eq B12, whose printed e^{-iwt}
    is off by O(1)); G decays like e^{-t} here, the integral is cut at t = 40."""
    p = {**PARAMS, "Gamma": 2.0}
    jn = newns_junction(**p, t_max=40.0)
    x, w = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(0.0, 40.0, 51)
    t = ((edges[:-1, None] + edges[1:, None]) / 2 + np.diff(edges)[:, None] / 2 * x).ravel()
    weights = (np.diff(edges)[:, None] / 2 * w).ravel()
    g = np.asarray(propagator(jn, t))
    for w0 in (0.3, 1.0):
        laplace = np.sum(weights[:, None] * np.exp(1j * w0 * t)[:, None] * g, axis=0)
        printed = np.sum(weights[:, None] * np.exp(-1j * w0 * t)[:, None] * g, axis=0)
        expected = np.array(
            [
                np.pi * energy_distribution(w0, e, 2.0, 10.0)
                + 1j * hilbert_transform(w0, e, 2.0, 10.0)
                for e in np.asarray(jn.energies)
            ]
        )
        assert np.max(np.abs(laplace - expected)) < 1e-5
        assert np.min(np.abs(printed - expected)) > 0.1


@pytest.mark.slow
def test_epa_error_scales_with_gamma_over_omega():
    """Halving Gamma/Omega (Omega = 100 -> 200, panel a parameters) quarters the error of the
    EPA with the pole weight N = 1/(1 - Gamma/Omega) (O((Gamma/Omega)^2)) and halves that of
    the printed unit weight (O(Gamma/Omega))."""
    errors, unit_errors = [], []
    for omega in (100.0, 200.0):
        p = _fermionic_dynamics.PANELS["a"]
        jn = newns_junction(
            p["h"], 0.1, 0.5, 0.2, omega, p["T_L"], p["T_R"], p["mu_L"], p["mu_R"], t_max=25.0
        )
        np.testing.assert_allclose(jn.pole_weights, 1 / (1 - 0.2 / omega), rtol=1e-15)
        ts = np.linspace(0, 25.0, 51)
        c, _ = exact_correlations(jn, ts, np.zeros((2, 2)), 0.0)
        ce, _ = epa_correlations(jn, ts, np.zeros((2, 2)), 0.0)
        unit = eqx.tree_at(lambda j: j.pole_weights, jn, jnp.ones(2))
        cu, _ = epa_correlations(unit, ts, np.zeros((2, 2)), 0.0)
        errors.append(float(np.max(np.abs(c - ce))))
        unit_errors.append(float(np.max(np.abs(c - cu))))
    assert 3.2 < errors[0] / errors[1] < 4.8, errors
    assert 1.6 < unit_errors[0] / unit_errors[1] < 2.4, unit_errors


@pytest.mark.slow
def test_fig4_quadrature_is_converged():
    """Fig 4 (b) on 1.5 times finer rules: the exact C(t) changes by round-off."""
    p = _fermionic_dynamics.PANELS["b"]
    args = (p["h"], 0.1, 0.5, 0.2, 100.0, p["T_L"], p["T_R"], p["mu_L"], p["mu_R"])
    ts = np.linspace(0, 25.0, 26)
    coarse = newns_junction(*args, t_max=25.0)
    fine = newns_junction(*args, t_max=25.0, frequency_panels=470, time_panels=470)
    a, _ = exact_correlations(coarse, ts, np.zeros((2, 2)), 0.0)
    b, _ = exact_correlations(fine, ts, np.zeros((2, 2)), 0.0)
    assert np.max(np.abs(a - b)) < 1e-13


# --- exact master equation (eqs 47-52) -----------------------------------------------------------


@pytest.fixture(scope="module")
def rates(junction):
    return master_equation_rates(junction, TS[1:-1])


def test_master_equation_reproduces_correlations(junction, exact, rates):
    """Eqs 48-49 with H, Gamma, Lambda^+ (eq 47) against central differences of C(t), D(t)."""
    ham, gamma, plus, minus = rates
    ts = TS[1:-1]
    step = 1e-4
    cp, dp = exact_correlations(junction, ts + step, C0, D0)
    cm, dm = exact_correlations(junction, ts - step, C0, D0)
    dc, dd = correlation_equations(ham, gamma, plus, exact[0][1:-1], exact[1][1:-1])
    assert np.max(np.abs(dc - (cp - cm) / (2 * step))) < 1e-8
    assert np.max(np.abs(dd - (dp - dm) / (2 * step))) < 1e-8
    np.testing.assert_allclose(plus + minus, gamma, rtol=0, atol=1e-15)
    np.testing.assert_allclose(plus, np.conj(np.swapaxes(plus, -1, -2)), rtol=0, atol=1e-15)
    # G is diagonal, so are H and Gamma; H -> ~E'_j, Gamma -> ~Gamma_j of eq 36 at late times
    np.testing.assert_allclose(
        np.diagonal(ham[-1]).real, np.real(junction.poles), rtol=0, atol=2e-2
    )
    np.testing.assert_allclose(
        np.diagonal(gamma[-1]).real, -2 * np.imag(junction.poles), rtol=0, atol=2e-2
    )


def test_canonical_form_reproduces_the_dissipator(junction, rates):
    """Eq 52: sum_s,j lambda^s_j D[L^s_j] with L^-_j = sum_k U^-_kj d_k, L^+_j = sum_k
    (U^+_kj)^* d_k^dag equals eq 51 (built from Lambda^+- directly)."""
    ham, _, plus, minus = rates
    i = 5
    lm, um, lp, up = canonical_form(plus[i], minus[i])
    np.testing.assert_allclose(um @ np.diag(lm) @ um.conj().T, minus[i], rtol=0, atol=1e-15)
    loss, gain = canonical_jump_operators(um, up, junction.rotation)
    d = np.asarray(mode_annihilators(junction.rotation))
    rho = _random_state(np.random.default_rng(3))

    def dissipate(op, rate):
        return rate * (
            op @ rho @ op.conj().T - 0.5 * (op.conj().T @ op @ rho + rho @ op.conj().T @ op)
        )

    canonical = sum(
        dissipate(np.asarray(o), r) for o, r in zip([*loss, *gain], [*lm, *lp], strict=True)
    )
    direct = np.zeros((4, 4), complex)
    for j in range(2):
        for k in range(2):
            dj, dk = d[j], d[k]
            direct += minus[i][j, k] * (
                dj @ rho @ dk.conj().T - 0.5 * (dk.conj().T @ dj @ rho + rho @ dk.conj().T @ dj)
            )
            direct += plus[i][j, k] * (
                dk.conj().T @ rho @ dj - 0.5 * (dj @ dk.conj().T @ rho + rho @ dj @ dk.conj().T)
            )
    np.testing.assert_allclose(canonical, direct, rtol=0, atol=1e-14)


def test_generator_evolution_matches_exact_solution(junction, exact):
    """qoj.evolve under eqs 50-51 (exact coefficients, Hermite-interpolated) reproduces the
    exact C(t), D(t) (eqs 29, 31); the states stay positive with unit trace."""
    table = np.concatenate([np.linspace(0.0, 0.5, 26)[:-1], np.linspace(0.5, T_MAX, 191)])
    gen = exact_generator(junction, table)
    assert set(gen.parts) == {"loss", "gain"}
    rho0 = state_from_correlations(C0, D0, junction.rotation)
    sol = qoj.evolve(gen, rho0, TS, save_states=True, rtol=1e-10, atol=1e-12)
    c_gen = jax.vmap(lambda r: correlation_matrix(r, junction.rotation))(sol.states)
    d_gen = jax.vmap(double_occupancy)(sol.states)
    assert np.max(np.abs(c_gen - exact[0])) < 1e-6
    assert np.max(np.abs(d_gen - exact[1])) < 1e-6
    traces = jnp.trace(sol.states, axis1=1, axis2=2)
    np.testing.assert_allclose(traces, 1.0, rtol=0, atol=1e-12)
    assert np.min(np.linalg.eigvalsh(np.asarray(sol.states))) > -1e-9
    # H_S of eq 10 in the site basis
    c_l, c_r = np.asarray(qoj.fermion_ops(2))
    h_s = sum(
        m * a.conj().T @ b
        for m, a, b in [(1.15, c_l, c_l), (0.85, c_r, c_r), (-0.25, c_l, c_r), (-0.25, c_r, c_l)]
    )
    np.testing.assert_allclose(gen.hamiltonian, h_s, rtol=0, atol=1e-14)


# --- gradients, vmap, errors ---------------------------------------------------------------------


def _steady(mu_l, t_l):
    """Im C_12(inf) + C_11(inf): the current and an occupation, so one gradient sees both."""
    c = steady_state_correlation(newns_junction(**{**PARAMS, "mu_L": mu_l, "T_L": t_l}))
    return jnp.imag(c[0, 1]) + jnp.real(c[0, 0])


def test_gradient_of_steady_state():
    """d/d mu_L and d/d T_L of C(inf) elements (jax.grad through the quadrature rule, whose
    panels follow mu and T) against central differences; vmap over mu_L."""
    x = (PARAMS["mu_L"], PARAMS["T_L"])
    grads = jax.grad(_steady, argnums=(0, 1))(*x)
    step = 1e-5
    for i, grad in enumerate(grads):
        e = np.eye(2)[i] * step
        fd = (_steady(x[0] + e[0], x[1] + e[1]) - _steady(x[0] - e[0], x[1] - e[1])) / (2 * step)
        assert abs(fd) > 1e-2
        assert abs(grad - fd) < 1e-7 * abs(fd)
    mus = jnp.array([0.5, 1.5, 2.5])
    batched = jax.vmap(lambda m: _steady(m, x[1]))(mus)
    np.testing.assert_allclose(batched, [_steady(m, x[1]) for m in mus], rtol=0, atol=1e-15)


@pytest.mark.slow
def test_gradient_of_exact_correlations():
    """d Im C_12(t = 5)/d mu_L through the exact time integrals (reverse mode through the
    chunked quadrature) against a central difference (measured 2e-10 relative)."""

    def current(mu):
        jn = newns_junction(**{**PARAMS, "mu_L": mu}, t_max=T_MAX)
        return jnp.imag(exact_correlations(jn, TS, C0, D0)[0][5, 0, 1])

    step = 1e-5
    fd = (current(1.5 + step) - current(1.5 - step)) / (2 * step)
    assert abs(fd) > 1e-2
    assert abs(jax.grad(current)(1.5) - fd) < 1e-7 * abs(fd)


def test_bad_input_raises(junction):
    base = dict(PARAMS)
    with pytest.raises(ValueError, match="Gamma < Omega"):
        newns_junction(**{**base, "Gamma": 10.0})
    with pytest.raises(ValueError, match="condition 34"):
        newns_junction(**{**base, "h": 9.9})
    with pytest.raises(ValueError, match="T_L must be non-negative"):
        newns_junction(**{**base, "T_L": -0.1})
    with pytest.raises(ValueError, match="degenerate"):
        newns_junction(**{**base, "g": 0.0, "delta": 0.0})
    with pytest.raises(ValueError, match="0 <= C <= 1"):
        exact_correlations(junction, TS, np.diag([1.2, 0.0]))
    with pytest.raises(ValueError, match="cannot exceed"):
        exact_correlations(junction, TS, C0, 0.5)
    with pytest.raises(ValueError, match="t_max"):
        exact_correlations(junction, np.array([0.0, 2 * T_MAX]), C0)
    with pytest.raises(ValueError, match=">= 0"):
        propagator(junction, np.array([-1.0]))
    with pytest.raises(ValueError, match="levels"):
        epa_correlations(junction, TS, C0, levels="wide")
    with pytest.raises(ValueError, match="sites"):
        chain_hamiltonian(1.0, 0.3, 0.5, 0.5, 10.0, sites=1)
    with pytest.raises(ValueError, match="condition 34"):
        chain_hamiltonian(9.9, 0.3, 0.5, 0.5, 10.0, sites=10)
    with pytest.raises(TypeError, match="frequency_panels must be given"):
        jax.jit(lambda om: newns_junction(**{**base, "Omega": om}, t_max=1.0).nodes)(10.0)
