"""Seed 000 (section 6, Fig 7 c-e): the heat flux through a qubit between two environments,
and its sign changes when the environments are out of equilibrium."""

from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

import qoj

from ..models import PrethermalJunction
from ..models._flux_reversal import flux_reversal_times
from ._base import Figure, FigureResult

OMEGA0 = 1.0
G_I = 1e-2
S, CUTOFF = 1.0, 10.0
N_GRID = 400
# Panels: (beta_I, beta_II, g_II) of the left and right environments, and the last time.
# (c) equilibrium reservoirs: T_II = T_I, so that the rates of eqs 19-20 are the constant
# rates J_I n_I, J_I (n_I + 1) of an equilibrium reservoir (the text of section 6.1).
PANELS = {
    "c": {"L": (1.0, 1.0, 1e-3), "R": (0.1, 0.1, 1e-3), "t_max": 1e4},
    "d": {"L": (1.0, 0.1, 1e-3), "R": (0.1, 1.0, 1e-3), "t_max": 1e6},
    "e": {"L": (0.5, 10.0, 1e-5), "R": (0.1, 1.0, 1e-2), "t_max": 1e8},
}
# (L stage, R stage) of every quasi-stationary flux drawn (eq 35 with eq G5); ("II", "II")
# is the steady flux (G3).
STAGES = {"c": [("II", "II")], "d": [("I", "I"), ("II", "II")]}
STAGES["e"] = [("I", "I"), ("I", "II"), ("II", "II")]
# Initial excited populations (the qubit starts diagonal); None: the quasi-stationary state
# of the reservoirs R_I (eq G5, stages ("I", "I")), the paper's blue curve.
INITIAL = {"ground": 0.0, "mixed": 0.5, "excited": 1.0, "quasi-stationary": None}


def _environment(beta_I, beta_II, g_II):
    return qoj.NonEquilibriumBath(
        qoj.spectra.Ohmic(G_I, S, CUTOFF),
        qoj.spectra.Ohmic(g_II, S, CUTOFF),
        1.0 / beta_I,
        1.0 / beta_II,
    )


def junction(panel: str) -> PrethermalJunction:
    """The model of Fig 7 (c), (d) or (e)."""
    spec = PANELS[panel]
    return PrethermalJunction(OMEGA0, _environment(*spec["L"]), _environment(*spec["R"]))


def initial_populations(model) -> jnp.ndarray:
    """rho_++(0) of the initial states `INITIAL`."""
    qs = model.excited_population_limit(("I", "I"))
    return jnp.stack([qs if p is None else jnp.asarray(p, qs.dtype) for p in INITIAL.values()])


@eqx.filter_jit
def panel_reversals(model, populations, t_max):
    """`flux_reversal_times` (flux (J^R - J^L)/2) for diagonal initial states with excited
    populations `populations`, vmapped. One compilation serves every panel (the model and
    t_max are traced)."""

    def one(p):
        rho0 = jnp.diag(jnp.stack([p, 1.0 - p])).astype(jnp.result_type(p, 1j))
        return flux_reversal_times(model, rho0, t_max, n_grid=N_GRID)

    return jax.vmap(one)(populations)


def stationary_flux(model, stages) -> float:
    """(J^R - J^L)/2 in the (quasi-)stationary state of `stages` (eq 35 with G5 / G3)."""
    currents = model.stationary_heat_currents(stages)
    return float(0.5 * (currents["R"] - currents["L"]))


def adiabatic_reversals(model, t_max, n=20001):
    """Sign changes of the flux in the state that follows the rates instantaneously (eq G2 at
    every t, eq 35 with the rates of eqs 19-20 at t): the slow-drift limit of the dynamics,
    by bisection on a log grid (NumPy, eager).

    With equal J_I^L(w0) = J_I^R(w0) = J (all panels here) this is exact, not an
    approximation: eq 35 per environment gives (J^R - J^L)/2 = w0 J (n^R(t) - n^L(t))
    (1/2 - rho_++) with n^nu(t) = gamma_+^nu(t)/J the occupation of eqs 19-20, so while
    rho_++ < 1/2 the flux changes sign exactly where n^R(t) = n^L(t), whatever the state.
    """

    def flux(t):
        rates = {k: env.rates(t, model.omega0) for k, env in model.environments().items()}
        up = sum(r[0] for r in rates.values())
        total = sum(r[0] + r[1] for r in rates.values())
        p = up / total
        j = {k: model.omega0 * (r[0] - p * (r[0] + r[1])) for k, r in rates.items()}
        return np.asarray(0.5 * (j["R"] - j["L"]))

    ts = np.geomspace(1e-2, t_max, n)
    values = flux(jnp.asarray(ts))
    roots = []
    for i in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        a, b = ts[i], ts[i + 1]
        for _ in range(60):
            m = 0.5 * (a + b)
            if np.sign(flux(m)) == np.sign(values[i]):
                a = m
            else:
                b = m
        roots.append(0.5 * (a + b))
    return roots


