"""Cresser (seed 004, secs. III and VI A): the coarse-grained master equation interpolates
between the partial-secular and the global (full secular) equations as dt grows."""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import qoj

from .._master_equation._coarse_grained import coarse_grained_rates
from ..models import CoupledQubits
from ._base import Figure, FigureResult

OMEGA_S = 1.0
OMEGA = 1e-4  # flip-flop coupling: 1/Omega = 1e4 leaves room for 1/omega_S << dt << 1/Omega
KAPPA_H, KAPPA_C = 2e-4, 4e-4  # Ohmic couplings: Gamma_h Gamma_c ~ 4 Omega^2 (eq 118)
CUTOFF = 10.0  # a finite bandwidth: the coarse-grained rates need G(tau)
T_H, T_C = 1.0, 0.5
DT_RANGE = (0.3, 1e7)
RESOLUTION = 1.0
DT_CHECKS = (100.0, 300.0, 1000.0)  # inside 1/omega_S << dt << 1/Omega


def _model():
    bath_h = qoj.Bath(qoj.spectra.Ohmic(KAPPA_H, cutoff=CUTOFF), T_H)
    bath_c = qoj.Bath(qoj.spectra.Ohmic(KAPPA_C, cutoff=CUTOFF), T_C)
    return CoupledQubits(OMEGA_S, OMEGA_S, OMEGA, bath_h, bath_c)


def _frequencies():
    """Released energies of s2x's transitions (seed 004 eq 94, X_1, X_2 and their adjoints)."""
    return jnp.asarray([OMEGA_S - OMEGA, OMEGA_S + OMEGA, -(OMEGA_S - OMEGA), -(OMEGA_S + OMEGA)])


def _point(dt):
    model = _model()
    generator = model.generator("coarse_grained", dt=dt)
    currents = qoj.heat_currents(generator, qoj.steady_state(generator))
    rates, _ = coarse_grained_rates(model.bath_2, _frequencies(), dt)
    return {
        "J_h": currents["1"],
        "balance": currents["1"] + currents["2"],
        "rates": rates,
        "min_eigenvalue": jnp.linalg.eigvalsh(rates)[0] / jnp.max(jnp.abs(rates)),
    }


