"""Seed 003 Fig 3: the transmission function T(w) of the fermionic dimer (eq 45) for
Gamma = 0.02, 0.2, 2 Delta, with the quantum-optical approximation eq 46 for the smallest."""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from ..fermionic._landauer import transmission, transmission_quantum_optical
from ..fermionic._newns import eigenmodes, level_width, shifted_energy
from ._base import Figure, FigureResult

H, G, DELTA, OMEGA = 1.0, 0.5, 0.5, 10.0  # Fig 3 caption
RATIOS = (0.02, 0.2, 2.0)  # Gamma / Delta
W_RANGE = (0.04, 0.18)  # w / Omega, the printed axis


def _local_maxima(w, values):
    """Positions of the interior local maxima of a sampled curve, each refined by the vertex
    of the parabola through the sample and its neighbours."""
    i = np.flatnonzero((values[1:-1] > values[:-2]) & (values[1:-1] > values[2:])) + 1
    left, mid, right = values[i - 1], values[i], values[i + 1]
    step = w[1] - w[0]
    return w[i] + 0.5 * step * (left - right) / (left - 2 * mid + right)


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """T(w) on a fine grid for the three couplings; peaks, their distance to E_1,2 and the
    error of eq 46."""
    from matplotlib.figure import Figure as MplFigure

    splitting = float(np.hypot(G, DELTA))
    energies = np.asarray(eigenmodes(H, DELTA, G)[0])
    n = 200_001 if full else 20_001
    w = np.linspace(W_RANGE[0] * OMEGA, W_RANGE[1] * OMEGA, n)
    curve = jax.jit(jax.vmap(lambda gamma: transmission(jnp.asarray(w), H, DELTA, G, gamma, OMEGA)))
    gammas = np.array(RATIOS) * splitting
    curves = np.asarray(curve(jnp.asarray(gammas)))
    approx = np.asarray(transmission_quantum_optical(jnp.asarray(w), H, DELTA, G, gammas[0], OMEGA))
    error_46 = float(np.max(np.abs(approx - curves[0])) / np.max(curves[0]))

    peaks = [_local_maxima(w, c) for c in curves]
    shifted = np.asarray(shifted_energy(energies, gammas[0], OMEGA))
    narrow = np.sort(peaks[0])[::-1]  # (upper, lower), like (E_1, E_2)
    widths = np.asarray(level_width(energies, gammas[0], OMEGA))

    fig = MplFigure(figsize=(7.5, 4.8), layout="constrained")
    ax = fig.subplots()
    for i, (ratio, c) in enumerate(zip(RATIOS, curves, strict=True)):
        # C2 (green, dotted) is kept for eq 46, as in the paper
        ax.plot(w / OMEGA, c, color=("C0", "C1", "C3")[i], label=rf"$\Gamma = {ratio:g}\Delta$")
    ax.plot(
        w / OMEGA, approx, color="C2", ls=":", lw=2, label=rf"eq 46, $\Gamma = {RATIOS[0]:g}\Delta$"
    )
    for e, name in zip(energies, ("E_1", "E_2"), strict=True):
        ax.axvline(e / OMEGA, color="0.6", lw=0.6, ls="--")
        ax.text(e / OMEGA, 0.98, f" ${name}$", transform=ax.get_xaxis_transform(), va="top")
    ax.set_xlim(*W_RANGE)
    ax.set_xlabel(r"$\omega / \Omega$")
    ax.set_ylabel(r"$\mathcal{T}(\omega)$")
    ax.legend(fontsize=9)
    ax.set_title(
        rf"Seed 003 Fig 3: $h = {H:g}$, $g = \delta = {G:g}$, $\Omega = {OMEGA:g}$ "
        rf"($\Delta = {splitting:.4f}$)"
    )
    png = Path(out_dir) / "fermionic-transmission.png"
    fig.savefig(png, dpi=120)

    numbers = {
        "E_1": float(energies[0]),
        "E_2": float(energies[1]),
        "Delta": splitting,
        "peak_upper_gamma_0.02Delta": float(narrow[0]),
        "peak_lower_gamma_0.02Delta": float(narrow[1]),
        "peak_upper_minus_E_1_over_Gamma_1": float((narrow[0] - energies[0]) / widths[0]),
        "peak_lower_minus_E_2_over_Gamma_2": float((narrow[1] - energies[1]) / widths[1]),
        "peak_upper_minus_E1_prime_over_Gamma_1": float((narrow[0] - shifted[0]) / widths[0]),
        "peak_lower_minus_E2_prime_over_Gamma_2": float((narrow[1] - shifted[1]) / widths[1]),
        "peak_value_gamma_0.02Delta": float(curves[0].max()),
        "quantum_optical_peak_g2_over_2pi_Delta2": G**2 / (2 * np.pi * splitting**2),
        "eq46_max_error_over_peak_gamma_0.02Delta": error_46,
        "n_peaks_gamma_0.2Delta": float(len(peaks[1])),
        "n_peaks_gamma_2Delta": float(len(peaks[2])),
        "single_peak_position_gamma_2Delta": float(peaks[2][0]) if len(peaks[2]) == 1 else np.nan,
        "max_2pi_T_all": float(2 * np.pi * curves.max()),
    }
    headline = (
        f"transmission (Fig 3): for Gamma = 0.02 Delta two peaks at w = {narrow[0]:.4f}, "
        f"{narrow[1]:.4f} (E_1,2 = {energies[0]:.4f}, {energies[1]:.4f}; offsets "
        f"{numbers['peak_upper_minus_E_1_over_Gamma_1']:+.3f}, "
        f"{numbers['peak_lower_minus_E_2_over_Gamma_2']:+.3f} Gamma_j), height "
        f"{curves[0].max():.4f} ~ g^2/(2 pi Delta^2) = {G**2 / (2 * np.pi * splitting**2):.4f}; "
        f"eq 46 within {error_46:.1e} of the peak; {len(peaks[1])} peaks at 0.2 Delta, "
        f"{len(peaks[2])} at 2 Delta"
    )
    details = (
        "T(w) = (pi g^2/2) phi_1 phi_2 (eq 45, qoj.fermionic.transmission) with the exact\n"
        "energy distributions of eq 35; dotted: eq 46, (g^2/4 Delta^2) sum_j Gamma_j phi_j, for\n"
        "the smallest coupling. The paper's T is the NEGF transmission probability divided by\n"
        "2 pi (checked against the Caroli formula in the tests), so 2 pi T <= 1. The peaks of\n"
        "the narrow curve sit at the shifted levels E'_j (eq 36) up to a fraction of Gamma_j;\n"
        "as Gamma grows they broaden and merge into one maximum (Gamma = 2 Delta)."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="fermionic-transmission",
    description=(
        "transmission function of the fermionic dimer for three couplings, with the "
        "quantum-optical approximation (seed 003, Fig 3)"
    ),
    run=run,
    has_full_version=True,
)
