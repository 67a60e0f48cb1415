"""Fogedby (seed 002, sec. III A): steady heat current of a qubit between two bosonic baths."""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import qoj

from ._base import Figure, FigureResult

OMEGA0 = 1.0
G_A = 0.05
T_B = 0.5
RATIOS = (0.1, 0.5, 1.0, 2.0)  # g_B / g_A
T_RANGE = (0.05, 5.0)


def _model(temperature_a, ratio):
    bath_a = qoj.Bath(qoj.spectra.Flat(G_A), temperature_a)
    bath_b = qoj.Bath(qoj.spectra.Flat(G_A * ratio), T_B)
    return qoj.models.QubitTwoBaths(OMEGA0, bath_a, bath_b)


def _eq_3_14(model):
    """q^A = g_A g_B omega0 (n_A - n_B) / (g_A(1 + 2n_A) + g_B(1 + 2n_B)), as printed."""
    w = model.omega0
    g_a, g_b = model.bath_A.spectrum(w), model.bath_B.spectrum(w)
    n_a, n_b = model.bath_A.occupation(w), model.bath_B.occupation(w)
    return g_a * g_b * w * (n_a - n_b) / (g_a * (1 + 2 * n_a) + g_b * (1 + 2 * n_b))


def _point(T_A, ratio):
    model = _model(T_A, ratio)
    generator = model.generator()
    currents = qoj.heat_currents(generator, qoj.steady_state(generator))
    return {
        "q_A": currents["A"],
        "q_B": currents["B"],
        "closed_form": model.steady_heat_current(),
        "eq_3_14": _eq_3_14(model),
    }


