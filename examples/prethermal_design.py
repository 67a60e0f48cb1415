"""Design a non-equilibrium environment by gradient descent (seed 000, section 5).

A qubit (w0 = 1) touches a reservoir R_I (Ohmic, g_I = 1e-2, cutoff 10, T_I = 1) that a
second reservoir R_II (Ohmic, coupling g_II, temperature T_II) drives. We choose g_II and T_II
so that the qubit stays prethermal (near the Gibbs state at T_I) for as long as possible,
subject to

- condition (30) of the paper: J_I(w0)(2 n_I + 1) >= 100 J_II(w0) (prethermalization needs R_II
  to act slowly compared with R_I);
- a deadline: by t_f = 1e5 the qubit must have reached the Gibbs state at T_II to within
  d_pr = 1e-2 (an initialization protocol that ends in a known state);
- distinguishable stages: the two Gibbs states at least 5 d_pr apart in trace distance.

Smaller g_II prolongs the plateau (t_pr ~ 1/g_II) but misses the deadline; T_II close to T_I
prolongs it too, until the stages are indistinguishable. The constraints enter as quadratic
penalties on softplus-smoothed violations; `qoj.optimize` runs optax's Adam on
(log g_II, log T_II) in compiled blocks of steps and returns the whole history. The
gradient of t_pr (implicit differentiation of the crossing times, `qoj.prethermal`) is
checked against central finite differences at the start and at the optimum.

    python examples/prethermal_design.py [--out DIR] [--steps N] [--quick]
    # writes DIR/prethermal_design.png; --quick: 40 steps (for the tests)
"""

import argparse
from pathlib import Path

import jax
import jax.numpy as jnp
import matplotlib
import optax

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import qoj  # noqa: E402

qoj.set_precision("double")

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
parser.add_argument("--steps", type=int, default=None, help="optimisation steps (300)")
parser.add_argument("--quick", action="store_true", help="40 steps unless --steps is given")
args = parser.parse_args()
if args.steps is None:
    args.steps = 40 if args.quick else 300
args.out.mkdir(parents=True, exist_ok=True)

W0, G_I, T_I, CUTOFF = 1.0, 1e-2, 1.0, 10.0
D_PR, DEADLINE, RATIO, SEPARATION = 1e-2, 1e5, 100.0, 5.0


def environment(params):
    log_g_II, log_T_II = params
    return qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(G_I, 1.0, CUTOFF),
        qoj.spectra.Ohmic(jnp.exp(log_g_II), 1.0, CUTOFF),
        T_I,
        jnp.exp(log_T_II),
    )


def prethermal_time(params):
    return qoj.prethermal.prethermalization_time(environment(params), W0, distance=D_PR).time


def constraints(params):
    """Violations (> 0 when broken) of condition 30, the deadline and the separation."""
    env = environment(params)
    pt = qoj.prethermal
    # the state that started at the Gibbs state at T_I, at the deadline (z polarisation)
    z_I, z_II = pt.prethermal_centre(env, W0), pt.long_time_centre(env, W0)
    z = pt.ball_radius(env, W0, DEADLINE) * z_I + pt.ball_centre(env, W0, DEADLINE)
    return jnp.stack(
        [
            jnp.log(RATIO / pt.prethermal_condition(env, W0)),
            (jnp.abs(z - z_II) / 2 - D_PR) / D_PR,
            (SEPARATION * D_PR - pt.thermal_distance(env, W0)) / D_PR,
        ]
    )


def loss(params):
    violations = jax.nn.softplus(20.0 * constraints(params)) / 20.0
    return -prethermal_time(params) / DEADLINE + 10.0 * jnp.sum(violations**2)


def check_gradient(params, label):
    grad = jax.grad(prethermal_time)(params)
    step = 1e-5
    for k, name in enumerate(("log g_II", "log T_II")):
        shift = jnp.zeros(2).at[k].set(step)
        fd = (prethermal_time(params + shift) - prethermal_time(params - shift)) / (2 * step)
        rel = abs(float(grad[k] - fd)) / max(abs(float(fd)), 1e-300)
        print(
            f"  {label}: d t_pr / d {name} = {float(grad[k]):.6e}, finite difference "
            f"{float(fd):.6e} (relative difference {rel:.1e})"
        )
        assert rel < 1e-5, "gradient check failed"


params = jnp.log(jnp.array([1e-4, 0.625]))  # start: g_II = 1e-4, beta_II = 1.6
print("gradient of t_pr vs central finite differences:")
check_gradient(params, "start")

result = qoj.optimize(loss, params, optax.adam(0.05), args.steps, progress=False)
params = result.params
# history entry i is the state after i steps (entry 0 is the start)
losses = result.history["loss"]
g_history, T_history = jnp.exp(result.history["params"]).T
t_history = jax.vmap(prethermal_time)(result.history["params"])

g_II, T_II = (float(x) for x in jnp.exp(params))
t_pr = float(prethermal_time(params))
violations = [float(v) for v in constraints(params)]
print(f"optimum: g_II = {g_II:.3e}, T_II = {T_II:.3f}, t_pr = {t_pr:.4g}")
print(
    "constraint violations (<= 0 when met; condition 30, deadline, separation): "
    + ", ".join(f"{v:+.3f}" for v in violations)
)
check_gradient(params, "optimum")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained")
steps = range(len(losses))
axes[0].plot(steps, losses)
axes[0].set(xlabel="step", ylabel="loss", title="penalised loss")
axes[1].semilogy(steps, g_history, label="g_II")
axes[1].semilogy(steps, T_history, label="T_II")
axes[1].set(xlabel="step", title="parameters")
axes[1].legend()
axes[2].plot(steps, t_history)
axes[2].set(xlabel="step", ylabel="t_pr  [1/w0]", title="prethermalization time")
fig.suptitle(
    "Environment design by gradient descent (seed 000): longest prethermal plateau "
    f"with deadline t_f = {DEADLINE:g}"
)
fig.savefig(args.out / "prethermal_design.png", dpi=120)
print(f"wrote {args.out / 'prethermal_design.png'}")
