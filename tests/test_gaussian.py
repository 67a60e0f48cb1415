"""qoj.gaussian: covariance-matrix dynamics of quadratic bosonic systems, and seed 001's
cascaded oscillators (eqs 3-5, 10-38, appendices B and D) checked against truncated Fock space
and against the paper's closed forms."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.linalg import expm as scipy_expm

import qoj
import qoj.gaussian as gaussian

OMEGA, GAMMA = 1.3, 0.7


def _ladder_ops(n_max):
    a = np.asarray(qoj.destroy(n_max))
    eye = np.eye(n_max)
    return np.kron(a, eye), np.kron(eye, a)


def _quadratures(ops):
    """(x_1, p_1, x_2, p_2, ...) from annihilation operators."""
    out = []
    for a in ops:
        out += [(a + a.conj().T) / np.sqrt(2), (a - a.conj().T) / (1j * np.sqrt(2))]
    return out


def _observables(ops):
    """Hermitian observables whose expectations give <r> and C."""
    r = _quadratures(ops)
    obs = {f"m{k}": r[k] for k in range(len(r))}
    for k in range(len(r)):
        for j in range(k, len(r)):
            obs[f"s{k}{j}"] = (r[k] @ r[j] + r[j] @ r[k]) / 2
    return obs


def _moments(expect, n_modes):
    """(means (T, 2n), covariances (T, 2n, 2n)) from `_observables` expectations."""
    m = 2 * n_modes
    means = np.stack([np.real(expect[f"m{k}"]) for k in range(m)], axis=-1)
    second = np.zeros(means.shape[:-1] + (m, m))
    for k in range(m):
        for j in range(k, m):
            second[..., k, j] = second[..., j, k] = np.real(expect[f"s{k}{j}"])
    return means, second - means[..., :, None] * means[..., None, :]


def _thermal_fock(n_max, occupation):
    k = np.arange(n_max)
    p = (occupation / (1 + occupation)) ** k
    return np.diag(p / p.sum())


def _random_density_matrix(rng, d):
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = a @ a.conj().T
    return rho / np.trace(rho)


def _seed_dissipators(a1, a2, gamma, n):
    """Eqs 4 and 5 of seed 001 exactly as printed, as functions of rho."""
    ad1, ad2 = a1.conj().T, a2.conj().T

    def local(a, rho):
        ad = a.conj().T
        return gamma / 2 * (n + 1) * (2 * a @ rho @ ad - rho @ ad @ a - ad @ a @ rho) + (
            gamma / 2 * n * (2 * ad @ rho @ a - rho @ a @ ad - a @ ad @ rho)
        )

    def d12(rho):
        return gamma * (n + 1) * (a1 @ (rho @ ad2 - ad2 @ rho) + (a2 @ rho - rho @ a2) @ ad1) + (
            gamma * n * (ad1 @ (rho @ a2 - a2 @ rho) + (ad2 @ rho - rho @ ad2) @ a1)
        )

    return (lambda rho: local(a1, rho)), (lambda rho: local(a2, rho)), d12


def _cascade_generator(n_max, omega, gamma, n):
    """Fock-space qoj.Generator with parts "1", "2", "cascade" (D12 in Kossakowski form plus
    the cascade Hamiltonian H_c = (i gamma/2)(a1^dag a2 - a2^dag a1))."""
    a1, a2 = _ladder_ops(n_max)
    ad1, ad2 = a1.conj().T, a2.conj().T
    h = omega * (ad1 @ a1 + ad2 @ a2)
    sx = np.array([[0.0, 1.0], [1.0, 0.0]])
    h_c = 0.5j * gamma * (ad1 @ a2 - ad2 @ a1)
    parts = {
        "1": [qoj.JumpTerm(a1, gamma * (n + 1)), qoj.JumpTerm(ad1, gamma * n)],
        "2": [qoj.JumpTerm(a2, gamma * (n + 1)), qoj.JumpTerm(ad2, gamma * n)],
        "cascade": [
            qoj.KossakowskiTerm(np.stack([a1, a2]), gamma * (n + 1) * sx),
            qoj.KossakowskiTerm(np.stack([ad1, ad2]), gamma * n * sx),
            qoj.HamiltonianTerm(h_c),
        ],
    }
    return qoj.Generator(h, parts), (a1, a2)


# --- the model: Lindblad form of eqs 4-5, and eqs B1-B3 ---------------------------------------


def test_cascaded_generator_is_collective_lindblad_plus_hamiltonian():
    """L1 + L2 + D12 (eqs 4-5 as printed) = gamma(N+1) D[a1 + a2] + gamma N D[a1^+ + a2^+]
    - i[H_c, .], H_c = (i gamma/2)(a1^+ a2 - a2^+ a1), exactly (also truncated)."""
    rng = np.random.default_rng(0)
    n_max, gamma, n = 4, 0.8, 0.4
    a1, a2 = _ladder_ops(n_max)
    ad1, ad2 = a1.conj().T, a2.conj().T
    l1, l2, d12 = _seed_dissipators(a1, a2, gamma, n)
    h_c = 0.5j * gamma * (ad1 @ a2 - ad2 @ a1)
    collective = qoj.lindblad(h_c, {"c": [(gamma * (n + 1), a1 + a2), (gamma * n, ad1 + ad2)]})
    gen, _ = _cascade_generator(n_max, 0.0, gamma, n)
    for _ in range(3):
        rho = _random_density_matrix(rng, n_max**2)
        seed = l1(rho) + l2(rho) + d12(rho)
        np.testing.assert_allclose(np.asarray(collective(0.0, rho)), seed, atol=1e-13)
        # and the Fock generator used below reproduces each printed part separately
        np.testing.assert_allclose(np.asarray(gen.parts["1"](0.0, rho)), l1(rho), atol=1e-13)
        np.testing.assert_allclose(np.asarray(gen.parts["2"](0.0, rho)), l2(rho), atol=1e-13)
        np.testing.assert_allclose(np.asarray(gen.parts["cascade"](0.0, rho)), d12(rho), atol=1e-13)
    # D12 is not a Lindblad generator by itself, nor is it zero: the identity is not vacuous
    assert np.abs(d12(rho)).max() > 1e-2


def test_derived_drift_and_diffusion_are_eqs_b1_b3():
    n = 0.37
    rot = gaussian.cascaded_oscillators(OMEGA, GAMMA, n, rotating_frame=True)
    a_b1 = -GAMMA * np.array(
        [[0.5, 0, 0, 0], [0, 0.5, 0, 0], [1, 0, 0.5, 0], [0, 1, 0, 0.5]], dtype=float
    )
    m_b3 = GAMMA * (n + 0.5) * np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_allclose(rot.drift, a_b1, atol=1e-15)
    np.testing.assert_allclose(rot.diffusion, m_b3, atol=1e-15)
    lab = gaussian.cascaded_oscillators(OMEGA, GAMMA, n)
    np.testing.assert_allclose(lab.drift, a_b1 + OMEGA * gaussian.symplectic_form(2), atol=1e-15)
    np.testing.assert_allclose(lab.diffusion, m_b3, atol=1e-15)
    # the local parts alone are single damped oscillators; D12 is the lower-left coupling
    p = lab.parts
    np.testing.assert_allclose(p["1"].drift + p["2"].drift, -GAMMA / 2 * np.eye(4), atol=1e-15)
    np.testing.assert_allclose(p["cascade"].drift, a_b1 + GAMMA / 2 * np.eye(4), atol=1e-15)
    np.testing.assert_allclose(p["cascade"].diffusion, m_b3 * (1 - np.eye(4)), atol=1e-15)
    np.testing.assert_allclose(lab.offset, -OMEGA)  # H = omega sum a^+ a: E_0 = -omega


def test_b4_b13_hold_entrywise():
    """dC/dt = A C + C A^T + M reproduces eqs B4-B13 for a random symmetric C."""
    rng = np.random.default_rng(1)
    n = 0.2
    sys = gaussian.cascaded_oscillators(OMEGA, GAMMA, n, rotating_frame=True)
    x = rng.normal(size=(4, 4))
    c = x + x.T
    dc = np.asarray(sys.covariance_rate(c))
    parts = sys.coherent.covariance_rate(c) + sum(p.covariance_rate(c) for p in sys.parts.values())
    np.testing.assert_allclose(parts, dc, atol=1e-14)
    g, h = GAMMA, n + 0.5
    C = lambda i, j: c[i - 1, j - 1]  # noqa: E731
    expected = {
        (1, 1): -g * (C(1, 1) - h),
        (2, 2): -g * (C(2, 2) - h),
        (3, 3): -g * (C(3, 3) - h) - 2 * g * C(1, 3),
        (4, 4): -g * (C(4, 4) - h) - 2 * g * C(2, 4),
        (1, 3): -g * C(1, 3) - g * (C(1, 1) - h),
        (2, 4): -g * C(2, 4) - g * (C(2, 2) - h),
        (1, 2): -g * C(1, 2),
        (1, 4): -g * C(1, 4) - g * C(1, 2),
        (2, 3): -g * C(2, 3) - g * C(1, 2),
        (3, 4): -g * C(3, 4) - g * C(1, 4) - g * C(2, 3),
    }
    for (i, j), value in expected.items():
        np.testing.assert_allclose(dc[i - 1, j - 1], value, atol=1e-14, err_msg=f"C{i}{j}")


# --- general builder vs Fock space ---------------------------------------------------------


def test_general_quadratic_system_matches_fock_space():
    """Random hopping + pairing + drive + linear jumps (a and a^dag mixed), from the vacuum:
    means, covariances and every part's heat current agree with qoj.evolve in Fock space."""
    rng = np.random.default_rng(2)
    n_max = 8
    h = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    h = (h + h.conj().T) / 2
    g = 0.08 * (rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2)))
    g = (g + g.T) / 2
    f = 0.1 * (rng.normal(size=2) + 1j * rng.normal(size=2))
    jumps = [
        (0.6, rng.normal(size=2) + 1j * rng.normal(size=2), 0.2 * rng.normal(size=2)),
        (0.3, 0.3 * rng.normal(size=2), 0.15 * (rng.normal(size=2) + 1j * rng.normal(size=2))),
    ]
    sys = gaussian.system(h, {"A": jumps[:1], "B": jumps[1:]}, pairing=g, drive=f)

    a1, a2 = _ladder_ops(n_max)
    ops = [a1, a2]
    ad = [a.conj().T for a in ops]
    hf = sum(h[i, j] * ad[i] @ ops[j] for i in range(2) for j in range(2))
    hf = hf + 0.5 * sum(
        g[i, j] * ad[i] @ ad[j] + np.conj(g[i, j]) * ops[j] @ ops[i]
        for i in range(2)
        for j in range(2)
    )
    hf = hf + sum(f[i] * ad[i] + np.conj(f[i]) * ops[i] for i in range(2))
    to_op = lambda u, v: sum(u[j] * ops[j] + v[j] * ad[j] for j in range(2))  # noqa: E731
    gen = qoj.lindblad(
        hf,
        {
            "A": [(r, to_op(u, v)) for r, u, v in jumps[:1]],
            "B": [(jumps[1][0], to_op(*jumps[1][1:]))],
        },
    )
    rho0 = np.zeros((n_max**2, n_max**2), complex)
    rho0[0, 0] = 1.0
    ts = jnp.linspace(0.0, 1.0, 5)
    obs = {**_observables(ops), "H": hf}
    fock = qoj.evolve(gen, rho0, ts, observables=obs, rtol=1e-10, atol=1e-12)
    means, covs = _moments(fock.expect, 2)
    gsol = gaussian.evolve(sys, 0.5 * np.eye(4), ts)
    assert np.abs(means).max() > 0.05 and np.abs(covs - 0.5 * np.eye(4)).max() > 0.02
    np.testing.assert_allclose(gsol.means, means, atol=1e-6)
    np.testing.assert_allclose(gsol.covariances, covs, atol=1e-6)
    for name in ("A", "B"):
        np.testing.assert_allclose(gsol.heat_currents[name], fock.heat_currents[name], atol=1e-6)
    energies = jax.vmap(lambda c, m: gaussian.energy(sys, c, m))(gsol.covariances, gsol.means)
    np.testing.assert_allclose(energies, np.real(fock.expect["H"]), atol=1e-6)


