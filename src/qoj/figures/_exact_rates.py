"""Seed 000, Fig 8: the exact canonical rate gamma_+(t) (eqs A2, 16-18) against eqs 19-20."""

from pathlib import Path

import jax.numpy as jnp
import numpy as np

import qoj

from .._nonequilibrium_exact import memory_terms
from ._base import Figure, FigureResult

W0, G_I, G_II, CUTOFF, BETA_I, BETA_II = 1.0, 1e-2, 1e-2, 10.0, 0.1, 0.2
LATE = 300.0  # "long times": J_II(w0) t > 2.7
EARLY = 60.0  # the transient's window (linear axis)


def _environment(rates):
    return qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(G_I, 1.0, CUTOFF),
        qoj.spectra.Ohmic(G_II, 1.0, CUTOFF),
        1.0 / BETA_I,
        1.0 / BETA_II,
        rates=rates,
    )


def _oscillation_frequency(t, deviation):
    """2 pi / (mean spacing of the deviation's successive maxima), over the early window."""
    i = np.flatnonzero((deviation[1:-1] > deviation[:-2]) & (deviation[1:-1] > deviation[2:])) + 1
    return 2 * np.pi / float(np.mean(np.diff(t[i])))


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """gamma_+ split into its short-time part (first term of eq 16, 2 Re P_short) and its
    long-time part (second term, 2 Re P_long): exact against eq 19 and eq 20."""
    from matplotlib.figure import Figure as MplFigure

    log_t = np.concatenate([[0.0], np.geomspace(0.05, 5000.0, 241 if full else 121)])
    lin_t = np.linspace(0.0, EARLY, 1201 if full else 481)
    ts = np.concatenate([log_t, lin_t])
    p_short, p_long, _, _ = memory_terms(_environment("exact"), jnp.asarray(ts), W0)
    short, long = 2 * np.real(np.asarray(p_short)), 2 * np.real(np.asarray(p_long))

    approximate = _environment("approximate")
    initial, final = approximate.system_baths()
    decay = np.exp(-float(approximate.relaxation_rate(W0)) * ts)
    eq_19 = float(initial.absorption_rate(W0)) * decay
    eq_20 = float(final.absorption_rate(W0)) * (1 - decay)

    n_log = log_t.size
    late = ts[:n_log] > LATE
    rel_long = float(np.max(np.abs(long[:n_log] - eq_20[:n_log])[late] / eq_20[:n_log][late]))
    total, approx_total = (short + long)[:n_log], (eq_19 + eq_20)[:n_log]
    rel_total = float(np.max(np.abs(total - approx_total)[late] / approx_total[late]))
    t_lin, dev_lin = ts[n_log:], (short - eq_19)[n_log:]
    swing = float(np.max(np.abs(dev_lin)) / eq_19[0])
    window = t_lin > 5.0  # past the initial rise (gamma_+ grows ~ t at first)
    frequency = _oscillation_frequency(t_lin[window], dev_lin[window])

    fig = MplFigure(figsize=(16, 4.6), layout="constrained")
    ax_log, ax_lin, ax_rel = fig.subplots(1, 3)
    t_plot = ts[1:n_log]
    ax_log.semilogx(t_plot, short[1:n_log], "C0", label="short-time part, exact")
    ax_log.semilogx(t_plot, eq_19[1:n_log], "C0--", label=r"eq 19: $J_I n_I e^{-J_{II} t}$")
    ax_log.semilogx(t_plot, long[1:n_log], "C1", label="long-time part, exact")
    ax_log.semilogx(t_plot, eq_20[1:n_log], "C1--", label=r"eq 20: $J_I n_{II}(1 - e^{-J_{II}t})$")
    ax_log.set_title(r"(a) the two parts of $\gamma_+(t)$ (log time)")
    ax_lin.plot(t_lin, short[n_log:], "C0", label="short-time part, exact")
    ax_lin.plot(t_lin, eq_19[n_log:], "C0--", label="eq 19")
    ax_lin.plot(t_lin, long[n_log:], "C1", label="long-time part, exact")
    ax_lin.plot(t_lin, eq_20[n_log:], "C1--", label="eq 20")
    ax_lin.set_title(rf"(b) the transient (oscillating at ~{frequency:.3f} $\omega_0$)")
    for ax in (ax_log, ax_lin):
        ax.set_xlabel(r"$t$  [$1/\omega_0$]")
        ax.set_ylabel(r"rate  [$\omega_0$]")
        ax.legend(fontsize=8)
    ax_rel.loglog(t_plot, np.abs(short - eq_19)[1:n_log] / eq_19[0], "C0", label="short vs eq 19")
    ax_rel.loglog(
        t_plot, np.abs(long - eq_20)[1:n_log] / eq_20[1:n_log], "C1", label="long vs eq 20"
    )
    ax_rel.axvline(LATE, color="0.6", lw=0.6, ls=":")
    ax_rel.set_xlabel(r"$t$  [$1/\omega_0$]")
    ax_rel.set_ylabel(r"|exact - approximate|  (relative to $J_I n_I$; to eq 20)")
    ax_rel.set_title("(c) deviations from eqs 19-20")
    ax_rel.legend(fontsize=8)
    fig.suptitle(
        rf"Seed 000 Fig 8: $\omega_0 = {W0:g}$, $g_I = g_{{II}} = {G_I:g}$, Ohmic s = 1, cutoffs "
        rf"{CUTOFF:g}, $\beta_I = {BETA_I:g}$, $\beta_{{II}} = {BETA_II:g}$ "
        r"($\hbar = k_B = 1$)"
    )
    png = Path(out_dir) / "exact-rates.png"
    fig.savefig(png, dpi=120)

    numbers = {
        "max_rel_diff_long_time_part_vs_eq_20_for_t_gt_300": rel_long,
        "max_rel_diff_gamma_plus_vs_eqs_19_20_for_t_gt_300": rel_total,
        "short_time_transient_max_deviation_from_eq_19_over_its_t0_value": swing,
        "transient_oscillation_frequency_over_w0": frequency / W0,
        "gamma_plus_at_0": float(short[0] + long[0]),
        "gamma_plus_exact_at_t_max": float(total[-1]),
        "J_I_n_II_at_w0": float(final.absorption_rate(W0)),
        "J_II_w0": float(approximate.relaxation_rate(W0)),
    }
    headline = (
        f"exact vs approximate gamma_+(t) (Fig 8): long-time part within {rel_long:.1e} of "
        f"eq 20 and the total within {rel_total:.1e} of eqs 19-20 for t > {LATE:g}; the "
        f"short-time part oscillates about eq 19 (by up to {swing:.0%} of J_I n_I) at "
        f"{frequency / W0:.3f} w0 early on"
    )
    details = (
        "gamma_+ = 2 Re P(t), P = P_short + P_long from the two terms of eq 16 (with the\n"
        "prefactors 1/2pi and 1/4pi^2 that eq C7 implies), by qoj._nonequilibrium_exact\n"
        "(accurate to ~1e-11 here). Dashed: the approximate rates of eqs 19-20. (a) log time;\n"
        "(b) linear time up to 60: the short-time part oscillates about eq 19 at the qubit\n"
        "frequency (the transient eq 19 lacks, from the band edge w = 0 where J_I n_I -> g_I\n"
        "T_I, decaying ~1/t); (c) the deviations: the long-time part follows eq 20 up to\n"
        "O(J_II/w0) and the 1/t transient."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="exact-rates",
    description=(
        "exact canonical rate gamma_+(t) of a non-equilibrium environment vs the approximate "
        "eqs 19-20: short- and long-time parts and the transient (seed 000, Fig 8)"
    ),
    run=run,
    has_full_version=True,
)
