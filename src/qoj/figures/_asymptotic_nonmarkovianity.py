"""Seed 003 Fig 5: the asymptotic non-Markovianity nu_inf (eq 82) of the fermionic dimer's
master equation, (a), (b) over (mu_L, mu_R) at fixed temperatures, (c) over (T_L, T_R) at fixed
chemical potentials."""

import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from ..fermionic._asymptotic import dimer_nonmarkovianity
from ._base import Figure, FigureResult

H, DELTA, G, GAMMA, OMEGA = 1.0, 0.0, 0.5, 0.01, 10.0  # Fig 5 caption
E1, E2 = H + G / 2, H - G / 2  # delta = 0: Delta = g
# Not in the text (the figure's axes are lost in the extracted text): our choices.
T_A, T_B = 0.01, 0.1  # (a) low temperature (T = Gamma), (b) T = Delta / 5
MU_C = E2  # (c) both chemical potentials at the lower level
MU_RANGE = (0.0, 2.0)
T_RANGE = (3e-3, 1.0)
CHUNK = 1024


@jax.jit
def _nu(points):
    """nu_inf at rows (T_L, T_R, mu_L, mu_R) of `points`."""
    return jax.vmap(lambda p: dimer_nonmarkovianity(H, DELTA, G, GAMMA, OMEGA, *p))(points)


def _evaluate(points: np.ndarray) -> np.ndarray:
    """`_nu` in chunks of CHUNK points (one compilation; memory ~ CHUNK x 4100 nodes)."""
    n = points.shape[0]
    padded = np.concatenate([points, np.repeat(points[-1:], (-n) % CHUNK, axis=0)])
    out = [
        np.asarray(_nu(jnp.asarray(padded[i : i + CHUNK])))
        for i in range(0, padded.shape[0], CHUNK)
    ]
    return np.concatenate(out)[:n]


def _potential_map(mus, temperature):
    mu_l, mu_r = np.meshgrid(mus, mus, indexing="ij")
    t = np.full(mu_l.size, temperature)
    return _evaluate(np.stack([t, t, mu_l.ravel(), mu_r.ravel()], axis=1)).reshape(mu_l.shape)


def _temperature_map(temperatures, mu):
    t_l, t_r = np.meshgrid(temperatures, temperatures, indexing="ij")
    m = np.full(t_l.size, mu)
    return _evaluate(np.stack([t_l.ravel(), t_r.ravel(), m, m], axis=1)).reshape(t_l.shape)


def region_masks(mus, margin):
    """Masks over the (mu_L, mu_R) grid of `mus` (first axis mu_L) of the regions of the plane,
    points within `margin` of a level left out: exactly one chemical potential in (E_2, E_1);
    both in; both outside on one side; both outside on opposite sides."""
    mu_l, mu_r = np.meshgrid(mus, mus, indexing="ij")

    def inside(x):
        return (x > E2 + margin) & (x < E1 - margin)

    def below(x):
        return x < E2 - margin

    def above(x):
        return x > E1 + margin

    return {
        "one_in_one_out": (inside(mu_l) & (below(mu_r) | above(mu_r)))
        | (inside(mu_r) & (below(mu_l) | above(mu_l))),
        "both_in": inside(mu_l) & inside(mu_r),
        "both_out_same_side": (below(mu_l) & below(mu_r)) | (above(mu_l) & above(mu_r)),
        "both_out_opposite": (below(mu_l) & above(mu_r)) | (above(mu_l) & below(mu_r)),
    }


def region_medians(mus, nu, margin):
    """Median nu over each of the `region_masks`."""
    return {name: float(np.median(nu[mask])) for name, mask in region_masks(mus, margin).items()}


