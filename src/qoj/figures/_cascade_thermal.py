"""Seed 001, Fig. 2: heat fluxes of two oscillators / two qubits in cascade, thermal start.

Both subsystems start in a product of local thermal states at T_S and dissipate in cascade
(S1 -> S2) into one reservoir at T = omega (k_B T / hbar omega = 1). Plotted in the seed's
sign (heat RELEASED into the reservoir): oscillators J_seed = -J_qoj, qubits J_seed =
-(2/omega) J_qoj (see `qoj.models._cascaded`).
"""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import qoj
from qoj import gaussian

from ._base import Figure, FigureResult

OMEGA = 1.0
GAMMA = 1.0
T_RESERVOIR = 1.0  # k_B T / (hbar omega) = 1, as in the seed
T_SYSTEM = (0.1, 0.5, 2.0, 5.0)  # T_S (the seed's legend values are not in the text)
U_MAX = 8.0  # gamma t range
KEYS = ("1", "2", "cascade", "total", "independent")
LABELS = {
    "1": r"$J_1$",
    "2": r"$J_2$",
    "cascade": r"$J_{12}$",
    "total": r"$J^{(c)}$ (solid), $J^{(ind)}$ (dashed)",
}


def _occupation(temperature):
    return 1.0 / jnp.expm1(OMEGA / temperature)


def _oscillators(ts, temperatures):
    """Numerical (covariance-matrix) currents in the seed's sign, units omega gamma."""
    n = _occupation(T_RESERVOIR)
    cascade = gaussian.cascaded_oscillators(OMEGA, GAMMA, n)
    independent = cascade.restricted(["1", "2"])

    def one(n_s):
        c0 = gaussian.thermal_covariance(jnp.stack([n_s, n_s]))
        jc = gaussian.evolve(cascade, c0, ts).heat_currents
        ji = gaussian.evolve(independent, c0, ts).heat_currents
        out = {k: -jc[k] for k in ("1", "2", "cascade")}
        out["total"] = out["1"] + out["2"] + out["cascade"]
        out["independent"] = -(ji["1"] + ji["2"])
        return out

    def closed(n_s):
        j = gaussian.cascade_heat_currents(
            ts, gamma=GAMMA, initial_occupation=n_s, occupation=n, omega=OMEGA
        )
        return {k: -j[k] for k in KEYS}

    n_s = jax.vmap(_occupation)(temperatures)
    scale = OMEGA * GAMMA
    num = {k: np.asarray(v) / scale for k, v in jax.vmap(one)(n_s).items()}
    ref = {k: np.asarray(v) / scale for k, v in jax.vmap(closed)(n_s).items()}
    return num, ref


def _qubits(ts, temperatures):
    """Numerical (master-equation) currents in the seed's sign, units hbar omega gamma."""
    model = qoj.models.CascadedQubits(OMEGA, GAMMA, T_RESERVOIR)
    cascade, independent = model.generator("cascaded"), model.generator("independent")
    xi = model.xi()

    def one(t_s):
        xi_s = jnp.tanh(OMEGA / (2 * t_s))
        rho0 = model.locally_thermal_state(xi_s)
        jc = qoj.evolve(cascade, rho0, ts).heat_currents
        ji = qoj.evolve(independent, rho0, ts).heat_currents
        out = {k: -(2 / OMEGA) * jc[k] for k in ("1", "2", "cascade")}
        out["total"] = out["1"] + out["2"] + out["cascade"]
        out["independent"] = -(2 / OMEGA) * (ji["1"] + ji["2"])
        # S1 relaxes alone: <sigma_z1> -> -xi at rate gamma, so J1 = gamma (xi - xi_S) e^{-gt}
        out["1_closed"] = GAMMA * (xi - xi_s) * jnp.exp(-GAMMA * ts)
        return out

    return {k: np.asarray(v) / GAMMA for k, v in jax.vmap(one)(temperatures).items()}


def _crossings(u, diff):
    """The first sign change of diff(u) at u > 0 for each row (linear interpolation)."""
    out = []
    for row in diff:
        idx = np.nonzero(np.sign(row[1:-1]) != np.sign(row[2:]))[0]
        if idx.size == 0:
            out.append(np.nan)
            continue
        i = idx[0] + 1
        out.append(u[i] - row[i] * (u[i + 1] - u[i]) / (row[i + 1] - row[i]))
    return np.asarray(out)


