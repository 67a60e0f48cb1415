"""Seed 000 (sec 5, figs 2-3): rho_++(t) of many pure states and the ball of accessible states,
with (g_II = 1e-5) and without (g_II = 1e-2) prethermalization."""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import qoj
from qoj import prethermal

from ._base import Figure, FigureResult

OMEGA0 = 1.0
G_I = 1e-2
G_II = (1e-5, 1e-2)  # fig 2, fig 3
S = 1.0
CUTOFF = 10.0
BETA_I, BETA_II = 1.0, 0.1
DISTANCE, RADIUS = 1e-2, 0.1  # d_pr and the 10% radius of sec 5.1
T_RANGE = (1e-1, 1e7)
# Snapshot times of the ball (x-z cross-sections), per figure.
SNAPSHOTS = ((0.0, 20.0, 60.0, 150.0, 1e3, 2e4, 8e4, 2e5, 1e6), (0.0, 3.0, 10.0, 30.0, 60.0, 300.0))
# Below this radius a snapshot is drawn as its centre (a cross).
POINT_RADIUS = 0.02


def _environment(g_II):
    return qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(G_I, S, CUTOFF),
        qoj.spectra.Ohmic(g_II, S, CUTOFF),
        1.0 / BETA_I,
        1.0 / BETA_II,
    )


def _pure_states(n):
    """n Bloch vectors spread evenly over the sphere (a Fibonacci lattice)."""
    k = np.arange(n) + 0.5
    z = 1 - 2 * k / n
    phi = np.pi * (1 + 5**0.5) * k
    rho = np.sqrt(1 - z**2)
    return np.stack([rho * np.cos(phi), rho * np.sin(phi), z], axis=-1)


@jax.jit
def _evolve(g_II, times, snapshot_times, states):
    env = _environment(g_II)
    return {
        "p": prethermal.polarisation(env, OMEGA0, times, states),
        "p_snap": prethermal.polarisation(env, OMEGA0, snapshot_times, states),
        "r_snap": prethermal.ball_radius(env, OMEGA0, snapshot_times),
        "c_snap": prethermal.ball_centre(env, OMEGA0, snapshot_times),
        "t_pr": prethermal.prethermalization_time(env, OMEGA0, distance=DISTANCE, radius=RADIUS),
        "condition": prethermal.prethermal_condition(env, OMEGA0),
    }


