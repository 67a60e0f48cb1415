"""Fogedby (seed 002, sec. IV C 2): the local master equation of two coupled oscillators
carries heat from the cold bath to the hot one; the global equation does not."""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import qoj

from ..models import CoupledOscillators
from ._base import Figure, FigureResult

OMEGA1, OMEGA2 = 2.0, 1.0
COUPLING = 0.2
KAPPA = 0.01  # flat spectral densities J_A = J_B = KAPPA
T_B = 0.2
# T_A / T_B at which the truncated master equations are solved; no point sits on a zero of
# either current (T_A = T_B, or T_A / T_B = omega1 / omega2 for the local one).
NUMERIC_RATIOS = (0.5, 0.7, 0.85, 1.15, 1.3, 1.5, 1.7, 1.85, 2.3, 3.0)
RATIO_RANGE = (0.25, 4.0)  # T_A / T_B on the map
OMEGA_RATIO_RANGE = (0.4, 2.5)  # omega1 / omega2 on the map (omega2 fixed)


def _model(temperature_a, omega1=OMEGA1, n_max=2):
    bath_a = qoj.Bath(qoj.spectra.Flat(KAPPA), temperature_a)
    bath_b = qoj.Bath(qoj.spectra.Flat(KAPPA), T_B)
    return CoupledOscillators(omega1, OMEGA2, COUPLING, bath_a, bath_b, n_max)


def _numerics(n_max):
    def point(ratio):
        model = _model(ratio * T_B, n_max=n_max)
        out = {}
        for approach in ("local", "global"):
            generator = model.generator(approach)
            rho = qoj.steady_state(generator)
            currents = qoj.heat_currents(generator, rho)
            out[approach] = {
                "q_A": currents["A"],
                "q_B": currents["B"],
                "truncation": jnp.max(model.truncation_error(rho)),
            }
        return out

    return point


def _closed_forms(ratio, omega_ratio):
    model = _model(ratio * T_B, omega1=omega_ratio * OMEGA2)
    return {"local": model.local_heat_current(), "global": model.global_heat_current()}


