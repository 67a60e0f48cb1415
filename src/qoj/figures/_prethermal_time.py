"""Seed 000 (sec 5.1, figs 4-6): the prethermalization time versus the distance between the two
Gibbs states and versus the coupling g_II between the reservoirs (t_pr ~ 1/g_II)."""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import qoj
from qoj import prethermal

from ._base import Figure, FigureResult

OMEGA0 = 1.0
G_I = 1e-2
S = 1.0
CUTOFF = 10.0
DISTANCE, RADIUS = 1e-2, 0.1  # d_pr and the 10% radius of sec 5.1
BETA_FIXED = 1.1  # beta_I in figs 4, 5 and 6 (left); beta_II in fig 6 (right)
G_II_FIG_4 = 1e-3
BETA_II_RANGE = (0.3, 4.0)  # fig 4, on both sides of beta_I
BETAS_FIG_5 = (1.6, 1.4, 1.2)
BETAS_FIG_6 = (1.2, 1.4, 1.6)
G_II_RANGE = (1e-7, 1e-3)  # fig 6
T_RANGE = (1.0, 1e5)  # fig 5


def _environment(g_II, beta_I, beta_II):
    return qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(G_I, S, CUTOFF),
        qoj.spectra.Ohmic(g_II, S, CUTOFF),
        1.0 / beta_I,
        1.0 / beta_II,
    )


@jax.jit
@jax.vmap
def _prethermalization(g_II, beta_I, beta_II):
    env = _environment(g_II, beta_I, beta_II)
    return (
        prethermal.prethermalization_time(env, OMEGA0, distance=DISTANCE, radius=RADIUS),
        prethermal.thermal_distance(env, OMEGA0),
        prethermal.prethermal_condition(env, OMEGA0),
    )


@jax.jit
@jax.vmap
def _departure(beta_II, times):
    env = _environment(G_II_FIG_4, BETA_FIXED, beta_II)
    return prethermal.departure_distance(env, OMEGA0, times)


