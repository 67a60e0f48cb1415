"""Fogedby (seed 002, sec. III B): steady heat current through two coupled qubits."""

from pathlib import Path

import jax.numpy as jnp
import numpy as np

import qoj

from ..models import CoupledQubits
from ._base import Figure, FigureResult

OMEGA1, OMEGA2 = 1.2, 0.8  # Fogedby assumes Delta omega = (omega1 - omega2)/2 > 0
KAPPA_A, KAPPA_B = 0.02, 0.03
CUTOFF = 5.0  # Ohmic: g(omega_+) != g(omega_-), so eqs 3.53-3.54 are tested off a flat spectrum
T_B = 0.5
T_RANGE = (0.1, 5.0)
LAMBDA_RANGE = (0.02, 0.9)  # lambda < sqrt(omega1 omega2) ~ 0.98 keeps omega_- > 0
LAMBDA_CUTS = (0.1, 0.3, 0.6)
T_A_CUTS = (1.0, 2.0, 4.0)


def _model(lam, temperature_a):
    bath_a = qoj.Bath(qoj.spectra.Ohmic(KAPPA_A, cutoff=CUTOFF), temperature_a)
    bath_b = qoj.Bath(qoj.spectra.Ohmic(KAPPA_B, cutoff=CUTOFF), T_B)
    return CoupledQubits(OMEGA1, OMEGA2, lam, bath_a, bath_b)


def _eqs_3_53_3_54(model):
    """(q_+^A, q_-^A) as printed in seed 002 eqs 3.53-3.54, with alpha = cos(theta/2),
    beta = sin(theta/2), tan(theta) = 2 lambda/(omega1 - omega2) (eqs 3.29-3.33)."""
    lam, w1, w2 = model.coupling, model.omega1, model.omega2
    theta = jnp.arctan2(2 * lam, w1 - w2)
    a2, b2 = jnp.cos(theta / 2) ** 2, jnp.sin(theta / 2) ** 2
    root = jnp.sqrt(((w1 - w2) / 2) ** 2 + lam**2)
    mean = (w1 + w2) / 2
    a, b = model.bath_1, model.bath_2

    def part(w, weight_a, weight_b):
        g_a, g_b = a.spectrum(w), b.spectrum(w)
        n_a, n_b = a.occupation(w), b.occupation(w)
        denominator = weight_a * g_a * (1 + 2 * n_a) + weight_b * g_b * (1 + 2 * n_b)
        return a2 * b2 * g_a * g_b * w * (n_a - n_b) / denominator

    return part(mean + root, a2, b2), part(mean - root, b2, a2)


def _point(lam, T_A):
    model = _model(lam, T_A)
    generator = model.generator("global")
    currents = qoj.heat_currents(generator, qoj.steady_state(generator))
    plus, minus = _eqs_3_53_3_54(model)
    return {
        "q_A": currents["1"],
        "q_B": currents["2"],
        "q_plus": plus,
        "q_minus": minus,
        "eq_3_50": model.fogedby_heat_current(),
    }


