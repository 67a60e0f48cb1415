"""Cresser (seed 004, sec. VI A): damped coupled qubits under the secular, partial-secular
and local master equations: the steady heat current and the steady coherence."""

from pathlib import Path

import jax.numpy as jnp
import numpy as np

import qoj

from ..models import CoupledQubits
from ._base import Figure, FigureResult, relative_difference

OMEGA_S = 1.0
GAMMA_H, GAMMA_C = 0.01, 0.02  # unequal, so that the printed eq 118 can be told apart
T_H, T_C = 1.0, 0.5
RESOLUTION = 1.0  # joins omega_S - Omega and omega_S + Omega for every Omega on the grid
OMEGA_RANGE = (1e-4, 0.3)
SMALL_OMEGA = 0.01  # "Omega << omega_S, T": where eqs 115 and 118 are compared with numerics
# Steady coherence (eqs 107-108): only qubit 2 damped, one bath.
T_COHERENCE = 0.5
GAMMAS_COHERENCE = (0.005, 0.01, 0.02)
OMEGA_RANGE_COHERENCE = (1e-3, 0.3)

# |+-> = (|eg> +- |ge>)/sqrt(2) (seed 004 eq 92) in the basis (|ee>, |eg>, |ge>, |gg>).
_PLUS = np.array([0.0, 1.0, 1.0, 0.0]) / np.sqrt(2.0)
_MINUS = np.array([0.0, 1.0, -1.0, 0.0]) / np.sqrt(2.0)


def _two_baths(omega):
    bath_h = qoj.Bath(qoj.spectra.Flat(GAMMA_H), T_H)
    bath_c = qoj.Bath(qoj.spectra.Flat(GAMMA_C), T_C)
    return CoupledQubits(OMEGA_S, OMEGA_S, omega, bath_h, bath_c)


def _eq_118_printed(model):
    """Seed 004 eq 118 exactly as printed, as J_1 (J_sec of eq 115 halved, qoj's convention)."""
    n_h = model.bath_1.occupation(OMEGA_S)
    n_c = model.bath_2.occupation(OMEGA_S)
    four_omega2 = 4 * model.coupling**2
    denominator = (
        (2 * n_c + 1) * (2 * n_h + 1) * GAMMA_H * GAMMA_C
        + 0.25 * ((2 * n_h + 1) * GAMMA_H - (2 * n_c + 1) * GAMMA_C) * (GAMMA_H - GAMMA_C)
        + four_omega2
    )
    return model.cresser_secular_heat_current() * four_omega2 / denominator


def _current_point(Omega):
    model = _two_baths(Omega)
    out = {}
    for name, options in (
        ("global", {}),
        ("partial_secular", {"resolution": RESOLUTION}),
        ("local", {}),
    ):
        generator = model.generator(name, **options)
        currents = qoj.heat_currents(generator, qoj.steady_state(generator))
        out[name] = currents["1"]
        out[f"{name}_balance"] = currents["1"] + currents["2"]
    out["eq_115"] = model.cresser_secular_heat_current()
    out["eq_118"] = model.cresser_partial_secular_heat_current()
    out["eq_118_printed"] = _eq_118_printed(model)
    return out


