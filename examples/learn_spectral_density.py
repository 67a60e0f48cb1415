"""Learn a bath's spectral density from heat-current data, by gradient descent through qoj.

A qubit H_S = omega0/2 sigma_z sits between a hot bath A, whose spectral density J_A(w) is
unknown, and a cold bath B that is known (flat, J_B = 0.03, T_B = 0.1). Its steady heat current
from bath A is (Fogedby, seed 002 eq 3.14; rate-normalised J, hbar = k_B = 1)

    q^A(omega0, T_A) = omega0 J_A J_B (n_A - n_B) / [J_A (2 n_A + 1) + J_B (2 n_B + 1)],

with J_A = J_A(omega0), J_B, n_A = n(omega0; T_A), n_B = n(omega0; T_B). The synthetic
experiment measures q^A at 8 qubit frequencies omega0 in [0.4, 2.2] and 5 temperatures T_A in
[0.25, 4], with 1% Gaussian noise (seeded), for a "true" J_A that is a sum of two Lorentzians
(peaks 0.03 at w = 0.8, width 0.3, and 0.02 at w = 1.6, width 0.5). Two models of J_A are
fitted to the data by minimising chi^2 = mean[((q_model - q_data) / (0.01 |q_data|))^2],
with every model current computed by `qoj.steady_state` and `qoj.heat_currents` on
`qoj.models.QubitTwoBaths(...).generator()` (implicit differentiation of L rho = 0), vmapped
over the 40 data points, and the optimiser loop in `qoj.optimize`:

1. a sum of two Lorentzians (rates, centres, widths), each parameter kept positive by
   `qoj.Positive` (softplus reparametrisation);
2. an `equinox.nn.MLP` (1 -> 16 -> 16 -> 1, tanh) for log J_A(w),

both fitted with Adam and an exponentially decaying learning rate (cheap steps: 40 steady
states and their implicit gradients per step, ~1 ms).

Both are example-local subclasses of `qoj.spectra.AbstractSpectralDensity`, so they plug into
`qoj.Bath` like the built-in spectra (the Lorentzian sum also provides a quadrature rule and a
closed-form Fourier transform, so `Bath.correlation` works with it too).

What is identifiable: the steady current of a qubit probes J_A only at its own frequency
omega0 (the temperatures add redundancy, not frequency resolution), so the data pin J_A down
at the 8 sampled frequencies and nowhere else. The Lorentzian model, which has the true
functional form, interpolates correctly between them; the MLP agrees at the samples but its
interpolation and extrapolation are its own. The script prints the true and learned J_A at the
sampled frequencies with their relative errors, and plots the data with both fits, true,
initial and learned J_A(w), and the loss histories.

    python examples/learn_spectral_density.py [--out DIR] [--quick]
    # writes DIR/learn_spectral_density.png; --quick: fewer optimisation steps
"""

import argparse
import time
from pathlib import Path
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import matplotlib
import numpy as np
import optax

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import qoj  # noqa: E402

qoj.set_precision("double")

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
parser.add_argument("--quick", action="store_true", help="fewer optimisation steps (tests)")
args = parser.parse_args()
args.out.mkdir(parents=True, exist_ok=True)
start_time = time.perf_counter()


