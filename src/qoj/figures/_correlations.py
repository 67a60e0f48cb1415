"""Seed 001 figs 4b-c, 5 and 6b: quantum correlations of the correlated initial states.

Oscillators (eq 31, N_S = 1): logarithmic negativity E_N and Gaussian discord D_G over the
C13-C24 plane (physical region of eqs D3-D4 only) and, per value of C13 + C24 (which alone
fixes the heat flux), the range of E_N and D_G. Qubits (eq 41, xi_S = 0.25): quantum discord
D_Z over the rho_23(0) disk and its range per Re[rho_23(0)].
"""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from .. import gaussian, measures
from ..models import CascadedQubits
from ._base import Figure, FigureResult

N_S = 1.0
XI_S = 0.25


def _oscillator_measures(c13, c24):
    """(physical, E_N, D_G) at one point; unphysical points evaluate the product state."""
    physical = gaussian.correlated_thermal_region(N_S, c13, c24)
    safe13 = jnp.where(physical, c13, 0.0)
    safe24 = jnp.where(physical, c24, 0.0)
    cov = gaussian.correlated_thermal_covariance(N_S, safe13, safe24, check=False)
    return (
        physical,
        measures.gaussian_log_negativity(cov, base=2),
        measures.gaussian_discord(cov, base=2),
    )


def _qubit_discord(re, im):
    """D_Z (bits) of eq 41 at the seed's rho_23(0) = re + i im (= 4 <eg|rho|ge>)."""
    inside = re**2 + im**2 <= (1 - XI_S**2) ** 2
    coherence = jnp.where(inside, re + 1j * im, 0.0) / 4
    rho = CascadedQubits(1.0, 1.0, 0.0).locally_thermal_state(XI_S, coherence)
    return inside, measures.discord(rho, base=2)


def oscillator_grid(n: int):
    """(c, physical, E_N, D_G) on an n x n grid of C13 (axis 1) and C24 (axis 0) in
    [-(N_S + 1/2), N_S + 1/2]."""
    c = np.linspace(-(N_S + 0.5), N_S + 0.5, n)
    c13, c24 = np.meshgrid(c, c)
    f = jax.jit(jax.vmap(_oscillator_measures))
    phys, e_n, d_g = (np.asarray(x).reshape(n, n) for x in f(c13.ravel(), c24.ravel()))
    return c, phys, e_n, d_g