def run(out_dir: Path, full: bool = False) -> FigureResult:
    """The three maps of nu_inf / Gamma (eq 82 with the rate matrices of eq 55)."""
    from matplotlib.figure import Figure as MplFigure

    n = 256 if full else 64
    mus = np.linspace(*MU_RANGE, n)
    temperatures = np.geomspace(*T_RANGE, n)
    start = time.perf_counter()
    maps = {
        "a": _potential_map(mus, T_A),
        "b": _potential_map(mus, T_B),
        "c": _temperature_map(temperatures, MU_C),
    }
    elapsed = time.perf_counter() - start

    fig = MplFigure(figsize=(15, 4.6), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, (name, nu) in zip(axes, maps.items(), strict=True):
        if name == "c":
            x = y = temperatures
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel(r"$T_R$")
            ax.set_ylabel(r"$T_L$")
            ax.set_title(rf"(c) $\mu_L = \mu_R = {MU_C:g}$ $(= E_2)$")
        else:
            x = y = mus
            for e in (E1, E2):
                ax.axhline(e, color="w", ls=":", lw=1)
                ax.axvline(e, color="w", ls=":", lw=1)
            ax.set_xlabel(r"$\mu_R$")
            ax.set_ylabel(r"$\mu_L$")
            temperature = T_A if name == "a" else T_B
            ax.set_title(rf"({name}) $T_L = T_R = {temperature:g}$")
        # each panel on its own scale: (b) and (c) are several times weaker than (a)
        mesh = ax.pcolormesh(x, y, nu / GAMMA, shading="auto", vmin=0.0, cmap="magma")
        fig.colorbar(mesh, ax=ax, label=r"$\nu_\infty / \Gamma$")
    fig.suptitle(
        rf"Seed 003 Fig 5: $h = {H:g}$, $\delta = {DELTA:g}$, $g = {G:g}$, "
        rf"$\Gamma = {GAMMA:g}$, $\Omega = {OMEGA:g}$ ($E_{{1,2}} = {E1:g}, {E2:g}$)"
    )
    png = Path(out_dir) / "asymptotic-nonmarkovianity.png"
    fig.savefig(png, dpi=120)

    numbers: dict[str, float | str] = {"grid_points_per_axis": float(n), "seconds": elapsed}
    for name in ("a", "b"):
        nu = maps[name]
        numbers[f"{name}_max_nu_over_Gamma"] = float(nu.max() / GAMMA)
        numbers[f"{name}_max_on_diagonal_mu_L_eq_mu_R"] = float(np.abs(np.diag(nu)).max())
        numbers[f"{name}_fraction_positive"] = float(np.mean(nu > 0))
        for region, value in region_medians(mus, nu, margin=0.1).items():
            numbers[f"{name}_median_nu_over_Gamma_{region}"] = value / GAMMA
    nu_c = maps["c"]
    i, j = np.unravel_index(np.argmax(nu_c), nu_c.shape)
    numbers["c_max_nu_over_Gamma"] = float(nu_c.max() / GAMMA)
    numbers["c_argmax_T_L"] = float(temperatures[i])
    numbers["c_argmax_T_R"] = float(temperatures[j])
    numbers["c_max_on_diagonal_T_L_eq_T_R"] = float(np.abs(np.diag(nu_c)).max())
    numbers["c_fraction_positive"] = float(np.mean(nu_c > 0))
    numbers["delta_function_limit_one_in_one_out_over_Gamma"] = (np.sqrt(2) - 1) / 4
    headline = (
        f"asymptotic non-Markovianity (Fig 5): (a) T = {T_A:g}: nu_inf up to "
        f"{numbers['a_max_nu_over_Gamma']:.3f} Gamma, median "
        f"{numbers['a_median_nu_over_Gamma_one_in_one_out']:.3f} Gamma where one mu lies "
        f"between E_2, E_1 and the other outside (others: "
        f"{numbers['a_median_nu_over_Gamma_both_in']:.3f}, "
        f"{numbers['a_median_nu_over_Gamma_both_out_same_side']:.3f}, "
        f"{numbers['a_median_nu_over_Gamma_both_out_opposite']:.3f} Gamma), 0 at mu_L = mu_R; "
        f"(b) T = {T_B:g}: up to {numbers['b_max_nu_over_Gamma']:.3f} Gamma; (c) thermal "
        f"driving at mu = {MU_C:g}: up to {numbers['c_max_nu_over_Gamma']:.3f} Gamma; "
        f"{n}x{n} grids in {elapsed:.1f} s"
    )
    details = (
        "nu_inf = sum of max(0, -lambda) over the eigenvalues of Lambda^+ and Lambda^- (eq 82,\n"
        "the paper's normalisation; qoj.nonmarkov.asymptotic_nonmarkovianity of the 4 x 4\n"
        "generator gives 2 nu_inf), with the EPA rate matrices of eq 55\n"
        "(qoj.fermionic.rate_matrices), shown as nu_inf / Gamma. White dotted lines: mu = E_1,\n"
        "E_2. The temperatures of (a), (b) and the chemical potential of (c) are not given in\n"
        f"the text; chosen here: T = {T_A:g} (= Gamma) and {T_B:g} (= Delta/5), mu = E_2.\n"
        "Regions of (a), (b) leave out a margin of 0.1 around the levels. In the limit\n"
        "T, Gamma -> 0 with phi_j -> delta(w - E_j) the one-in-one-out value is\n"
        "(sqrt 2 - 1) Gamma / 4 = 0.104 Gamma and the other regions vanish; at finite Gamma the\n"
        "principal-value part eta of Lambda^+_12 (eq 67, from the Lorentzian tails of phi_j)\n"
        "leaves them smaller but non-zero. Thermal driving (c) with mu_L = mu_R between the\n"
        "levels (0.9, 1.0, 1.1 tried) gives nu_inf = 0 on the whole (T_L, T_R) grid; its largest\n"
        "values come with mu at a level (max 0.093 Gamma at mu = E_2, 0.018 Gamma at mu = 0.5)."
    )
    return FigureResult(headline=headline, numbers=numbers, details=details, files=(png,))


FIGURE = Figure(
    name="asymptotic-nonmarkovianity",
    description=(
        "asymptotic non-Markovianity of the fermionic dimer's master equation over chemical "
        "potentials and temperatures (seed 003, Fig 5)"
    ),
    run=run,
    has_full_version=True,
)