def _fit_slope(g, t_pr):
    """Least-squares slope of log t_pr against log g_II."""
    return float(np.polyfit(np.log(g), np.log(t_pr), 1)[0])


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """t_pr versus T(rho_th(beta_I), rho_th(beta_II)) (fig 4), the departure distance (fig 5)
    and t_pr versus g_II (fig 6)."""
    from matplotlib.figure import Figure as MplFigure

    n_beta = 121 if full else 61
    n_g = 41 if full else 17
    betas_4 = np.geomspace(*BETA_II_RANGE, n_beta)
    g_6 = np.geomspace(*G_II_RANGE, n_g)
    # One vmapped batch: fig 4, then fig 6 left (beta_I fixed), then right (beta_II fixed).
    beta_var = np.repeat(BETAS_FIG_6, n_g)
    fixed = np.full(beta_var.size, BETA_FIXED)
    g_all = np.concatenate([np.full(n_beta, G_II_FIG_4), np.tile(g_6, 2 * len(BETAS_FIG_6))])
    beta_I_all = np.concatenate([np.full(n_beta, BETA_FIXED), fixed, beta_var])
    beta_II_all = np.concatenate([betas_4, beta_var, fixed])
    result, distance, condition = jax.tree_util.tree_map(
        np.asarray, _prethermalization(g_all, beta_I_all, beta_II_all)
    )
    fig4 = slice(0, n_beta)
    fig6 = [slice(n_beta + k * n_g, n_beta + (k + 1) * n_g) for k in range(2 * len(BETAS_FIG_6))]
    times = np.geomspace(*T_RANGE, 801 if full else 301)
    departure = np.asarray(
        _departure(
            jnp.asarray(BETAS_FIG_5), jnp.broadcast_to(times, (len(BETAS_FIG_5), times.size))
        )
    )
    fig5_check = np.asarray(
        _prethermalization(
            np.full(len(BETAS_FIG_5), G_II_FIG_4),
            np.full(len(BETAS_FIG_5), BETA_FIXED),
            np.asarray(BETAS_FIG_5),
        )[0].departure_time
    )

    fig = MplFigure(figsize=(16, 10), layout="constrained")
    (ax4, ax5), (ax6l, ax6r) = fig.subplots(2, 2)

    t4, d4 = result.time[fig4], distance[fig4]
    present4, defined4 = result.present[fig4], result.defined[fig4]
    colder = betas_4 > BETA_FIXED
    for side, marker, label in ((colder, "o", "colder R_II"), (~colder, "s", "hotter R_II")):
        ok = present4 & side
        ax4.plot(
            d4[ok],
            t4[ok],
            marker + "-",
            ms=3.5,
            lw=1,
            label=rf"{label} ($\beta_{{II}}$ "
            rf"{'>' if marker == 'o' else '<'} $\beta_I$)",
        )
        absent = defined4 & ~present4 & side
        if absent.any():
            ax4.plot(
                d4[absent],
                np.full(absent.sum(), 1.0),
                marker,
                mfc="none",
                color="0.4",
                ms=4,
                label=f"{label}: no prethermalization (drawn at 1)",
            )
    ax4.axvspan(0, DISTANCE, color="0.85", label=r"$T < d_{pr}$: $t_{pr}$ undefined")
    ax4.set_yscale("log")
    ax4.set_xlim(0, d4.max() * 1.05)
    ax4.set_xlabel(r"$T(\rho^{th}(\beta_I), \rho^{th}(\beta_{II}))$")
    ax4.set_ylabel(r"$t_{pr}$  [$1/\omega_0$]")
    ax4.set_title(
        rf"(a) fig 4: $\beta_I = {BETA_FIXED:g}$, $\beta_{{II}} \in [{BETA_II_RANGE[0]:g}, "
        rf"{BETA_II_RANGE[1]:g}]$, $g_{{II}} = {G_II_FIG_4:g}$",
        fontsize=10,
    )
    ax4.legend(fontsize=8)

    for k, beta_II in enumerate(BETAS_FIG_5):
        (line,) = ax5.plot(times, departure[k], lw=1.3, label=rf"$\beta_{{II}} = {beta_II:g}$")
        env = _environment(G_II_FIG_4, BETA_FIXED, beta_II)
        ax5.axhline(
            float(prethermal.thermal_distance(env, OMEGA0)), color=line.get_color(), ls="--", lw=1
        )
        ax5.axvline(fig5_check[k], color=line.get_color(), ls=":", lw=0.8)
    ax5.axhline(DISTANCE, color="red", lw=1.2, label=rf"$d_{{pr}} = {DISTANCE:g}$")
    ax5.set_xscale("log")
    ax5.set_xlabel(r"$t$  [$1/\omega_0$]")
    ax5.set_ylabel(r"$T(\rho(t), \rho^{th}(\beta_I))$, $\rho(0) = \rho^{th}(\beta_I)$")
    ax5.set_title(
        rf"(b) fig 5: $\beta_I = {BETA_FIXED:g}$, $g_{{II}} = {G_II_FIG_4:g}$ (dashed: "
        r"$T(\rho^{th}(\beta_I), \rho^{th}(\beta_{II}))$; dotted: $t_{dep}$)",
        fontsize=10,
    )
    ax5.legend(fontsize=8, loc="upper left")

    slopes = {}
    constants = {}
    for side, ax in enumerate((ax6l, ax6r)):
        for k, beta in enumerate(BETAS_FIG_6):
            part = fig6[side * len(BETAS_FIG_6) + k]
            ok = result.present[part]
            t = result.time[part]
            name = ("beta_II", "beta_I")[side]
            label = (rf"$\beta_{{II}} = {beta:g}$", rf"$\beta_I = {beta:g}$")[side]
            ax.loglog(g_6[ok], t[ok], "o-", ms=3.5, lw=1, label=label)
            small = ok & (g_6 <= 1e-5)
            slopes[f"{name}_{beta:g}"] = _fit_slope(g_6[small], t[small])
            constants[f"{name}_{beta:g}"] = float(t[0] * g_6[0])
        ax.loglog(g_6, 1e-3 / g_6, "k:", lw=1, label=r"$\propto 1/g_{II}$")
        ax.set_xlabel(r"$g_{II}$")
        ax.set_ylabel(r"$t_{pr}$  [$1/\omega_0$]")
        fixed_name = (r"\beta_I", r"\beta_{II}")[side]
        ax.set_title(
            f"({'cd'[side]}) fig 6 {('left', 'right')[side]}: ${fixed_name} = {BETA_FIXED:g}$",
            fontsize=10,
        )
        ax.legend(fontsize=8)
    fig.suptitle(
        rf"Prethermalization time $t_{{pr}} = t_{{dep}} - t_{{rad}}$ (seed 000 sec 5.1; "
        rf"$d_{{pr}} = {DISTANCE:g}$, radius {RADIUS:g}); $\omega_0 = {OMEGA0:g}$, "
        rf"$g_I = {G_I:g}$, Ohmic $s = {S:g}$, cutoffs {CUTOFF:g}"
    )
    png = Path(out_dir) / "prethermal-time.png"
    fig.savefig(png, dpi=110)

    colder_ok = present4 & colder
    numbers = {
        "fig4_points_present": int(present4.sum()),
        "fig4_points_undefined": int((~defined4).sum()),
        "fig4_points_absent": int((defined4 & ~present4).sum()),
        "fig4_min_distance_defined": float(d4[defined4].min()),
        "fig4_t_pr_at_smallest_defined_distance_colder": float(
            t4[colder_ok][np.argmin(d4[colder_ok])]
        ),
        "fig4_t_pr_at_largest_distance_colder": float(t4[colder_ok][np.argmax(d4[colder_ok])]),
        "fig4_t_pr_decreases_with_distance_colder": bool(
            np.all(np.diff(t4[colder_ok][np.argsort(d4[colder_ok])]) < 0)
        ),
        "fig6_all_present": bool(all(result.present[p].all() for p in fig6)),
        "fig6_min_eq_30_ratio": float(min(condition[p].min() for p in fig6)),
    }
    for k, beta_II in enumerate(BETAS_FIG_5):
        numbers[f"fig5_departure_time_beta_II_{beta_II:g}"] = float(fig5_check[k])
    for name, slope in slopes.items():
        numbers[f"fig6_slope_log_t_pr_vs_log_g_II_{name}"] = slope
    for name, constant in constants.items():
        numbers[f"fig6_t_pr_times_g_II_at_{G_II_RANGE[0]:g}_{name}"] = constant
    slope_range = (min(slopes.values()), max(slopes.values()))
    headline = (
        f"t_pr (d_pr = {DISTANCE:g}): fig 4 t_pr falls from "
        f"{numbers['fig4_t_pr_at_smallest_defined_distance_colder']:.3g} to "
        f"{numbers['fig4_t_pr_at_largest_distance_colder']:.3g} as the Gibbs states move apart "
        f"(undefined below T = {DISTANCE:g}); fig 6 log-log slopes of t_pr vs g_II "
        f"{slope_range[0]:.4f} to {slope_range[1]:.4f} (t_pr ~ 1/g_II)"
    )
    details = (
        f"Seed 000 sec 5.1: w0 = {OMEGA0:g}, J_i(w) = g_i w e^(-w/{CUTOFF:g}), g_I = {G_I:g}; "
        "approximate rates (eqs 19-20), qoj.prethermal.prethermalization_time\n(one vmapped "
        f"batch of {g_all.size} points). t_rad: ball radius r(t) < {RADIUS:g}; t_dep: "
        f"trace distance between the state evolved from rho_th(beta_I) and rho_th(beta_I) > "
        f"{DISTANCE:g}.\n(a) fig 4: t_pr against T(rho_th(beta_I), rho_th(beta_II)) for "
        f"beta_I = {BETA_FIXED:g}, beta_II log-spaced in {BETA_II_RANGE} ({n_beta} values), "
        f"g_II = {G_II_FIG_4:g};\nbelow T = d_pr t_pr is undefined (grey); open markers: defined "
        "but t_dep < t_rad (no prethermalization).\n(b) fig 5: departure distance for beta_II in "
        f"{BETAS_FIG_5}; dashed: its asymptote T(rho_th(beta_I), rho_th(beta_II)); red: d_pr; "
        "dotted: t_dep from\nprethermalization_time (where the solid line crosses d_pr).\n"
        f"(c, d) fig 6: t_pr against g_II in {G_II_RANGE} ({n_g} values), beta_I = "
        f"{BETA_FIXED:g} fixed (c) or beta_II = {BETA_FIXED:g} fixed (d); slopes fitted for "
        "g_II <= 1e-5.\nAs g_II -> 0 the qubit follows the Gibbs state of R_I's instantaneous "
        "occupation n(t) = n_I e^{-J_II t} + n_II (1 - e^{-J_II t}),\nso g_II t_pr tends to a "
        "constant (reported at the smallest g_II); t_rad and the lag ~1/Gamma add O(g_II) "
        "corrections."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="prethermal-time",
    description=(
        "prethermalization time of a qubit in a non-equilibrium environment vs the distance "
        "between the Gibbs states and vs g_II (t_pr ~ 1/g_II) (seed 000, figs 4-6)"
    ),
    run=run,
    has_full_version=True,
)