def qubit_grid(n: int):
    """(r, inside, D_Z) on an n x n grid of Re (axis 1), Im (axis 0) rho_23(0)."""
    bound = 1 - XI_S**2
    r = np.linspace(-bound, bound, n)
    re, im = np.meshgrid(r, r)
    inside, d_z = jax.jit(jax.vmap(_qubit_discord))(re.ravel(), im.ravel())
    return r, np.asarray(inside).reshape(n, n), np.asarray(d_z).reshape(n, n)


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """Density plots of D_G, E_N (oscillators) and D_Z (qubits), and their ranges."""
    from matplotlib.figure import Figure as MplFigure

    n_osc, n_qubit = (201, 61) if full else (81, 25)
    c, phys, e_n, d_g = oscillator_grid(n_osc)
    r, inside, d_z = qubit_grid(n_qubit)
    c13, c24 = np.meshgrid(c, c)
    re, _ = np.meshgrid(r, r)

    fig = MplFigure(figsize=(15, 8.5), layout="constrained")
    axes = fig.subplots(2, 3)
    extent = (c[0], c[-1], c[0], c[-1])
    for ax, data, title in (
        (axes[0, 0], d_g, r"(a) Gaussian discord $D_G$ [bits] (fig. 5a)"),
        (axes[0, 1], e_n, r"(b) log-negativity $E_N$ [ebits] (fig. 5b)"),
    ):
        image = ax.imshow(
            np.where(phys, data, np.nan), origin="lower", extent=extent, cmap="viridis"
        )
        ax.contour(c13, c24, phys.astype(float), levels=[0.5], colors="k", linewidths=0.8)
        fig.colorbar(image, ax=ax)
        ax.set_xlabel(r"$C_{13}(0)$")
        ax.set_ylabel(r"$C_{24}(0)$")
        ax.set_title(title, fontsize=10)
    edge = np.sqrt(N_S * (N_S + 1))
    axes[0, 1].plot([edge, -edge], [-edge, edge], "r+", ms=10, label=r"$\pm\sqrt{N_S(N_S+1)}$")
    axes[0, 1].legend(fontsize=8)
    image = axes[0, 2].imshow(
        np.where(inside, d_z, np.nan),
        origin="lower",
        extent=(r[0], r[-1], r[0], r[-1]),
        cmap="viridis",
    )
    fig.colorbar(image, ax=axes[0, 2])
    axes[0, 2].set_xlabel(r"Re$[\rho_{23}(0)]$")
    axes[0, 2].set_ylabel(r"Im$[\rho_{23}(0)]$")
    axes[0, 2].set_title(rf"(c) qubit discord $D_Z$ [bits], $\xi_S = {XI_S:g}$ (fig. 5c)")

    s = (c13 + c24)[phys]
    axes[1, 0].scatter(s, e_n[phys], s=2, c="C0")
    axes[1, 0].set_ylabel(r"$E_N$ [ebits]")
    axes[1, 0].set_title("(d) E_N of all states with a given C13 + C24 (fig. 4b)", fontsize=10)
    axes[1, 1].scatter(s, d_g[phys], s=2, c="C1")
    axes[1, 1].set_ylabel(r"$D_G$ [bits]")
    axes[1, 1].set_title("(e) D_G of all states with a given C13 + C24 (fig. 4c)", fontsize=10)
    for ax in axes[1, :2]:
        ax.set_xlabel(r"$C_{13}(0) + C_{24}(0)$")
    axes[1, 2].scatter(re[inside], d_z[inside], s=4, c="C2")
    axes[1, 2].set_xlabel(r"Re$[\rho_{23}(0)]$")
    axes[1, 2].set_ylabel(r"$D_Z$ [bits]")
    axes[1, 2].set_title("(f) D_Z of all states with a given Re rho23 (fig. 6b)", fontsize=10)
    fig.suptitle(
        rf"Initial correlations: oscillators (eq. 31, $N_S = {N_S:g}$), qubits (eq. 41); "
        "seed 001 sec. V C, VI C"
    )
    png = Path(out_dir) / "correlations.png"
    fig.savefig(png, dpi=100)

    entangled = phys & (e_n > 0)
    dist = np.sqrt(
        np.minimum((c13 - edge) ** 2 + (c24 + edge) ** 2, (c13 + edge) ** 2 + (c24 - edge) ** 2)
    )
    i_min = np.unravel_index(np.argmin(np.where(phys, d_g, np.inf)), d_g.shape)
    numbers: dict[str, float | str] = {
        "physical_fraction_of_grid": float(phys.mean()),
        "entangled_fraction_of_physical": float(entangled.sum() / phys.sum()),
        "max_log_negativity": float(e_n[phys].max()),
        "max_distance_of_entangled_point_from_epr_corners": float(dist[entangled].max()),
        "max_gaussian_discord": float(d_g[phys].max()),
        "argmin_gaussian_discord_c13": float(c13[i_min]),
        "argmin_gaussian_discord_c24": float(c24[i_min]),
        "min_gaussian_discord": float(d_g[i_min]),
        "max_qubit_discord": float(d_z[inside].max()),
        "qubit_discord_at_origin": float(d_z[n_qubit // 2, n_qubit // 2]),
    }
    headline = (
        f"E_N > 0 on {numbers['entangled_fraction_of_physical']:.1%} of the physical C13-C24 "
        f"plane (N_S = {N_S:g}, within "
        f"{numbers['max_distance_of_entangled_point_from_epr_corners']:.2f} of "
        "C13 = -C24 = +-sqrt(N_S(N_S+1))), "
        f"max E_N = {numbers['max_log_negativity']:.3f}; "
        f"D_G min {numbers['min_gaussian_discord']:.1e} at (C13, C24) = "
        f"({numbers['argmin_gaussian_discord_c13']:g}, {numbers['argmin_gaussian_discord_c24']:g}),"
        f" max {numbers['max_gaussian_discord']:.3f} bits; qubit D_Z max "
        f"{numbers['max_qubit_discord']:.3f} bits"
    )
    details = (
        f"Oscillators: covariance of eq 31 with N_S = {N_S:g}, {n_osc} x {n_osc} grid of C13, C24\n"
        "in [-(N_S + 1/2), N_S + 1/2]; physical region (eqs D3-D4) inside the black contour,\n"
        "white outside. E_N (ebits) = qoj.measures.gaussian_log_negativity(base=2), D_G (bits)\n"
        "= gaussian_discord(base=2), vmapped. Panels (d), (e): every physical grid point\n"
        "plotted against C13 + C24 (which alone fixes the heat flux, eqs 32-34).\n"
        f"Qubits: eq 41 with xi_S = {XI_S:g}, seed's rho_23(0) = 4 <eg|rho|ge> on a\n"
        f"{n_qubit} x {n_qubit} grid of the disk |rho_23| <= 1 - xi_S^2; D_Z = "
        "qoj.measures.discord(base=2)."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="correlations",
    description=(
        "log-negativity and Gaussian discord over the C13-C24 plane, qubit discord over the "
        "rho23 plane, per heat-flux class (seed 001, figs 4b-c, 5, 6b)"
    ),
    run=run,
    has_full_version=True,
)