def test_cascade_matches_fock_space():
    """Gaussian evolution of the cascaded oscillators vs truncated Fock space (eqs 4-5):
    a beam-split thermal state (C13 = C24 != 0), small N, J1, J2, J12 and C(t) to ~1e-6."""
    n_max, n = 8, 0.05
    gen, (a1, a2) = _cascade_generator(n_max, OMEGA, GAMMA, n)
    theta = np.pi / 5
    bs = scipy_expm(theta * (a1.conj().T @ a2 - a2.conj().T @ a1))
    rho0 = bs @ np.kron(_thermal_fock(n_max, 0.12), _thermal_fock(n_max, 0.01)) @ bs.conj().T
    obs = {**_observables([a1, a2]), "a1+a2": a1.conj().T @ a2 + a2.conj().T @ a1}
    ts = jnp.linspace(0.0, 2.0, 5)
    fock = qoj.evolve(gen, rho0, ts, observables=obs, rtol=1e-10, atol=1e-12)
    means, covs = _moments(fock.expect, 2)
    assert abs(covs[0, 0, 2]) > 0.02  # correlated initial state
    sys = gaussian.cascaded_oscillators(OMEGA, GAMMA, n)
    gsol = gaussian.evolve(sys, covs[0], ts)
    np.testing.assert_allclose(gsol.covariances, covs, atol=1e-6)
    np.testing.assert_allclose(means, 0.0, atol=1e-12)
    for name in ("1", "2", "cascade"):
        np.testing.assert_allclose(gsol.heat_currents[name], fock.heat_currents[name], atol=1e-6)
    # <a1^+ a2 + a2^+ a1> = C13 + C24 (the combination in J12, eq 22)
    c = gsol.covariances
    np.testing.assert_allclose(c[:, 0, 2] + c[:, 1, 3], np.real(fock.expect["a1+a2"]), atol=1e-6)


