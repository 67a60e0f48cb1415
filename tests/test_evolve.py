"""Time evolution against closed forms, exact exponentials, and under jit/vmap/grad."""

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.linalg import expm

import qoj

from _helpers import random_density_matrix, random_lindblad

W0, GAMMA, N_TH = 1.3, 0.2, 0.4
SOLVERS = [qoj.Propagator(), diffrax.Tsit5(), diffrax.Kvaerno5()]


def thermal_qubit(gamma=GAMMA, n=N_TH, w0=W0):
    return qoj.lindblad(
        0.5 * w0 * qoj.sigmaz(),
        {"bath": [(gamma * (1 + n), qoj.sigmam()), (gamma * n, qoj.sigmap())]},
    )


@pytest.mark.parametrize("solver", SOLVERS, ids=lambda s: type(s).__name__)
def test_qubit_relaxation_closed_form(solver):
    """Optical Bloch equations of a thermal qubit: populations relax at Gamma = gamma(1+2n)
    to p_e = n/(1+2n); the coherence rho_eg rotates at omega0 and decays at Gamma/2."""
    psi = (qoj.basis(2, 0) + 0.5 * qoj.basis(2, 1)) / np.sqrt(1.25)
    rho0 = qoj.ket2dm(psi)
    ts = jnp.linspace(0.0, 12.0, 25)
    sol = qoj.evolve(
        thermal_qubit(), rho0, ts, save_states=True, solver=solver, rtol=1e-10, atol=1e-12
    )
    rate = GAMMA * (1 + 2 * N_TH)
    p_eq = N_TH / (1 + 2 * N_TH)
    t = np.asarray(ts)
    p_e = p_eq + (0.8 - p_eq) * np.exp(-rate * t)
    coherence = 0.4 * np.exp(-1j * W0 * t - rate * t / 2)
    np.testing.assert_allclose(sol.states[:, 0, 0].real, p_e, atol=1e-7)
    np.testing.assert_allclose(sol.states[:, 0, 1], coherence, atol=1e-7)


@pytest.mark.parametrize("solver", SOLVERS[:2], ids=lambda s: type(s).__name__)
def test_matches_matrix_exponential(solver):
    rng = np.random.default_rng(7)
    gen = random_lindblad(rng, 3)
    rho0 = random_density_matrix(rng, 3)
    ts = np.array([0.0, 0.3, 1.1, 2.5])  # non-uniform grid
    sol = qoj.evolve(gen, rho0, ts, save_states=True, solver=solver)
    superop = np.asarray(gen.superoperator())
    for t, rho in zip(ts, np.asarray(sol.states), strict=True):
        np.testing.assert_allclose(rho.reshape(-1), expm(superop * t) @ rho0.reshape(-1), atol=1e-7)


def test_initial_time_and_observables_list():
    gen = thermal_qubit()
    rho0 = qoj.ket2dm(qoj.basis(2, 0))
    sol = qoj.evolve(gen, rho0, [1.0, 2.0], t0=0.0, observables=[qoj.sigmaz()])
    rate = GAMMA * (1 + 2 * N_TH)
    z_eq = -1 / (1 + 2 * N_TH)
    expected = z_eq + (1 - z_eq) * np.exp(-rate * np.array([1.0, 2.0]))
    np.testing.assert_allclose(sol.expect[0], expected, atol=1e-12)
    assert sol.expect[0].dtype == jnp.float64


class ModulatedRate(eqx.Module):
    amplitude: jax.Array

    def __call__(self, t):
        return self.amplitude * (1.0 + jnp.sin(t))


@pytest.mark.parametrize(
    "solver", [diffrax.Tsit5(), diffrax.Kvaerno5()], ids=lambda s: type(s).__name__
)
def test_time_dependent_decay(solver):
    """Zero-temperature decay with gamma(t) = a(1 + sin t): p_e(t) = exp(-a(t + 1 - cos t))."""
    a = 0.3
    gen = qoj.lindblad(qoj.sigmaz(), {"bath": [(ModulatedRate(jnp.asarray(a)), qoj.sigmam())]})
    ts = jnp.linspace(0.0, 6.0, 13)
    sol = qoj.evolve(
        gen,
        qoj.ket2dm(qoj.basis(2, 0)),
        ts,
        observables={"pe": qoj.ket2dm(qoj.basis(2, 0))},
        solver=solver,
        rtol=1e-10,
        atol=1e-12,
    )
    t = np.asarray(ts)
    np.testing.assert_allclose(sol.expect["pe"], np.exp(-a * (t + 1 - np.cos(t))), atol=2e-7)
    # Heat current through a time-dependent rate: J = -omega gamma(t) p_e(t) with omega = 2
    np.testing.assert_allclose(
        sol.heat_currents["bath"],
        -2 * a * (1 + np.sin(t)) * np.exp(-a * (t + 1 - np.cos(t))),
        atol=1e-6,
    )
    if isinstance(solver, diffrax.Tsit5):
        stats = sol.stats
        assert stats["rhs_evaluations"] == stats["num_steps"] * 6 + 1


def test_stiff_time_dependent_problem_finishes_quickly():
    """Rates 1e5 apart (fast decay of a third level plus slow thermal dynamics of a qubit):
    an implicit solver takes few steps; the slow population follows its closed form."""
    fast, slow = 1e4, 0.1
    n = 3  # levels |e>, |g>, |aux>
    e, g, aux = (np.eye(n)[:, [k]] for k in range(n))
    gen = qoj.lindblad(
        np.diag([0.5, -0.5, 3.0]),
        {
            "fast": [(lambda t: fast * (1.0 + 0.0 * t), g @ aux.T)],
            "slow": [(lambda t: slow * (1.0 + 0.0 * t), g @ e.T)],
        },
    )
    rho0 = np.diag([0.5, 0.0, 0.5]).astype(complex)
    ts = jnp.linspace(0.0, 20.0, 5)
    sol = qoj.evolve(
        gen, rho0, ts, solver=diffrax.Kvaerno5(), observables={"pe": np.diag([1.0, 0, 0])}
    )
    np.testing.assert_allclose(sol.expect["pe"], 0.5 * np.exp(-slow * np.asarray(ts)), rtol=1e-6)
    assert int(sol.stats["num_steps"]) < 500


