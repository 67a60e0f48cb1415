"""Generator algebra and the invariants every Lindblad generator must satisfy."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import qoj

from _helpers import (
    random_density_matrix,
    random_hermitian,
    random_lindblad,
    thermal_ladder_generator,
)


def test_superoperator_matches_action_and_adjoint():
    rng = np.random.default_rng(0)
    gen = random_lindblad(rng, 3)
    rho = random_density_matrix(rng, 3)
    obs = random_hermitian(rng, 3)
    direct = gen(0.0, rho)
    via_matrix = (gen.superoperator() @ rho.reshape(-1)).reshape(3, 3)
    np.testing.assert_allclose(via_matrix, direct, atol=1e-12)
    # Hilbert–Schmidt adjoint: Tr[O L(rho)] = Tr[L^dag(O) rho]
    np.testing.assert_allclose(
        jnp.trace(obs @ direct), jnp.trace(gen.adjoint(0.0, obs) @ rho), atol=1e-12
    )
    parts_sum = gen.coherent(0.0, rho) + sum(p(0.0, rho) for p in gen.parts.values())
    np.testing.assert_allclose(parts_sum, direct, atol=1e-12)


def test_kossakowski_term_equals_diagonalised_jumps():
    """sum_mn gamma_mn [X_m rho X_n^dag - ...] = sum_k lambda_k D[L_k] with
    gamma = U diag(lambda) U^dag and L_k = sum_m U_mk X_m (seed 004, eq 44 and 61)."""
    rng = np.random.default_rng(1)
    n, k = 3, 3
    ops = rng.normal(size=(k, n, n)) + 1j * rng.normal(size=(k, n, n))
    a = rng.normal(size=(k, k)) + 1j * rng.normal(size=(k, k))
    gamma = a @ a.conj().T
    term = qoj.KossakowskiTerm(ops, gamma)
    lam, u = np.linalg.eigh(gamma)
    jumps = [qoj.JumpTerm(np.einsum("m,mij->ij", u[:, j], ops), lam[j]) for j in range(k)]
    rho = random_density_matrix(rng, n)
    obs = random_hermitian(rng, n)
    expected = sum(j.coefficient(0.0) * j.apply(rho) for j in jumps)
    np.testing.assert_allclose(term.apply(rho), expected, atol=1e-10)
    expected_adj = sum(j.coefficient(0.0) * j.apply_adjoint(obs) for j in jumps)
    np.testing.assert_allclose(term.apply_adjoint(obs), expected_adj, atol=1e-10)
    np.testing.assert_allclose(term.matrix() @ rho.reshape(-1), expected.reshape(-1), atol=1e-10)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 4))
def test_random_lindblad_invariants(seed, n):
    """Trace and Hermiticity are preserved; the evolved state stays positive."""
    rng = np.random.default_rng(seed)
    gen = random_lindblad(rng, n)
    rho = random_density_matrix(rng, n, rank=1)
    drho = np.asarray(gen(0.0, rho))
    assert abs(np.trace(drho)) < 1e-10
    np.testing.assert_allclose(drho, drho.conj().T, atol=1e-10)
    sol = qoj.evolve(gen, rho, jnp.linspace(0.0, 3.0, 7), save_states=True)
    states = np.asarray(sol.states)
    np.testing.assert_allclose(np.trace(states, axis1=1, axis2=2), 1.0, atol=1e-10)
    np.testing.assert_allclose(states, np.conj(np.swapaxes(states, 1, 2)), atol=1e-10)
    assert np.linalg.eigvalsh(states).min() > -1e-9


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_first_law_sum_of_currents_is_energy_change(seed):
    """d<H>/dt = sum_b J_b along a trajectory (the coherent part does no work)."""
    rng = np.random.default_rng(seed)
    gen = random_lindblad(rng, 3, scale=0.3)
    rho0 = random_density_matrix(rng, 3)
    ts = jnp.linspace(0.0, 2.0, 2001)
    sol = qoj.evolve(gen, rho0, ts, observables={"H": gen.hamiltonian})
    energy = np.asarray(sol.expect["H"])
    rate = np.gradient(energy, np.asarray(ts), edge_order=2)
    total = sum(np.asarray(j) for j in sol.heat_currents.values())
    np.testing.assert_allclose(rate[5:-5], total[5:-5], atol=1e-5)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 4))
def test_entropy_production_is_nonnegative_for_thermal_parts(seed, n):
    rng = np.random.default_rng(seed)
    gen, _ = thermal_ladder_generator(rng, n, temperatures=(0.4, 2.5))
    rho = random_density_matrix(rng, n)
    assert float(qoj.entropy_production(gen, rho)) >= -1e-10


def test_detailed_balance_at_equal_temperatures():
    """All baths at one temperature: the steady state is the Gibbs state and no heat flows."""
    rng = np.random.default_rng(3)
    gen, h = thermal_ladder_generator(rng, 4, temperatures=(0.7, 0.7))
    rho = qoj.steady_state(gen)
    np.testing.assert_allclose(rho, qoj.gibbs(h, 0.7), atol=1e-10)
    for current in qoj.heat_currents(gen, rho).values():
        assert abs(float(current)) < 1e-12


def test_generator_restricted_and_errors():
    rng = np.random.default_rng(4)
    gen = random_lindblad(rng, 2)
    assert list(gen.restricted(["bath1"]).parts) == ["bath1"]
    with pytest.raises(ValueError, match="no parts named"):
        gen.restricted(["nope"])


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="hamiltonian must be Hermitian"):
        qoj.lindblad(np.array([[0, 1], [0, 0]]), {})
    with pytest.raises(ValueError, match="rate must be non-negative"):
        qoj.lindblad(qoj.sigmaz(), {"A": [(-0.1, qoj.sigmam())]})
    with pytest.raises(ValueError, match="rate must be finite"):
        qoj.lindblad(qoj.sigmaz(), {"A": [(np.nan, qoj.sigmam())]})
    with pytest.raises(ValueError, match="dimension"):
        qoj.lindblad(qoj.sigmaz(), {"A": [(0.1, qoj.destroy(3))]})
    with pytest.raises(ValueError, match="square matrix"):
        qoj.lindblad(np.ones((2, 3)), {})


def test_negative_rate_under_jit_raises_at_run_time():
    build = jax.jit(
        lambda r: qoj.lindblad(qoj.sigmaz(), {"A": [(r, qoj.sigmam())]}).superoperator()
    )
    assert np.all(np.isfinite(build(0.1)))
    with pytest.raises(Exception, match="rate must be non-negative"):
        jax.block_until_ready(build(-0.1))


def test_time_dependent_rate_enters_superoperator():
    gen = qoj.lindblad(qoj.sigmaz(), {"A": [(lambda t: 0.5 * t, qoj.sigmam())]})
    assert gen.is_time_dependent
    const = qoj.lindblad(qoj.sigmaz(), {"A": [(1.0, qoj.sigmam())]})
    np.testing.assert_allclose(gen.superoperator(2.0), const.superoperator(), atol=1e-14)
