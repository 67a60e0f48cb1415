"""Two eigenmodes and their reservoirs sampled on a frequency rule: the input of the exact
solution (seed 003, eqs 24-33), and its stationary state (eq 32).

Each eigenmode d_j = (R c)_j of H_S (energy E_j, eq 17) sees its own copy of the reservoir
modes b_q = R a_q, so everything follows from the energy distributions phi_j of eq 25, their
Hilbert transforms theta_j (eq 33), the spectral density J(w) = sum_q |tau_q|^2 delta(w - w_q)
(eq 18; qoj's rate-normalised spectrum divided by 2 pi) and the Fermi functions f = diag(f_L,
f_R) of the reservoirs, through F(w) = R^* f(w) R^T (real R: F = R f R^T as printed). These
hold for any spectral density without bound states (G_j -> 0); `ExactJunction` takes the
sampled functions of any such model, `newns_junction` builds those of the uniform chains
(eqs 35-37) on the rule of `_quadrature`.
"""

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Complex, Float, Inexact

from .._checks import ensure, finite, nonnegative
from .._precision import complex_dtype, real_dtype
from .._spectra import Newns
from ._newns import (
    check_in_band,
    checked_parameters,
    eigenmodes,
    energy_distribution,
    fermi_bath,
    hilbert_transform,
    level_width,
    shifted_energy,
)
from ._quadrature import PHASE, frequency_rule, panel_count