def _thermal_rho_pp(beta):
    """<+|rho_th(beta)|+> = e^{-beta w0/2}/(2 cosh(beta w0/2)) (eq E2)."""
    return np.exp(-beta * OMEGA0 / 2) / (2 * np.cosh(beta * OMEGA0 / 2))


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """rho_++(t) for pure initial states and snapshots of the ball, figs 2 and 3."""
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Ellipse

    times = np.geomspace(*T_RANGE, 801 if full else 301)
    states = _pure_states(60 if full else 30)
    width = max(len(s) for s in SNAPSHOTS)
    snapshot_grid = np.array([s + (s[-1],) * (width - len(s)) for s in SNAPSHOTS])
    batched = jax.vmap(_evolve, in_axes=(0, None, 0, None))
    out = jax.tree_util.tree_map(
        np.asarray, batched(jnp.asarray(G_II), times, jnp.asarray(snapshot_grid), states)
    )
    rho_pp = (1 + out["p"][..., 2]) / 2  # (figure, time, state)
    rho_I, rho_II = _thermal_rho_pp(BETA_I), _thermal_rho_pp(BETA_II)
    t_pr = out["t_pr"]

    # Pure states stay on the spheroid (x^2 + y^2)/r + (z - c)^2/r^2 = 1 (sqrt(r) across).
    p_snap, r_snap, c_snap = out["p_snap"], out["r_snap"], out["c_snap"]
    visible = r_snap > POINT_RADIUS
    r_visible = np.where(visible, r_snap, 1.0)[..., None]
    transverse = (p_snap[..., 0] ** 2 + p_snap[..., 1] ** 2) / r_visible
    axial = ((p_snap[..., 2] - c_snap[..., None]) / r_visible) ** 2
    residual = float(np.abs(transverse + axial - 1)[visible].max())
    late_deviation = float(np.abs(rho_pp[:, -1] - rho_II).max())
    plateau = (times >= 2 * t_pr.radius_time[0]) & (times <= t_pr.departure_time[0])
    plateau_deviation = float(np.abs(rho_pp[0, plateau] - rho_I).max())

    fig = MplFigure(figsize=(14, 10), layout="constrained")
    axes = fig.subplots(2, 2, height_ratios=(1.0, 1.1))
    cmap = _colormap()
    for col, g_II in enumerate(G_II):
        ax, ax_ball = axes[0, col], axes[1, col]
        snaps = SNAPSHOTS[col]
        for k, p0 in enumerate(states):
            ax.plot(times, rho_pp[col, :, k], color=cmap((1 + p0[2]) / 2), lw=0.7, alpha=0.8)
        ax.axhline(rho_I, color="red", ls="--", lw=1.2, label=r"$\rho^{th}_{++}(\beta_I)$")
        ax.axhline(rho_II, color="green", ls="--", lw=1.2, label=r"$\rho^{th}_{++}(\beta_{II})$")
        present = bool(t_pr.present[col])
        if present:
            ax.axvspan(
                t_pr.radius_time[col],
                t_pr.departure_time[col],
                color="red",
                alpha=0.08,
                label=rf"$t_{{pr}} = {t_pr.time[col]:.0f}$ ($t_{{rad}}$ to $t_{{dep}}$)",
            )
        for k, t in enumerate(snaps):
            if t > 0:
                ax.axvline(t, color="0.5", lw=0.5, ls=":")
                ax.text(t, 1.02, chr(ord("A") + k), ha="center", fontsize=8, color="0.3")
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.06)
        ax.set_xlabel(r"$t$  [$1/\omega_0$]")
        ax.set_ylabel(r"$\rho_{++}(t)$")
        verdict = "prethermalization" if present else "no prethermalization"
        ax.set_title(
            f"({'ab'[col]}) fig {2 + col}: $g_{{II}} = {g_II:g}$, {verdict} "
            f"(eq 30 ratio {out['condition'][col]:.3g})",
            fontsize=10,
        )
        ax.legend(fontsize=8, loc="lower right")

        ax_ball.add_patch(Ellipse((0, 0), 2, 2, fill=False, color="0.6", lw=0.8))
        colors = _colormap("viridis")
        for k, t in enumerate(snaps):
            r, c = r_snap[col, k], c_snap[col, k]
            color = colors(k / max(len(snaps) - 1, 1))
            label = f"{chr(ord('A') + k)}: t = {t:g}, r = {r:.2g}"
            if r > POINT_RADIUS:
                ax_ball.add_patch(
                    Ellipse(
                        (0, c), 2 * np.sqrt(r), 2 * r, color=color, alpha=0.25, lw=1.0, label=label
                    )
                )
                ax_ball.plot(p_snap[col, k, :, 0], p_snap[col, k, :, 2], ".", color=color, ms=3)
            else:
                ax_ball.plot(0, c, "x", color=color, ms=9, mew=2, label=label, zorder=4)
        for beta, color, name in ((BETA_I, "red", "I"), (BETA_II, "green", "{II}")):
            ax_ball.plot(
                0,
                -np.tanh(beta * OMEGA0 / 2),
                "o",
                color=color,
                mfc="none",
                ms=12,
                mew=1.5,
                label=rf"$\rho^{{th}}(\beta_{name})$",
                zorder=3,
            )
        ax_ball.set_xlim(-1.05, 1.05)
        ax_ball.set_ylim(-1.05, 1.05)
        ax_ball.set_aspect("equal")
        ax_ball.set_xlabel(r"$p_x$")
        ax_ball.set_ylabel(r"$p_z$")
        ax_ball.set_title(
            f"({'cd'[col]}) accessible states in the x-z plane (dots: the evolved pure states)",
            fontsize=10,
        )
        ax_ball.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle(
        rf"Qubit ($\omega_0 = {OMEGA0:g}$) in R_I driven by R_II: Ohmic $s = {S:g}$, cutoffs "
        rf"{CUTOFF:g}, $g_I = {G_I:g}$, $\beta_I = {BETA_I:g}$, $\beta_{{II}} = {BETA_II:g}$; "
        "\nseed 000 figs 2-3. Ellipses: semi-axes $r$ (z) and $\\sqrt{r}$ (x), not the "
        "isotropic ball of eq 21",
        fontsize=11,
    )
    png = Path(out_dir) / "prethermal-ball.png"
    fig.savefig(png, dpi=110)

    numbers = {
        "fig2_prethermalization_time": float(t_pr.time[0]),
        "fig2_radius_time": float(t_pr.radius_time[0]),
        "fig2_departure_time": float(t_pr.departure_time[0]),
        "fig2_t_pr_times_g_II": float(t_pr.time[0] * G_II[0]),
        "fig2_prethermalization": "present" if bool(t_pr.present[0]) else "absent",
        "fig3_prethermalization": "present" if bool(t_pr.present[1]) else "absent",
        "fig3_radius_time": float(t_pr.radius_time[1]),
        "fig3_departure_time": float(t_pr.departure_time[1]),
        "fig2_eq_30_ratio": float(out["condition"][0]),
        "fig3_eq_30_ratio": float(out["condition"][1]),
        "fig2_max_abs_rho_pp_minus_thermal_I_from_2_t_rad_to_t_dep": plateau_deviation,
        "max_abs_rho_pp_minus_thermal_II_at_t_max": late_deviation,
        "max_abs_spheroid_residual_of_pure_states": residual,
    }
    headline = (
        f"rho_++(t) of {len(states)} pure states, g_I = {G_I:g}: g_II = {G_II[0]:g} "
        f"prethermalizes (t_pr = {numbers['fig2_prethermalization_time']:.1f}, t_rad = "
        f"{numbers['fig2_radius_time']:.1f}, t_dep = {numbers['fig2_departure_time']:.1f}); "
        f"g_II = {G_II[1]:g} does not (t_dep = {numbers['fig3_departure_time']:.1f} < t_rad = "
        f"{numbers['fig3_radius_time']:.1f}); rho_++(t_max) within {late_deviation:.0e} of "
        f"the Gibbs value at beta_II"
    )
    details = (
        f"Seed 000 figs 2-3: w0 = {OMEGA0:g}, J_i(w) = g_i w e^(-w/{CUTOFF:g}) (s = {S:g}), "
        f"g_I = {G_I:g}, g_II = {G_II}, beta_I = {BETA_I:g}, beta_II = {BETA_II:g};\n"
        "approximate rates (eqs 19-20), qoj.prethermal closed forms (eqs 24, 26), one vmap over "
        "g_II.\n(a, b) rho_++(t) = (1 + p_z(t))/2 for pure states on a Fibonacci lattice of the "
        "Bloch sphere (colour: initial p_z);\ndashed: Gibbs values at beta_I (red) and beta_II "
        f"(green, eq E2). Shaded: t_rad (r < {RADIUS:g}) to t_dep (departure distance > "
        f"{DISTANCE:g}), sec 5.1.\n(c, d) x-z cross-sections of the accessible set at the "
        "times A, B, ... marked above: ellipses with semi-axes sqrt(r) (x) and r (z)\ncentred "
        "at c (the paper's eq 21 says a ball of radius r; the Lindblad form of eq 14 with the "
        "channels of A1 damps\ncoherences at (gamma_+ + gamma_-)/2, so the transverse semi-axis "
        "is sqrt(r)); dots are the evolved pure states, which lie on\nthe spheroid (residual "
        "reported); crosses are snapshots with r < "
        f"{POINT_RADIUS:g}, drawn at their centre. In fig 2 the centre first sits on\n"
        "rho_th(beta_I) (red) and then moves to rho_th(beta_II) (green); in fig 3 the set "
        "contracts directly around rho_th(beta_II)."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


def _colormap(name="coolwarm"):
    from matplotlib import colormaps

    return colormaps[name]


FIGURE = Figure(
    name="prethermal-ball",
    description=(
        "rho_++(t) of pure states and the ball of accessible states of a qubit in a "
        "non-equilibrium environment, with and without prethermalization (seed 000, figs 2-3)"
    ),
    run=run,
    has_full_version=True,
)
