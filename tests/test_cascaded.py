"""Cascaded systems (seed 001): the cascade term, qoj.cascaded and the two models."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.linalg import expm
from scipy.optimize import minimize

import qoj
from qoj._cascaded import CascadeTerm, cascaded
from qoj.models._cascaded import CascadedOscillators, CascadedQubits

from _helpers import central_difference, random_density_matrix

SM = np.array([[0, 0], [1, 0]], complex)  # sigma_- = |g><e|, basis (|e>, |g>)
SZ = np.diag([1.0, -1.0]).astype(complex)
I2 = np.eye(2)


def dag(a):
    return np.conj(np.swapaxes(a, -1, -2))


def dissipator(c, rho):
    return c @ rho @ dag(c) - 0.5 * (dag(c) @ c @ rho + rho @ dag(c) @ c)


def comm(a, b):
    return a @ b - b @ a


def np_(x):
    return np.asarray(x)


def apply_part(gen, name, rho):
    return np_(gen.parts[name](0.0, jnp.asarray(rho)))


def symmetric_state(rng, n):
    """A random two-part state invariant under the exchange of the parts."""
    swap = np.zeros((n * n, n * n))
    for i in range(n):
        for j in range(n):
            swap[i * n + j, j * n + i] = 1.0
    rho = random_density_matrix(rng, n * n)
    return 0.5 * (rho + swap @ rho @ swap)


def x_state_tdd(rho):
    """One-sided (qubit 1 measured) trace-distance discord of a two-qubit X state, seed 001
    eq 44 (with its 1/2): the closed form of Ciccarello, Tufarelli and Giovannetti, NJP 16,
    013038 (2014), in terms of the correlations g_i = <sigma_i sigma_i> (after local phases
    make the coherences real, |g1| >= |g2|) and qubit 1's Bloch component x3. (Checked
    against brute-force minimisation over classical-quantum states while writing it.)"""
    a, b, c, d = np.real(np.diag(rho))
    z, w = abs(rho[1, 2]), abs(rho[0, 3])
    g1, g2 = 2 * (z + w), 2 * (z - w)
    g3, x3 = a - b - c + d, a + b - c - d
    if abs(g1) < abs(g2):
        g1, g2 = g2, g1
    gmax, gmin = max(g3**2, g2**2 + x3**2), min(g3**2, g1**2)
    den = gmax - gmin + g1**2 - g2**2
    if den <= 1e-14:
        return abs(g1) / 2
    return 0.5 * np.sqrt((g1**2 * gmax - g2**2 * gmin) / den)


def _dephased_distance(rho, angles):
    """(1/2)||rho - Pi_n(rho)||_1 for the projective measurement of qubit 1 along n(angles)."""
    theta, phi = angles[..., 0], angles[..., 1]
    v = np.stack([np.cos(theta / 2), np.exp(1j * phi) * np.sin(theta / 2)], -1)
    p1 = v[..., :, None] * v[..., None, :].conj()
    out = 0
    for p in (p1, np.eye(2) - p1):
        k = np.einsum("...ij,kl->...ikjl", p, I2).reshape(*p.shape[:-2], 4, 4)
        out = out + k @ rho @ k
    return 0.5 * np.abs(np.linalg.eigvalsh(rho - out)).sum(-1)


def measurement_distance(rho):
    """m = min_n (1/2)||rho - Pi_n(rho)||_1 over projective measurements n of qubit 1 (grid,
    then Nelder-Mead). The TDD D of eq 44 obeys m/2 <= D <= m: Pi_n(rho) is classical-quantum,
    and for the closest CQ state chi (of basis n) ||rho - Pi_n rho|| <= ||rho - chi|| +
    ||Pi_n(chi - rho)|| <= 2 ||rho - chi||."""
    theta, phi = np.meshgrid(np.linspace(0, np.pi, 19), np.linspace(0, 2 * np.pi, 37))
    grid = np.stack([theta, phi], -1).reshape(-1, 2)
    values = _dephased_distance(rho, grid)
    best = np.inf
    for start in grid[np.argsort(values)[:4]]:
        result = minimize(
            lambda x: _dephased_distance(rho, x),
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-12},
        )
        best = min(best, result.fun)
    return best


# --- the cascade term ----------------------------------------------------------------------


def test_cascade_term_is_gardiner_form_and_trace_preserving():
    rng = np.random.default_rng(0)
    c1, c2 = (rng.normal(size=(2, 3, 3)) + 1j * rng.normal(size=(2, 3, 3))) / 2
    rho = random_density_matrix(rng, 3)
    term = CascadeTerm(c1, c2, 0.7)
    h_c = 0.5j * (dag(c1) @ c2 - dag(c2) @ c1)
    gardiner = (
        dissipator(c1 + c2, rho) - dissipator(c1, rho) - dissipator(c2, rho) - 1j * comm(h_c, rho)
    )
    np.testing.assert_allclose(np_(term.apply(jnp.asarray(rho))), gardiner, atol=1e-14)
    np.testing.assert_allclose(np_(term.hamiltonian()), h_c, atol=1e-15)
    np.testing.assert_allclose(
        np_(term.matrix()) @ rho.reshape(-1), gardiner.reshape(-1), atol=1e-14
    )
    assert abs(np.trace(gardiner)) < 1e-14
    op = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    np.testing.assert_allclose(
        np.trace(op @ gardiner), np.trace(np_(term.apply_adjoint(jnp.asarray(op))) @ rho)
    )
    # for operators of different subsystems it is the printed form, eq 5
    a1, a2 = np.kron(c1, np.eye(2)), np.kron(np.eye(3), SM)
    rho6 = random_density_matrix(rng, 6)
    printed = a1 @ comm(rho6, dag(a2)) + comm(a2, rho6) @ dag(a1)
    np.testing.assert_allclose(np_(CascadeTerm(a1, a2, 1.0).apply(rho6)), printed, atol=1e-14)


# --- the master equations of section II ----------------------------------------------------


def test_qubit_generator_is_eqs_7_8():
    omega, gamma, temperature = 1.3, 0.7, 0.9
    xi = np.tanh(omega / (2 * temperature))
    model = CascadedQubits(omega, gamma, temperature)
    np.testing.assert_allclose(model.xi(), xi, rtol=1e-14)
    gen = model.generator()
    assert set(gen.parts) == {"1", "2", "cascade"}
    assert set(model.generator("independent").parts) == {"1", "2"}
    rho = random_density_matrix(np.random.default_rng(1), 4)
    s = [np.kron(SM, I2), np.kron(I2, SM)]

    def local(m):  # eq 7, as printed
        sp = dag(m)
        return gamma / 4 * (1 + xi) * (
            2 * m @ rho @ sp - rho @ sp @ m - sp @ m @ rho
        ) + gamma / 4 * (1 - xi) * (2 * sp @ rho @ m - rho @ m @ sp - m @ sp @ rho)

    d12 = gamma / 2 * (1 + xi) * (
        s[0] @ comm(rho, dag(s[1])) + comm(s[1], rho) @ dag(s[0])
    ) + gamma / 2 * (1 - xi) * (dag(s[0]) @ comm(rho, s[1]) + comm(dag(s[1]), rho) @ s[0])
    np.testing.assert_allclose(apply_part(gen, "1", rho), local(s[0]), atol=1e-15)
    np.testing.assert_allclose(apply_part(gen, "2", rho), local(s[1]), atol=1e-15)
    np.testing.assert_allclose(apply_part(gen, "cascade", rho), d12, atol=1e-15)
    # Fig. 1(b): the global master equation of the two independent couplings is L(ind)
    np.testing.assert_allclose(
        qoj.master_equation(model.system(), "global").superoperator(),
        model.generator("independent").superoperator(),
        atol=1e-14,
    )


def test_oscillator_generator_is_eqs_4_5():
    omega, gamma, temperature, n = 1.1, 0.6, 0.8, 3
    occupation = 1 / np.expm1(omega / temperature)
    model = CascadedOscillators(omega, gamma, temperature, n_max=n)
    np.testing.assert_allclose(model.occupation(), occupation, rtol=1e-14)
    a = np.diag(np.sqrt(np.arange(1, n)), 1)
    a1, a2 = np.kron(a, np.eye(n)), np.kron(np.eye(n), a)
    rho = random_density_matrix(np.random.default_rng(2), n * n)
    gen = model.generator()
    k_down, k_up = gamma * (occupation + 1), gamma * occupation
    for name, op in (("1", a1), ("2", a2)):
        np.testing.assert_allclose(
            apply_part(gen, name, rho),
            k_down * dissipator(op, rho) + k_up * dissipator(dag(op), rho),
            atol=1e-14,
        )
    d12 = k_down * (a1 @ comm(rho, dag(a2)) + comm(a2, rho) @ dag(a1)) + k_up * (
        dag(a1) @ comm(rho, a2) + comm(dag(a2), rho) @ a1
    )
    np.testing.assert_allclose(apply_part(gen, "cascade", rho), d12, atol=1e-14)
    np.testing.assert_allclose(gen.hamiltonian, omega * (dag(a1) @ a1 + dag(a2) @ a2))
    np.testing.assert_allclose(
        qoj.master_equation(model.system(), "global").superoperator(),
        model.generator("independent").superoperator(),
        atol=1e-14,
    )


def test_lindblad_form_and_trace_preservation():
    models = [
        CascadedQubits(1.0, 0.7, 0.8),
        CascadedQubits(1.0, 0.7, 0.0),
        CascadedOscillators(1.0, 0.5, 0.6, n_max=3),
    ]
    for model in models:
        gen = model.generator()
        d = gen.dimension
        rates, _ = qoj.nonmarkov.canonical_rates(gen)
        assert rates[0] > -1e-12 * rates[-1]
        assert bool(qoj.nonmarkov.is_lindblad(gen))
        for part in gen.parts.values():  # every part, D12 included, preserves the trace
            np.testing.assert_allclose(
                np.eye(d).reshape(-1) @ np_(part.superoperator()), 0, atol=1e-14
            )
        # D12 alone is not of Lindblad form: its rate matrix has both signs
        cascade_rates, _ = qoj.nonmarkov.canonical_rates(gen.restricted(["cascade"]))
        assert cascade_rates[0] < -0.1 * cascade_rates[-1]
        # the total is D[a1 + a2] per channel plus the Hamiltonian H_c (two channels at T > 0)
        assert int(np.sum(np_(rates) > 1e-10 * rates[-1])) == (1 if model.temperature == 0 else 2)


def test_any_two_subsystems_and_frequency_inference():
    omega = 0.9
    bath = qoj.Bath(qoj.spectra.Flat(0.4), 0.5)
    n = 3
    qubit_h, oscillator_h = 0.5 * omega * qoj.sigmaz(), omega * qoj.number(n)
    gen = cascaded(qubit_h, oscillator_h, qoj.sigmam(), qoj.destroy(n), bath)
    explicit = cascaded(qubit_h, oscillator_h, qoj.sigmam(), qoj.destroy(n), bath, frequency=omega)
    np.testing.assert_allclose(gen.superoperator(), explicit.superoperator(), atol=1e-15)
    assert gen.dimension == 2 * n
    assert bool(qoj.nonmarkov.is_lindblad(gen))
    # S1 (the qubit) relaxes as if alone: its reduced state obeys L1 only
    rho = random_density_matrix(np.random.default_rng(3), 2 * n)
    drho = np_(gen(0.0, jnp.asarray(rho)))
    reduced = np_(qoj.partial_trace(rho, 0, (2, n)))
    alone = qoj.lindblad(
        qubit_h,
        {"b": [(bath.emission_rate(omega), qoj.sigmam()), (bath.absorption_rate(omega), SM.T)]},
    )
    np.testing.assert_allclose(
        np_(qoj.partial_trace(drho, 0, (2, n))), np_(alone(0.0, reduced)), atol=1e-14
    )


# --- steady state and the identities of section III ---------------------------------------


@pytest.mark.parametrize("approach", ["cascaded", "independent"])
def test_steady_state_is_product_thermal_state(approach):
    for model, temperature in [
        (CascadedQubits(1.0, 0.7, 0.8), 0.8),
        (CascadedQubits(1.0, 0.7, 0.0), 0.0),
        (CascadedOscillators(1.0, 0.5, 0.7, n_max=4), 0.7),
    ]:
        gen = model.generator(approach)
        expected = np_(model.steady_state())
        np.testing.assert_allclose(np_(qoj.steady_state(gen)), expected, atol=1e-12)
        # eq 10: e^{-H1/T} e^{-H2/T}/Z^2, and each part vanishes on it separately (appendix A)
        if temperature > 0:
            thermal = expm(-np_(gen.hamiltonian) / temperature)
            np.testing.assert_allclose(expected, thermal / np.trace(thermal), atol=1e-14)
        for name in gen.parts:
            np.testing.assert_allclose(apply_part(gen, name, expected), 0, atol=1e-14)


def local_hamiltonians(model):
    """(H1 (x) 1, 1 (x) H2) on the joint space."""
    if isinstance(model, CascadedQubits):
        h = 0.5 * float(model.omega) * SZ
    else:
        h = float(model.omega) * np.diag(np.arange(model.n_max)).astype(complex)
    one = np.eye(h.shape[0])
    return np.kron(h, one), np.kron(one, h)


def test_identities_15_and_local_fluxes():
    rng = np.random.default_rng(4)
    for model in (CascadedQubits(1.2, 0.6, 0.7), CascadedOscillators(1.0, 0.5, 0.6, n_max=3)):
        gen = model.generator()
        h1, h2 = local_hamiltonians(model)
        np.testing.assert_allclose(h1 + h2, np_(gen.hamiltonian), atol=1e-15)
        for _ in range(3):
            rho = random_density_matrix(rng, gen.dimension)
            l1, l2, d12 = (apply_part(gen, k, rho) for k in ("1", "2", "cascade"))
            for value in (np.trace(l1 @ h2), np.trace(l2 @ h1), np.trace(d12 @ h1)):
                assert abs(value) < 1e-14  # eq 15
            currents = qoj.heat_currents(gen, rho)
            np.testing.assert_allclose(currents["1"], np.trace(l1 @ h1).real, atol=1e-14)
            np.testing.assert_allclose(currents["cascade"], np.trace(d12 @ h2).real, atol=1e-14)
            # eqs 12, 16, 17: J = J1 + J2 + J12, dU1/dt = J1, dU2/dt = J2 + J12
            drho = np_(gen(0.0, jnp.asarray(rho)))
            np.testing.assert_allclose(
                sum(currents.values()), np.trace(drho @ np_(gen.hamiltonian)).real, atol=1e-14
            )
            np.testing.assert_allclose(np.trace(drho @ h1).real, currents["1"], atol=1e-14)
            np.testing.assert_allclose(
                np.trace(drho @ h2).real, currents["2"] + currents["cascade"], atol=1e-14
            )


def _integrated_currents(gen, rho0, rho_inf):
    """int_0^inf J_part(t) dt for every part: J_part(rho_inf) = 0, so the integral is
    Tr[H L_part(X)] with L X = rho_inf - rho0 (any solution: the kernel is rho_inf)."""
    d = gen.dimension
    matrix = np_(gen.superoperator())
    x, *_ = np.linalg.lstsq(matrix, (rho_inf - rho0).reshape(-1), rcond=None)
    np.testing.assert_allclose(matrix @ x, (rho_inf - rho0).reshape(-1), atol=1e-12)
    x = x.reshape(d, d)
    h = np_(gen.hamiltonian)
    return {name: np.trace(h @ apply_part(gen, name, x)).real for name in gen.parts}


def test_integrated_fluxes_eqs_11_and_19():
    rng = np.random.default_rng(5)
    for model in (CascadedQubits(1.0, 0.8, 0.6), CascadedOscillators(1.0, 0.5, 0.6, n_max=3)):
        gen = model.generator()
        n = int(round(np.sqrt(gen.dimension)))
        rho_inf = np_(model.steady_state())
        h1, h2 = local_hamiltonians(model)
        for rho0 in (symmetric_state(rng, n), random_density_matrix(rng, n * n)):
            q = _integrated_currents(gen, rho0, rho_inf)
            q_ind = _integrated_currents(model.generator("independent"), rho0, rho_inf)
            total = float(model.total_heat(rho0))  # eq 11
            np.testing.assert_allclose(sum(q.values()), total, rtol=1e-10)
            np.testing.assert_allclose(sum(q_ind.values()), total, rtol=1e-10)
            # eq 19 holds when the parts start with equal energies; in general
            # int (J12 + J2 - J1) dt = U1(0) - U2(0)
            gap = np.trace(rho0 @ (h1 - h2)).real
            np.testing.assert_allclose(q["cascade"], q["1"] - q["2"] + gap, atol=1e-10)
        assert abs(gap) > 1e-3  # the last state is not symmetric


# --- dynamics ----------------------------------------------------------------------------------


def test_s1_does_not_see_s2_and_independent_flux_is_twice_j1():
    model = CascadedQubits(1.0, 0.8, 0.5)
    gen, independent = model.generator(), model.generator("independent")
    rng = np.random.default_rng(6)
    ts = jnp.linspace(0.0, 3.0, 7)
    correlated = random_density_matrix(rng, 4)
    rho1 = np_(qoj.partial_trace(correlated, 0, (2, 2)))
    states = [correlated, np.kron(rho1, random_density_matrix(rng, 2)), np.kron(rho1, SM @ SM.T)]
    reduced = [
        np_(qoj.partial_trace(qoj.evolve(gen, r, ts, save_states=True).states, 0, (2, 2)))
        for r in states
    ]
    for other in reduced[1:]:
        np.testing.assert_allclose(other, reduced[0], atol=1e-12)
    # eq 18: for exchange-symmetric states J(ind) = 2 J1, J1 the same as in the cascade
    rho0 = symmetric_state(rng, 2)
    ind = qoj.evolve(independent, rho0, ts).heat_currents
    casc = qoj.evolve(gen, rho0, ts).heat_currents
    np.testing.assert_allclose(ind["2"], ind["1"], atol=1e-12)
    np.testing.assert_allclose(casc["1"], ind["1"], atol=1e-12)
    assert np.max(np.abs(casc["2"] - ind["2"])) > 1e-3  # the cascade does change S2


def paper_qubit_fluxes(t, gamma, xi_s, re_rho23):
    """Seed 001 section VI B (T = 0) as printed, re_rho23 = Re[rho_23(0)] of eq 41."""
    u = gamma * t
    e = np.exp(-u)
    j1 = gamma * (1 - xi_s) * e
    j2 = gamma * ((1 + u**2) * (1 - xi_s) + 2 * (1 - u - e) * (1 - xi_s) ** 2 - u * re_rho23) * e
    j12 = gamma * (2 * (1 - e) * (1 - xi_s) ** 2 - 2 * u * (1 - xi_s) + re_rho23) * e
    return {"1": j1, "2": j2, "cascade": j12}


def test_qubit_zero_temperature_closed_forms():
    omega, gamma = 1.3, 0.7
    model = CascadedQubits(omega, gamma, 0.0)
    gen = model.generator()
    ts = jnp.linspace(0.0, 5.0, 11)
    cases = [(-1.0, 0.0), (0.25, 0.0), (0.25, 0.15), (0.25, -0.2), (0.6, 0.05 + 0.08j)]
    for xi_s, coherence in cases:
        rho0 = model.locally_thermal_state(xi_s, coherence)
        currents = qoj.evolve(gen, rho0, ts).heat_currents
        closed = model.zero_temperature_heat_currents(ts, rho0)
        paper = paper_qubit_fluxes(np_(ts), gamma, xi_s, 4 * np.real(coherence))
        for name in ("1", "2", "cascade"):
            np.testing.assert_allclose(closed[name], currents[name], atol=1e-12)
            # the seed's fluxes are energy released, in units of omega/2
            np.testing.assert_allclose(-omega / 2 * paper[name], currents[name], atol=1e-12)
    np.testing.assert_allclose(
        np_(model.locally_thermal_state(-1.0)), np.diag([1.0, 0, 0, 0]), atol=0
    )
    # the closed forms hold for any initial state
    rho0 = random_density_matrix(np.random.default_rng(7), 4)
    currents = qoj.evolve(gen, rho0, ts).heat_currents
    closed = model.zero_temperature_heat_currents(ts, rho0)
    for name in ("1", "2", "cascade"):
        np.testing.assert_allclose(closed[name], currents[name], atol=1e-12)


def _beam_splitter_state(n, occupations):
    """Thermal states of occupations (N_a, N_b) mixed on a 50:50 beam splitter (a
    correlated, locally thermal Gaussian state with <a1^dag a2> = (N_a - N_b)/2)."""
    a = np.diag(np.sqrt(np.arange(1, n)), 1)
    a1, a2 = np.kron(a, np.eye(n)), np.kron(np.eye(n), a)
    local = [np.diag((nb / (1 + nb)) ** np.arange(n) / (1 + nb)) for nb in occupations]
    u = expm(np.pi / 4 * (dag(a1) @ a2 - dag(a2) @ a1))
    rho = u @ np.kron(*local) @ dag(u)
    return rho / np.trace(rho), a1, a2


@pytest.mark.parametrize("temperature", [0.0, 0.3])
def test_oscillator_closed_forms(temperature):
    """Eqs 26-27 and 32-33 (general moments), truncated at 6 levels per mode."""
    omega, gamma, n = 1.0, 0.8, 6
    model = CascadedOscillators(omega, gamma, temperature, n_max=n)
    gen = model.generator()
    ts = jnp.linspace(0.0, 4.0, 6)
    for occupations in ((0.12, 0.12), (0.2, 0.02), (0.02, 0.2)):
        rho0, a1, a2 = _beam_splitter_state(n, occupations)
        assert np_(model.truncation_error(rho0)).max() < 1e-4
        n1, n2 = (np.trace(rho0 @ dag(a) @ a).real for a in (a1, a2))
        coherence = np.trace(rho0 @ dag(a1) @ a2)
        np.testing.assert_allclose(n1, np.mean(occupations), rtol=1e-3)
        currents = qoj.evolve(gen, rho0, ts, rtol=1e-10, atol=1e-12).heat_currents
        closed = model.heat_currents_closed_form(ts, n1, n2, coherence)
        for name in ("1", "2", "cascade"):
            np.testing.assert_allclose(closed[name], currents[name], atol=2e-5)
        if occupations[0] == occupations[1]:  # thermal: eqs 26-27, J2 = (1 + g^2t^2) J1 ...
            j1 = closed["1"]
            np.testing.assert_allclose(closed["2"], (1 + (gamma * ts) ** 2) * j1, rtol=1e-12)
            np.testing.assert_allclose(closed["cascade"], -2 * gamma * ts * j1, atol=1e-15)


# --- section VII: correlated heat flux and trace-distance discord --------------------------


def _thermal_qubit(xi):
    return np.diag([(1 - xi) / 2, (1 + xi) / 2]).astype(complex)


def test_correlated_flux_is_trace_distance_discord():
    """|J12(t)| = 2 omega gamma xi D(rho(t)) from a product of local thermal states (eq 45,
    which prints 4 omega gamma xi: its qubit fluxes are twice Tr[H D12 rho], see the module
    docstring of qoj.models._cascaded)."""
    omega, gamma, temperature = 1.0, 1.0, 0.8
    model = CascadedQubits(omega, gamma, temperature)
    xi = float(model.xi())
    rho0 = np.kron(_thermal_qubit(np.tanh(omega / 0.6)), _thermal_qubit(np.tanh(omega / 4)))
    ts = jnp.linspace(0.0, 4.0, 9)
    sol = qoj.evolve(model.generator(), rho0, ts, save_states=True)
    for k, rho in enumerate(np_(sol.states)):
        # an X state with rho_14 = 0 and real rho_23 at all times
        outside = ~(np.eye(4, dtype=bool) | np.eye(4, dtype=bool)[::-1])
        assert np.abs(rho[outside]).max() < 1e-13
        assert abs(rho[0, 3]) < 1e-13 and abs(rho[1, 2].imag) < 1e-13
        discord = x_state_tdd(rho)
        np.testing.assert_allclose(
            abs(sol.heat_currents["cascade"][k]), 2 * omega * gamma * xi * discord, atol=1e-12
        )
        if k in (2, 6):  # the X-state formula against bounds from projective measurements
            m = measurement_distance(rho)
            assert m / 2 - 1e-7 <= discord <= m + 1e-7
    assert x_state_tdd(np_(sol.states)[4]) > 0.01


def test_discord_without_correlated_flux_eqs_46_47():
    omega, gamma, temperature = 1.0, 1.0, 0.8
    model = CascadedQubits(omega, gamma, temperature)
    xi = float(model.xi())
    xi2 = np.tanh(omega / (2 * 0.3))
    # |psi> with the thermal populations of S1: P_e = (1 - xi)/2. Eq 47 as printed puts
    # sqrt((1 + xi)/2) on |0>, which is |g> in the basis of eq 46's S2 matrix.
    psi = np.array([np.sqrt((1 - xi) / 2), np.sqrt((1 + xi) / 2)])
    ts = jnp.linspace(0.0, 3.0, 4)
    gen = model.generator()
    rho0 = np.kron(np.outer(psi, psi), np.diag([1 - xi2, 1 + xi2]) / 2)
    sol = qoj.evolve(gen, rho0, ts, save_states=True)
    np.testing.assert_allclose(sol.heat_currents["1"], 0, atol=1e-13)
    np.testing.assert_allclose(sol.heat_currents["cascade"], 0, atol=1e-13)
    assert measurement_distance(np_(sol.states)[0]) < 1e-6  # a product state: no discord
    for rho in np_(sol.states)[1:]:
        assert measurement_distance(rho) / 2 > 0.02  # D >= m/2 > 0
    # with |0> = |e> instead, S1 is not at the reservoir's temperature and J1 != 0
    flipped = np.kron(np.outer(psi[::-1], psi[::-1]), np.diag([1 - xi2, 1 + xi2]) / 2)
    assert abs(float(qoj.heat_currents(gen, flipped)["1"])) > 0.1


# --- differentiation, transformations, bad input ------------------------------------------


def test_gradient_of_j2_with_respect_to_temperature():
    rho0 = np.kron(_thermal_qubit(0.2), _thermal_qubit(-0.3))
    ts = jnp.array([0.0, 1.5])

    def currents(temperature):  # (J2, J12) at t = 1.5
        model = CascadedQubits(1.0, 0.7, temperature)
        out = qoj.evolve(model.generator(), rho0, ts).heat_currents
        return jnp.stack([out["2"][-1], out["cascade"][-1]])

    grad = jax.jacrev(currents)(0.8)
    fd = central_difference(currents, 0.8, 1e-5)
    np.testing.assert_allclose(grad, fd, rtol=1e-6)
    assert np.min(np.abs(grad)) > 1e-3
    temperatures = jnp.array([0.3, 2.0])
    np.testing.assert_allclose(
        jax.vmap(currents)(temperatures), [currents(t) for t in temperatures], rtol=1e-12
    )


def test_bad_input():
    bath = qoj.Bath(qoj.spectra.Flat(1.0), 0.5)
    h, a = 0.5 * qoj.sigmaz(), qoj.sigmam()
    with pytest.raises(ValueError, match="gamma"):
        CascadedQubits(1.0, -0.1, 0.5)
    with pytest.raises(ValueError, match="temperature"):
        CascadedQubits(1.0, 0.1, -0.5)
    with pytest.raises(ValueError, match="temperature"):
        CascadedOscillators(1.0, 0.1, -0.5)
    with pytest.raises(ValueError, match="omega"):
        CascadedOscillators(0.0, 0.1, 0.5)
    with pytest.raises(ValueError, match="n_max"):
        CascadedOscillators(1.0, 0.1, 0.5, n_max=1)
    with pytest.raises(ValueError, match="approach"):
        CascadedQubits(1.0, 0.1, 0.5).generator("global")
    with pytest.raises(ValueError, match="temperature = 0"):
        CascadedQubits(1.0, 0.1, 0.5).zero_temperature_heat_currents(1.0, np.eye(4) / 4)
    with pytest.raises(ValueError, match="coherence"):
        CascadedQubits(1.0, 0.1, 0.5).locally_thermal_state(0.5, 0.2)
    with pytest.raises(ValueError, match="h1"):
        cascaded(np.array([[0, 1], [0, 0]]), h, a, a, bath)
    with pytest.raises(ValueError, match="a2"):
        cascaded(h, h, a, qoj.destroy(3), bath)
    with pytest.raises(TypeError, match="bath"):
        cascaded(h, h, a, a, 0.5)
    with pytest.raises(ValueError, match="ladder"):
        cascaded(h, h, qoj.sigmax(), a, bath)
    with pytest.raises(ValueError, match="resonant"):
        cascaded(h, 2 * h, a, a, bath)
    with pytest.raises(ValueError, match="rate"):
        CascadeTerm(a, a, -1.0)
    with pytest.raises(ValueError, match="shape"):
        CascadeTerm(a, qoj.destroy(3), 1.0)
    # an explicit frequency accepts any coupling operators (Gardiner's general cascade)
    gen = cascaded(h, h, qoj.sigmax(), a, bath, frequency=1.0)
    assert bool(qoj.nonmarkov.is_lindblad(gen))