class ExactJunction(eqx.Module):
    """Two eigenmodes and their reservoirs, sampled on a frequency quadrature rule: everything
    the exact solution of seed 003 (eqs 24-33) needs, for any spectral density.

    Fields:
        energies: E_j, the single-particle energies of H_S (eq 17).
        rotation: R with d = R c (eq 16; real orthogonal, or unitary).
        spectrum: the reservoirs' rate-normalised spectral density (qoj convention; the
            paper's J_N = spectrum / (2 pi)), used for the EPA with `levels="bare"`.
        poles: z_j = E'_j - i Gamma_j / 2, the EPA levels (eq 53).
        nodes, weights: the frequency rule; it must resolve phi_j, F and e^{-iwt} for
            0 <= t <= t_max (`newns_junction` builds such a rule).
        density: J(w_m) (paper's normalisation, eq 18) at the nodes.
        distributions: phi_j(w_m), shape (2, n) (eq 25).
        hilbert: theta_j(w_m) (eq 33), shape (2, n).
        occupations: f_L(w_m), f_R(w_m), shape (2, n).
        t_max: the largest time the rules resolve.
        time_panels: (static) uniform time panels on [0, t_max]; must satisfy
            2 max|w| t_max / time_panels <= 16.
        pole_weights: N_j, the weight of the pole z_j in phi_j, phi_j(w) ~ N_j J(w) /
            |w - z_j|^2 near it (default 1). The EPA's bath part carries it (see
            `epa_correlations`). For the Newns band the relation is exact, with N_j =
            1/(1 - Gamma/Omega) (eq 35).

    For another spectral density J (the same for both reservoirs, no bound states) the
    distributions follow from eqs B5-B6, B12: phi_j = J / ((w - E_j - Delta)^2 + pi^2 J^2) and
    theta_j = (w - E_j - Delta) phi_j / J, Delta(w) = P int J(w') / (w - w') dw' (for the
    Newns band Delta = Gamma w / (2 Omega), which gives eqs 35-37).
    """

    energies: Float[Array, "2"]
    rotation: Inexact[Array, "2 2"]
    spectrum: Callable
    poles: Complex[Array, "2"]
    nodes: Float[Array, " n"]
    weights: Float[Array, " n"]
    density: Float[Array, " n"]
    distributions: Float[Array, "2 n"]
    hilbert: Float[Array, "2 n"]
    occupations: Float[Array, "2 n"]
    t_max: Float[Array, ""]
    time_panels: int = eqx.field(static=True)
    pole_weights: Float[Array, "2"]

    def __init__(
        self,
        energies: Float[ArrayLike, "2"],
        rotation: Inexact[ArrayLike, "2 2"],
        spectrum: Callable,
        poles: Complex[ArrayLike, "2"],
        nodes: Float[ArrayLike, " n"],
        weights: Float[ArrayLike, " n"],
        density: Float[ArrayLike, " n"],
        distributions: Float[ArrayLike, "2 n"],
        hilbert: Float[ArrayLike, "2 n"],
        occupations: Float[ArrayLike, "2 n"],
        t_max: Float[ArrayLike, ""],
        time_panels: int | None = None,
        pole_weights: Float[ArrayLike, "2"] | None = None,
    ):
        rdt = real_dtype()
        self.energies = finite(jnp.asarray(energies, rdt), "energies")
        self.rotation = jnp.asarray(rotation)
        self.spectrum = spectrum
        self.poles = jnp.asarray(poles, complex_dtype())
        self.nodes = finite(jnp.asarray(nodes, rdt), "nodes")
        n = self.nodes.shape[0] if self.nodes.ndim == 1 else -1
        self.weights = jnp.asarray(weights, rdt)
        self.density = jnp.asarray(density, rdt)
        self.distributions = jnp.asarray(distributions, rdt)
        self.hilbert = jnp.asarray(hilbert, rdt)
        self.occupations = jnp.asarray(occupations, rdt)
        self.pole_weights = (
            jnp.ones(2, rdt) if pole_weights is None else jnp.asarray(pole_weights, rdt)
        )
        shapes = {
            "energies": (self.energies.shape, (2,)),
            "rotation": (self.rotation.shape, (2, 2)),
            "poles": (self.poles.shape, (2,)),
            "nodes": (self.nodes.shape, (n,)),
            "weights": (self.weights.shape, (n,)),
            "density": (self.density.shape, (n,)),
            "distributions": (self.distributions.shape, (2, n)),
            "hilbert": (self.hilbert.shape, (2, n)),
            "occupations": (self.occupations.shape, (2, n)),
            "pole_weights": (self.pole_weights.shape, (2,)),
        }
        for name, (got, want) in shapes.items():
            if n < 1 or got != want:
                raise ValueError(f"{name} must have shape {want} (n = number of nodes), got {got}")
        if not callable(spectrum):
            raise TypeError("spectrum must be a spectral density (a callable of w)")
        self.t_max = nonnegative(t_max, "t_max")
        span = 2 * jnp.max(jnp.abs(self.nodes)) * self.t_max
        self.time_panels = panel_count(span, time_panels, "time_panels")
        self.t_max = ensure(
            self.t_max,
            span > PHASE * self.time_panels * (1 + 1e-9),
            f"time_panels too few for t_max: need 2 max|w| t_max / time_panels <= {PHASE:g}",
        )

    @property
    def noise_weights(self) -> Complex[Array, "n 2 2"]:
        """weights x J(w) F(w), F = R^* f R^T (eq 28): the measure of the noise integrals.
        F_12 is written R_11^* R_21 (f_L - f_R) (R is unitary), so that it vanishes exactly
        for equal baths."""
        r = self.rotation.astype(complex_dtype())
        f_l, f_r = self.occupations
        diagonal = [jnp.abs(r[j, 0]) ** 2 * f_l + jnp.abs(r[j, 1]) ** 2 * f_r for j in range(2)]
        off = r[0, 0].conj() * r[1, 0] * (f_l - f_r)
        f = jnp.stack(
            [jnp.stack([diagonal[0] + 0j, off], -1), jnp.stack([off.conj(), diagonal[1] + 0j], -1)],
            -2,
        )
        return (self.weights * self.density)[:, None, None] * f


