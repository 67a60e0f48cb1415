"""qoj.models.FermionicDimer (seed 003): the model's master equations against the toolkit and
the laws they must obey; an optax design loop through the Landauer current."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import qoj

# h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R: one chemical potential above both levels,
# one below (E_1,2 = 1 +- 0.27)
PARAMETERS = (1.0, 0.2, 0.5, 0.01, 10.0, 0.1, 0.1, 1.5, 0.3)


def number_operator():
    c = qoj.fermion_ops(2)
    return sum(op.conj().T @ op for op in c)


def steady_currents(model, approach):
    gen = model.generator(approach)
    rho = qoj.steady_state(gen)
    return (
        {k: float(v) for k, v in qoj.particle_currents(gen, rho, number_operator()).items()},
        {k: float(v) for k, v in qoj.heat_currents(gen, rho).items()},
        rho,
    )


def test_generators_and_their_currents():
    """Eq 68: L_int leaves the populations alone, so the asymptotic and the global (additive)
    generators give the same boundary currents; both conserve particles and energy; they
    agree with Landauer (eqs 43-44) to O(Gamma/Delta) (eqs 61-62), and so does the current
    g Im <c_L^dag c_R> between the sites (eq D1); the asymptotic steady state carries the
    coherence of that current and the global one none; the local-basis splitting of the same
    generator conserves particles too."""
    model = qoj.models.FermionicDimer(*PARAMETERS)
    particles, energy, rho = steady_currents(model, "asymptotic")
    global_particles, global_energy, rho_global = steady_currents(model, "global")
    for name in ("L", "R"):
        assert abs(particles[name] - global_particles[name]) < 1e-14
        assert abs(energy[name] - global_energy[name]) < 1e-14
    assert abs(particles["L"] + particles["R"]) < 1e-15
    assert abs(energy["L"] + energy["R"]) < 1e-15
    assert abs(particles["interference"]) < 1e-15 and abs(energy["interference"]) < 1e-15

    landauer_particles, landauer_energy = (float(x) for x in model.landauer_currents())
    (E1, E2), rotation = model.eigenmodes()
    ratio = PARAMETERS[3] / float(E1 - E2)
    assert abs(particles["L"] / landauer_particles - 1) < ratio
    assert abs(energy["L"] / landauer_energy - 1) < ratio

    c, _ = qoj.fermionic.correlations(rho, rotation)
    c_global, _ = qoj.fermionic.correlations(rho_global, rotation)
    site_current = PARAMETERS[2] * float(jnp.imag(qoj.fermionic.correlations(rho)[0][0, 1]))
    # the current between the sites differs from <L_L^dag N> at O(Gamma/Delta): L_L acts on
    # both sites (its modes d_j are delocalised)
    assert abs(site_current / particles["L"] - 1) < ratio
    assert abs(c[0, 1]) > 1e-3 and abs(c_global[0, 1]) < 1e-15
    np.testing.assert_allclose(c, qoj.fermionic.asymptotic_correlation(*PARAMETERS), atol=1e-13)

    local_particles, _, _ = steady_currents(model, "asymptotic-local")
    total = sum(local_particles.values())
    assert abs(total) < 1e-15


def test_equilibrium():
    """Equal temperatures and chemical potentials: no currents, nu_inf = 0, and the
    steady state is the Gaussian state with C = diag(int phi_j f) (eq 38)."""
    h, delta, g, Gamma, Omega, T, _, mu, _ = PARAMETERS
    model = qoj.models.FermionicDimer(h, delta, g, Gamma, Omega, T, T, mu, mu)
    particles, energy, rho = steady_currents(model, "asymptotic")
    assert max(abs(v) for v in [*particles.values(), *energy.values()]) < 1e-15
    assert float(model.nonmarkovianity()) == 0.0
    assert max(abs(float(x)) for x in model.landauer_currents()) < 1e-16
    _, rotation = model.eigenmodes()
    c, _ = qoj.fermionic.correlations(rho, rotation)
    exact = model.steady_correlation()
    assert abs(exact[0, 1]) < 1e-15
    np.testing.assert_allclose(jnp.diag(c).real, jnp.diag(exact).real, atol=1e-12)


def test_nonmarkovianity_and_gradients():
    """nu_inf > 0 with one chemical potential between the levels and the other outside at
    low temperature (Fig 5); d J^P / d mu_L vs a central difference; vmap over mu_L."""
    h, delta, g, Gamma, Omega, T, _, _, _ = PARAMETERS

    def model(mu_L):
        return qoj.models.FermionicDimer(h, delta, g, Gamma, Omega, T, T, mu_L, 2.0)

    assert float(model(1.0).nonmarkovianity()) > 0.02 * Gamma

    def current(mu_L):
        return model(mu_L).landauer_currents()[0]

    step = 1e-4
    derivative = float(jax.grad(current)(1.0))
    difference = (float(current(1.0 + step)) - float(current(1.0 - step))) / (2 * step)
    assert abs(derivative - difference) < 1e-6 * abs(difference)
    mus = jnp.array([0.2, 1.0, 1.8])
    np.testing.assert_allclose(jax.vmap(current)(mus), [float(current(m)) for m in mus], rtol=1e-13)


def test_design_loop_through_the_landauer_current():
    """qoj.optimize on a fermionic current: the tunnelling g in a box that maximises the
    particle current at a fixed bias; the result matches the maximum on a vmapped grid."""
    h, delta, _, Gamma, Omega, T_L, T_R, mu_L, mu_R = PARAMETERS

    def current(g):
        model = qoj.models.FermionicDimer(h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R)
        return model.landauer_currents()[0]

    result = qoj.optimize(
        lambda p: -current(p["g"]) / 1e-3,
        {"g": 0.3},
        optax.lbfgs(),
        30,
        constraints={"g": qoj.Box(0.05, 1.0)},
        progress=False,
    )
    grid = jnp.linspace(0.05, 1.0, 400)
    values = jax.vmap(current)(grid)
    best = float(grid[jnp.argmax(values)])
    assert abs(float(result.params["g"]) - best) < 2 * float(grid[1] - grid[0])
    assert float(current(result.params["g"])) >= float(values.max()) * (1 - 1e-6)


def test_bad_input():
    h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R = PARAMETERS
    with pytest.raises(ValueError, match="Gamma < Omega"):
        qoj.models.FermionicDimer(h, delta, g, 20.0, Omega, T_L, T_R, mu_L, mu_R)
    with pytest.raises(ValueError, match="condition 34"):
        qoj.models.FermionicDimer(9.9, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R)
    with pytest.raises(ValueError, match="T_L"):
        qoj.models.FermionicDimer(h, delta, g, Gamma, Omega, -0.1, T_R, mu_L, mu_R)
    model = qoj.models.FermionicDimer(*PARAMETERS)
    with pytest.raises(ValueError, match="approach"):
        model.generator("redfield")
    with pytest.raises(NotImplementedError, match="Hermitian"):
        model.system()