# --- steady state, closed forms of sec V -----------------------------------------------------


@pytest.mark.parametrize("rotating_frame", [False, True])
def test_steady_state_is_product_thermal_state(rotating_frame):
    """Eq 10: the cascade relaxes to the product of thermal states at the bath's N."""
    n = 0.6
    sys = gaussian.cascaded_oscillators(OMEGA, GAMMA, n, rotating_frame=rotating_frame)
    c_ss = gaussian.steady_state(sys)
    np.testing.assert_allclose(c_ss, gaussian.thermal_covariance(jnp.array([n, n])), atol=1e-13)
    np.testing.assert_allclose(sys.covariance_rate(c_ss), 0.0, atol=1e-13)
    np.testing.assert_allclose(gaussian.steady_means(sys), 0.0, atol=1e-14)
    currents = gaussian.heat_currents(sys, c_ss)
    np.testing.assert_allclose([currents[k] for k in ("1", "2", "cascade")], 0.0, atol=1e-13)


def test_lyapunov_solution_of_a_random_stable_system():
    rng = np.random.default_rng(3)
    h = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    mixed = [(0.5, rng.normal(size=3) + 1j * rng.normal(size=3), 0.3 * rng.normal(size=3))]
    damping = [(0.4, np.eye(3)[k], None) for k in range(3)]  # every mode damped: stable
    sys = gaussian.system((h + h.conj().T) / 2, {"A": mixed, "B": damping}, drive=[0.2, -0.1j, 0.3])
    c = gaussian.steady_state(sys)
    a, m = np.asarray(sys.drift), np.asarray(sys.diffusion)
    np.testing.assert_allclose(a @ c + c @ a.T + m, 0.0, atol=1e-12)
    assert gaussian.is_physical(c)
    m_ss = gaussian.steady_means(sys)
    np.testing.assert_allclose(sys.means_rate(m_ss), 0.0, atol=1e-13)
    # the closed-form evolution: exact reference, steady state, van Loan's form
    ts = jnp.linspace(0.0, 100.0, 4001)
    c0 = gaussian.thermal_covariance(jnp.array([1.0, 0.2, 0.0]))
    m0 = jnp.arange(6.0) / 6
    sol = gaussian.evolve(sys, c0, ts, means0=m0)
    gen = np.kron(a, np.eye(6)) + np.kron(np.eye(6), a)  # row-major vec of A C + C A^T
    t = float(ts[30])
    vec_ref = scipy_expm(gen * t) @ (np.ravel(c0) - np.ravel(c)) + np.ravel(c)
    np.testing.assert_allclose(sol.covariances[30], vec_ref.reshape(6, 6), atol=1e-12)
    np.testing.assert_allclose(sol.covariances[0], c0, atol=1e-13)
    np.testing.assert_allclose(sol.covariances[-1], c, atol=1e-10)
    np.testing.assert_allclose(sol.means[-1], m_ss, atol=1e-10)
    vl = gaussian.evolve(sys, c0, ts[:40], means0=m0, method="van_loan")
    np.testing.assert_allclose(vl.covariances, sol.covariances[:40], atol=1e-10)
    np.testing.assert_allclose(vl.means, sol.means[:40], atol=1e-10)
    # excess heats: quadrature of J_b - J_b(ss), and their sum is U(inf) - U(0) (eq 11)
    q = gaussian.integrated_heat(sys, c0, m0)
    j_ss = gaussian.heat_currents(sys, c, m_ss)
    assert abs(j_ss["A"]) > 1e-2  # a non-equilibrium steady state
    np.testing.assert_allclose(j_ss["A"] + j_ss["B"], 0.0, atol=1e-12)
    simpson = np.ones(ts.shape[0])
    simpson[1:-1:2], simpson[2:-1:2] = 4.0, 2.0
    simpson *= float(ts[1] - ts[0]) / 3
    for key in ("A", "B"):
        np.testing.assert_allclose(
            simpson @ (sol.heat_currents[key] - j_ss[key]), q[key], atol=1e-7, err_msg=key
        )
    du = gaussian.energy(sys, c, m_ss) - gaussian.energy(sys, c0, m0)
    np.testing.assert_allclose(q["A"] + q["B"], du, atol=1e-12)
    with pytest.raises(ValueError, match="not stable"):
        gaussian.steady_state(gaussian.system(np.eye(2)))