def _temperature_grid(n):
    """n log-spaced T_A in T_RANGE (n odd), with T_B = 0.5 exactly at the centre."""
    grid = np.geomspace(*T_RANGE, n)
    grid[n // 2] = T_B
    return grid


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """Steady q^A versus T_A: numerics (steady state + currents) against eq. 3.14."""
    del full  # one version only: the whole figure takes a few seconds
    from matplotlib.figure import Figure as MplFigure

    temperatures = _temperature_grid(41)
    ratios = np.asarray(RATIOS)
    ds = qoj.scan(_point, {"ratio": ratios, "T_A": temperatures}, progress=False)
    q_a = ds["q_A"].values
    q_b = ds["q_B"].values
    closed = ds["closed_form"].values
    literal = ds["eq_3_14"].values

    fine = np.geomspace(*T_RANGE, 400)
    closed_fine = np.asarray(
        jax.vmap(
            jax.vmap(lambda t, r: _model(t, r).steady_heat_current(), in_axes=(0, None)),
            in_axes=(None, 0),
        )(jnp.asarray(fine), jnp.asarray(ratios))
    )

    off = temperatures != T_B  # q^A = 0 at T_A = T_B: no relative difference there
    rel_diff = np.abs(q_a - closed)[:, off] / np.abs(closed)[:, off]
    rel_literal = np.abs(closed - literal)[:, off] / np.abs(literal)[:, off]
    balance = np.abs(q_a + q_b)
    at_equal = np.abs(q_a[:, ~off]).max()
    expected_sign = np.sign(temperatures[off] - T_B)[None, :]
    sign_ok = bool(
        np.all(np.sign(q_a[:, off]) == expected_sign)
        and np.all(np.sign(closed[:, off]) == expected_sign)
        and at_equal < 1e-12 * np.abs(q_a).max()
    )

    fig = MplFigure(figsize=(15, 4.6), layout="constrained")
    ax_q, ax_rel, ax_sum = fig.subplots(1, 3)
    colors = ["C0", "C1", "C2", "C3"]
    for i, (ratio, color) in enumerate(zip(ratios, colors, strict=True)):
        label = rf"$g_B/g_A = {ratio:g}$"
        ax_q.plot(fine, closed_fine[i], "--", color=color, lw=1.2)
        ax_q.plot(temperatures, q_a[i], "o", color=color, ms=4, mfc="none", label=label)
        # Exact zeros would vanish from a log axis: show them at the floor.
        ax_rel.semilogy(
            temperatures[off], np.maximum(rel_diff[i], 1e-17), "o-", color=color, ms=3, lw=0.8
        )
        ax_sum.semilogy(
            temperatures, np.maximum(balance[i], 1e-20), "o-", color=color, ms=3, lw=0.8
        )
    ax_q.plot([], [], "k--", lw=1.2, label="closed form, eq. (3.14)")
    ax_q.plot([], [], "ko", ms=4, mfc="none", label="numerics: steady_state + heat_currents")
    ax_q.axhline(0.0, color="0.6", lw=0.6)
    for ax in (ax_q, ax_rel, ax_sum):
        ax.set_xscale("log")
        ax.axvline(T_B, color="0.6", lw=0.6, ls=":")
        ax.set_xlabel(r"$T_A$  [$\hbar\omega_0/k_B$]")
    ax_q.set_ylabel(r"steady heat current $q^A$  [$\hbar\omega_0^2$]")
    ax_q.set_title(r"(a) heat from bath A into the qubit ($q^A>0$ iff $T_A>T_B$)")
    ax_q.legend(fontsize=8, loc="upper left")
    ax_rel.set_ylabel(
        r"$|q^A_{\rm num} - q^A_{(3.14)}| \,/\, |q^A_{(3.14)}|$  (floored at $10^{-17}$)"
    )
    ax_rel.set_title("(b) numerics vs closed form (relative)")
    ax_sum.set_ylabel(r"$|q^A + q^B|$  [$\hbar\omega_0^2$]  (floored at $10^{-20}$)")
    ax_sum.set_title("(c) energy balance in the steady state")
    fig.suptitle(
        rf"Qubit ($\omega_0 = {OMEGA0:g}$) between two flat bosonic baths "
        rf"($J_A = g_A = {G_A:g}$, $J_B = g_B$), $T_B = {T_B:g}$; "
        r"Fogedby 2023, sec. III A  ($\hbar = k_B = 1$)"
    )
    png = Path(out_dir) / "fogedby-qubit.png"
    fig.savefig(png, dpi=120)

    max_rel = float(rel_diff.max())
    max_balance = float(balance.max())
    hot = temperatures == temperatures.max()
    numbers = {
        "max_relative_difference": max_rel,
        "max_abs_qA_plus_qB": max_balance,
        "max_relative_difference_closed_form_vs_printed_eq_3_14": float(rel_literal.max()),
        "max_abs_qA_at_TA_equal_TB": float(at_equal),
        "second_law_sign_check": "passed" if sign_ok else "FAILED",
    }
    for ratio, q in zip(ratios, q_a[:, hot][:, 0], strict=True):
        numbers[f"qA_at_TA_{T_RANGE[1]:g}_ratio_{ratio:g}"] = float(q)
    headline = (
        f"steady q^A(T_A) of a qubit between two flat bosonic baths, {len(ratios)} ratios "
        f"g_B/g_A x {temperatures.size} temperatures: numerics vs eq. 3.14 max rel. diff "
        f"{max_rel:.1e}, max |q^A + q^B| = {max_balance:.1e}, "
        f"second-law sign check {numbers['second_law_sign_check']}"
    )
    details = (
        f"Qubit H = omega0/2 sigma_z (omega0 = {OMEGA0:g}) coupled to bosonic baths A and B with\n"
        f"flat spectral densities J_A = g_A = {G_A:g}, J_B = g_B = (g_B/g_A) g_A, g_B/g_A in "
        f"{RATIOS};\nT_B = {T_B:g}, T_A log-spaced in [{T_RANGE[0]:g}, {T_RANGE[1]:g}] "
        f"({temperatures.size} points, T_A = T_B included). hbar = k_B = 1.\n"
        "Numerics: qoj.steady_state(model.generator()) then qoj.heat_currents, vmapped with\n"
        "qoj.scan. Closed form: QubitTwoBaths.steady_heat_current (Fogedby eq. 3.14), also\n"
        "checked against eq. 3.14 as printed (g, n form).\n"
        "(a) q^A versus T_A: markers = numerics, dashed = closed form; q^A changes sign at\n"
        "T_A = T_B (heat flows from the hotter bath). (b) relative difference numerics vs\n"
        "closed form (T_A = T_B excluded: q^A = 0 there). (c) |q^A + q^B| (energy\n"
        "conservation, eq. 3.15: q^B = -q^A).\n"
        "Sign check: q^A > 0 for T_A > T_B and q^A < 0 for T_A < T_B (numerics and closed\n"
        "form), |q^A| < 1e-12 max|q^A| at T_A = T_B."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="fogedby-qubit",
    description=(
        "steady heat current of a qubit between two flat bosonic baths vs T_A: "
        "numerics vs closed form (Fogedby 2023, eq. 3.14)"
    ),
    run=run,
)