def _entropy_production(q_a, t_a):
    """sigma = -q^A/T_A - q^B/T_B with q^B = -q^A (steady state): >= 0 by the second law."""
    return q_a * (1.0 / T_B - 1.0 / t_a)


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """q^A of the local and global equations vs T_A, and the sign map over (T_A, omega1)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.ticker import NullFormatter

    n_max = 5 if full else 4
    ratios = np.asarray(NUMERIC_RATIOS)
    ds = qoj.scan(_numerics(n_max), {"ratio": ratios}, progress=False)
    num = {a: ds[f"{a}/q_A"].values for a in ("local", "global")}
    balance = max(np.abs(ds[f"{a}/q_A"].values + ds[f"{a}/q_B"].values).max() for a in num)
    truncation = max(float(ds[f"{a}/truncation"].values.max()) for a in num)

    fine = np.geomspace(*RATIO_RANGE, 401)
    cut = jax.vmap(_closed_forms, in_axes=(0, None))(jnp.asarray(fine), OMEGA1 / OMEGA2)
    cut = {k: np.asarray(v) for k, v in cut.items()}
    at_points = jax.vmap(_closed_forms, in_axes=(0, None))(jnp.asarray(ratios), OMEGA1 / OMEGA2)
    rel = {
        a: np.abs(num[a] - np.asarray(at_points[a])) / np.abs(np.asarray(at_points[a])) for a in num
    }

    n_map = 160 if full else 80
    map_ratios = np.geomspace(*RATIO_RANGE, n_map)
    omega_ratios = np.geomspace(*OMEGA_RATIO_RANGE, n_map - 20)
    sweep = qoj.scan(
        _closed_forms, {"omega_ratio": omega_ratios, "ratio": map_ratios}, progress=False
    )
    hotter = np.sign(map_ratios - 1.0)[None, :]
    # The local current has the sign of n_A(omega1) - n_B(omega2), i.e. of
    # T_A/omega1 - T_B/omega2: it opposes T_A - T_B between the lines T_A = T_B and
    # T_A/T_B = omega1/omega2 (Levy and Kosloff; seed 002 sec. IV C 2).
    wedge = np.sign(map_ratios[None, :] - omega_ratios[:, None]) != hotter
    on_line = np.isclose(map_ratios[None, :], omega_ratios[:, None], rtol=1e-9) | (hotter == 0)
    violates = {a: np.sign(sweep[a].values) * hotter < 0 for a in ("local", "global")}
    mismatch = int(np.sum((violates["local"] != wedge) & ~on_line))
    counted = int(np.sum(~on_line))

    hot_cut = fine > 1.0
    window = hot_cut & (cut["local"] < 0)
    window_lo, window_hi = (fine[window].min(), fine[window].max()) if window.any() else (0, 0)
    sigma_local = _entropy_production(cut["local"], fine * T_B)
    sigma_global = _entropy_production(cut["global"], fine * T_B)

    fig = MplFigure(figsize=(15, 4.8), layout="constrained")
    ax_q, ax_s, ax_map = fig.subplots(1, 3)
    scale = 1e5
    for ax in (ax_q, ax_s):
        ax.axvspan(1.0, OMEGA1 / OMEGA2, color="C3", alpha=0.12, lw=0)
        ax.axhline(0.0, color="0.6", lw=0.6)
        ax.axvline(1.0, color="0.6", lw=0.6, ls=":")
        ax.set_xscale("log")
        ax.set_xlabel(r"$T_A / T_B$")
    for approach, color in (("local", "C3"), ("global", "C0")):
        ax_q.plot(
            fine,
            scale * cut[approach],
            "-",
            color=color,
            lw=1.3,
            label=f"{approach}: closed form (untruncated)",
        )
        ax_q.plot(
            ratios,
            scale * num[approach],
            "o",
            color=color,
            ms=5,
            mfc="none",
            label=f"{approach}: master equation, n_max = {n_max}",
        )
    ax_q.set_yscale("symlog", linthresh=0.1)
    ax_q.set_ylabel(r"$q^A$ (heat from bath A)  [$10^{-5}\,\hbar\omega_2^2$]")
    ax_q.set_title(
        "(a) shaded: bath A hotter, yet local $q^A < 0$\n"
        rf"($T_B < T_A < T_B\,\omega_1/\omega_2$, $\omega_1 = {OMEGA1:g}$, "
        rf"$\omega_2 = {OMEGA2:g}$)",
        fontsize=10,
    )
    ax_q.legend(fontsize=8, loc="upper left")
    ax_s.plot(fine, scale * sigma_local, "-", color="C3", lw=1.3, label="local")
    ax_s.plot(fine, scale * sigma_global, "-", color="C0", lw=1.3, label="global")
    ax_s.set_yscale("symlog", linthresh=0.1)
    ax_s.set_ylabel(r"$\sigma = -q^A/T_A - q^B/T_B$  [$10^{-5}$]")
    ax_s.set_title("(b) entropy production rate (second law: $\\sigma \\geq 0$)", fontsize=10)
    ax_s.legend(fontsize=8, loc="upper left")

    ax_map.pcolormesh(
        map_ratios,
        omega_ratios,
        violates["local"].astype(float),
        shading="nearest",
        cmap=ListedColormap(["white", "#f4a6a6"]),
        vmin=0,
        vmax=1,
    )
    ax_map.axvline(1.0, color="k", lw=1.0, ls="--", label=r"$T_A = T_B$")
    ax_map.plot(omega_ratios, omega_ratios, "k:", lw=1.2, label=r"$T_A/T_B = \omega_1/\omega_2$")
    ax_map.axhline(OMEGA1 / OMEGA2, color="C3", lw=0.8, label="cut shown in (a), (b)")
    ax_map.set_xscale("log")
    ax_map.set_yscale("log")
    ax_map.set_xlim(*RATIO_RANGE)
    ax_map.set_ylim(*OMEGA_RATIO_RANGE)
    ax_map.set_xlabel(r"$T_A / T_B$")
    ax_map.set_ylabel(r"$\omega_1 / \omega_2$")
    ax_map.set_title(
        f"(c) red: local current against $T_A - T_B$ ({int(violates['local'].sum())} of "
        f"{violates['local'].size});\nglobal: {int(violates['global'].sum())} points",
        fontsize=10,
    )
    ax_map.legend(fontsize=8, loc="lower right")
    ticks = [0.25, 0.5, 1, 2, 4]
    for ax in (ax_q, ax_s, ax_map):
        ax.set_xticks(ticks, labels=[f"{t:g}" for t in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax_map.set_yticks([0.5, 1, 2], labels=["0.5", "1", "2"])
    ax_map.yaxis.set_minor_formatter(NullFormatter())
    fig.suptitle(
        rf"Two coupled oscillators ($\lambda = {COUPLING:g}$), oscillator 1 in bath A, 2 in "
        rf"bath B (flat $J = {KAPPA:g}$), $T_B = {T_B:g}$: local vs global master equation "
        r"(Fogedby 2023, sec. IV C 2; Levy & Kosloff 2014)"
    )
    png = Path(out_dir) / "local-violation.png"
    fig.savefig(png, dpi=120)

    local_count = int(violates["local"].sum())
    global_count = int(violates["global"].sum())
    numbers = {
        "local_violations": local_count,
        "global_violations": global_count,
        "map_points": int(violates["local"].size),
        "local_violation_region_mismatches_vs_predicted_wedge": mismatch,
        "map_points_off_boundaries": counted,
        "cut_violation_TA_over_TB_min": float(window_lo),
        "cut_violation_TA_over_TB_max": float(window_hi),
        "numeric_local_violations": int(np.sum(np.sign(num["local"]) * np.sign(ratios - 1) < 0)),
        "numeric_global_violations": int(np.sum(np.sign(num["global"]) * np.sign(ratios - 1) < 0)),
        "max_relative_difference_local": float(rel["local"].max()),
        "max_relative_difference_global": float(rel["global"].max()),
        "max_truncation_error": truncation,
        "max_abs_qA_plus_qB": float(balance),
        "min_entropy_production_local": float(sigma_local.min()),
        "min_entropy_production_global": float(sigma_global.min()),
        "n_max": n_max,
    }
    headline = (
        f"coupled oscillators, T_A/T_B x omega1/omega2 map ({violates['local'].size} points): "
        f"local master equation carries heat from cold to hot at {local_count} points "
        f"(exactly the wedge between T_A = T_B and T_A/T_B = omega1/omega2, {mismatch} "
        f"mismatches), global at {global_count}; on the cut omega1/omega2 = "
        f"{OMEGA1 / OMEGA2:g} local q^A < 0 for T_A/T_B in ({window_lo:.2f}, {window_hi:.2f}); "
        f"truncated numerics vs closed forms max rel. diff "
        f"{max(rel['local'].max(), rel['global'].max()):.1e}"
    )
    details = (
        f"H_S = omega1 a1^dag a1 + omega2 a2^dag a2 + lambda (a1 a2^dag + a1^dag a2) (seed 002 "
        f"eq 4.32), lambda = {COUPLING:g},\nomega2 = {OMEGA2:g}; oscillator 1 couples through "
        f"a1 + a1^dag to bath A (flat J = {KAPPA:g}, T_A), oscillator 2 to bath B\n(J = "
        f"{KAPPA:g}, T_B = {T_B:g}). Local equation: eqs 4.33-4.35 (each bath sees omega_i "
        "a_i^dag a_i); global: Davies equation in the\neigenbasis of H_S. Closed forms "
        "(untruncated): CoupledOscillators.local_heat_current (proportional to\n"
        "n_A(omega1) - n_B(omega2)) and global_heat_current (normal modes, proportional to "
        "n_A(omega_pm) - n_B(omega_pm)).\n"
        f"Numerics: steady_state + heat_currents of the truncated model (n_max = {n_max} Fock "
        f"levels per mode) at T_A/T_B in\n{NUMERIC_RATIOS} (omega1 = {OMEGA1:g}), one vmapped "
        "qoj.scan; max_truncation_error is the largest top-level population.\n"
        "(a) q^A vs T_A/T_B (symlog axis): in the shaded window T_B < T_A < T_B omega1/omega2 "
        "the local current runs\nfrom the cold bath B into the hot bath A. (b) entropy "
        "production sigma = q^A (1/T_B - 1/T_A): negative there\nfor the local equation, "
        "never for the global one. (c) sign map of the closed forms over T_A/T_B and\n"
        "omega1/omega2 (omega2 fixed): red where the local q^A opposes T_A - T_B; the "
        "predicted wedge is bounded by the\ndashed and dotted lines. The global current "
        "never opposes T_A - T_B."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="local-violation",
    description=(
        "coupled oscillators: the local master equation carries heat from the cold to the hot "
        "bath, the global one does not (Fogedby 2023, sec. IV C 2)"
    ),
    run=run,
    has_full_version=True,
)