def _symlog(ax):
    """Log time; a symmetric-log flux axis (transients of 1e-2 and plateaus of 1e-3 alike)."""
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=3e-4, linscale=0.6)
    ax.set_yticks([-1e-2, -1e-3, 0.0, 1e-3, 1e-2])


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """Fig 7 (c), (d), (e): the flux (J^R - J^L)/2 for four initial states, the stationary
    fluxes of eq 35, and the sign-change times."""
    del full  # one version: the grid of 400 log-spaced times resolves every panel
    from matplotlib.figure import Figure as MplFigure

    names = list(INITIAL)
    special = names.index("quasi-stationary")
    results, models, lines = {}, {}, {}
    for panel, spec in PANELS.items():
        model = junction(panel)
        models[panel] = model
        out = panel_reversals(model, initial_populations(model), jnp.asarray(spec["t_max"]))
        results[panel] = jax.tree.map(np.asarray, out)
        lines[panel] = {stages: stationary_flux(model, stages) for stages in STAGES[panel]}

    numbers: dict[str, float | str] = {}
    late_deviation = 0.0
    for panel, out in results.items():
        model = models[panel]
        steady = lines[panel][("II", "II")]
        qs = stationary_flux(model, ("I", "I"))
        late = out.flux[:, -1]
        deviation = float(np.max(np.abs(late - steady)))
        late_deviation = max(late_deviation, deviation / abs(steady))
        counts = out.count
        numbers[f"{panel}_sign_changes"] = int(counts[special])
        numbers[f"{panel}_sign_changes_by_initial_state"] = " ".join(
            f"{name}={int(c)}" for name, c in zip(names, counts, strict=True)
        )
        for k, t in enumerate(out.times[special][: counts[special]]):
            numbers[f"{panel}_reversal_time_{k + 1}"] = float(t)
        for stages, value in lines[panel].items():
            numbers[f"{panel}_flux_eq35_{'_'.join(stages)}"] = value
        numbers[f"{panel}_late_flux_numeric"] = float(late[special])
        numbers[f"{panel}_max_abs_late_flux_minus_eq35"] = deviation
        numbers[f"{panel}_abs_initial_flux_minus_eq35_qs_state"] = float(
            abs(out.flux[special, 0] - qs)
        )
        numbers[f"{panel}_max_abs_late_JL_plus_JR"] = float(
            np.max(np.abs(out.heat_currents["L"][:, -1] + out.heat_currents["R"][:, -1]))
        )
        adiabatic = adiabatic_reversals(model, PANELS[panel]["t_max"])
        if panel == "d":  # symmetric: n^R(t) = n^L(t) at e^{-J_II t} = 1/2
            rate = model.env_L.relaxation_rate(model.omega0)
            numbers["d_reversal_time_closed_form_ln2_over_J_II"] = float(np.log(2.0) / rate)
        for k, t in enumerate(adiabatic):
            numbers[f"{panel}_adiabatic_reversal_time_{k + 1}"] = float(t)
        # The late reversals do not depend on the initial state (all states have relaxed):
        # compare every state's last k with those of the quasi-stationary one.
        k = int(counts[special])
        if k:
            ref = out.times[special, :k]
            spread = max(
                float(np.max(np.abs(out.times[i, int(c) - k : int(c)] - ref) / ref))
                for i, c in enumerate(counts)
            )
            numbers[f"{panel}_reversal_times_relative_spread_over_initial_states"] = spread
    numbers["max_relative_late_flux_deviation_from_eq35"] = late_deviation
    numbers["beta_eff_d_G4"] = float(models["d"].effective_inverse_temperature())

    fig = MplFigure(figsize=(17, 4.8), layout="constrained")
    axes = fig.subplots(1, 4)
    colors = {"quasi-stationary": "C0", "ground": "C1", "mixed": "C2", "excited": "C3"}
    titles = {
        "c": r"(c) equilibrium reservoirs: $\beta^L = 1$, $\beta^R = 0.1$",
        "d": r"(d) $\beta_I^{L,R} = 1, 0.1$;  $\beta_{II}^{L,R} = 0.1, 1$",
        "e": r"(e) $\beta_I^{L,R} = 0.5, 0.1$;  $\beta_{II}^{L,R} = 10, 1$; "
        r"$g_{II}^{L,R} = 10^{-5}, 10^{-2}$",
    }
    stage_styles = {("I", "I"): "--", ("I", "II"): "-.", ("II", "II"): ":"}
    for ax, (panel, out) in zip(axes, results.items(), strict=False):
        t = out.grid[0, 1:]
        for i, name in enumerate(names):
            ax.plot(t, out.flux[i, 1:], color=colors[name], lw=1.4, label=name)
            n = int(out.count[i])
            ax.plot(out.times[i, :n], np.zeros(n), "o", color=colors[name], mfc="none", ms=7)
        for stages, value in lines[panel].items():
            label = "eq 35, steady (G3)" if stages == ("II", "II") else f"eq 35, G5 {stages}"
            ax.axhline(value, color="k", lw=1.0, ls=stage_styles[stages], label=label)
        for time in out.times[special, : int(out.count[special])]:
            ax.axvline(time, color="C0", lw=0.6, ls=":")
        ax.axhline(0.0, color="0.6", lw=0.6)
        _symlog(ax)
        ax.set_xlabel(r"$t$  [$1/\omega_0$]")
        ax.set_title(titles[panel], fontsize=9)
    axes[0].set_ylabel(r"total heat flux $(J^R - J^L)/2$  [$\omega_0^2$]  (symlog)")
    axes[0].legend(fontsize=7, loc="upper right")
    axes[2].legend(fontsize=7, loc="lower left")

    # (f) the convention: J^R, -J^L and (J^R - J^L)/2 agree after the transient, while the
    # literal J^L + J^R = dE_S/dt decays to zero.
    ax = axes[3]
    out = results["d"]
    ground = names.index("ground")
    t = out.grid[0, 1:]
    j_l, j_r = out.heat_currents["L"][ground, 1:], out.heat_currents["R"][ground, 1:]
    ax.plot(t, 0.5 * (j_r - j_l), "C0", lw=2.0, label=r"$(J^R - J^L)/2$ (plotted)")
    ax.plot(t, j_r, "C1--", lw=1.2, label=r"$J^R$")
    ax.plot(t, -j_l, "C2-.", lw=1.2, label=r"$-J^L$")
    ax.plot(t, j_l + j_r, "C3", lw=1.0, label=r"$J^L + J^R = dE_S/dt$")
    ax.axhline(0.0, color="0.6", lw=0.6)
    _symlog(ax)
    ax.set_xlabel(r"$t$  [$1/\omega_0$]")
    ax.set_title("(f) panel (d), ground state: which 'total flux'", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    fig.suptitle(
        rf"Qubit ($\omega_0 = {OMEGA0:g}$) between two non-equilibrium environments, Ohmic "
        rf"$g_I = {G_I:g}$, $g_{{II}} = 10^{{-3}}$ unless stated, cutoffs {CUTOFF:g}; "
        r"circles: sign changes. Seed 000, Fig 7  ($\hbar = k_B = 1$)"
    )
    png = Path(out_dir) / "heat-flux-flips.png"
    fig.savefig(png, dpi=120)

    headline = (
        f"heat flux (J^R - J^L)/2 through a qubit between non-equilibrium environments (Fig 7): "
        f"sign changes (d) {numbers['d_sign_changes']} at t = {numbers['d_reversal_time_1']:.4g},"
        f" (e) {numbers['e_sign_changes']} at t = {numbers['e_reversal_time_1']:.4g}, "
        f"{numbers['e_reversal_time_2']:.4g}; late flux vs eq 35 max rel. dev. "
        f"{late_deviation:.1e}"
    )
    details = (
        "Model: PrethermalJunction (seed 000 section 6), rates of eqs 19-20, Ohmic spectral\n"
        f"densities g_I = {G_I:g}, s = {S:g}, cutoffs {CUTOFF:g}; panels (beta_I, beta_II, g_II)\n"
        f"per side: {PANELS}. (c) takes T_II = T_I: constant equilibrium rates.\n"
        "Plotted 'total heat flux' = (J^R - J^L)/2 with J^nu = Tr[H_S D^nu rho] (eq 34, into\n"
        "the qubit): the paper counts the flux from the right positive and from the left\n"
        "negative and draws eq 35 (one environment's stationary flux) as the limit; the literal\n"
        "J^L + J^R = dE_S/dt vanishes in every stationary state (panel f). J^R alone or -J^L\n"
        "differ from it by +/-(dE_S/dt)/2: same plateaus, and in (e) a first reversal at\n"
        "t = 232 (J^R) or 261 (-J^L) instead of 247 (see qoj.models._flux_reversal).\n"
        f"Initial states: diagonal, rho_++(0) = {INITIAL} (None: eq G5 with stages (I, I)).\n"
        "Numerics: flux_reversal_times (qoj.models._flux_reversal): Kvaerno5, rtol 1e-8,\n"
        f"atol 1e-10, {N_GRID} times (t = 0 and log-spaced from 1e-2 to t_max), sign changes\n"
        "bracketed on the grid and zoomed 3 times (relative accuracy < 1e-9 of the numerical\n"
        "flux's roots). Dashed/dash-dotted/dotted lines: eq 35 with the quasi-stationary\n"
        "populations of eq G5 (stages L, R) and the steady one of eq G3.\n"
        "adiabatic_reversal_time: roots of eq 35 with the instantaneous rates of eqs 19-20 and\n"
        "the instantaneous eq G2 population. With J_I^L = J_I^R = J (here) the flux is\n"
        "w0 J (n^R(t) - n^L(t)) (1/2 - rho_++), so once rho_++ < 1/2 its sign changes exactly\n"
        "where the occupations of eqs 19-20 cross, for every initial state: these roots are\n"
        "exact and test the root finder (in (d), symmetric, t = ln 2 / J_II(w0)).\n"
        "Sign-change counts are those of the quasi-stationary initial state; the excited state\n"
        "adds an early one in every panel, when its rho_++ falls through 1/2."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="heat-flux-flips",
    description=(
        "heat flux through a qubit between two non-equilibrium environments vs time: one and "
        "two sign changes (seed 000, Fig 7 c-e)"
    ),
    run=run,
)