class LorentzianSum(qoj.spectra.AbstractSpectralDensity):
    """J(w) = sum_k rate_k (width_k/2)^2 / ((w - center_k)^2 + (width_k/2)^2).

    A sum of `qoj.spectra.Lorentzian`s with the parameters as arrays of shape (k,), so that
    they form one leaf each for the optimiser.
    """

    rates: jax.Array
    centers: jax.Array
    widths: jax.Array
    two_sided: ClassVar[bool] = True

    def __call__(self, w):
        w = jnp.asarray(w)[..., None]
        h = self.widths / 2
        return jnp.sum(self.rates * h**2 / ((w - self.centers) ** 2 + h**2), axis=-1)

    def components(self):
        return [
            qoj.spectra.Lorentzian(r, c, g)
            for r, c, g in zip(self.rates, self.centers, self.widths, strict=True)
        ]

    def quadrature(self, n_nodes, lower=-jnp.inf, upper=jnp.inf):
        """Each component's rule, weighted by its share J_k/J of the sum (a partition of
        unity), so that integrals of J(w) h(w) are as accurate as for one Lorentzian."""
        parts = self.components()
        nodes, weights = [], []
        for part in parts:
            x, c = part.quadrature(max(n_nodes // len(parts), 16), lower, upper)
            nodes.append(x)
            weights.append(c * part(x) / self(x))
        return jnp.concatenate(nodes), jnp.concatenate(weights)

    def fourier(self, tau, lower=-jnp.inf, *, n_nodes=2048):
        return sum(part.fourier(tau, lower) for part in self.components())


class MLPSpectrum(qoj.spectra.AbstractSpectralDensity):
    """J(w) = scale exp(mlp(w)) for w > 0 (0 for w <= 0): a positive learned function."""

    mlp: eqx.nn.MLP
    scale: float = eqx.field(static=True)
    two_sided: ClassVar[bool] = False

    def __call__(self, w):
        w = jnp.asarray(w)
        log_j = jax.vmap(self.mlp)(jnp.ravel(w)).reshape(w.shape)
        return jnp.where(w > 0, self.scale * jnp.exp(log_j), 0.0)

    def quadrature(self, n_nodes, lower=-jnp.inf, upper=jnp.inf):
        raise ValueError("an MLP spectral density has no known bandwidth for a quadrature rule")


# --- synthetic data ------------------------------------------------------------------------
TRUE = LorentzianSum(
    rates=jnp.array([0.03, 0.02]), centers=jnp.array([0.8, 1.6]), widths=jnp.array([0.3, 0.5])
)
BATH_B, T_B, NOISE = qoj.spectra.Flat(0.03), 0.1, 0.01
omegas = jnp.linspace(0.4, 2.2, 8)
temperatures = jnp.array([0.25, 0.5, 1.0, 2.0, 4.0])
W, T = (a.ravel() for a in jnp.meshgrid(omegas, temperatures, indexing="ij"))


@eqx.filter_jit
def currents(spectrum, omega0, T_A):
    """Steady heat current from bath A at each (omega0, T_A), vmapped over the data points."""

    def one(w, t):
        qubit = qoj.models.QubitTwoBaths(w, qoj.Bath(spectrum, t), qoj.Bath(BATH_B, T_B))
        gen = qubit.generator()
        return qoj.heat_currents(gen, qoj.steady_state(gen))["A"]

    return jax.vmap(one)(omega0, T_A)


exact = currents(TRUE, W, T)
data = exact * (1 + NOISE * jax.random.normal(jax.random.key(0), exact.shape))
closed_form = jax.vmap(
    lambda w, t: qoj.models.QubitTwoBaths(
        w, qoj.Bath(TRUE, t), qoj.Bath(BATH_B, T_B)
    ).steady_heat_current()
)(W, T)
print(
    f"data: {W.size} currents ({omegas.size} frequencies x {temperatures.size} temperatures), "
    f"{NOISE:.0%} noise; steady_state vs eq 3.14: max relative difference "
    f"{float(jnp.max(jnp.abs(exact / closed_form - 1))):.1e}"
)


def chi2(spectrum):
    return jnp.mean(((currents(spectrum, W, T) - data) / (NOISE * jnp.abs(data))) ** 2)


# --- model 1: two Lorentzians with positive parameters, Adam ----------------------------------
initial_lorentz = {
    "rates": jnp.array([0.01, 0.01]),
    "centers": jnp.array([0.6, 2.0]),
    "widths": jnp.array([0.6, 0.6]),
}
fit_lorentz = qoj.optimize(
    lambda p: chi2(LorentzianSum(**p)),
    initial_lorentz,
    optax.adam(optax.exponential_decay(5e-2, 500, 0.3)),
    1000 if args.quick else 2000,
    constraints={"rates": qoj.Positive(), "centers": qoj.Positive(), "widths": qoj.Positive()},
    block=250,
    progress=False,
)
learned_lorentz = LorentzianSum(**fit_lorentz.params)

# --- model 2: an MLP for log J(w), Adam --------------------------------------------------------
SCALE = 0.02
initial_mlp = MLPSpectrum(
    eqx.nn.MLP("scalar", "scalar", 16, 2, activation=jnp.tanh, key=jax.random.key(1)),
    scale=SCALE,
)
fit_mlp = qoj.optimize(
    chi2,
    initial_mlp,
    optax.adam(optax.exponential_decay(1e-2, 1000, 0.3)),
    3000 if args.quick else 5000,
    block=200,
    progress=False,
)
learned_mlp = fit_mlp.params

# --- report ----------------------------------------------------------------------------------
true_at = TRUE(omegas)
print(
    f"fits (chi^2 per point; ~1 means fitted to the noise): two Lorentzians "
    f"{float(fit_lorentz.loss):.3f} after {fit_lorentz.steps} Adam steps, MLP "
    f"{float(fit_mlp.loss):.3f} after {fit_mlp.steps} Adam steps; chi^2 of the true J "
    f"{float(chi2(TRUE)):.3f}"
)
print("  omega0    J_true      J_Lorentz   rel.err    J_MLP       rel.err")
for w, jt, jl, jm in zip(
    omegas, true_at, learned_lorentz(omegas), learned_mlp(omegas), strict=True
):  # fmt: skip
    print(
        f"  {float(w):.3f}   {float(jt):.4e}  {float(jl):.4e}  {float(jl / jt - 1):+.2e}  "
        f"{float(jm):.4e}  {float(jm / jt - 1):+.2e}"
    )
err_lorentz = float(jnp.max(jnp.abs(learned_lorentz(omegas) / true_at - 1)))
err_mlp = float(jnp.max(jnp.abs(learned_mlp(omegas) / true_at - 1)))
print(
    f"max relative error of the learned J at the sampled frequencies: Lorentzians {err_lorentz:.2e}"
)
print(f"max relative error of the learned J at the sampled frequencies: MLP {err_mlp:.2e}")
order = jnp.argsort(learned_lorentz.centers)
print(
    "learned Lorentzians: rates "
    + ", ".join(f"{float(x):.4f}" for x in learned_lorentz.rates[order])
    + "; centres "
    + ", ".join(f"{float(x):.4f}" for x in learned_lorentz.centers[order])
    + "; widths "
    + ", ".join(f"{float(x):.4f}" for x in learned_lorentz.widths[order])
    + " (true 0.03, 0.02; 0.8, 1.6; 0.3, 0.5)"
)
dense = jnp.linspace(0.05, 3.0, 300)
between = (dense > omegas[0]) & (dense < omegas[-1])
for label, model in (("Lorentzians", learned_lorentz), ("MLP", learned_mlp)):
    rel = jnp.abs(model(dense) / TRUE(dense) - 1)
    print(
        f"  {label}: max relative error between the samples {float(jnp.max(rel[between])):.2e}, "
        f"outside them (w in [0.05, 3]) {float(jnp.max(rel[~between])):.2e}"
    )

# --- figure --------------------------------------------------------------------------------
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), layout="constrained")
fitted_lorentz = currents(learned_lorentz, W, T).reshape(omegas.size, temperatures.size)
fitted_mlp = currents(learned_mlp, W, T).reshape(omegas.size, temperatures.size)
grid_data = data.reshape(omegas.size, temperatures.size)
colours = plt.cm.viridis(np.linspace(0, 0.9, omegas.size))
for k, colour in enumerate(colours):
    axes[0].plot(temperatures, grid_data[k], "o", color=colour, ms=4)
    axes[0].plot(temperatures, fitted_lorentz[k], "-", color=colour, lw=1)
    axes[0].plot(temperatures, fitted_mlp[k], ":", color=colour, lw=1.5)
