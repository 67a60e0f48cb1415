"""qoj.optimize: optax loops with constraints, against optima known in closed form."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import qoj

G, T_A, T_B = 0.1, 2.0, 0.5


def qubit_current(share):
    """Steady heat current from bath A of a qubit between two flat baths (Fogedby sec. III A)
    with couplings g_A = G (1 - share), g_B = G share: fixed total coupling G."""
    model = qoj.models.QubitTwoBaths(
        1.0,
        qoj.Bath(qoj.spectra.Flat(G * (1 - share)), T_A),
        qoj.Bath(qoj.spectra.Flat(G * share), T_B),
    )
    gen = model.generator()
    return qoj.heat_currents(gen, qoj.steady_state(gen))["A"]


def best_share():
    """q = w0 Delta n / (a / g_B + b / g_A), a = 2 n_A + 1, b = 2 n_B + 1 (Fogedby eq 3.14 for
    flat spectra): at fixed g_A + g_B the maximum is at g_B / G = sqrt(a) / (sqrt(a) +
    sqrt(b)), like two conductances in series."""
    a, b = 2 / np.expm1(1 / T_A) + 1, 2 / np.expm1(1 / T_B) + 1
    return np.sqrt(a) / (np.sqrt(a) + np.sqrt(b))


def test_maximises_the_fogedby_current_at_fixed_total_coupling():
    """L-BFGS finds the closed-form optimum to 1e-7; Adam with early stopping gets the
    current to 1e-5 of its maximum; the Box constraint holds at every step."""
    s_star = best_share()
    q_star = float(qubit_current(s_star))
    assert q_star > float(qubit_current(s_star + 0.02)) and q_star > float(qubit_current(0.5))

    def loss(p):
        return -qubit_current(p["share"]) / q_star

    box = {"share": qoj.Box(0.0, 1.0)}
    lbfgs = qoj.optimize(loss, {"share": 0.2}, optax.lbfgs(), 40, constraints=box, progress=False)
    assert abs(float(lbfgs.params["share"]) - s_star) < 1e-7

    adam = qoj.optimize(
        loss, {"share": 0.2}, 0.02, 600, constraints=box, patience=30, min_improvement=1e-10
    )
    shares = np.asarray(adam.history["params"]["share"])
    assert np.all((shares > 0) & (shares < 1))
    assert adam.stopped_early and adam.steps < 600
    assert abs(float(adam.loss) + 1) < 1e-5
    assert shares.shape == adam.history["loss"].shape == (adam.steps + 1,)
    np.testing.assert_allclose(
        adam.history["loss"][[0, 7, -1]],
        [loss({"share": s}) for s in shares[[0, 7, -1]]],
        rtol=1e-12,
    )


def test_positive_constraint_and_history():
    """min (x + 1)^2 + (y - 2)^2 with x > 0: x stays positive and tends to the boundary 0,
    y is free and goes to 2. No early stopping: exactly `steps` steps, in blocks of 25 with a
    ragged last one; history entry i is the point after i steps."""
    result = qoj.optimize(
        lambda p: (p["x"] + 1) ** 2 + (p["y"] - 2) ** 2,
        {"x": 1.0, "y": jnp.array(0.3)},
        optax.adam(0.1),
        310,
        constraints={"x": qoj.Positive()},
        progress=False,
    )
    x = np.asarray(result.history["params"]["x"])
    assert result.steps == 310 and not result.stopped_early and x.shape == (311,)
    assert np.all(x > 0) and x[-1] < 0.02
    assert abs(float(result.params["y"]) - 2) < 1e-3
    assert float(result.params["x"]) == x[-1]
    shifted = qoj.optimize(
        lambda p: (p - 3.0) ** 2,
        jnp.array(5.0),
        0.1,
        300,
        constraints=qoj.Positive(4.0),
        progress=False,
    )
    assert 4.0 < float(shifted.params) < 4.01


def test_equinox_module_parameters():
    """An eqx.nn.MLP as the parameters (non-array leaves, the activation, are held fixed):
    fitting y = sin(x) lowers the loss by > 10x."""
    x = jnp.linspace(-2.0, 2.0, 32)[:, None]
    mlp = eqx.nn.MLP(1, 1, 16, 2, key=jax.random.key(0))

    def loss(model):
        return jnp.mean((jax.vmap(model)(x) - jnp.sin(x)) ** 2)

    result = qoj.optimize(loss, mlp, optax.adam(1e-2), 300, progress=False)
    assert isinstance(result.params, eqx.nn.MLP)
    assert float(result.loss) < float(loss(mlp)) / 10
    assert result.history["params"].layers[0].weight.shape == (301, 16, 1)


def test_loss_through_evolve():
    """A loss through qoj.evolve: choose T_A > 0 so that the excited population of the
    Fogedby qubit at t = 20 (from |g>) is 0.3; the result matches the target."""

    def population(temperature):
        model = qoj.models.QubitTwoBaths(
            1.0,
            qoj.Bath(qoj.spectra.Flat(0.05), temperature),
            qoj.Bath(qoj.spectra.Flat(0.05), 0.5),
        )
        sol = qoj.evolve(
            model.generator(), qoj.ket2dm(qoj.basis(2, 1)), jnp.array([0.0, 20.0]), save_states=True
        )
        return sol.states[-1, 0, 0].real

    result = qoj.optimize(
        lambda p: 1e4 * (population(p["T"]) - 0.3) ** 2,
        {"T": 1.0},
        optax.lbfgs(),
        30,
        constraints={"T": qoj.Positive()},
        patience=3,
        min_improvement=1e-14,
        progress=False,
    )
    assert abs(float(population(result.params["T"])) - 0.3) < 1e-6


def test_bad_input():
    def loss(p):
        return (p["x"] - 1) ** 2

    with pytest.raises(ValueError, match="steps"):
        qoj.optimize(loss, {"x": 0.5}, 0.1, 0)
    with pytest.raises(ValueError, match="outside"):
        qoj.optimize(loss, {"x": 2.0}, 0.1, 5, constraints={"x": qoj.Box(0.0, 1.0)})
    with pytest.raises(ValueError, match="outside"):
        qoj.optimize(loss, {"x": -1.0}, 0.1, 5, constraints={"x": qoj.Positive()})
    with pytest.raises(ValueError, match="unknown parameters"):
        qoj.optimize(loss, {"x": 0.5}, 0.1, 5, constraints={"z": qoj.Positive()})
    with pytest.raises(ValueError, match="lower < upper"):
        qoj.Box(1.0, 0.0)
    with pytest.raises(ValueError, match="scalar"):
        qoj.optimize(lambda p: p["x"] * jnp.ones(2), {"x": 0.5}, 0.1, 5, progress=False)
    with pytest.raises(ValueError, match="patience"):
        qoj.optimize(loss, {"x": 0.5}, 0.1, 5, patience=0)
    with pytest.raises(TypeError, match="optax"):
        qoj.optimize(loss, {"x": 0.5}, "adam", 5)
    with pytest.raises(FloatingPointError, match="step 2"):
        qoj.optimize(
            lambda p: jnp.log(p["x"]), {"x": 0.35}, optax.sgd(0.1), 10, progress=False
        )  # x -> x - 0.1/x: 0.35, 0.064, -1.49: log is nan at step 2


def test_loss_through_prethermalization_time():
    """Maximise t_pr (seed 000, Fig 2 baths) over T_II in a box: t_pr is finite along the
    path, rises monotonically, and the box holds; 8 Adam steps."""

    def minus_log_time(p):
        env = qoj.NonEquilibriumBath(
            qoj.spectra.Ohmic(1e-2, 1.0, 10.0), qoj.spectra.Ohmic(1e-5, 1.0, 10.0), 1.0, p["T_II"]
        )
        return -jnp.log(qoj.prethermal.prethermalization_time(env, 1.0).time)

    result = qoj.optimize(
        minus_log_time,
        {"T_II": 10.0},
        optax.adam(0.2),
        8,
        constraints={"T_II": qoj.Box(2.0, 20.0)},
        progress=False,
    )
    losses = result.history["loss"]
    assert np.all(np.isfinite(losses)) and np.all(np.diff(losses) < 0)
    temperatures = np.asarray(result.history["params"]["T_II"])
    assert np.all((temperatures > 2.0) & (temperatures < 20.0))