def _peak(u, y):
    """argmax |y| per row, refined by a parabola through the three grid points around it."""
    out = []
    for row in np.abs(y):
        i = int(np.clip(np.argmax(row), 1, row.size - 2))
        a, b, c = row[i - 1], row[i], row[i + 1]
        out.append(u[i] + 0.5 * (u[1] - u[0]) * (a - c) / (a - 2 * b + c))
    return np.asarray(out)


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """J1, J2, J12, J(c), J(ind) against gamma t for several T_S: oscillators and qubits."""
    del full  # one version only: a few seconds
    from matplotlib.figure import Figure as MplFigure

    ts = jnp.linspace(0.0, U_MAX / GAMMA, 801)
    u = np.asarray(ts) * GAMMA
    temperatures = jnp.asarray(T_SYSTEM)
    osc, osc_ref = _oscillators(ts, temperatures)
    qub = _qubits(ts, temperatures)

    osc_dev = max(float(np.abs(osc[k] - osc_ref[k]).max()) for k in KEYS)
    osc_ind_dev = float(np.abs(osc["independent"] - 2 * osc["1"]).max())
    qub_ind_dev = float(np.abs(qub["independent"] - 2 * qub["1"]).max())
    qub_j1_dev = float(np.abs(qub["1"] - qub["1_closed"]).max())
    osc_cross = _crossings(u, np.abs(osc["total"]) - np.abs(osc["independent"]))
    qub_cross = _crossings(u, np.abs(qub["total"]) - np.abs(qub["independent"]))
    osc_peak = _peak(u, osc["cascade"])
    qub_peak = _peak(u, qub["cascade"])
    # J12 has the sign opposite to J1's at all t > 0 (seed sec V A).
    osc_opposite = bool(np.all(osc["cascade"][:, 1:] * osc["1"][:, 1:] < 0))
    qub_opposite = bool(np.all(qub["cascade"][:, 1:] * qub["1"][:, 1:] < 0))

    fig = MplFigure(figsize=(11, 13), layout="constrained")
    axes = fig.subplots(4, 2, sharex=True)
    colors = ["C0", "C1", "C2", "C3"]
    for col, (data, title) in enumerate(((osc, "harmonic oscillators"), (qub, "qubits"))):
        for row, key in enumerate(("1", "2", "cascade", "total")):
            ax = axes[row, col]
            for i, (t_s, color) in enumerate(zip(T_SYSTEM, colors, strict=True)):
                label = rf"$T_S = {t_s:g}$" if row == 0 else None
                ax.plot(u, data[key][i], color=color, lw=1.3, label=label)
                if key == "total":
                    ax.plot(u, data["independent"][i], "--", color=color, lw=1.0)
            if col == 0:
                ax.plot(
                    u,
                    osc_ref[key][0],
                    "k:",
                    lw=0.8,
                    label="closed form (eqs 26-30)" if row == 0 else None,
                )
            ax.axhline(0.0, color="0.6", lw=0.5)
            ax.set_ylabel(LABELS[key])
            if row == 0:
                ax.set_title(title)
                ax.legend(fontsize=8)
        axes[3, col].set_xlabel(r"$\gamma t$")
    fig.suptitle(
        "Seed 001 Fig. 2: heat RELEASED into the reservoir (seed's sign: oscillators "
        r"$-J_{\rm qoj}/\hbar\omega\gamma$, qubits $-2J_{\rm qoj}/\hbar\omega\gamma$)"
        "\n"
        rf"$k_BT/\hbar\omega = {T_RESERVOIR:g}$; dotted black: closed form for "
        rf"$T_S = {T_SYSTEM[0]:g}$ (oscillators)"
    )
    png = Path(out_dir) / "cascade-thermal.png"
    fig.savefig(png, dpi=100)

    numbers = {
        "oscillators_max_abs_dev_from_closed_forms": osc_dev,
        "oscillators_max_abs_Jind_minus_2J1": osc_ind_dev,
        "qubits_max_abs_J1_dev_from_closed_form": qub_j1_dev,
        "qubits_max_abs_Jind_minus_2J1": qub_ind_dev,
        "oscillators_gamma_t_Jc_equals_Jind_max_dev_from_2": float(np.abs(osc_cross - 2).max()),
        "oscillators_gamma_t_of_max_abs_J12_max_dev_from_1": float(np.abs(osc_peak - 1).max()),
        "oscillators_J12_opposite_sign_to_J1": "passed" if osc_opposite else "FAILED",
        "qubits_J12_opposite_sign_to_J1": "passed" if qub_opposite else "FAILED",
    }
    for t_s, c, p in zip(T_SYSTEM, qub_cross, qub_peak, strict=True):
        numbers[f"qubits_gamma_t_Jc_equals_Jind_TS_{t_s:g}"] = float(c)
        numbers[f"qubits_gamma_t_of_max_abs_J12_TS_{t_s:g}"] = float(p)
    headline = (
        f"cascade heat fluxes from thermal starts, T_S in {T_SYSTEM}, T = {T_RESERVOIR:g}: "
        f"oscillators vs eqs 26-30 max dev {osc_dev:.1e}, J(ind) = 2 J1 to {osc_ind_dev:.1e}; "
        f"|J(c)| = |J(ind)| at gamma t = 2 (max dev {float(np.abs(osc_cross - 2).max()):.1e}); "
        f"qubits J1 vs closed form {qub_j1_dev:.1e}"
    )
    details = (
        "Oscillators: qoj.gaussian.cascaded_oscillators + gaussian.evolve (covariance matrices,\n"
        "exact), vmapped over T_S; compared with gaussian.cascade_heat_currents (eqs 26-30).\n"
        "J(ind) from the system restricted to parts 1, 2. Qubits: CascadedQubits generators\n"
        "(cascaded, independent) + qoj.evolve from locally_thermal_state(xi_S), vmapped over\n"
        "T_S; J1 checked against gamma (xi - xi_S) e^{-gamma t}. All currents in the seed's\n"
        "sign (heat released): -J_qoj/(omega gamma) for oscillators, -2 J_qoj/(omega gamma)\n"
        "for qubits. Crossing times: first t > 0 where |J(c)| = |J(ind)| (seed: gamma t = 2\n"
        "for oscillators). T_S values are our choice (the seed's legend is not in its text)."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="cascade-thermal",
    description=(
        "heat fluxes J1, J2, J12, J(c), J(ind) of cascaded oscillators and qubits from "
        "thermal states at several T_S (seed 001 Fig. 2)"
    ),
    run=run,
)