def _coherence_point(gamma, Omega):
    model = CoupledQubits(
        OMEGA_S, OMEGA_S, Omega, None, qoj.Bath(qoj.spectra.Flat(gamma), T_COHERENCE)
    )
    plus, minus = jnp.asarray(_PLUS), jnp.asarray(_MINUS)
    out = {"eq_107": model.cresser_steady_coherence()}
    for name, options in (("partial_secular", {"resolution": RESOLUTION}), ("global", {})):
        rho = qoj.steady_state(model.generator(name, **options))
        out[name] = plus @ rho @ minus  # rho_{+-} = <+|rho|->
    return out


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """J_1 vs Omega (global, partial secular, local; eqs 115, 118) and rho_{+-} (eq 107)."""
    from matplotlib.figure import Figure as MplFigure

    n = 121 if full else 41
    omegas = np.geomspace(*OMEGA_RANGE, n)
    ds = qoj.scan(_current_point, {"Omega": omegas}, progress=False)
    j = {k: ds[k].values for k in ("global", "partial_secular", "local")}
    eq115, eq118, printed = (ds[k].values for k in ("eq_115", "eq_118", "eq_118_printed"))
    balance = max(np.abs(ds[f"{k}_balance"].values).max() for k in j)
    small = omegas <= SMALL_OMEGA

    omegas_c = np.geomspace(*OMEGA_RANGE_COHERENCE, 31 if not full else 91)
    gammas = np.asarray(GAMMAS_COHERENCE)
    dc = qoj.scan(_coherence_point, {"gamma": gammas, "Omega": omegas_c}, progress=False)
    coherence = dc["partial_secular"].values
    closed_coherence = dc["eq_107"].values
    rel_p0 = relative_difference(2 * coherence.real, 2 * closed_coherence.real)
    rel_im = relative_difference(coherence.imag, closed_coherence.imag)
    global_coherence = np.abs(dc["global"].values).max()

    fig = MplFigure(figsize=(15, 4.8), layout="constrained")
    ax_j, ax_rel, ax_p = fig.subplots(1, 3)
    styles = {
        "global": ("C0", "o", "global (full secular)"),
        "partial_secular": ("C1", "s", f"partial secular (resolution {RESOLUTION:g})"),
        "local": ("C2", "^", "local (eq 116)"),
    }
    for name, (color, marker, label) in styles.items():
        ax_j.plot(omegas[::2], j[name][::2], marker, color=color, ms=4.5, mfc="none", label=label)
    ax_j.plot(omegas, eq115, "-", color="C0", lw=1.2, label=r"$J_{\rm sec}$, eq (115)")
    ax_j.plot(
        omegas,
        eq118,
        "-",
        color="C1",
        lw=1.2,
        label=r"$J_{\rm parsec}$, eq (118) without the $\frac{1}{4}$ term",
    )
    ax_j.plot(omegas, printed, ":", color="k", lw=1.2, label="eq (118) as printed")
    ax_j.set_xscale("log")
    ax_j.set_yscale("log")
    ax_j.set_xlabel(r"qubit coupling $\Omega$  [$\omega_S$]")
    ax_j.set_ylabel(r"steady heat current $J_h$ from the hot bath")
    ax_j.set_title(r"(a) $J_h$ vs $\Omega$: secular stays finite as $\Omega \to 0$", fontsize=10)
    ax_j.legend(fontsize=7.5, loc="lower right")

    pairs = (
        ("global vs eq 115", j["global"], eq115, "C0"),
        ("partial secular vs eq 118", j["partial_secular"], eq118, "C1"),
        ("local vs eq 118", j["local"], eq118, "C2"),
        ("eq 118 printed vs local", printed, j["local"], "k"),
    )
    for label, a, b, color in pairs:
        ax_rel.loglog(
            omegas,
            np.maximum(relative_difference(a, b), 1e-17),
            "-",
            color=color,
            lw=1.2,
            label=label,
        )
    ax_rel.axvline(SMALL_OMEGA, color="0.6", lw=0.6, ls=":")
    ax_rel.set_xlabel(r"$\Omega$")
    ax_rel.set_ylabel("relative difference (floored at 1e-17)")
    ax_rel.set_title(
        r"(b) eqs 115, 118 hold for $\Omega \ll \omega_S, T$; for the local eq. exactly",
        fontsize=10,
    )
    ax_rel.legend(fontsize=8, loc="center left")

    for i, (gamma, color) in enumerate(zip(gammas, ["C0", "C1", "C2"], strict=True)):
        ax_p.loglog(
            omegas_c,
            2 * closed_coherence[i].real,
            "-",
            color=color,
            lw=1.2,
            label=rf"$p_0$, eq (107), $\gamma = {gamma:g}$",
        )
        ax_p.loglog(omegas_c[::2], 2 * coherence[i, ::2].real, "o", color=color, ms=4, mfc="none")
        ax_p.loglog(omegas_c, -2 * closed_coherence[i].imag, "--", color=color, lw=1.0)
        ax_p.loglog(omegas_c[::2], -2 * coherence[i, ::2].imag, "x", color=color, ms=4)
    ax_p.plot([], [], "k--", lw=1.0, label=r"$i(\rho_{+-} - \rho_{-+})$, eq (108)")
    ax_p.plot([], [], "ko", ms=4, mfc="none", label="partial secular master equation")
    ax_p.set_xlabel(r"$\Omega$")
    ax_p.set_ylabel(r"steady coherence between $|+\rangle$ and $|-\rangle$")
    ax_p.set_title(
        rf"(c) only qubit 2 damped ($T = {T_COHERENCE:g}$): $p_0 = \rho_{{+-}} + \rho_{{-+}}$"
        "\n(global equation: 0)",
        fontsize=10,
    )
    ax_p.legend(fontsize=7.5, loc="upper left")
    fig.suptitle(
        rf"Two resonant qubits ($\omega_S = {OMEGA_S:g}$) with flip-flop coupling $\Omega$; "
        rf"(a, b) qubit 1 in a hot bath ($T_h = {T_H:g}$, $\gamma_h = {GAMMA_H:g}$), qubit 2 "
        rf"in a cold one ($T_c = {T_C:g}$, $\gamma_c = {GAMMA_C:g}$); Cresser & Facer, sec. VI A"
    )
    png = Path(out_dir) / "cresser-qubits.png"
    fig.savefig(png, dpi=120)

    numbers = {
        "max_relative_difference_local_vs_eq_118": float(
            relative_difference(j["local"], eq118).max()
        ),
        "max_relative_difference_partial_secular_vs_eq_118_small_Omega": float(
            relative_difference(j["partial_secular"], eq118)[small].max()
        ),
        "max_relative_difference_global_vs_eq_115_small_Omega": float(
            relative_difference(j["global"], eq115)[small].max()
        ),
        "max_relative_difference_printed_eq_118_vs_local": float(
            relative_difference(printed, j["local"]).max()
        ),
        "max_abs_Jh_plus_Jc": float(balance),
        "ratio_partial_secular_to_global_at_min_Omega": float(
            j["partial_secular"][0] / j["global"][0]
        ),
        "ratio_partial_secular_to_global_at_max_Omega": float(
            j["partial_secular"][-1] / j["global"][-1]
        ),
        "J_sec_eq_115": float(eq115[0]),
        "max_relative_difference_p0_vs_eq_107": float(rel_p0.max()),
        "max_relative_difference_imag_coherence_vs_eq_108": float(rel_im.max()),
        "max_abs_global_coherence": float(global_coherence),
    }
    headline = (
        f"coupled qubits between a hot and a cold bath, J_h vs Omega in [{OMEGA_RANGE[0]:g}, "
        f"{OMEGA_RANGE[1]:g}]: global -> eq 115 (rel. diff. "
        f"{numbers['max_relative_difference_global_vs_eq_115_small_Omega']:.1e} for Omega <= "
        f"{SMALL_OMEGA:g}) and stays finite as Omega -> 0, partial secular -> eq 118 "
        f"({numbers['max_relative_difference_partial_secular_vs_eq_118_small_Omega']:.1e}) and "
        f"vanishes; local = eq 118 to "
        f"{numbers['max_relative_difference_local_vs_eq_118']:.1e} (eq 118 as printed is off by "
        f"{numbers['max_relative_difference_printed_eq_118_vs_local']:.1e}); coherence p0 vs "
        f"eq 107: {numbers['max_relative_difference_p0_vs_eq_107']:.1e}"
    )
    details = (
        f"H_S = omega_S/2 (s1z + s2z) + Omega (s1+ s2- + s1- s2+) (seed 004 eq 91), omega_S = "
        f"{OMEGA_S:g}; qubit i couples through s_ix to a\nbath with a flat spectral density "
        f"(Cresser's gamma; emission gamma (n + 1), absorption gamma n).\n"
        f"(a) qubit 1 in the hot bath (T_h = {T_H:g}, gamma_h = {GAMMA_H:g}), qubit 2 in the "
        f"cold one (T_c = {T_C:g}, gamma_c = {GAMMA_C:g}); Omega log-spaced in\n"
        f"[{OMEGA_RANGE[0]:g}, {OMEGA_RANGE[1]:g}] ({omegas.size} values, markers every other "
        "one). Currents J_h = heat_currents(gen, steady_state(gen))['1'] of\n"
        "CoupledQubits.generator('global'), ('partial_secular', resolution="
        f"{RESOLUTION:g}) and ('local'), one vmapped qoj.scan.\n"
        "Cresser's J = Tr[H_S (D_h - D_c) rho] (eq 112) is J_h - J_c = 2 J_h: the closed forms "
        "are halved to J_h.\nJ_sec = eq 115 (CoupledQubits.cresser_secular_heat_current). "
        "J_parsec = J_sec 4 Omega^2 / (Gamma_h Gamma_c + 4 Omega^2),\nGamma_i = gamma_i (2 n_i "
        "+ 1): eq 118 without the term (1/4)[(2n_h + 1) gamma_h - (2n_c + 1) gamma_c](gamma_h "
        "- gamma_c)\nof its printed denominator (CoupledQubits.cresser_partial_secular_heat_"
        "current); the local equation (eq 116, the\npartial-secular equation for Omega << "
        "omega_S) agrees with it to rounding, the printed form does not when\ngamma_h != "
        "gamma_c. Eqs 115 and 118 take n(omega_S +- Omega) = n(omega_S), so the global and "
        "partial-secular\nnumerics approach them only for Omega << omega_S, T (compared for "
        f"Omega <= {SMALL_OMEGA:g}).\n(b) relative differences. (c) only qubit 2 damped "
        f"(bath_1 = None, T = {T_COHERENCE:g}, gamma in {GAMMAS_COHERENCE}): the steady state "
        "of the\npartial-secular equation keeps a coherence rho_{+-} between the one-excitation "
        "eigenstates |+-> = (|eg> +- |ge>)/sqrt(2):\nmarkers p0 = 2 Re rho_{+-} (o) and "
        "i(rho_{+-} - rho_{-+}) = -2 Im rho_{+-} (x); lines eqs 107 and 108\n"
        "(CoupledQubits.cresser_steady_coherence). p0 ~ gamma^2 (it vanishes for weak "
        "damping) and is nearly independent of\nOmega; the global steady state has none."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="cresser-qubits",
    description=(
        "damped coupled qubits: steady heat current vs coupling Omega for the global, "
        "partial-secular and local equations, and the steady coherence p0 (Cresser & Facer, "
        "eqs 107, 115, 118)"
    ),
    run=run,
    has_full_version=True,
)
