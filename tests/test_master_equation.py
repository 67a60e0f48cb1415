"""Master equations from microscopic models: laws every approach must satisfy."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import qoj

from _helpers import random_density_matrix, random_hermitian


def ohmic(temperature, kappa=0.02, cutoff=20.0):
    return qoj.Bath(qoj.spectra.Ohmic(kappa, s=1.0, cutoff=cutoff), temperature)


def random_system(rng, n=3, temperatures=(0.7, 0.7)):
    h = np.diag(np.sort(rng.uniform(-1.5, 1.5, size=n))) + 0.2 * random_hermitian(rng, n)
    couplings = [
        qoj.Coupling(f"b{k}", random_hermitian(rng, n), ohmic(t))
        for k, t in enumerate(temperatures)
    ]
    return qoj.OpenSystem(h, couplings)


def coupled_qubits(lam, t_a, t_b, w1=1.0, w2=0.8):
    sz, i2 = qoj.sigmaz(), qoj.identity(2)
    h = (
        0.5 * w1 * qoj.kron(sz, i2)
        + 0.5 * w2 * qoj.kron(i2, sz)
        + lam * (qoj.kron(qoj.sigmap(), qoj.sigmam()) + qoj.kron(qoj.sigmam(), qoj.sigmap()))
    )
    return qoj.OpenSystem(
        h,
        [
            qoj.Coupling(
                "A",
                qoj.kron(qoj.sigmax(), i2),
                ohmic(t_a),
                local_hamiltonian=0.5 * w1 * qoj.kron(sz, i2),
            ),
            qoj.Coupling(
                "B",
                qoj.kron(i2, qoj.sigmax()),
                ohmic(t_b),
                local_hamiltonian=0.5 * w2 * qoj.kron(i2, sz),
            ),
        ],
    )


APPROACHES = [
    ("global", {}),
    ("local", {}),
    ("partial_secular", {"resolution": 0.3}),
    ("redfield", {}),
]


@pytest.mark.parametrize("approach,options", APPROACHES)
def test_trace_and_hermiticity_preserved(approach, options):
    rng = np.random.default_rng(0)
    system = random_system(rng)
    gen = qoj.master_equation(system, approach, **options)
    rho = random_density_matrix(rng, 3)
    drho = np.asarray(gen(0.0, rho))
    assert abs(np.trace(drho)) < 1e-13
    np.testing.assert_allclose(drho, drho.conj().T, atol=1e-13)


def test_global_equation_thermalises_to_gibbs_state():
    """Davies generator with baths at one temperature: the Gibbs state of H_S, no currents."""
    rng = np.random.default_rng(1)
    system = random_system(rng, temperatures=(0.7, 0.7))
    gen = qoj.master_equation(system, "global")
    rho = qoj.steady_state(gen)
    np.testing.assert_allclose(rho, qoj.gibbs(system.hamiltonian, 0.7), atol=1e-10)
    for current in qoj.heat_currents(gen, rho).values():
        assert abs(float(current)) < 1e-14
    assert bool(qoj.nonmarkov.is_lindblad(gen))


def test_global_equation_obeys_second_law():
    rng = np.random.default_rng(2)
    system = random_system(rng, temperatures=(0.3, 2.0))
    gen = qoj.master_equation(system, "global")
    rho = qoj.steady_state(gen)
    currents = qoj.heat_currents(gen, rho)
    assert float(currents["b1"]) > 0 > float(currents["b0"])
    assert float(qoj.entropy_production(gen, rho)) > 0


def flat_coupled_qubits(lam, t_a, t_b, w1=1.0, w2=0.9):
    system = coupled_qubits(lam, t_a, t_b, w1, w2)
    couplings = [
        qoj.Coupling(c.name, c.operator, qoj.Bath(qoj.spectra.Flat(0.02), c.bath.temperature))
        for c in system.couplings
    ]
    return qoj.OpenSystem(system.hamiltonian, couplings)


def test_partial_secular_is_lindblad_and_tends_to_global():
    """Partial secular rates at the mean frequency keep the Kossakowski matrix positive for
    flat spectra (seed 004 eqs 57–61); a resolution below the smallest frequency gap gives the
    global generator exactly."""
    system = flat_coupled_qubits(0.01, 1.5, 0.4)
    parsec = qoj.master_equation(system, "partial_secular", resolution=0.3)
    rates, _ = qoj.nonmarkov.canonical_rates(parsec)
    assert float(rates[0]) > -1e-14 * float(rates[-1])
    assert bool(qoj.nonmarkov.is_lindblad(parsec))
    fine = qoj.master_equation(system, "partial_secular", resolution=1e-3)
    np.testing.assert_allclose(
        fine.superoperator(), qoj.master_equation(system, "global").superoperator(), atol=1e-14
    )
    # with the doublet resolved the two generators differ at the order of the rates
    difference = np.abs(parsec.superoperator() - fine.superoperator()).max()
    assert difference > 1e-4


def test_partial_secular_with_ohmic_bath_is_nearly_lindblad():
    """Structured spectra: the mean-frequency rule breaks positivity only at second order."""
    parsec = qoj.master_equation(coupled_qubits(0.01, 1.5, 0.4), "partial_secular", resolution=0.3)
    rates, _ = qoj.nonmarkov.canonical_rates(parsec)
    assert -1e-4 * float(rates[-1]) < float(rates[0]) < 0


def test_local_equals_global_without_interaction():
    system = coupled_qubits(0.0, 1.5, 0.4)
    np.testing.assert_allclose(
        qoj.master_equation(system, "local").superoperator(),
        qoj.master_equation(system, "global").superoperator(),
        atol=1e-14,
    )


def test_redfield_matches_its_textbook_form():
    """d rho/dt = sum_pq Gamma(w_q) [A_q rho A_p^dag - A_p^dag A_q rho] + h.c., Gamma = gamma/2
    (Breuer–Petruccione eq 3.128 without the principal value), summed independently here."""
    rng = np.random.default_rng(3)
    system = random_system(rng, temperatures=(0.5,))
    gen = qoj.master_equation(system, "redfield")
    h, x = np.asarray(system.hamiltonian), np.asarray(system.couplings[0].operator)
    bath = system.couplings[0].bath
    energies, vectors = np.linalg.eigh(h)
    xe = vectors.conj().T @ x @ vectors
    rho = random_density_matrix(rng, 3)
    rho_e = vectors.conj().T @ rho @ vectors
    n = len(energies)
    ops, gammas = [], []
    for a in range(n):
        for b in range(n):
            op = np.zeros((n, n), complex)
            op[a, b] = xe[a, b]
            ops.append(op)
            gammas.append(float(bath.emission_rate(energies[b] - energies[a])))
    term = np.zeros((n, n), complex)
    for op_q, g_q in zip(ops, gammas, strict=True):
        for op_p in ops:
            term += 0.5 * g_q * (op_q @ rho_e @ op_p.conj().T - op_p.conj().T @ op_q @ rho_e)
    expected = -1j * (np.diag(energies) @ rho_e - rho_e @ np.diag(energies)) + term + term.conj().T
    got = vectors.conj().T @ np.asarray(gen(0.0, rho)) @ vectors
    np.testing.assert_allclose(got, expected, atol=1e-13)


def test_redfield_is_not_always_of_lindblad_form():
    system = coupled_qubits(0.05, 2.0, 0.2)
    assert not bool(qoj.nonmarkov.is_lindblad(qoj.master_equation(system, "redfield")))


def test_local_equation_can_violate_the_second_law_but_global_cannot():
    """Seed 002 section IV C 2: with interacting subsystems the local equation predicts heat
    flowing against the temperature difference in a detuned regime; the global one never."""
    ratios = []
    for lam in (0.05, 0.2, 0.4):
        for t_a in (0.3, 1.0, 3.0):
            system = coupled_qubits(lam, t_a, 0.5, w1=1.0, w2=2.0)
            for approach in ("global", "local"):
                gen = qoj.master_equation(system, approach)
                j_a = float(qoj.heat_currents(gen, qoj.steady_state(gen))["A"])
                if approach == "global":
                    assert np.sign(j_a) == np.sign(t_a - 0.5)
                else:
                    ratios.append(np.sign(j_a) == np.sign(t_a - 0.5))
    assert not all(ratios)


def test_steady_current_gradients_for_every_approach():
    for approach, options in APPROACHES:

        def current(lam, approach=approach, options=options):
            gen = qoj.master_equation(coupled_qubits(lam, 1.5, 0.4), approach, **options)
            return qoj.heat_currents(gen, qoj.steady_state(gen))["A"]

        lam = 0.1
        grad = jax.grad(current)(lam)
        step = 1e-6
        fd = (current(lam + step) - current(lam - step)) / (2 * step)
        assert abs(grad - fd) <= 1e-6 * abs(fd) + 1e-13, approach


def test_vmapped_generator_scan_compiles_once():
    lams = jnp.linspace(0.01, 0.3, 8)

    def current(lam):
        gen = qoj.master_equation(coupled_qubits(lam, 1.5, 0.4), "global")
        return qoj.heat_currents(gen, qoj.steady_state(gen))["A"]

    batched = jax.jit(jax.vmap(current))(lams)
    np.testing.assert_allclose(batched, [float(current(x)) for x in lams], rtol=1e-10, atol=1e-16)


def test_bad_input():
    system = coupled_qubits(0.1, 1.0, 0.5)
    with pytest.raises(ValueError, match="unknown approach 'davies'"):
        qoj.master_equation(system, "davies")
    with pytest.raises(ValueError, match="resolution must be positive"):
        qoj.master_equation(system, "partial_secular", resolution=0.0)
    with pytest.raises(TypeError, match="bad options"):
        qoj.master_equation(system, "global", resolution=0.1)
    with pytest.raises(TypeError, match="OpenSystem"):
        qoj.master_equation("system")


def test_local_gradient_is_finite_for_degenerate_local_hamiltonians():
    """omega_i/2 sigma_iz (x) 1 is degenerate for every omega_i, and so is H_S at omega1 =
    omega2 with lam = 0: derivatives through the Bohr decomposition must stay finite and
    exact (qoj._linalg.eigh)."""

    def current(w1, approach):
        gen = qoj.master_equation(coupled_qubits(0.05, 1.5, 0.4, w1=w1, w2=1.0), approach)
        return qoj.heat_currents(gen, qoj.steady_state(gen))["A"]

    for approach in ("local", "global"):
        grad = jax.grad(current)(1.0, approach)
        step = 1e-6
        fd = (current(1.0 + step, approach) - current(1.0 - step, approach)) / (2 * step)
        assert np.isfinite(grad)
        assert abs(grad - fd) <= 1e-6 * abs(fd) + 1e-12, approach