def test_closed_system_rotates_with_van_loan():
    """No dissipation: the Lyapunov equation is singular, van Loan's form still works."""
    sys = gaussian.system(np.diag([1.0, 2.5]))
    c0 = np.diag([2.0, 0.5, 1.0, 1.0])  # a squeezed mode 1, coherent-like mode 2
    ts = jnp.linspace(0.0, 3.0, 4)
    sol = gaussian.evolve(sys, c0, ts, means0=jnp.array([1.0, 0.0, 0.0, 0.0]), method="van_loan")
    for t, c, m in zip(ts, sol.covariances, sol.means, strict=True):
        rot = scipy_expm(np.asarray(sys.drift) * float(t))
        np.testing.assert_allclose(c, rot @ c0 @ rot.T, atol=1e-12)
        np.testing.assert_allclose(m[:2], [np.cos(t), -np.sin(t)], atol=1e-12)
    assert sol.heat_currents == {}
    energies = [gaussian.energy(sys, c, m) for c, m in zip(sol.covariances, sol.means, strict=True)]
    np.testing.assert_allclose(energies, energies[0], atol=1e-12)


def _correlated_run(sys, n_s, c13, c24, ts):
    c0 = gaussian.correlated_thermal_covariance(n_s, c13, c24)
    return gaussian.evolve(sys, c0, ts)


