"""Cresser (seed 004, sec. VI B): heat current through a qubit tunnelling between two wells,
secular (eq 140) vs partial secular (eq 145)."""

from pathlib import Path

import numpy as np

import qoj

from ..models import TunnellingQubit
from ._base import Figure, FigureResult, relative_difference

OMEGA_S = 1.0
T_L, T_R = 1.0, 0.5
GAMMAS = (0.005, 0.01, 0.02)  # Cresser's gamma, the same for both wells
RESOLUTION = 1.0  # joins omega_S - Omega, omega_S and omega_S + Omega for every Omega here
OMEGA_RANGE = (1e-4, 0.3)
SMALL_OMEGA = 0.01  # "Omega << omega_S, T": where eqs 140 and 145 are compared with numerics


def _model(gamma, Omega):
    return TunnellingQubit(
        OMEGA_S,
        Omega,
        qoj.Bath(qoj.spectra.Flat(gamma), T_L),
        qoj.Bath(qoj.spectra.Flat(gamma), T_R),
    )


def _eq_145_printed(model, gamma):
    """Seed 004 eq 145 with Omega~^2 = 2 Omega^2/gamma^2 (the extracted text leaves Omega~
    undefined; this value is the exact steady state of eq 142)."""
    n_l, n_r = model.bath_l.occupation(OMEGA_S), model.bath_r.occupation(OMEGA_S)
    tilde2 = 2 * model.tunnelling**2 / gamma**2
    return model.secular_heat_current() * tilde2 / (1 + (2 * n_l + 1) * (2 * n_r + 1) + tilde2)