def newns_junction(
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
    T_L: ArrayLike,
    T_R: ArrayLike,
    mu_L: ArrayLike,
    mu_R: ArrayLike,
    *,
    t_max: ArrayLike = 0.0,
    frequency_panels: int | None = None,
    time_panels: int | None = None,
) -> ExactJunction:
    """The two-site system of seed 003 between two uniform tight-binding chains (eqs 10-19),
    with the Newns energy distributions (eqs 35-37) sampled on a rule for 0 <= t <= t_max.

    Arguments: the local energies' mean h and detuning delta, the tunnelling g (eq 10); the
    coupling Gamma and half-bandwidth Omega of the chains (eqs 11-19; ValueError unless
    0 < Gamma < Omega and condition 34, sqrt(E_j^2 + Gamma Omega) < Omega); temperatures
    T_L, T_R >= 0 and chemical potentials mu_L, mu_R; t_max, the largest time to be asked
    for. `frequency_panels`, `time_panels` (static ints) size the rules: by default (concrete
    Omega, t_max) ceil(2 Omega t_max / 16) panels each (at least 32): frequency panels of
    equal width (so that e^{-iwt} turns by at most 16 radians across one), refined around
    the peaks, the Fermi levels and the band edges (`_quadrature`), and time panels of equal
    width (e^{i(w - w')t} by at most 16). They must be given under jit/vmap when Omega or
    t_max is traced. All float arguments are differentiable.
    """
    rdt = real_dtype()
    with jax.ensure_compile_time_eval():  # panel counts wherever the values are known
        span = 2 * jnp.asarray(Omega, rdt) * jnp.asarray(t_max, rdt)
    params = checked_parameters(h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R)
    t_max = nonnegative(t_max, "t_max")
    return sampled_newns_junction(
        (*params, t_max),
        panel_count(span, frequency_panels, "frequency_panels"),
        panel_count(span, time_panels, "time_panels"),
    )


@eqx.filter_jit
def sampled_newns_junction(params, frequency_panels: int, time_panels: int) -> ExactJunction:
    """`newns_junction` of the checked (h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R,
    t_max), arrays; the band checks run again here (as `error_if` under tracing)."""
    h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R, t_max = params
    energies, rotation = eigenmodes(h, delta, g)
    energies = check_in_band(energies, Gamma, Omega)
    baths = fermi_bath(T_L, mu_L), fermi_bath(T_R, mu_R)
    shifted = shifted_energy(energies, Gamma, Omega)
    widths = level_width(energies, Gamma, Omega)
    centres = jnp.stack([shifted[0], shifted[1], *(b.chemical_potential for b in baths)])
    scales = jnp.stack([widths[0] / 4, widths[1] / 4, *(jnp.pi * b.temperature / 4 for b in baths)])
    w, weights = frequency_rule(Omega, centres, scales, frequency_panels)
    spectrum = Newns(Gamma, Omega)
    return ExactJunction(
        energies,
        rotation,
        spectrum,
        shifted - 0.5j * widths,
        w,
        weights,
        spectrum(w) / (2 * jnp.pi),  # J_N (eq 19)
        jnp.stack([energy_distribution(w, e, Gamma, Omega) for e in energies]),  # eq 35
        jnp.stack([hilbert_transform(w, e, Gamma, Omega) for e in energies]),  # eq 37
        jnp.stack([b.occupation(w) for b in baths]),
        t_max,
        time_panels=time_panels,
        pole_weights=jnp.full(2, 1 / (1 - Gamma / Omega)),
    )


def steady_state_correlation(junction: ExactJunction) -> Complex[Array, "2 2"]:
    """C(inf) = int dw J F_jk (theta_j + i pi phi_j)(theta_k - i pi phi_k) (eq 32): the
    correlation matrix <d_j^dag d_k> of the unique, Gaussian (D = det C) stationary state.

    theta_j + i pi phi_j = 1/((1 - Gamma/2 Omega) w - E_j - i pi J_N(w)) = G^A_j(w), the advanced
    Green's function of level j (for the Newns band), and J |G^A_j|^2 = phi_j, so
    C_jj = int phi_j F_jj."""
    amplitude = junction.hilbert - 1j * jnp.pi * junction.distributions  # kappa_j(w, inf)
    c = jnp.einsum("njk,jn,kn->jk", junction.noise_weights, amplitude.conj(), amplitude)
    return 0.5 * (c + c.conj().T)  # Hermitian to the last bit