@pytest.mark.parametrize(
    ("n_s", "n"), [(1.0, 0.0), (0.2, 0.58), (2.5, 0.58)]
)  # T_S above, below the bath; kT = omega gives N = 0.58
def test_thermal_initial_states_eqs_26_29(n_s, n):
    ts = jnp.linspace(0.0, 8.0, 33) / GAMMA
    sys = gaussian.cascaded_oscillators(OMEGA, GAMMA, n)
    sol = _correlated_run(sys, n_s, 0.0, 0.0, ts)
    cf = gaussian.cascade_heat_currents(
        ts, gamma=GAMMA, initial_occupation=n_s, occupation=n, omega=OMEGA
    )
    j = sol.heat_currents
    for key in ("1", "2", "cascade"):
        np.testing.assert_allclose(j[key], cf[key], atol=1e-12, err_msg=key)
    # the seed's sign (eqs 26-29: heat out of S) is minus ours
    u = GAMMA * ts
    seed_j1 = OMEGA * GAMMA * (n_s - n) * np.exp(-u)
    np.testing.assert_allclose(-j["1"], seed_j1, atol=1e-12)  # eq 26
    np.testing.assert_allclose(-j["2"], (1 + u**2) * seed_j1, atol=1e-12)  # eq 27
    np.testing.assert_allclose(-j["cascade"], -2 * u * seed_j1, atol=1e-12)  # eq 27
    local = sol.local_heat_currents  # J2^(c) = dU2/dt = J2 + J12 (eqs 17, 28)
    j2c = sum(local[k][:, 1] for k in local)
    np.testing.assert_allclose(-j2c, (1 - u) ** 2 * seed_j1, atol=1e-12)
    np.testing.assert_allclose(cf["S2"], j2c, atol=1e-12)
    total = j["1"] + j["2"] + j["cascade"]  # eq 29
    np.testing.assert_allclose(-total, (1 + (1 - u) ** 2) * seed_j1, atol=1e-12)
    np.testing.assert_allclose(cf["total"], total, atol=1e-12)


@pytest.mark.parametrize(("c13", "c24", "n"), [(0.7, 0.7, 0.0), (-0.5, 0.2, 0.0), (0.3, -0.6, 0.4)])
def test_correlated_initial_states_eqs_32_34(c13, c24, n):
    """Eqs 32-34 (N = 0 in the paper; with N > 0 they hold with N_S -> N_S - N)."""
    n_s = 1.0
    ts = jnp.linspace(0.0, 8.0, 33) / GAMMA
    for rotating_frame in (False, True):
        sys = gaussian.cascaded_oscillators(OMEGA, GAMMA, n, rotating_frame=rotating_frame)
        sol = _correlated_run(sys, n_s, c13, c24, ts)
        cf = gaussian.cascade_heat_currents(
            ts, gamma=GAMMA, initial_occupation=n_s, occupation=n, c13=c13, c24=c24, omega=OMEGA
        )
        for key in ("1", "2", "cascade"):
            np.testing.assert_allclose(sol.heat_currents[key], cf[key], atol=1e-12, err_msg=key)
        local = sol.local_heat_currents
        np.testing.assert_allclose(sum(local[k][:, 1] for k in local), cf["S2"], atol=1e-12)
    # the seed's formulas, verbatim (N = 0 case), in its sign
    if n == 0.0:
        u, s, e = GAMMA * ts, c13 + c24, np.exp(-GAMMA * ts)
        j1 = OMEGA * GAMMA * n_s * e
        np.testing.assert_allclose(
            -sol.heat_currents["2"], (1 + u**2) * j1 - OMEGA * GAMMA * u * s * e, atol=1e-12
        )
        np.testing.assert_allclose(
            -sol.heat_currents["cascade"], -2 * u * j1 + OMEGA * GAMMA * s * e, atol=1e-12
        )
        j2c = (1 - u) ** 2 * j1 + OMEGA * GAMMA * (1 - u) * s * e  # eq 34
        np.testing.assert_allclose(-cf["S2"], j2c, atol=1e-12)