def _point(gamma, Omega):
    model = _model(gamma, Omega)
    out = {}
    for name, options in (
        ("global", {}),
        ("partial_secular", {"resolution": RESOLUTION}),
        ("local", {}),
    ):
        generator = model.generator(name, **options)
        currents = qoj.heat_currents(generator, qoj.steady_state(generator))
        out[name] = currents["l"]
        out[f"{name}_balance"] = currents["l"] + currents["r"]
    out["eq_140"] = model.secular_heat_current()
    out["eq_145"] = model.partial_secular_heat_current()
    out["eq_145_printed"] = _eq_145_printed(model, gamma)
    return out


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """J_l vs tunnelling rate Omega: global, partial secular and local numerics vs eqs 140, 145."""
    from matplotlib.figure import Figure as MplFigure

    n = 121 if full else 41
    omegas = np.geomspace(*OMEGA_RANGE, n)
    gammas = np.asarray(GAMMAS)
    ds = qoj.scan(_point, {"gamma": gammas, "Omega": omegas}, progress=False)
    j = {k: ds[k].values for k in ("global", "partial_secular", "local")}
    eq140, eq145, printed = (ds[k].values for k in ("eq_140", "eq_145", "eq_145_printed"))
    balance = max(np.abs(ds[f"{k}_balance"].values).max() for k in j)
    small = omegas <= SMALL_OMEGA

    n_l = 1 / np.expm1(OMEGA_S / T_L)
    n_r = 1 / np.expm1(OMEGA_S / T_R)
    # J_parsec = J_sec / 2 at Omega~^2 = 1 + (2n_l + 1)(2n_r + 1)
    half_over_gamma = np.sqrt((1 + (2 * n_l + 1) * (2 * n_r + 1)) / 2)

    fig = MplFigure(figsize=(15, 4.8), layout="constrained")
    ax_j, ax_ratio, ax_rel = fig.subplots(1, 3)
    colors = ["C0", "C1", "C2"]
    for i, (gamma, color) in enumerate(zip(gammas, colors, strict=True)):
        ax_j.plot(omegas, eq140[i], "-", color=color, lw=1.0, alpha=0.6)
        ax_j.plot(omegas, eq145[i], "-", color=color, lw=1.3)
        ax_j.plot(omegas[::2], j["global"][i, ::2], "o", color=color, ms=4, mfc="none")
        ax_j.plot(
            omegas[1::2],
            j["partial_secular"][i, 1::2],
            "s",
            color=color,
            ms=4,
            label=rf"$\gamma = {gamma:g}$",
        )
    ax_j.plot([], [], "ko", ms=4, mfc="none", label="global (secular) numerics")
    ax_j.plot([], [], "ks", ms=4, label="partial-secular numerics")
    ax_j.plot([], [], "k-", lw=1.0, alpha=0.6, label=r"$J_{\rm secular}$, eq (140)")
    ax_j.plot([], [], "k-", lw=1.3, label=r"$J_{\rm parsec}$, eq (145)")
    ax_j.set_xscale("log")
    ax_j.set_yscale("log")
    ax_j.set_xlabel(r"tunnelling rate $\Omega$  [$\omega_S$]")
    ax_j.set_ylabel(r"steady heat current $J_l$ from the left bath")
    ax_j.set_title(r"(a) secular $J$ stays finite as $\Omega \to 0$", fontsize=10)
    ax_j.legend(fontsize=7.5, loc="lower right")

    x = np.geomspace(1e-3, 1e2, 300)
    tilde2 = 2 * x**2
    ax_ratio.plot(
        x,
        tilde2 / (1 + (2 * n_l + 1) * (2 * n_r + 1) + tilde2),
        "k-",
        lw=1.3,
        label=r"$\tilde\Omega^2/(1 + (2n_l+1)(2n_r+1) + \tilde\Omega^2)$, "
        r"$\tilde\Omega = \sqrt{2}\,\Omega/\gamma$",
    )
    for i, (gamma, color) in enumerate(zip(gammas, colors, strict=True)):
        ax_ratio.plot(
            omegas / gamma,
            j["partial_secular"][i] / j["global"][i],
            "o",
            color=color,
            ms=3.5,
            mfc="none",
            label=rf"parsec/global, $\gamma={gamma:g}$",
        )
    ax_ratio.axvline(half_over_gamma, color="0.6", lw=0.6, ls=":")
    ax_ratio.set_xscale("log")
    ax_ratio.set_xlim(x[0], x[-1])
    ax_ratio.set_xlabel(r"$\Omega / \gamma$")
    ax_ratio.set_ylabel(r"$J_{\rm parsec} / J_{\rm secular}$")
    ax_ratio.set_title(
        r"(b) the ratio depends on $\Omega/\gamma$ only (dotted: ratio 1/2)", fontsize=10
    )
    ax_ratio.legend(fontsize=7.5, loc="upper left")

    pairs = (
        ("global vs eq 140", j["global"], eq140, "C0"),
        ("partial secular vs eq 145", j["partial_secular"], eq145, "C1"),
        ("local (eq 142) vs eq 145", j["local"], eq145, "C2"),
    )
    for label, a, b, color in pairs:
        ax_rel.loglog(
            omegas,
            np.maximum(relative_difference(a, b)[1], 1e-17),
            "-",
            color=color,
            lw=1.2,
            label=label + rf", $\gamma = {gammas[1]:g}$",
        )
    ax_rel.axvline(SMALL_OMEGA, color="0.6", lw=0.6, ls=":")
    ax_rel.set_xlabel(r"$\Omega$")
    ax_rel.set_ylabel("relative difference (floored at 1e-17)")
    ax_rel.set_title(
        r"(c) eqs 140, 145 hold for $\Omega \ll \omega_S, T$; for eq 142 exactly", fontsize=10
    )
    ax_rel.legend(fontsize=8, loc="center left")
    fig.suptitle(
        rf"Qubit ($\omega_S = {OMEGA_S:g}$) tunnelling at rate $\Omega$ between a left well in "
        rf"a hot bath ($T_l = {T_L:g}$) and a right well in a cold one ($T_r = {T_R:g}$), "
        r"flat $\gamma$; Cresser & Facer, sec. VI B"
    )
    png = Path(out_dir) / "cresser-tunnelling.png"
    fig.savefig(png, dpi=120)

    ratio = j["partial_secular"] / j["global"]
    numbers = {
        "max_relative_difference_global_vs_eq_140_small_Omega": float(
            relative_difference(j["global"], eq140)[:, small].max()
        ),
        "max_relative_difference_partial_secular_vs_eq_145_small_Omega": float(
            relative_difference(j["partial_secular"], eq145)[:, small].max()
        ),
        "max_relative_difference_local_vs_eq_145": float(
            relative_difference(j["local"], eq145).max()
        ),
        "max_relative_difference_eq_145_printed_vs_model": float(
            relative_difference(printed, eq145).max()
        ),
        "max_abs_Jl_plus_Jr": float(balance),
        "ratio_partial_secular_to_global_at_min_Omega": float(ratio[:, 0].max()),
        "ratio_partial_secular_to_global_at_max_Omega": float(ratio[:, -1].min()),
        "half_ratio_Omega_over_gamma": float(half_over_gamma),
        "J_secular_eq_140": float(eq140[0, 0]),
    }
    headline = (
        f"tunnelling qubit, J_l vs Omega in [{OMEGA_RANGE[0]:g}, {OMEGA_RANGE[1]:g}] for "
        f"gamma in {GAMMAS}: global -> eq 140 (rel. diff. "
        f"{numbers['max_relative_difference_global_vs_eq_140_small_Omega']:.1e} for Omega <= "
        f"{SMALL_OMEGA:g}), finite as Omega -> 0; partial secular -> eq 145 ("
        f"{numbers['max_relative_difference_partial_secular_vs_eq_145_small_Omega']:.1e}), "
        f"ratio parsec/secular {numbers['ratio_partial_secular_to_global_at_min_Omega']:.1e} "
        f"at Omega = {OMEGA_RANGE[0]:g}, 1/2 at Omega = {half_over_gamma:.2f} gamma; local "
        f"(eq 142) = eq 145 to {numbers['max_relative_difference_local_vs_eq_145']:.1e}"
    )
    details = (
        f"H_S = omega_S/2 sigma_z (x) 1 + Omega/2 (|l><r| + |r><l|) (seed 004 eq 119), omega_S "
        f"= {OMEGA_S:g}; the qubit couples in well p\nthrough sigma_x (x) |p><p| (eq 122) to a "
        f"bath with flat spectral density gamma (T_l = {T_L:g}, T_r = {T_R:g}).\nGrid: gamma in "
        f"{GAMMAS} x Omega log-spaced in [{OMEGA_RANGE[0]:g}, {OMEGA_RANGE[1]:g}] ({omegas.size} "
        "values), one vmapped qoj.scan. J_l =\nheat_currents(gen, steady_state(gen))['l'] of "
        "TunnellingQubit.generator('global'), ('partial_secular', resolution="
        f"{RESOLUTION:g}),\n('local') (eq 142: each well's bath sees the qubit Hamiltonian "
        "only).\nCresser's J = Tr[H_S (D_l - D_r) rho] (eq 138) is J_l - J_r = 2 J_l: the "
        "closed forms are halved to J_l.\nEq 140: J_secular = omega_S gamma (n_l - n_r) / "
        "(2 (n_l + n_r + 1)) (TunnellingQubit.secular_heat_current).\nEq 145: J_parsec = "
        "J_secular Omega~^2 / (1 + (2n_l + 1)(2n_r + 1) + Omega~^2) with Omega~ = sqrt(2) "
        "Omega/gamma\n(the extracted text never defines Omega~; this value makes eq 145 the "
        "exact current of eq 142;\nTunnellingQubit.partial_secular_heat_current). Both take "
        "n(omega_S +- Omega) = n(omega_S), so the numerics\napproach them only for Omega << "
        f"omega_S, T (compared for Omega <= {SMALL_OMEGA:g}).\n(a) J_l vs Omega (circles "
        "global, squares partial secular, every other point each; thin lines eq 140, thick\n"
        "eq 145). (b) J_parsec / J_secular vs Omega/gamma: all gammas fall on eq 145's curve "
        "(up to O(Omega/T) at large Omega);\nthe partial-secular current vanishes as Omega -> "
        "0, the secular one does not (Cresser's point). (c) relative differences."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="cresser-tunnelling",
    description=(
        "tunnelling qubit between a hot and a cold well: heat current vs tunnelling rate, "
        "secular (eq 140) vs partial secular (eq 145) (Cresser & Facer)"
    ),
    run=run,
    has_full_version=True,
)
