"""mesolve: the QuTiP/dynamiqs-style entry point."""

import diffrax
import jax.numpy as jnp
import numpy as np

import qoj


def test_rabi_oscillation_with_time_dependent_hamiltonian():
    """H(t) = Omega f(t) sigma_x with f = 1: from |e>, p_e(t) = cos^2(Omega t)."""
    omega = 0.7
    ts = jnp.linspace(0.0, 5.0, 11)
    sol = qoj.mesolve(
        [jnp.zeros((2, 2)), (omega * qoj.sigmax(), lambda t: 1.0 + 0.0 * t)],
        [],
        qoj.basis(2, 0),
        ts,
        exp_ops=[qoj.ket2dm(qoj.basis(2, 0))],
        solver=diffrax.Dopri8(),
        rtol=1e-10,
        atol=1e-12,
    )
    np.testing.assert_allclose(sol.expect[0], np.cos(omega * np.asarray(ts)) ** 2, atol=1e-8)
    assert sol.states.shape == (11, 2, 2)


def test_collapse_operators_carry_their_rates():
    """A collapse operator sqrt(gamma) sigma_- gives p_e = exp(-gamma t) and heat current
    J = -omega gamma p_e through part "0"."""
    gamma, w0 = 0.3, 2.0
    ts = jnp.linspace(0.0, 4.0, 5)
    sol = qoj.mesolve(
        0.5 * w0 * qoj.sigmaz(),
        [np.sqrt(gamma) * qoj.sigmam()],
        qoj.basis(2, 0),
        ts,
        exp_ops=[qoj.sigmaz()],
    )
    p_e = np.exp(-gamma * np.asarray(ts))
    np.testing.assert_allclose(sol.expect[0], 2 * p_e - 1, atol=1e-12)
    np.testing.assert_allclose(sol.heat_currents["0"], -w0 * gamma * p_e, atol=1e-12)