def test_stationary_points_eqs_35_38():
    """J^(c)(t) is stationary at t1 = 2/gamma and t2 (eq 35) with the values 36-38 (N = 0,
    N_S = 1, C13 = C24 = c as in fig 3a); checked with time derivatives of the evolution."""
    n_s = 1.0
    sys = gaussian.cascaded_oscillators(OMEGA, GAMMA, 0.0)

    def total(t, c0):
        j = gaussian.evolve(sys, c0, jnp.reshape(t, (1,))).heat_currents
        return (j["1"] + j["2"] + j["cascade"])[0]

    rate = jax.jit(jax.grad(total))
    curvature = jax.jit(jax.grad(jax.grad(total)))
    total = jax.jit(total)
    for c in (-0.7, -0.3, 0.4, 0.7):
        c0 = gaussian.correlated_thermal_covariance(n_s, c, c)
        ext = gaussian.cascade_extrema(
            gamma=GAMMA, initial_occupation=n_s, c13=c, c24=c, omega=OMEGA
        )
        s = 2 * c
        np.testing.assert_allclose(ext["t1"], 2 / GAMMA)
        np.testing.assert_allclose(ext["t2"], 2 / GAMMA * (1 + s / (2 * n_s)))
        for key, t in (("J0", 0.0), ("J_t1", ext["t1"]), ("J_t2", ext["t2"])):
            np.testing.assert_allclose(total(t, c0), ext[key], atol=1e-12, err_msg=key)
        for t in (ext["t1"], ext["t2"]):
            assert abs(rate(t, c0)) < 1e-12
        seed = -np.asarray([ext["J0"], ext["J_t1"], ext["J_t2"]]) / (OMEGA * GAMMA)
        expected = [2 * n_s + s, (2 * n_s - s) * np.exp(-2), (2 * n_s + s) * np.exp(-2 - s / n_s)]
        np.testing.assert_allclose(seed, expected)
        # in the seed's sign the minimum comes first for s > 0 (at t1), second for s < 0;
        # ours is minus the seed's, so there the curvature is negative
        t_min, t_max = (ext["t1"], ext["t2"]) if s > 0 else (ext["t2"], ext["t1"])
        assert curvature(t_min, c0) < 0 < curvature(t_max, c0)


def test_identity_19_and_total_heat_eq_11():
    """int (J1 - J2) dt = int J12 dt (eq 19); sum of heats = U(inf) - U(0) (eq 11), also for
    a correlated initial state; and integrated_heat agrees with quadrature of the evolution."""
    n, n_s = 0.3, 1.4
    sys = gaussian.cascaded_oscillators(OMEGA, GAMMA, n)
    for c13, c24 in ((0.0, 0.0), (0.5, -0.2)):
        c0 = gaussian.correlated_thermal_covariance(n_s, c13, c24)
        q = gaussian.integrated_heat(sys, c0)
        np.testing.assert_allclose(q["1"] - q["2"], q["cascade"], atol=1e-12)
        du = gaussian.energy(sys, gaussian.steady_state(sys)) - gaussian.energy(sys, c0)
        np.testing.assert_allclose(q["1"] + q["2"] + q["cascade"], du, atol=1e-12)
        np.testing.assert_allclose(du, 2 * OMEGA * (n - n_s), atol=1e-12)
        # independent model: the same total (below eq 18)
        q_ind = gaussian.integrated_heat(sys.restricted(["1", "2"]), c0)
        np.testing.assert_allclose(q_ind["1"] + q_ind["2"], du, atol=1e-12)
    ts = jnp.linspace(0.0, 40.0, 2001) / GAMMA
    j = gaussian.evolve(sys, c0, ts).heat_currents
    simpson = np.ones(ts.shape[0])
    simpson[1:-1:2], simpson[2:-1:2] = 4.0, 2.0
    simpson *= float(ts[1] - ts[0]) / 3
    for key in ("1", "2", "cascade"):
        np.testing.assert_allclose(simpson @ j[key], q[key], atol=1e-8, err_msg=key)


