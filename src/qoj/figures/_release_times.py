"""Seed 001 figs 4a and 6a: energy release times gamma tau_p of the cascaded systems versus
the initial correlations (oscillators: C13 + C24; qubits: Re[rho_23(0)])."""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from .._release import cascade_release_time, qubit_release_time
from ._base import Figure, FigureResult

N_S = 1.0  # the oscillators' initial occupation (fig 4a; reservoir N = 0)
XI_S = 0.25  # the qubits' initial xi_S (fig 6 caption; reservoir at T = 0)
PERCENTAGES = (25.0, 50.0, 75.0, 86.0, 90.0, 95.0)


def _oscillator_times(sums):
    """gamma tau_p (gamma = 1) on the diagonal C13 = C24 = s/2 (only s matters), (p, s)."""

    def one(p, s):
        return cascade_release_time(p, gamma=1.0, initial_occupation=N_S, c13=s / 2, c24=s / 2)

    return jax.vmap(jax.vmap(one, in_axes=(None, 0)), in_axes=(0, None))(
        jnp.asarray(PERCENTAGES), jnp.asarray(sums)
    )


def _qubit_times(re_rho23):
    def one(p, x):
        return qubit_release_time(p, gamma=1.0, xi_s=XI_S, re_rho23=x)

    return jax.vmap(jax.vmap(one, in_axes=(None, 0)), in_axes=(0, None))(
        jnp.asarray(PERCENTAGES), jnp.asarray(re_rho23)
    )


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """gamma tau_p versus C13 + C24 (oscillators) and Re[rho_23(0)] (qubits)."""
    from matplotlib.figure import Figure as MplFigure

    n = 401 if full else 101
    sums = np.linspace(-2 * N_S, 2 * N_S, n)  # the physical range |C13 + C24| <= 2 N_S (eq D5)
    bound = 1 - XI_S**2  # |rho_23(0)| <= 1 - xi_S^2 (eq 42)
    re_rho23 = np.linspace(-bound, bound, n)
    tau_osc = np.asarray(jax.jit(_oscillator_times)(sums))
    tau_qubit = np.asarray(jax.jit(_qubit_times)(re_rho23))

    fig = MplFigure(figsize=(11, 4.4), layout="constrained")
    ax_o, ax_q = fig.subplots(1, 2)
    for i, p in enumerate(PERCENTAGES):
        ax_o.plot(sums, tau_osc[i], color=f"C{i}", label=f"p = {p:g}")
        ax_q.plot(re_rho23, tau_qubit[i], color=f"C{i}", label=f"p = {p:g}")
    ax_o.set_xlabel(r"$C_{13}(0) + C_{24}(0)$")
    ax_q.set_xlabel(r"Re$[\rho_{23}(0)]$")
    for ax in (ax_o, ax_q):
        ax.set_ylabel(r"$\gamma\tau_p$")
        ax.axvline(0.0, color="0.6", lw=0.6, ls=":")
        ax.legend(fontsize=8)
    ax_o.set_title(rf"(a) oscillators, $N_S = {N_S:g}$, $N = 0$ (fig. 4a)")
    ax_q.set_title(rf"(b) qubits, $\xi_S = {XI_S:g}$, $T = 0$ (fig. 6a)")
    fig.suptitle(r"Release times: $Q(\tau_p) = p\%\,Q(\infty)$ (seed 001, sec. V B, VI B)")
    png = Path(out_dir) / "release-times.png"
    fig.savefig(png, dpi=110)

    mid = n // 2
    # positive (negative) correlations speed up (slow down) the release (seed's claim)
    monotone = bool(
        np.all(np.diff(tau_osc, axis=1) <= 1e-12) and np.all(np.diff(tau_qubit, axis=1) <= 1e-12)
    )
    finite = bool(np.isfinite(tau_osc).all() and np.isfinite(tau_qubit).all())
    numbers: dict[str, float | str] = {
        "nonincreasing_in_correlation": "passed" if monotone else "FAILED",
        "all_finite": "passed" if finite else "FAILED",
    }
    for i, p in enumerate(PERCENTAGES):
        numbers[f"osc_gamma_tau_{p:g}_s_min"] = float(tau_osc[i, 0])
        numbers[f"osc_gamma_tau_{p:g}_s_0"] = float(tau_osc[i, mid])
        numbers[f"osc_gamma_tau_{p:g}_s_max"] = float(tau_osc[i, -1])
        numbers[f"qubit_gamma_tau_{p:g}_rho23_0"] = float(tau_qubit[i, mid])
    headline = (
        f"gamma tau_p vs C13 + C24 (oscillators, N_S = {N_S:g}) and Re rho23 (qubits, "
        f"xi_S = {XI_S:g}), p in {PERCENTAGES}: oscillator gamma tau_50 = "
        f"{tau_osc[1, 0]:.3f} / {tau_osc[1, mid]:.3f} / {tau_osc[1, -1]:.3f} at s = -2, 0, 2; "
        f"non-increasing check {numbers['nonincreasing_in_correlation']}"
    )
    details = (
        "tau_p: first time with Q(tau_p) = p% Q(inf), Q(t) = U(0) - U(t) in closed form\n"
        "(qoj._release module docstring), solved by qoj._release.release_time (grid bracket +\n"
        "bisection + one Newton step), vmapped over p and the correlation.\n"
        f"(a) oscillators from eq 31 with N_S = {N_S:g}, reservoir N = 0; only s = C13 + C24\n"
        "matters, over the physical range |s| <= 2 N_S.\n"
        f"(b) qubits from eq 41 with xi_S = {XI_S:g} (fig 6 caption; the text says xi_S = 0),\n"
        "reservoir at T = 0, Re[rho_23(0)] over |rho_23| <= 1 - xi_S^2 (eq 42)."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="release-times",
    description=(
        "energy release times gamma tau_p vs initial correlations, cascaded oscillators and "
        "qubits (seed 001, figs 4a and 6a)"
    ),
    run=run,
    has_full_version=True,
)