@jax.jit
def _reference_currents():
    model = _model()
    out = {}
    for name, options in (("global", {}), ("partial_secular", {"resolution": RESOLUTION})):
        generator = model.generator(name, **options)
        out[name] = qoj.heat_currents(generator, qoj.steady_state(generator))["1"]
    return out


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """gamma_mn(dt) and the steady current J_h(dt) of the coarse-grained master equation."""
    from matplotlib.figure import Figure as MplFigure

    dts = np.geomspace(*DT_RANGE, 91 if full else 31)
    dts = np.unique(np.concatenate([dts, DT_CHECKS]))
    ds = qoj.scan(_point, {"dt": dts}, progress=False)
    j_h = ds["J_h"].values
    rates = ds["rates"].values
    balance = float(np.abs(ds["balance"].values).max())
    min_eigenvalue = float(ds["min_eigenvalue"].values.min())
    ref = {k: float(v) for k, v in _reference_currents().items()}

    bath = _model().bath_2
    w = np.asarray(_frequencies())
    emission = np.asarray(bath.emission_rate(jnp.asarray(w)))
    s0 = float(bath.emission_rate(OMEGA_S))
    diag_lo = rates[:, 0, 0].real / emission[0]
    diag_hi = rates[:, 1, 1].real / emission[1]
    cross = np.abs(rates[:, 0, 1]) / s0
    counter = np.abs(rates[:, 0, 2]) / s0  # emission x absorption, frequency gap ~ 2 omega_S
    sinc = np.abs(np.sinc(OMEGA * dts / np.pi))  # |sinc((w_q - w_p) dt / 2)|, gap 2 Omega
    long = dts >= 100.0
    sinc_deviation = float(np.abs(cross - sinc)[long].max())

    rel_ps = np.abs(j_h / ref["partial_secular"] - 1)
    rel_global = np.abs(j_h / ref["global"] - 1)

    fig = MplFigure(figsize=(15, 4.8), layout="constrained")
    ax_g, ax_j, ax_rel = fig.subplots(1, 3)
    marks = (
        (1 / OMEGA_S, r"$1/\omega_S$"),
        (1 / OMEGA, r"$1/\Omega$"),
        (1 / (KAPPA_C * OMEGA_S), r"$1/\gamma_c$"),
    )
    for ax in (ax_g, ax_j, ax_rel):
        ax.set_xscale("log")
        ax.set_xlabel(r"coarse-graining time $\Delta t$  [$1/\omega_S$]")
        for x, _ in marks:
            ax.axvline(x, color="0.6", lw=0.6, ls=":")
    for x, label in marks:
        ax_g.text(x * 1.15, 1.3, label, fontsize=8, color="0.4")
    ax_g.plot(
        dts,
        diag_lo,
        "-",
        color="C0",
        lw=3.5,
        alpha=0.45,
        label=r"$\gamma_{11}/\gamma(\omega_S - \Omega)$ (diagonal)",
    )
    ax_g.plot(
        dts,
        diag_hi,
        "--",
        color="C1",
        lw=1.3,
        label=r"$\gamma_{22}/\gamma(\omega_S + \Omega)$ (diagonal)",
    )
    ax_g.plot(
        dts,
        cross,
        "-",
        color="C2",
        lw=1.3,
        label=r"$|\gamma_{12}|/\gamma(\omega_S)$ (gap $2\Omega$)",
    )
    ax_g.plot(
        dts,
        sinc,
        ":",
        color="k",
        lw=1.2,
        label=r"$|\mathrm{sinc}\,\Omega\Delta t|$ (eqs 47-49, $\Delta t \gg \tau_c$)",
    )
    ax_g.plot(
        dts,
        counter,
        "-",
        color="C3",
        lw=1.0,
        label=r"$|\gamma_{1\bar 1}|/\gamma(\omega_S)$ (emission-absorption, gap $2\omega_S$)",
    )
    ax_g.set_ylim(-0.05, 1.45)
    ax_g.set_ylabel(r"coarse-grained rates $\gamma_{mn}(\Delta t)$, eq (45), bath c")
    ax_g.set_title(r"(a) rate matrix: $\gamma_{12} \to 0$ once $\Omega\Delta t \gg 1$", fontsize=10)
    ax_g.legend(fontsize=7, loc="center left")

    ax_j.plot(dts, j_h, "o-", color="C4", ms=3.5, lw=1.0, label="coarse grained, eq (44)-(45)")
    ax_j.axhline(ref["global"], color="C0", lw=1.2, ls="--", label="global (full secular)")
    ax_j.axhline(
        ref["partial_secular"],
        color="C1",
        lw=1.2,
        ls="--",
        label=f"partial secular (resolution {RESOLUTION:g})",
    )
    ax_j.set_yscale("log")
    ax_j.set_ylabel(r"steady heat current $J_h$ from the hot bath")
    ax_j.set_title(r"(b) $J_h(\Delta t)$: partial secular $\to$ global", fontsize=10)
    ax_j.legend(fontsize=8, loc="upper left")

    ax_rel.loglog(
        dts, np.maximum(rel_ps, 1e-17), "-", color="C1", lw=1.2, label="vs partial secular"
    )
    ax_rel.loglog(dts, np.maximum(rel_global, 1e-17), "-", color="C0", lw=1.2, label="vs global")
    ax_rel.set_ylabel(r"$|J_h(\Delta t)/J_h^{\rm ref} - 1|$")
    ax_rel.set_title(
        r"(c) distance to the two limits ($\sim\tau_c/\Delta t$, then $(\Omega\Delta t)^2$)",
        fontsize=10,
    )
    ax_rel.legend(fontsize=8, loc="lower left")
    fig.suptitle(
        rf"Coarse-grained master equation of two resonant qubits ($\omega_S = {OMEGA_S:g}$, "
        rf"$\Omega = {OMEGA:g}$), Ohmic baths (cutoff {CUTOFF:g}; $\kappa_h = {KAPPA_H:g}$, "
        rf"$T_h = {T_H:g}$; $\kappa_c = {KAPPA_C:g}$, $T_c = {T_C:g}$); Cresser & Facer, "
        "eqs 44-49"
    )
    png = Path(out_dir) / "coarse-graining.png"
    fig.savefig(png, dpi=120)

    numbers = {
        "relative_difference_vs_global_at_max_dt": float(rel_global[-1]),
        "max_abs_Jh_plus_Jc": balance,
        "min_rate_matrix_eigenvalue_over_max": min_eigenvalue,
        "max_abs_cross_rate_minus_sinc_for_dt_ge_100": sinc_deviation,
        "J_global": ref["global"],
        "J_partial_secular": ref["partial_secular"],
    }
    for dt in DT_CHECKS:
        i = int(np.flatnonzero(dts == dt)[0])
        numbers[f"relative_difference_vs_partial_secular_at_dt_{dt:g}"] = float(rel_ps[i])
    i_best = int(np.argmin(rel_ps))
    numbers["dt_closest_to_partial_secular"] = float(dts[i_best])
    headline = (
        f"coarse-grained equation of two coupled qubits (Omega = {OMEGA:g}), dt in "
        f"[{DT_RANGE[0]:g}, {DT_RANGE[1]:g}]: J_h(dt) within "
        f"{max(rel_ps[np.isin(dts, DT_CHECKS)]):.1e}"
        f" of the partial-secular current for dt in {DT_CHECKS}, within "
        f"{numbers['relative_difference_vs_global_at_max_dt']:.1e} of the global one at dt = "
        f"{DT_RANGE[1]:g} (J_global / J_parsec = {ref['global'] / ref['partial_secular']:.2f}); "
        f"rate matrix PSD (min eigenvalue / max {min_eigenvalue:.1e})"
    )
    details = (
        f"H_S = omega_S/2 (s1z + s2z) + Omega (s1+ s2- + s1- s2+), omega_S = {OMEGA_S:g}, Omega "
        f"= {OMEGA:g}; qubit 1 (s1x) in a hot Ohmic bath\n(J = kappa w e^(-w/{CUTOFF:g}), "
        f"kappa_h = {KAPPA_H:g}, T_h = {T_H:g}), qubit 2 in a cold one (kappa_c = {KAPPA_C:g}, "
        f"T_c = {T_C:g}). Ohmic, not flat: the\ncoarse-grained rates need the bath correlation "
        "function G(tau).\nCoarse-grained master equation (seed 004 eqs 44-45): "
        "CoupledQubits.generator('coarse_grained', dt=dt), dt log-spaced\n"
        f"in [{DT_RANGE[0]:g}, {DT_RANGE[1]:g}] ({dts.size} values), one vmapped qoj.scan; "
        "currents from steady_state + heat_currents. References:\n"
        f"generator('global') and generator('partial_secular', resolution={RESOLUTION:g}).\n"
        "(a) gamma_mn(dt) of bath c for the released energies omega_S - Omega (1), omega_S + "
        "Omega (2) and -(omega_S - Omega) (1bar),\nnormalised by the Davies rates gamma(w) = "
        "bath.emission_rate(w) (qoj._master_equation._coarse_grained.coarse_grained_rates).\n"
        "The diagonal rates approach gamma(w) as 1 - O(tau_c/dt) (eq 47); the cross rate of "
        "the omega_S +- Omega pair follows\n|sinc(Omega dt)| (eq 49: ~1 for Omega dt << 1, "
        "-> 0 beyond), the emission-absorption cross rate dies once\ndt >> 1/omega_S. "
        "The rate matrix is Hermitian and positive semidefinite for every dt (min eigenvalue "
        "reported).\n(b) J_h(dt): near the partial-secular current for 1/omega_S << dt << "
        "1/Omega, the global one for dt >> 1/Omega\n(1/gamma_c marks the relaxation time: "
        "Cresser's condition dt << tau_S fails there, the dt -> infinity limit\nis the "
        "formal global equation). (c) |J_h(dt)/J_ref - 1|: the approach to the partial-"
        "secular value is limited by\nthe O(tau_c/dt) rate corrections (amplified because "
        "J_global/J_parsec is large) and then by (Omega dt)^2, so it has\nno flat plateau "
        "here; the global limit is reached as sinc(Omega dt) -> 0."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="coarse-graining",
    description=(
        "coarse-grained master equation of two coupled qubits: rates gamma_mn(dt) and the "
        "steady heat current vs dt, from the partial-secular to the global limit (Cresser & "
        "Facer, eqs 44-49)"
    ),
    run=run,
    has_full_version=True,
)