def test_independent_model_eq_18_and_one_way_coupling():
    """J^(ind) = 2 J1 for locally identical initial states (eq 18), J1 is the same in both
    models, and S1's reduced dynamics ignores S2 entirely (its 2x2 block, eqs 15-16)."""
    n = 0.25
    ts = jnp.linspace(0.0, 6.0, 13)
    sys = gaussian.cascaded_oscillators(OMEGA, GAMMA, n)
    ind = sys.restricted(["1", "2"])
    c0 = gaussian.correlated_thermal_covariance(0.8, 0.4, -0.3)
    sol_c, sol_i = gaussian.evolve(sys, c0, ts), gaussian.evolve(ind, c0, ts)
    np.testing.assert_allclose(
        sol_i.heat_currents["1"] + sol_i.heat_currents["2"],
        2 * sol_c.heat_currents["1"],
        atol=1e-13,
    )
    np.testing.assert_allclose(sol_i.heat_currents["1"], sol_c.heat_currents["1"], atol=1e-13)
    # S1 alone: a single damped oscillator, whatever S2 and the correlations are
    single = gaussian.system([[OMEGA]], [(GAMMA * (n + 1), [1.0], None), (GAMMA * n, None, [1.0])])
    alone = gaussian.evolve(single, c0[:2, :2], ts)
    rng = np.random.default_rng(4)
    for _ in range(2):
        c = np.array(c0)
        c[2:, 2:] = np.diag(rng.uniform(0.5, 3.0, size=2))
        c[:2, 2:] = c[2:, :2].T * 0 + 0.2 * rng.normal(size=(2, 2))
        c[2:, :2] = c[:2, 2:].T
        sol = gaussian.evolve(sys, c, ts)
        np.testing.assert_allclose(sol.covariances[:, :2, :2], alone.covariances, atol=1e-13)
        np.testing.assert_allclose(sol.heat_currents["1"], alone.heat_currents["bath"], atol=1e-13)
        # eq 15: L1 and D12 do not change mode 2's, resp. mode 1's, energy; L2 not mode 1's
        local = gaussian.heat_currents(sys, c, by_mode=True)
        np.testing.assert_allclose(
            [local["1"][1], local["2"][0], local["cascade"][0]], 0.0, atol=1e-14
        )
        total = gaussian.heat_currents(sys, c)
        for key in local:
            np.testing.assert_allclose(local[key].sum(), total[key], atol=1e-14)


# --- states and physicality (appendix D) -----------------------------------------------------