def _grid(values, cuts):
    return np.unique(np.concatenate([values, np.asarray(cuts, float)]))


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """q^A versus lambda and versus T_A from the global equation, against eqs 3.53-3.54."""
    from matplotlib.figure import Figure as MplFigure

    n = 121 if full else 41
    lambdas = _grid(np.linspace(*LAMBDA_RANGE, n), LAMBDA_CUTS)
    temperatures = _grid(np.geomspace(*T_RANGE, n), (*T_A_CUTS, T_B))
    ds = qoj.scan(_point, {"lam": lambdas, "T_A": temperatures}, progress=False)
    q_a, q_b = ds["q_A"].values, ds["q_B"].values
    q_plus, q_minus = ds["q_plus"].values, ds["q_minus"].values
    closed = q_plus + q_minus
    rate_form = ds["eq_3_50"].values

    off = temperatures != T_B  # q^A = 0 at T_A = T_B
    rel = np.abs(q_a - closed)[:, off] / np.abs(closed)[:, off]
    rel_rate_form = np.abs(rate_form - closed)[:, off] / np.abs(closed)[:, off]
    balance = np.abs(q_a + q_b).max()
    expected = np.sign(temperatures[off] - T_B)[None, :]
    signs_ok = bool(np.all(np.sign(q_a[:, off]) == expected))

    fig = MplFigure(figsize=(15, 4.6), layout="constrained")
    ax_lam, ax_t, ax_rel = fig.subplots(1, 3)
    colors = ["C0", "C1", "C2"]
    for t_a, color in zip(T_A_CUTS, colors, strict=True):
        j = int(np.flatnonzero(temperatures == t_a)[0])
        ax_lam.plot(lambdas, closed[:, j], "-", color=color, lw=1.2)
        ax_lam.plot(
            lambdas[::2], q_a[::2, j], "o", color=color, ms=4, mfc="none", label=rf"$T_A = {t_a:g}$"
        )
        if t_a == T_A_CUTS[-1]:
            ax_lam.plot(
                lambdas,
                q_plus[:, j],
                ":",
                color=color,
                lw=1.2,
                label=rf"$q_+^A$ (3.53), $T_A = {t_a:g}$",
            )
            ax_lam.plot(
                lambdas,
                q_minus[:, j],
                "--",
                color=color,
                lw=1.0,
                label=rf"$q_-^A$ (3.54), $T_A = {t_a:g}$",
            )
    ax_lam.plot([], [], "k-", lw=1.2, label=r"$q_+^A + q_-^A$, eqs (3.53)+(3.54)")
    ax_lam.plot([], [], "ko", ms=4, mfc="none", label="global master equation")
    ax_lam.set_xlabel(r"qubit coupling $\lambda$")
    ax_lam.set_ylabel(r"steady heat current $q^A$ from bath A")
    ax_lam.set_title(rf"(a) $q^A$ vs $\lambda$ ($T_B = {T_B:g}$)")
    ax_lam.legend(fontsize=7.5, loc="upper left")

    for lam, color in zip(LAMBDA_CUTS, colors, strict=True):
        i = int(np.flatnonzero(lambdas == lam)[0])
        ax_t.plot(temperatures, closed[i], "-", color=color, lw=1.2)
        ax_t.plot(
            temperatures[::2],
            q_a[i, ::2],
            "o",
            color=color,
            ms=4,
            mfc="none",
            label=rf"$\lambda = {lam:g}$",
        )
    ax_t.axhline(0.0, color="0.6", lw=0.6)
    ax_t.axvline(T_B, color="0.6", lw=0.6, ls=":")
    ax_t.set_xscale("log")
    ax_t.set_xlabel(r"$T_A$")
    ax_t.set_ylabel(r"$q^A$")
    ax_t.set_title(r"(b) $q^A$ vs $T_A$: sign of $T_A - T_B$ (second law)")
    ax_t.legend(fontsize=8, loc="upper left")

    image = ax_rel.pcolormesh(
        temperatures[off],
        lambdas,
        np.log10(np.maximum(rel, 1e-17)),
        shading="nearest",
        cmap="viridis",
    )
    ax_rel.set_xscale("log")
    ax_rel.set_xlabel(r"$T_A$")
    ax_rel.set_ylabel(r"$\lambda$")
    ax_rel.set_title(r"(c) $\log_{10}$ |numerics $-$ (3.53)+(3.54)| / |(3.53)+(3.54)|")
    fig.colorbar(image, ax=ax_rel)
    fig.suptitle(
        rf"Two flip-flop coupled qubits ($\omega_1 = {OMEGA1:g}$, $\omega_2 = {OMEGA2:g}$), "
        rf"qubit 1 in bath A, qubit 2 in bath B (Ohmic, $\kappa_A = {KAPPA_A:g}$, "
        rf"$\kappa_B = {KAPPA_B:g}$, cutoff {CUTOFF:g}), $T_B = {T_B:g}$; "
        r"Fogedby 2023, sec. III B"
    )
    png = Path(out_dir) / "fogedby-coupled.png"
    fig.savefig(png, dpi=120)

    max_rel = float(rel.max())
    numbers = {
        "max_relative_difference": max_rel,
        "max_relative_difference_eq_3_50_vs_eqs_3_53_3_54": float(rel_rate_form.max()),
        "max_abs_qA_plus_qB": float(balance),
        "max_abs_qA_at_TA_equal_TB": float(np.abs(q_a[:, ~off]).max()),
        "second_law_sign_check": "passed" if signs_ok else "FAILED",
        "grid_points": int(q_a.size),
    }
    j_hot = int(np.flatnonzero(temperatures == T_A_CUTS[-1])[0])
    i_peak = int(np.argmax(q_a[:, j_hot]))
    numbers[f"lambda_of_max_qA_at_TA_{T_A_CUTS[-1]:g}"] = float(lambdas[i_peak])
    numbers[f"max_qA_at_TA_{T_A_CUTS[-1]:g}"] = float(q_a[i_peak, j_hot])
    headline = (
        f"q^A of two coupled qubits vs lambda and T_A ({q_a.size} points, global master "
        f"equation): max rel. diff. to Fogedby eqs 3.53-3.54 {max_rel:.1e}, "
        f"max |q^A + q^B| = {balance:.1e}, second-law sign check "
        f"{numbers['second_law_sign_check']}"
    )
    details = (
        f"H_S = omega1/2 s1z + omega2/2 s2z + lambda (s1+ s2- + s1- s2+), omega1 = {OMEGA1:g},\n"
        f"omega2 = {OMEGA2:g}; qubit 1 couples through s1x to bath A (Ohmic J = kappa_A w\n"
        f"e^(-w/{CUTOFF:g}), kappa_A = {KAPPA_A:g}, temperature T_A), qubit 2 through s2x to "
        f"bath B\n(kappa_B = {KAPPA_B:g}, T_B = {T_B:g}). Fogedby's g(omega) is J(omega) "
        "(rate-normalised). An Ohmic rather than a\nflat spectrum so that g(omega_+) != "
        "g(omega_-) is exercised. Grid: lambda in "
        f"[{LAMBDA_RANGE[0]:g}, {LAMBDA_RANGE[1]:g}]\n({lambdas.size} values), T_A log-spaced "
        f"in [{T_RANGE[0]:g}, {T_RANGE[1]:g}] ({temperatures.size} values, T_B included).\n"
        "Numerics: steady_state(CoupledQubits.generator('global')) then heat_currents, "
        "over the grid with qoj.scan (one vmapped, jitted call).\n"
        "Closed form: eqs 3.53-3.54 as printed (alpha, beta from tan theta = 2 lambda/"
        "(omega1 - omega2)); also compared with the\nrate form eq 3.50 "
        "(CoupledQubits.fogedby_heat_current).\n"
        "(a) q^A vs lambda at T_A = 1, 2, 4 (markers: every other numerical point; lines: "
        "closed form), with the\nomega_+ and omega_- channels q_+^A, q_-^A at T_A = 4: the "
        "current vanishes at lambda = 0 (alpha beta = 0)\nand is carried mostly by omega_- "
        "at small lambda. (b) q^A vs T_A at lambda = 0.1, 0.3, 0.6: it has the sign of\n"
        "T_A - T_B. (c) relative difference numerics vs closed form over the whole grid "
        "(T_A = T_B excluded: q^A = 0)."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="fogedby-coupled",
    description=(
        "steady heat current q^A of two coupled qubits vs coupling lambda and T_A: global "
        "master equation vs closed forms (Fogedby 2023, eqs 3.53-3.54)"
    ),
    run=run,
    has_full_version=True,
)