def test_vmap_over_parameters_equals_loop_and_compiles_once():
    ts = jnp.linspace(0.0, 5.0, 11)
    rho0 = qoj.ket2dm(qoj.basis(2, 0))

    def current(gamma, n):
        sol = qoj.evolve(thermal_qubit(gamma, n), rho0, ts)
        return sol.heat_currents["bath"]

    single = jax.jit(eqx.debug.assert_max_traces(current, max_traces=1))
    gammas = jnp.array([0.1, 0.2, 0.3])
    ns = jnp.array([0.0, 0.5, 2.0])
    batched = jax.jit(jax.vmap(current))(gammas, ns)
    # every new parameter value reuses the one compilation (assert_max_traces would raise)
    looped = np.stack([single(g, n) for g, n in zip(gammas, ns, strict=True)])
    np.testing.assert_allclose(batched, looped, atol=1e-13)


def test_vmap_over_initial_states():
    gen = thermal_qubit()
    ts = jnp.linspace(0.0, 3.0, 4)
    rhos = jnp.stack([qoj.ket2dm(qoj.basis(2, k)) for k in range(2)])
    batched = jax.vmap(
        lambda r: qoj.evolve(gen, r, ts, observables={"z": qoj.sigmaz()}).expect["z"]
    )(rhos)
    for k in range(2):
        single = qoj.evolve(gen, rhos[k], ts, observables={"z": qoj.sigmaz()}).expect["z"]
        np.testing.assert_allclose(batched[k], single, atol=1e-13)


@pytest.mark.parametrize("solver", SOLVERS[:2], ids=lambda s: type(s).__name__)
def test_grad_of_time_integrated_heat_matches_finite_differences(solver):
    """Q = int_0^10 J(t) dt (trapezoid on a fine save grid) as a function of the
    occupation n: jax.grad against a central difference."""
    ts = jnp.linspace(0.0, 10.0, 401)
    rho0 = qoj.ket2dm(qoj.basis(2, 0))

    def heat(n):
        sol = qoj.evolve(thermal_qubit(n=n), rho0, ts, solver=solver, rtol=1e-10, atol=1e-12)
        return jnp.trapezoid(sol.heat_currents["bath"], ts)

    n0 = 0.4
    grad = jax.grad(heat)(n0)
    step = 1e-5
    fd = (heat(n0 + step) - heat(n0 - step)) / (2 * step)
    assert abs(grad - fd) / abs(fd) < 1e-6
    assert abs(grad) > 1e-3


def test_bad_initial_state_and_times():
    gen = thermal_qubit()
    with pytest.raises(ValueError, match="rho0 must have unit trace"):
        qoj.evolve(gen, 2 * np.eye(2) / 2 * 2, [0.0, 1.0])
    with pytest.raises(ValueError, match="rho0 must be positive semidefinite"):
        qoj.evolve(gen, np.diag([1.5, -0.5]), [0.0, 1.0])
    with pytest.raises(ValueError, match="rho0 must be Hermitian"):
        qoj.evolve(gen, np.array([[0.5, 0.5], [0.0, 0.5]]), [0.0, 1.0])
    with pytest.raises(ValueError, match="ts must be non-decreasing"):
        qoj.evolve(gen, np.eye(2) / 2, [1.0, 0.0])
    with pytest.raises(ValueError, match="ts must be a non-empty"):
        qoj.evolve(gen, np.eye(2) / 2, [])
    with pytest.raises(ValueError, match="dimension"):
        qoj.evolve(gen, np.eye(3) / 3, [0.0])
    with pytest.raises(Exception, match="rho0 must be positive semidefinite"):
        jax.block_until_ready(
            jax.jit(lambda r: qoj.evolve(gen, r, jnp.array([0.0, 1.0])).heat_currents["bath"])(
                jnp.diag(jnp.array([1.5, -0.5])).astype(complex)
            )
        )
    with pytest.raises(ValueError, match="time-independent"):
        timed = qoj.lindblad(qoj.sigmaz(), {"A": [(lambda t: t, qoj.sigmam())]})
        qoj.evolve(timed, np.eye(2) / 2, [0.0, 1.0], solver=qoj.Propagator())


def test_large_dimension_uses_operator_form():
    """d > 32: the Liouvillian is applied operator by operator; compare with the dense path."""
    n = 33
    a = qoj.destroy(n)
    gen = qoj.lindblad(qoj.number(n), {"bath": [(0.2, a)]})
    rho0 = qoj.ket2dm(qoj.basis(n, 3))
    ts = jnp.linspace(0.0, 2.0, 3)
    sol = qoj.evolve(gen, rho0, ts, observables={"n": qoj.number(n)}, solver=diffrax.Tsit5())
    np.testing.assert_allclose(sol.expect["n"], 3 * np.exp(-0.2 * np.asarray(ts)), atol=1e-7)
    np.testing.assert_allclose(
        sol.heat_currents["bath"], -0.2 * 3 * np.exp(-0.2 * np.asarray(ts)), atol=1e-7
    )


def test_progress_bar_runs():
    sol = qoj.evolve(
        thermal_qubit(), np.eye(2) / 2, jnp.linspace(0, 1, 3), solver=diffrax.Tsit5(), progress=True
    )
    assert sol.heat_currents["bath"].shape == (3,)