def test_physicality_of_correlated_thermal_states():
    n_s = 1.0
    with pytest.raises(ValueError, match="uncertainty relation"):
        gaussian.correlated_thermal_covariance(n_s, 1.2, 1.2)  # |C13| > N_S on the diagonal
    with pytest.raises(ValueError, match="uncertainty relation"):
        gaussian.check_physical(0.4 * np.eye(2))
    with pytest.raises(ValueError, match="symmetric"):
        gaussian.check_physical(np.array([[1.0, 0.1], [0.0, 1.0]]))
    jitted = jax.jit(gaussian.check_physical)
    with pytest.raises(Exception, match="uncertainty relation"):
        jitted(0.4 * jnp.eye(2)).block_until_ready()
    np.testing.assert_allclose(jitted(0.6 * jnp.eye(2)), 0.6 * np.eye(2))
    # two-mode squeezed thermal state (EPR-like, C13 = -C24 = sqrt(N_S(N_S+1))): pure, physical
    epr = np.sqrt(n_s * (n_s + 1))
    c_epr = gaussian.correlated_thermal_covariance(n_s, epr, -epr)
    np.testing.assert_allclose(gaussian.symplectic_eigenvalues(c_epr), [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(
        gaussian.symplectic_eigenvalues(gaussian.thermal_covariance(jnp.array([0.3, 2.0]))),
        [0.8, 2.5],
    )
    # the region of eqs D3-D4 (fig 7) equals the matrix test D2 on a grid
    grid = np.linspace(-1.6, 1.6, 41)
    c13, c24 = np.meshgrid(grid, grid, indexing="ij")
    region = np.asarray(gaussian.correlated_thermal_region(n_s, c13, c24))
    direct = np.array(
        [
            [
                bool(
                    gaussian.is_physical(
                        gaussian.correlated_thermal_covariance(n_s, a, b, check=False)
                    )
                )
                for b in grid
            ]
            for a in grid
        ]
    )
    assert 0.2 < region.mean() < 0.8
    np.testing.assert_array_equal(region, direct)
    # on the diagonal the region is |C13| <= N_S, and everywhere |C13 + C24| <= 2 N_S (eq D5)
    diag = np.asarray(gaussian.correlated_thermal_region(n_s, grid, grid))
    np.testing.assert_array_equal(diag, np.abs(grid) <= n_s + 1e-12)
    fine = np.linspace(-1.5, 1.5, 301)
    a, b = np.meshgrid(fine, fine, indexing="ij")
    inside = np.asarray(gaussian.correlated_thermal_region(n_s, a, b))
    assert np.abs(a + b)[inside].max() <= 2 * n_s + 1e-12
    np.testing.assert_allclose(np.abs(a + b)[inside].max(), 2 * n_s, atol=0.02)
    # the region grows with N_S (fig 7) and is a point for N_S = 0
    assert not gaussian.correlated_thermal_region(0.0, 0.05, 0.0)
    assert gaussian.correlated_thermal_region(0.0, 0.0, 0.0)


def test_energy_and_thermal_state():
    sys = gaussian.system(np.diag([1.0, 3.0]))
    c = gaussian.thermal_covariance(jnp.array([0.5, 2.0]))
    np.testing.assert_allclose(gaussian.energy(sys, c), 0.5 * 1.0 + 2.0 * 3.0)
    np.testing.assert_allclose(
        gaussian.energy(sys, c, jnp.array([1.0, 0.0, 0.0, 2.0])), 6.5 + 0.5 * 1.0 + 0.5 * 3 * 4
    )
    with pytest.raises(ValueError, match="non-negative"):
        gaussian.thermal_covariance(jnp.array([-0.1]))


# --- differentiation and batching ------------------------------------------------------------


def test_gradient_of_cascade_heat_current():
    ts = jnp.array([0.5, 1.5, 3.0])
    c0 = gaussian.correlated_thermal_covariance(1.2, 0.3, 0.5)

    def j12(gamma, n):
        sys = gaussian.cascaded_oscillators(OMEGA, gamma, n)
        return gaussian.evolve(sys, c0, ts).heat_currents["cascade"]

    def closed(gamma, n):
        return gaussian.cascade_heat_currents(
            ts, gamma=gamma, initial_occupation=1.2, occupation=n, c13=0.3, c24=0.5, omega=OMEGA
        )["cascade"]

    args = (jnp.asarray(GAMMA), jnp.asarray(0.4))
    grads = jax.jit(jax.jacrev(j12, argnums=(0, 1)))(*args)
    exact = jax.jacrev(closed, argnums=(0, 1))(*args)
    j12 = jax.jit(j12)
    h = 1e-6
    for argnum in (0, 1):
        step = jnp.asarray([h, 0.0])[argnum], jnp.asarray([0.0, h])[argnum]
        up = (args[0] + step[0], args[1] + step[1])
        down = (args[0] - step[0], args[1] - step[1])
        fd = (j12(*up) - j12(*down)) / (2 * h)
        np.testing.assert_allclose(grads[argnum], fd, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(grads[argnum], exact[argnum], atol=1e-12)
        assert np.abs(grads[argnum]).min() > 1e-3


def test_jit_vmap_over_parameter_grid_equals_loop():
    ts = jnp.linspace(0.0, 4.0, 5)
    gammas, ns = jnp.meshgrid(jnp.array([0.3, 0.9, 1.5]), jnp.array([0.0, 0.5]), indexing="ij")
    c0 = gaussian.correlated_thermal_covariance(1.0, 0.2, 0.6)

    def currents(gamma, n):
        sys = gaussian.cascaded_oscillators(OMEGA, gamma, n)
        sol = gaussian.evolve(sys, c0, ts)
        return jnp.stack([sol.heat_currents[k] for k in ("1", "2", "cascade")])

    batched = jax.jit(jax.vmap(currents))(gammas.ravel(), ns.ravel())
    looped = np.stack([currents(g, n) for g, n in zip(gammas.ravel(), ns.ravel(), strict=True)])
    np.testing.assert_allclose(batched, looped, atol=1e-13)
    assert batched.shape == (6, 3, 5)


def test_builders_conventions_and_errors():
    # one squeezed mode: H = (g a^+2 + g* a^2)/2 = g (x^2 - p^2)/2 for real g, E_0 = 0
    sys = gaussian.system([[0.0]], pairing=[[0.3]])
    np.testing.assert_allclose(sys.hamiltonian, np.diag([0.3, -0.3]), atol=1e-15)
    np.testing.assert_allclose(sys.drift, [[0.0, -0.3], [-0.3, 0.0]], atol=1e-15)
    # a drive f (a + a^+) = sqrt(2) f x pushes p: d<p>/dt = -sqrt(2) f
    sys = gaussian.system([[0.0]], drive=[0.5])
    np.testing.assert_allclose(sys.force, [0.0, -np.sqrt(2) * 0.5], atol=1e-15)
    # parts add and subtract; restricted keeps the named ones
    d = gaussian.dissipator([(0.2, [1.0], None)])
    np.testing.assert_allclose((d + d - d).drift, d.drift)
    np.testing.assert_allclose(d.drift, -0.1 * np.eye(2), atol=1e-15)
    np.testing.assert_allclose(d.diffusion, 0.1 * np.eye(2), atol=1e-15)
    # block ordering (x_1..x_n, p_1..p_n)
    perm = np.asarray(gaussian.quadrature_permutation(2))
    np.testing.assert_array_equal(perm @ np.arange(4.0), [0.0, 2.0, 1.0, 3.0])
    with pytest.raises(ValueError, match="Hermitian"):
        gaussian.system([[0.0, 1.0], [0.0, 0.0]])
    with pytest.raises(TypeError, match="triple"):
        gaussian.system([[1.0]], [(0.1, [1.0])])
    with pytest.raises(ValueError, match="non-negative"):
        gaussian.system([[1.0]], [(-0.1, [1.0], None)])
    with pytest.raises(ValueError, match="shape"):
        gaussian.system([[1.0]], [(0.1, [1.0, 0.0], None)])
    cascade = gaussian.cascaded_oscillators(1.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="modes"):
        gaussian.evolve(cascade, np.eye(2), jnp.zeros(1))
    with pytest.raises(ValueError, match="method"):
        gaussian.evolve(cascade, np.eye(4), jnp.zeros(1), method="euler")
    with pytest.raises(ValueError, match="no parts"):
        cascade.restricted(["3"])