axes[0].set_xscale("log")
axes[0].set_xticks(np.asarray(temperatures), [f"{float(t):g}" for t in temperatures])
axes[0].minorticks_off()
axes[0].plot([], [], "ko", ms=4, label="data (1% noise)")
axes[0].plot([], [], "k-", label="Lorentzian fit")
axes[0].plot([], [], "k:", label="MLP fit")
axes[0].set(
    xlabel=r"$T_A$",
    ylabel=r"steady $q^A$",
    title=rf"currents at $\omega_0$ = {float(omegas[0]):.1f} (dark) ... "
    rf"{float(omegas[-1]):.1f} (light), $T_B = {T_B}$",
)
axes[0].legend(fontsize=8)

axes[1].plot(dense, TRUE(dense), "k-", lw=2, label="true (two Lorentzians)")
axes[1].plot(dense, LorentzianSum(**initial_lorentz)(dense), "C0:", label="Lorentzians, initial")
axes[1].plot(dense, learned_lorentz(dense), "C0--", label="Lorentzians, learned")
axes[1].plot(dense, initial_mlp(dense), "C3:", label="MLP, initial")
axes[1].plot(dense, learned_mlp(dense), "C3--", label="MLP, learned")
for w in omegas:
    axes[1].axvline(float(w), color="0.8", lw=0.8, zorder=0)
axes[1].plot(omegas, true_at, "ko", ms=5, label=r"sampled $\omega_0$")
axes[1].set(
    xlabel=r"$\omega$",
    ylabel=r"$J_A(\omega)$",
    ylim=(0, 0.05),
    title="spectral density: identifiable only at the sampled frequencies",
)
axes[1].legend(fontsize=8)

for fit, style, label in (
    (fit_lorentz, "C0-", "Lorentzians (Adam)"),
    (fit_mlp, "C3-", "MLP (Adam)"),
):
    axes[2].loglog(1 + np.arange(fit.steps + 1), fit.history["loss"], style, label=label)
axes[2].axhline(float(chi2(TRUE)), color="k", lw=0.8, ls="--", label=r"$\chi^2$ of the true $J_A$")
axes[2].set(xlabel="step + 1", ylabel=r"$\chi^2$ per point", title="loss history")
axes[2].legend(fontsize=8)
fig.suptitle(
    "Learning a bath's spectral density through qoj.steady_state (qubit between two baths, "
    "seed 002 eq 3.14)"
)
path = args.out / "learn_spectral_density.png"
fig.savefig(path, dpi=110)
print(
    f"wrote {path}: left, data and fitted currents; middle, true, initial and learned J_A(w); "
    "right, loss histories"
)
print(f"runtime {time.perf_counter() - start_time:.1f} s")
