"""qoj.measures: textbook values, seed 001 (Appendix F, Sec. VII) closed forms, independent
brute-force references, derivatives against finite differences, jit/vmap, bad input."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg
from scipy.optimize import minimize

import qoj
import qoj.measures as measures
from qoj.measures._discord import _distance_to_dephased, _numerical_distance_discord
from qoj.measures._gaussian import physical_covariance
from qoj.measures._numerics import bloch_components

from _helpers import random_density_matrix

E, G = np.array([1.0, 0.0]), np.array([0.0, 1.0])  # index 0 = |e>, 1 = |g>
SX = np.array([[0, 1], [1, 0]], dtype=complex)
SY = np.array([[0, -1j], [1j, 0]])
SZ = np.diag([1.0, -1.0]).astype(complex)
OMEGA = np.kron(np.eye(2), [[0.0, 1.0], [-1.0, 0.0]])
LN2 = math.log(2.0)


def dm(psi):
    psi = np.asarray(psi, dtype=complex)
    return np.outer(psi, psi.conj())


BELLS = [
    (np.kron(E, E) + np.kron(G, G)) / np.sqrt(2),
    (np.kron(E, E) - np.kron(G, G)) / np.sqrt(2),
    (np.kron(E, G) + np.kron(G, E)) / np.sqrt(2),
    (np.kron(E, G) - np.kron(G, E)) / np.sqrt(2),
]


def werner(p, bell=BELLS[3]):
    return p * dm(bell) + (1 - p) * np.eye(4) / 4


def bell_diagonal(c):
    return (np.eye(4) + sum(ci * np.kron(s, s) for ci, s in zip(c, (SX, SY, SZ), strict=True))) / 4


def random_unitary(rng, n):
    q, r = np.linalg.qr(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
    return q * (np.diagonal(r) / np.abs(np.diagonal(r)))[None, :]


def random_x_state(rng):
    a, b, c, d = rng.dirichlet(np.ones(4))
    z = np.sqrt(b * c) * rng.uniform() * np.exp(1j * rng.uniform(0, 2 * np.pi))
    w = np.sqrt(a * d) * rng.uniform() * np.exp(1j * rng.uniform(0, 2 * np.pi))
    return np.array([[a, 0, 0, w.conj()], [0, b, z.conj(), 0], [0, z, c, 0], [w, 0, 0, d]])


def seed_state_41(xi, rho23):
    """Seed 001 eq 41: locally thermal qubits with coherence rho23 (|rho23| <= 1 - xi^2)."""
    return (
        np.array(
            [
                [(1 - xi) ** 2, 0, 0, 0],
                [0, 1 - xi**2, rho23, 0],
                [0, np.conj(rho23), 1 - xi**2, 0],
                [0, 0, 0, (1 + xi) ** 2],
            ]
        )
        / 4
    )


def np_entropy(rho):
    p = np.linalg.eigvalsh(rho)
    p = p[p > 1e-15]
    return float(-np.sum(p * np.log(p)))


def ptrace(rho, keep):
    t = rho.reshape(2, 2, 2, 2)
    return np.einsum("abcb->ac", t) if keep == 0 else np.einsum("abad->bd", t)


# --- independent references ------------------------------------------------------------------


def brute_discord(rho):
    """D(B|A) in nats from eqs F1-F3, F9-F10: explicit projectors, grid + Nelder-Mead."""

    def conditional(angles):
        th, ph = angles
        a1 = np.array([np.cos(th / 2), np.exp(1j * ph) * np.sin(th / 2)])
        a2 = np.array([np.sin(th / 2), -np.exp(1j * ph) * np.cos(th / 2)])
        total = 0.0
        for a in (a1, a2):
            proj = np.kron(dm(a), np.eye(2))
            rho_b = ptrace(proj @ rho @ proj, 1)
            p = np.trace(rho_b).real
            if p > 1e-14:
                total += p * np_entropy(rho_b / p)
        return total

    grid = [(th, ph) for th in np.linspace(0, np.pi, 25) for ph in np.linspace(0, 2 * np.pi, 48)]
    starts = sorted(grid, key=conditional)[:3]
    best = min(
        minimize(conditional, s, method="Nelder-Mead", options=dict(xatol=1e-11, fatol=1e-15)).fun
        for s in starts
    )
    return np_entropy(ptrace(rho, 0)) - np_entropy(rho) + best


def brute_trace_distance_discord(rho):
    """(1/2) min over measurement bases of ||rho - dephased(rho)||_1, by grid + Nelder-Mead."""

    def distance(angles):
        th, ph = angles
        a1 = np.array([np.cos(th / 2), np.exp(1j * ph) * np.sin(th / 2)])
        a2 = np.array([np.sin(th / 2), -np.exp(1j * ph) * np.cos(th / 2)])
        projs = [np.kron(dm(a), np.eye(2)) for a in (a1, a2)]
        cq = sum(p @ rho @ p for p in projs)
        return 0.5 * np.abs(np.linalg.eigvalsh(rho - cq)).sum()

    grid = [(th, ph) for th in np.linspace(0, np.pi, 25) for ph in np.linspace(0, 2 * np.pi, 48)]
    starts = sorted(grid, key=distance)[:3]
    opts = dict(xatol=1e-12, fatol=1e-15, maxiter=4000)
    return min(minimize(distance, s, method="Nelder-Mead", options=opts).fun for s in starts)


def luo_bell_diagonal_discord(c):
    """Luo, PRA 77, 042303 (2008): Bell-diagonal discord in nats."""
    rho = bell_diagonal(c)
    mutual = 2 * LN2 - np_entropy(rho)
    m = np.max(np.abs(c))
    classical = sum((1 + s * m) / 2 * np.log(1 + s * m) for s in (1, -1) if 1 + s * m > 0)
    return mutual - classical


def x_state_discord_zx(rho):
    """Ali-Rau-Alber style estimate for X states: the better of a sigma_z measurement and
    the best in-plane one; an upper bound on the projective discord (nats)."""
    a, b, c, d = np.diagonal(rho).real
    g1 = 2 * (abs(rho[2, 1]) + abs(rho[3, 0]))
    s_a = np_entropy(ptrace(rho, 0))

    def h(p, r):  # p S((1 + r.sigma)/2) with r = |bloch|
        return sum(-p * q * np.log(q) for q in ((1 + r) / 2, (1 - r) / 2) if q > 1e-15)

    y3 = a - b + c - d
    z_meas = h(a + b, abs(a - b) / (a + b)) + h(c + d, abs(c - d) / (c + d))
    plane_meas = 2 * h(0.5, np.hypot(y3, g1))
    return s_a - np_entropy(rho) + min(z_meas, plane_meas)


# --- states: distances and entropies ---------------------------------------------------------


def test_trace_distance_and_fidelity_of_pure_states_and_fuchs_van_de_graaf():
    rng = np.random.default_rng(0)
    for _ in range(3):
        psi, phi = (rng.normal(size=3) + 1j * rng.normal(size=3) for _ in range(2))
        psi, phi = psi / np.linalg.norm(psi), phi / np.linalg.norm(phi)
        overlap = abs(np.vdot(psi, phi)) ** 2
        assert measures.fidelity(dm(psi), dm(phi)) == pytest.approx(overlap, abs=1e-12)
        assert measures.trace_distance(dm(psi), dm(phi)) == pytest.approx(
            np.sqrt(1 - overlap), abs=1e-12
        )
    for _ in range(4):
        rho, sigma = random_density_matrix(rng, 4), random_density_matrix(rng, 4, rank=2)
        f, t = float(measures.fidelity(rho, sigma)), float(measures.trace_distance(rho, sigma))
        assert 1 - np.sqrt(f) - 1e-12 <= t <= np.sqrt(1 - f) + 1e-12
        assert measures.fidelity(sigma, rho) == pytest.approx(f, abs=1e-12)
        root = scipy.linalg.sqrtm(rho)
        assert f == pytest.approx(np.trace(scipy.linalg.sqrtm(root @ sigma @ root)).real ** 2)
    p, q = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3))  # commuting: classical values
    assert measures.fidelity(np.diag(p), np.diag(q)) == pytest.approx(np.sum(np.sqrt(p * q)) ** 2)
    assert measures.trace_distance(np.diag(p), np.diag(q)) == pytest.approx(
        0.5 * np.abs(p - q).sum()
    )
    assert measures.trace_distance(rho, rho) == pytest.approx(0.0, abs=1e-14)
    assert measures.fidelity(rho, rho) == pytest.approx(1.0, abs=1e-12)


def test_entropy_and_mutual_information():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(3))
    u = random_unitary(rng, 3)
    assert measures.entropy(u @ np.diag(p) @ u.conj().T) == pytest.approx(-np.sum(p * np.log(p)))
    assert measures.entropy(np.eye(4) / 4, base=2) == pytest.approx(2.0)
    assert measures.entropy(dm(BELLS[0])) == pytest.approx(0.0, abs=1e-12)
    for bell in BELLS:
        assert measures.entropy(qoj.partial_trace(dm(bell), 0, (2, 2))) == pytest.approx(LN2)
        assert measures.mutual_information(dm(bell), (2, 2)) == pytest.approx(2 * LN2)
        assert measures.mutual_information(dm(bell), (2, 2), base=2) == pytest.approx(2.0)
    rho_a, rho_b = random_density_matrix(rng, 2), random_density_matrix(rng, 3)
    assert measures.mutual_information(np.kron(rho_a, rho_b), (2, 3)) == pytest.approx(
        0.0, abs=1e-12
    )
    rho = random_density_matrix(rng, 6)
    reference = np_entropy(qoj.partial_trace(rho, 0, (2, 3))) + np_entropy(
        qoj.partial_trace(rho, 1, (2, 3))
    )
    assert measures.mutual_information(rho, (2, 3)) == pytest.approx(reference - np_entropy(rho))


# --- entanglement and discord of qubits ------------------------------------------------------


def test_bell_states():
    for bell in BELLS:
        rho = dm(bell)
        assert measures.concurrence(rho) == pytest.approx(1.0, abs=1e-12)
        assert measures.concurrence_x_state(rho) == pytest.approx(1.0, abs=1e-12)
        for subsystem in (0, 1):
            assert measures.negativity(rho, (2, 2), subsystem=subsystem) == pytest.approx(0.5)
        assert measures.log_negativity(rho, (2, 2)) == pytest.approx(LN2)
        assert measures.log_negativity(rho, (2, 2), base=2) == pytest.approx(1.0)
        for measured in (0, 1):
            assert measures.discord(rho, measured=measured, base=2) == pytest.approx(1.0, abs=1e-10)
            assert measures.trace_distance_discord(rho, measured=measured) == pytest.approx(0.5)
        assert measures.discord(rho) == pytest.approx(LN2, abs=1e-10)


def test_product_states_have_no_correlations():
    rng = np.random.default_rng(2)
    for _ in range(3):
        rho = np.kron(random_density_matrix(rng, 2), random_density_matrix(rng, 2))
        assert measures.concurrence(rho) == pytest.approx(0.0, abs=1e-12)
        assert measures.negativity(rho, (2, 2)) == pytest.approx(0.0, abs=1e-12)
        assert measures.log_negativity(rho, (2, 2)) == pytest.approx(0.0, abs=1e-12)
        assert measures.discord(rho) == pytest.approx(0.0, abs=1e-10)
        assert measures.discord(rho, measured=1) == pytest.approx(0.0, abs=1e-10)
        assert measures.trace_distance_discord(rho) == pytest.approx(0.0, abs=1e-10)
    # A classical-quantum state (classical on part 1) has zero D(B|A) and D-> but not D(A|B).
    u = random_unitary(rng, 2)
    a0, a1 = u[:, 0], u[:, 1]
    cq = 0.5 * np.kron(dm(a0), dm(E)) + 0.5 * np.kron(dm(a1), dm((E + G) / np.sqrt(2)))
    assert measures.discord(cq) == pytest.approx(0.0, abs=1e-10)
    assert measures.trace_distance_discord(cq) == pytest.approx(0.0, abs=1e-10)
    assert measures.discord(cq, measured=1) > 0.05
    assert measures.trace_distance_discord(cq, measured=1) > 0.05


def test_werner_states():
    ps = np.linspace(0.0, 1.0, 8)  # batches of 8 throughout: one compilation each
    rhos = jnp.asarray(np.stack([werner(p) for p in ps]))
    concurrence = jax.vmap(measures.concurrence)(rhos)
    negativity = jax.vmap(lambda r: measures.negativity(r, (2, 2)))(rhos)
    discord = jax.vmap(lambda r: measures.discord(r, base=2))(rhos)
    tdd = jax.vmap(measures.trace_distance_discord)(rhos)
    np.testing.assert_allclose(concurrence, np.maximum(0, (3 * ps - 1) / 2), atol=1e-12)
    np.testing.assert_allclose(negativity, np.maximum(0, (3 * ps - 1) / 4), atol=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        xlog2x = lambda x: np.where(x > 0, x * np.log2(np.where(x > 0, x, 1)), 0.0)
        ollivier_zurek = xlog2x(1 + 3 * ps) / 4 + xlog2x(1 - ps) / 4 - xlog2x(1 + ps) / 2
    np.testing.assert_allclose(discord, ollivier_zurek, atol=1e-10)
    np.testing.assert_allclose(tdd, ps / 2, atol=1e-12)  # Bell-diagonal, |c_i| = p


def test_bell_diagonal_and_local_unitary_invariance():
    """Luo's closed form; both discords are invariant under local unitaries, which turn the
    Bell-diagonal (X) states into general ones: exercises the numerical TDD path."""
    rng = np.random.default_rng(3)
    states, references, tdds = [], [], []
    while len(states) < 4:
        c = rng.uniform(-1, 1, size=3)
        if np.linalg.eigvalsh(bell_diagonal(c))[0] < 0:
            continue
        local = np.kron(random_unitary(rng, 2), random_unitary(rng, 2))
        states += [bell_diagonal(c), local @ bell_diagonal(c) @ local.conj().T]
        references += [luo_bell_diagonal_discord(c)] * 2
        tdds += [np.sort(np.abs(c))[1] / 2] * 2
    rhos = jnp.asarray(np.stack(states))
    np.testing.assert_allclose(jax.vmap(measures.discord)(rhos), references, atol=1e-10)
    np.testing.assert_allclose(jax.vmap(measures.trace_distance_discord)(rhos), tdds, atol=1e-9)


def test_general_states_against_brute_force():
    rng = np.random.default_rng(4)
    rhos = [random_density_matrix(rng, 4), random_density_matrix(rng, 4, rank=2)]
    for rho in rhos:
        assert measures.discord(rho) == pytest.approx(brute_discord(rho), abs=1e-11)
        swapped = rho.reshape(2, 2, 2, 2).transpose(1, 0, 3, 2).reshape(4, 4)
        assert measures.discord(rho, measured=1) == pytest.approx(brute_discord(swapped), abs=1e-11)
        assert measures.trace_distance_discord(rho) == pytest.approx(
            brute_trace_distance_discord(rho), abs=1e-11
        )
    # The reduction behind trace_distance_discord: for a fixed basis no CQ state beats the
    # dephased one (the local search over rho_2(j) = B_j B_j^dag starts next to it).
    rho = rhos[0]
    a1, a2 = E, G

    def distance(params):
        blocks = params.reshape(2, 2, 2, 2)
        cq = sum(
            np.kron(dm(a), (b[0] + 1j * b[1]) @ (b[0] + 1j * b[1]).conj().T)
            for a, b in zip((a1, a2), blocks, strict=True)
        )
        return 0.5 * np.abs(np.linalg.eigvalsh(rho - cq)).sum()

    start = []
    for a in (a1, a2):
        block = ptrace(np.kron(dm(a), np.eye(2)) @ rho @ np.kron(dm(a), np.eye(2)), 1)
        root = np.linalg.cholesky(block)
        start.append(np.stack([root.real, root.imag]))
    start = np.stack(start).ravel()
    dephased = distance(start)
    best = minimize(distance, start + 1e-3 * rng.normal(size=start.size), method="Nelder-Mead")
    assert best.fun >= dephased - 1e-12
    n_z = jnp.asarray([0.0, 0.0, 1.0])
    x, _, t = bloch_components(jnp.asarray(rho))
    assert float(_distance_to_dephased(n_z, x, t)) == pytest.approx(dephased, abs=1e-12)


def test_x_states_closed_forms_agree_with_general_routines():
    rng = np.random.default_rng(5)
    rhos = jnp.asarray(np.stack([random_x_state(rng) for _ in range(40)]))
    np.testing.assert_allclose(
        jax.vmap(measures.concurrence_x_state)(rhos),
        jax.vmap(measures.concurrence)(rhos),
        atol=1e-10,
    )
    closed = jax.vmap(measures.trace_distance_discord_x_state)(rhos)
    numerical = jax.jit(jax.vmap(lambda r: _numerical_distance_discord(*bloch_components(r)[::2])))(
        rhos
    )
    np.testing.assert_allclose(numerical, closed, atol=1e-12)
    chunks = rhos.reshape(5, 8, 4, 4)
    dispatched = np.concatenate([jax.vmap(measures.trace_distance_discord)(c) for c in chunks])
    np.testing.assert_allclose(dispatched, closed, atol=1e-15)
    discords = np.concatenate([jax.vmap(measures.discord)(c) for c in chunks])
    estimates = np.array([x_state_discord_zx(np.asarray(r)) for r in rhos])
    assert np.all(discords <= estimates + 1e-10)  # the z/x estimate is an upper bound ...
    assert np.max(estimates - discords) < 5e-3  # ... and nearly tight (Huang 2013: < 0.0021)
    assert np.mean(np.abs(estimates - discords) < 1e-9) > 0.8
    assert brute_discord(np.asarray(rhos[0])) == pytest.approx(discords[0], abs=1e-9)


def test_seed_family_41_is_separable_but_discordant():
    """Seed 001 eq F16: every state (41) has zero concurrence; D_Z > 0 unless rho23 = 0 and
    depends on |rho23| only (Sec. VI C)."""
    xi = 0.25
    radii = np.array([0.0, 0.3, 0.6, 1 - xi**2])
    states = [seed_state_41(xi, r * np.exp(1j * phase)) for r in radii for phase in (0.0, 2.0)]
    rhos = jnp.asarray(np.stack(states))
    np.testing.assert_allclose(jax.vmap(measures.concurrence)(rhos), 0.0, atol=1e-12)
    np.testing.assert_allclose(jax.vmap(measures.concurrence_x_state)(rhos), 0.0, atol=1e-15)
    discord = np.asarray(jax.vmap(measures.discord)(rhos)).reshape(len(radii), 2)
    np.testing.assert_allclose(discord[:, 0], discord[:, 1], atol=1e-12)
    assert discord[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(discord[:, 0]) > 1e-3)  # grows with |rho23|
    # just beyond eq 42 the matrix is not positive: a clear error instead of a number
    with pytest.raises(ValueError, match="rho must be positive semidefinite"):
        measures.concurrence(seed_state_41(xi, 1.01 * (1 - xi**2)))


# --- Gaussian states ---------------------------------------------------------------------------


def tmsv(r):
    ch, sh, z = np.cosh(2 * r), np.sinh(2 * r), np.diag([1.0, -1.0])
    return 0.5 * np.block([[ch * np.eye(2), sh * z], [sh * z, ch * np.eye(2)]])


def random_covariance(rng, scale=0.6):
    h = rng.normal(size=(4, 4))
    symplectic = scipy.linalg.expm(OMEGA @ (h + h.T) / 2 * scale)
    nu = 0.5 + rng.exponential(0.5, size=2)
    return symplectic @ np.diag(np.repeat(nu, 2)) @ symplectic.T, np.sort(nu)


def mode_entropy(x):  # eq F7 in nats, x in vacuum-1 units
    xlogx = lambda v: v * np.log(v) if v > 0 else 0.0
    return xlogx((x + 1) / 2) - xlogx((x - 1) / 2)


def brute_gaussian_discord(cov):
    """D_G(B|A) from its definition: minimise det of B's conditional covariance over pure
    Gaussian measurements of A: seeds of squeezing |log lambda| <= 12 (beyond that the
    conditional covariance loses digits) and, exactly, the homodyne limit."""
    s = 2 * cov
    a, b, g = s[:2, :2], s[2:, 2:], s[:2, 2:]

    def finite(v):
        squeeze, angle = 12 * np.tanh(v[0]), v[1]
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        seed = rot @ np.diag([np.exp(squeeze), np.exp(-squeeze)]) @ rot.T
        return np.linalg.det(b - g.T @ np.linalg.solve(a + seed, g))

    def homodyne(angle):
        u = np.array([np.cos(angle), np.sin(angle)])
        return np.linalg.det(b - np.outer(g.T @ u, g.T @ u) / (u @ a @ u))

    grid = [(v, ph) for v in np.linspace(-3, 3, 41) for ph in np.linspace(0, np.pi, 24)]
    opts = dict(xatol=1e-12, fatol=1e-15, maxiter=4000)
    w_finite = minimize(finite, min(grid, key=finite), method="Nelder-Mead", options=opts).fun
    angles = np.linspace(0, np.pi, 73)
    start = angles[np.argmin([homodyne(x) for x in angles])]
    w_homodyne = minimize(lambda v: homodyne(v[0]), [start], method="Nelder-Mead", options=opts).fun
    w = min(w_finite, w_homodyne)
    nus = np.sort(np.abs(np.linalg.eigvals(1j * OMEGA @ s)))[::2]
    return (
        mode_entropy(np.sqrt(np.linalg.det(a)))
        - sum(map(mode_entropy, nus))
        + mode_entropy(np.sqrt(w))
    )


def test_two_mode_squeezed_vacuum():
    for r in (0.1, 0.7, 1.5):
        cov = tmsv(r)
        np.testing.assert_allclose(measures.symplectic_eigenvalues(cov), [0.5, 0.5], atol=1e-12)
        assert measures.gaussian_log_negativity(cov) == pytest.approx(2 * r, abs=1e-11)
        assert measures.gaussian_log_negativity(cov, base=2) == pytest.approx(2 * r / LN2)
        c2, s2 = np.cosh(r) ** 2, np.sinh(r) ** 2
        entanglement_entropy = c2 * np.log(c2) - s2 * np.log(s2)
        for measured in (0, 1):
            assert measures.gaussian_discord(cov, measured=measured) == pytest.approx(
                entanglement_entropy, abs=1e-10
            )
    flipped = np.diag([1.0, -1.0, 1.0, 1.0]) @ tmsv(0.7) @ np.diag([1.0, -1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="uncertainty relation"):  # PT of an entangled state
        measures.symplectic_eigenvalues(flipped)


def test_gaussian_product_and_seed_family_d1():
    thermal = np.diag([1.3, 1.3, 0.5, 0.5])  # thermal (N = 0.8) x vacuum
    assert measures.gaussian_discord(thermal) == pytest.approx(0.0, abs=1e-12)
    assert measures.gaussian_discord(thermal, measured=1) == pytest.approx(0.0, abs=1e-12)
    assert measures.gaussian_log_negativity(thermal) == pytest.approx(0.0, abs=1e-14)
    np.testing.assert_allclose(measures.symplectic_eigenvalues(thermal), [0.5, 1.3], atol=1e-12)
    ns = 1.0
    for c13, c24 in [(0.6, 0.6), (-1.0, -1.0), (0.3, -0.7), (1.0, 1.0)]:
        c11 = ns + 0.5
        cov = np.array([[c11, 0, c13, 0], [0, c11, 0, c24], [c13, 0, c11, 0], [0, c24, 0, c11]])
        i_a, i_c, det = c11**2, c13 * c24, np.linalg.det(cov)
        for sign, values in ((1, measures.symplectic_eigenvalues(cov)), (-1, None)):
            delta = 2 * i_a + 2 * sign * i_c  # eqs D4 and F11 (C-units)
            nu = np.sqrt((delta + np.array([-1, 1]) * np.sqrt(max(delta**2 - 4 * det, 0))) / 2)
            if values is not None:
                np.testing.assert_allclose(values, nu, atol=1e-12)
            else:
                expected = max(0.0, -np.log(2 * nu[0]))
                assert measures.gaussian_log_negativity(cov) == pytest.approx(expected, abs=1e-12)
        assert measures.gaussian_discord(cov) == pytest.approx(
            float(measures.gaussian_discord(cov, measured=1)), abs=1e-12
        )
    assert measures.symplectic_eigenvalues(cov)[0] == pytest.approx(0.5)  # |C13| = NS: pure
    bad = np.array([[1.5, 0, 1.2, 0], [0, 1.5, 0, 1.2], [1.2, 0, 1.5, 0], [0, 1.2, 0, 1.5]])
    with pytest.raises(ValueError, match="uncertainty relation"):  # |C13| > NS violates D4
        measures.gaussian_discord(bad)


def test_gaussian_discord_and_symplectic_eigenvalues_of_random_states():
    """Eq F8 against its definition on random states, two in each of its branches."""
    rng = np.random.default_rng(6)
    found = {True: [], False: []}
    while min(len(v) for v in found.values()) < 2:
        cov, nu = random_covariance(rng)
        s = 2 * cov
        i1, i2, i3, i4 = (np.linalg.det(m) for m in (s[:2, :2], s[2:, 2:], s[:2, 2:], s))
        found[bool((i4 - i1 * i2) ** 2 <= (1 + i1) * i3**2 * (i2 + i4))].append((cov, nu))
    for cov, nu in found[True][:2] + found[False][:2]:
        np.testing.assert_allclose(measures.symplectic_eigenvalues(cov), nu, atol=1e-10)
        value = float(measures.gaussian_discord(cov))
        assert value == pytest.approx(brute_gaussian_discord(cov), abs=1e-8)
        swapped = cov[[2, 3, 0, 1]][:, [2, 3, 0, 1]]
        assert measures.gaussian_discord(cov, measured=1) == pytest.approx(
            brute_gaussian_discord(swapped), abs=1e-8
        )
        assert measures.gaussian_discord(cov, base=2) == pytest.approx(value / LN2)
    cov6 = scipy.linalg.block_diag(cov, np.diag([0.7, 0.7]))  # three modes
    np.testing.assert_allclose(measures.symplectic_eigenvalues(cov6), np.sort([*nu, 0.7]))


# --- derivatives --------------------------------------------------------------------------------


def central_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_derivatives_against_finite_differences_and_closed_forms():
    """Forward mode on a non-X family of states (each program compiled once), reverse mode
    at rank-deficient points with closed-form derivatives."""
    rng = np.random.default_rng(7)
    rho_a, rho_b = random_density_matrix(rng, 4), random_density_matrix(rng, 4)
    bell = dm(BELLS[2])

    def along_family(s):  # general (non-X) entangled states
        rho = (1 - s) * bell + s * ((1 - s) * rho_a + s * rho_b)
        return jnp.stack(
            [
                measures.discord(rho),
                measures.concurrence(rho),
                measures.trace_distance_discord(rho),
                measures.negativity(rho, (2, 2)),
                measures.fidelity(rho, rho_a),
                measures.mutual_information(rho, (2, 2)),
            ]
        )

    s0 = jnp.asarray(0.3)
    derivative = jax.jit(lambda s: jax.jvp(along_family, (s,), (jnp.ones_like(s),))[1])(s0)
    np.testing.assert_allclose(derivative, central_difference(along_family, s0), rtol=1e-5)
    assert np.all(np.abs(derivative) > 1e-3)

    # pure states staying pure: square roots of zero eigenvalues, x log x at 0
    def along_pure(th):
        psi = jnp.cos(th) * jnp.asarray(np.kron(E, G)) + jnp.sin(th) * jnp.asarray(np.kron(G, E))
        rho = jnp.outer(psi, psi.conj())
        return jnp.stack(
            [
                measures.concurrence(rho),  # |sin 2 th|
                measures.entropy(qoj.partial_trace(rho, 0, (2, 2))),
                measures.fidelity(rho, dm(np.kron(E, G))),  # cos^2 th
                measures.discord(rho),  # = S(rho_A) for pure states
            ]
        )

    th = 0.3
    d_entropy = 2 * np.sin(2 * th) * np.log(1 / np.tan(th))  # d/dth of -c^2 ln c^2 - s^2 ln s^2
    expected = [2 * np.cos(2 * th), d_entropy, -np.sin(2 * th), d_entropy]
    np.testing.assert_allclose(jax.jit(jax.jacrev(along_pure))(th), expected, rtol=1e-9)

    # Gaussian: d E_N/dr = 2 for the TMSV; D_G and E_N of a random state along a path
    d_log_negativity = jax.grad(lambda r: measures.gaussian_log_negativity(tmsv_jax(r)))(0.4)
    assert d_log_negativity == pytest.approx(2.0)
    cov, _ = random_covariance(rng)

    def along_path(s):
        c = jnp.asarray(cov) + s * jnp.asarray(tmsv(0.3) - 0.5 * np.eye(4))
        return jnp.stack([measures.gaussian_discord(c), measures.gaussian_log_negativity(c)])

    s0 = jnp.asarray(0.2)
    derivative = jax.jit(lambda s: jax.jvp(along_path, (s,), (jnp.ones_like(s),))[1])(s0)
    np.testing.assert_allclose(derivative, central_difference(jax.jit(along_path), s0), rtol=1e-6)
    assert np.all(np.abs(derivative) > 1e-3)


def tmsv_jax(r):
    ch, sh = jnp.cosh(2 * r), jnp.sinh(2 * r)
    z = jnp.diag(jnp.asarray([1.0, -1.0]))
    eye = jnp.eye(2)
    return 0.5 * jnp.block([[ch * eye, sh * z], [sh * z, ch * eye]])


# --- jit, vmap, bad input -------------------------------------------------------------------------


def test_jit_and_vmap_match_a_loop():
    rng = np.random.default_rng(8)
    rhos = np.stack([random_density_matrix(rng, 4, rank=k) for k in (1, 2, 3, 4) * 2])
    sigma = random_density_matrix(rng, 4)
    functions = {
        "concurrence": measures.concurrence,
        "negativity": lambda r: measures.negativity(r, (2, 2)),
        "log_negativity": lambda r: measures.log_negativity(r, (2, 2)),
        "mutual_information": lambda r: measures.mutual_information(r, (2, 2)),
        "entropy": measures.entropy,
        "fidelity": lambda r: measures.fidelity(r, sigma),
        "trace_distance": lambda r: measures.trace_distance(r, sigma),
        "discord": measures.discord,
        "trace_distance_discord": measures.trace_distance_discord,
    }
    for name, f in functions.items():
        batched = jax.jit(jax.vmap(f))(jnp.asarray(rhos))
        looped = [float(f(r)) for r in rhos]
        np.testing.assert_allclose(batched, looped, atol=1e-12, err_msg=name)
    # vmap(grad) against grad(sum of vmap): reverse mode through the batched search
    f = lambda s, r: measures.discord((1 - s) * r + s * sigma)
    s0 = jnp.full(len(rhos), 0.2)
    per_state = jax.vmap(jax.grad(f))(s0, jnp.asarray(rhos))
    summed = jax.grad(lambda s: jnp.sum(jax.vmap(f)(s, jnp.asarray(rhos))))(s0)
    np.testing.assert_allclose(per_state, summed, atol=1e-12)
    fd = central_difference(lambda s: jax.vmap(f)(s, jnp.asarray(rhos)), s0)
    np.testing.assert_allclose(per_state, fd, rtol=1e-5, atol=1e-8)
    covs = np.stack([random_covariance(rng)[0] for _ in range(3)])
    for f in (
        measures.gaussian_discord,
        measures.gaussian_log_negativity,
        measures.symplectic_eigenvalues,
    ):
        np.testing.assert_allclose(
            jax.jit(jax.vmap(f))(covs), np.stack([f(c) for c in covs]), atol=1e-12
        )


def test_bad_input():
    rho = werner(0.5)
    non_hermitian = rho + 0.1 * np.triu(np.ones((4, 4)), 1)
    with pytest.raises(ValueError, match="rho must be Hermitian"):
        measures.concurrence(non_hermitian)
    with pytest.raises(ValueError, match="rho must have unit trace"):
        measures.discord(2 * rho)
    with pytest.raises(ValueError, match="rho must be positive semidefinite"):
        measures.negativity(np.diag([1.2, -0.2, 0.0, 0.0]), (2, 2))
    with pytest.raises(ValueError, match="rho must be finite"):
        measures.entropy(np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="sigma must have unit trace"):
        measures.trace_distance(rho, 0.5 * rho)
    with pytest.raises(ValueError, match="same shape"):
        measures.fidelity(rho, np.eye(2) / 2)
    with pytest.raises(ValueError, match="two-qubit"):
        measures.discord(np.eye(6) / 6)
    with pytest.raises(ValueError, match="do not match"):
        measures.mutual_information(rho, (2, 3))
    with pytest.raises(ValueError, match="X state"):
        measures.concurrence_x_state(random_density_matrix(np.random.default_rng(0), 4))
    with pytest.raises(ValueError, match="measured"):
        measures.discord(rho, measured=2)
    with pytest.raises(ValueError, match="base"):
        measures.entropy(rho, base=1)
    with pytest.raises(ValueError, match="subsystem"):
        measures.negativity(rho, (2, 2), subsystem=2)
    # under jit the same checks raise at run time
    with pytest.raises(Exception, match="rho must have unit trace"):
        jax.jit(measures.trace_distance_discord)(2 * rho)
    with pytest.raises(Exception, match="rho must be positive semidefinite"):
        jax.jit(measures.concurrence)(np.diag([1.2, -0.2, 0.0, 0.0]))
    # covariance matrices
    with pytest.raises(ValueError, match="uncertainty relation"):
        measures.gaussian_discord(0.4 * np.eye(4))
    with pytest.raises(ValueError, match="symmetric"):
        measures.gaussian_log_negativity(np.eye(4) + np.triu(np.ones((4, 4)), 1))
    with pytest.raises(ValueError, match="shape"):
        measures.symplectic_eigenvalues(np.eye(3))
    with pytest.raises(ValueError, match="finite"):
        physical_covariance(np.full((2, 2), np.nan))
    with pytest.raises(TypeError, match="real"):
        physical_covariance(np.eye(2, dtype=complex))
    with pytest.raises(ValueError, match="two-mode"):
        measures.gaussian_discord(np.eye(6))
    with pytest.raises(Exception, match="uncertainty relation"):
        jax.jit(measures.symplectic_eigenvalues)(0.4 * np.eye(4))
    assert physical_covariance(np.eye(2) / 2, "C").dtype == jnp.float64
