"""Two fermionic modes between two uniform tight-binding chains (seed 003, sections III A-C).

The system H_S = h_L n_L + h_R n_R - (g/2)(c_L^dag c_R + c_R^dag c_L) (eq 10), with
h = (h_L + h_R)/2 and delta = h_L - h_R, has the eigenmodes d = R c (eq 16) with energies
E_1 = h + Delta/2, E_2 = h - Delta/2, Delta = sqrt(g^2 + delta^2) (eq 17). Each reservoir is a
semi-infinite chain with hopping Omega/2, coupled to its site with tunnelling sqrt(Gamma
Omega)/2; its spectral density is the Newns band (eq 19). qoj's spectral densities are
rate-normalised (`qoj.spectra.Newns`: J(w) = Gamma sqrt(1 - w^2/Omega^2)), so the paper's
J_N(w) = J(w) / (2 pi).

Because the two chains are identical, the rotation R takes the reservoirs along with the
system, and the total Hamiltonian splits into two independent resonant levels E_j, each
coupled to one chain (eq 17). The energy distribution of d_j^dag|0> (eq 25) is then a
Lorentzian-like peak inside the band (eq 35),

    phi_j(w) = J_N(w) / ((1 - Gamma/Omega) ((w - E'_j)^2 + Gamma_j^2/4)),
    E'_j = E_j (1 - Gamma/(2 Omega)) / (1 - Gamma/Omega),
    Gamma_j = Gamma sqrt(1 - Gamma/Omega - E_j^2/Omega^2) / (1 - Gamma/Omega)    (eq 36),

normalised to 1 (eq 26) as long as the level has no bound state outside the band,
sqrt(E_j^2 + Gamma Omega) < Omega (condition 34). Its Hilbert transform
theta_j(w) = P int dw' phi_j(w') / (w - w') is, inside the band (eq 37),

    theta_j(w) = ((1 - Gamma/(2 Omega)) w - E_j) phi_j(w) / J_N(w).

(Outside the band phi_j vanishes and eq 37 does not hold; every formula that uses theta_j
multiplies it by J(w), which vanishes there too.)
"""

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from .._bath import Bath
from .._checks import ensure, finite
from .._precision import real_dtype
from .._spectra import Newns


def eigenmodes(
    h: ArrayLike, delta: ArrayLike, g: ArrayLike
) -> tuple[Float[Array, "2"], Float[Array, "2 2"]]:
    """Energies (E_1, E_2) = (h + Delta/2, h - Delta/2) and the rotation R of eq 16,
    d = R c, with R = [[sqrt(Delta + delta), -sqrt(Delta - delta)], [sqrt(Delta - delta),
    sqrt(Delta + delta)]] / sqrt(2 Delta), Delta = sqrt(g^2 + delta^2) > 0 (non-degenerate
    levels). d_1 is the upper level; for g > 0 it is the antisymmetric combination."""
    h, delta, g = (jnp.asarray(x, real_dtype()) for x in (h, delta, g))
    splitting = jnp.sqrt(g**2 + delta**2)
    splitting = ensure(
        splitting, splitting <= 0, "the levels are degenerate: need g^2 + delta^2 > 0"
    )
    plus = jnp.sqrt((splitting + delta) / (2 * splitting))
    minus = jnp.sign(g) * jnp.sqrt(jnp.maximum(splitting - delta, 0.0) / (2 * splitting))
    rotation = jnp.stack([jnp.stack([plus, -minus]), jnp.stack([minus, plus])])
    energies = jnp.stack([h + splitting / 2, h - splitting / 2])
    return energies, rotation


def check_in_band(energies: ArrayLike, Gamma: ArrayLike, Omega: ArrayLike) -> Array:
    """`energies` unchanged, or an error unless 0 < Gamma < Omega and every level obeys
    sqrt(E^2 + Gamma Omega) < Omega (condition 34: no bound state outside the band)."""
    energies = jnp.asarray(energies, real_dtype())
    Gamma, Omega = jnp.asarray(Gamma, real_dtype()), jnp.asarray(Omega, real_dtype())
    energies = ensure(energies, ~(Gamma > 0), "Gamma must be > 0")
    energies = ensure(
        energies, ~(Gamma < Omega), "need Gamma < Omega (coupling below the bandwidth)"
    )
    return ensure(
        energies,
        jnp.any(energies**2 + Gamma * Omega >= Omega**2),
        "a level lies too close to the band edge: need sqrt(E^2 + Gamma Omega) < Omega "
        "(seed 003 condition 34)",
    )


def shifted_energy(energy: ArrayLike, Gamma: ArrayLike, Omega: ArrayLike) -> Array:
    """E'_j = E_j (1 - Gamma/(2 Omega)) / (1 - Gamma/Omega) (eq 36)."""
    return energy * (1 - Gamma / (2 * Omega)) / (1 - Gamma / Omega)


def level_width(energy: ArrayLike, Gamma: ArrayLike, Omega: ArrayLike) -> Array:
    """Gamma_j = Gamma sqrt(1 - Gamma/Omega - E_j^2/Omega^2) / (1 - Gamma/Omega) (eq 36); to
    first order in Gamma/Omega the rate J(E_j) of the Newns band."""
    ratio = Gamma / Omega
    return Gamma * jnp.sqrt(1 - ratio - (energy / Omega) ** 2) / (1 - ratio)


def _newns_density(w, Gamma, Omega):
    """J_N(w) = Gamma sqrt(1 - w^2/Omega^2) / (2 pi) inside the band, 0 outside (eq 19)."""
    inside = jnp.abs(w) < Omega
    r = jnp.where(inside, 1 - (w / Omega) ** 2, 1.0)
    return jnp.where(inside, Gamma * jnp.sqrt(r) / (2 * jnp.pi), 0.0)


def _lorentz_denominator(w, energy, Gamma, Omega):
    e_shift = shifted_energy(energy, Gamma, Omega)
    width = level_width(energy, Gamma, Omega)
    return (1 - Gamma / Omega) * ((w - e_shift) ** 2 + width**2 / 4)


def energy_distribution(
    w: ArrayLike, energy: ArrayLike, Gamma: ArrayLike, Omega: ArrayLike
) -> Array:
    """phi_j(w) of eq 35 (eq 25: the distribution of excitation energies of d_j^dag|0>)."""
    w = jnp.asarray(w, real_dtype())
    return _newns_density(w, Gamma, Omega) / _lorentz_denominator(w, energy, Gamma, Omega)


def hilbert_transform(w: ArrayLike, energy: ArrayLike, Gamma: ArrayLike, Omega: ArrayLike) -> Array:
    """theta_j(w) = P int dw' phi_j(w')/(w - w') for |w| < Omega (eq 37)."""
    w = jnp.asarray(w, real_dtype())
    numerator = (1 - Gamma / (2 * Omega)) * w - energy
    return numerator / _lorentz_denominator(w, energy, Gamma, Omega)


def _real_scalars(values):
    """The values of {name: value} as finite real scalar arrays (arrays, not Python floats:
    `filter_jit` would take floats as static, a compilation per value)."""
    out = []
    for name, value in values.items():
        value = finite(value, name)
        if value.ndim != 0 or jnp.iscomplexobj(value):
            raise ValueError(f"{name} must be a real scalar, got {value!r} (use jax.vmap)")
        out.append(value.astype(real_dtype()))
    return out


def checked_levels(
    h: ArrayLike, delta: ArrayLike, g: ArrayLike, Gamma: ArrayLike, Omega: ArrayLike
) -> tuple[Float[Array, "2"], Float[Array, "2 2"], tuple[Float[Array, ""], ...]]:
    """(E_1, E_2) and R (`eigenmodes`), and (h, delta, g, Gamma, Omega) as real scalar arrays,
    checked: finite, Omega > 0, g^2 + delta^2 > 0 and `check_in_band`. ValueError for concrete
    values; under `jit` the energies carry the checks (they must be used)."""
    h, delta, g, Gamma, Omega = _real_scalars(
        {"h": h, "delta": delta, "g": g, "Gamma": Gamma, "Omega": Omega}
    )
    Omega = ensure(Omega, ~(Omega > 0), "Omega must be > 0")
    energies, rotation = eigenmodes(h, delta, g)
    return check_in_band(energies, Gamma, Omega), rotation, (h, delta, g, Gamma, Omega)


PARAMETER_NAMES = ("h", "delta", "g", "Gamma", "Omega", "T_L", "T_R", "mu_L", "mu_R")


def checked_parameters(*parameters: ArrayLike) -> tuple[Float[Array, ""], ...]:
    """The nine parameters of the model (`PARAMETER_NAMES`) as real scalar arrays, with
    `checked_levels` and T_L, T_R >= 0. The checks of the levels run eagerly only:
    `fermi_bath` and `check_in_band` repeat them where the values are used."""
    if len(parameters) != len(PARAMETER_NAMES):
        raise TypeError(f"expected the nine parameters {PARAMETER_NAMES}, got {parameters!r}")
    h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R = parameters
    _, _, levels = checked_levels(h, delta, g, Gamma, Omega)
    baths = _real_scalars(
        {
            "T_L": T_L,
            "T_R": T_R,
            "mu_L (the chemical_potential of bath L)": mu_L,
            "mu_R (the chemical_potential of bath R)": mu_R,
        }
    )
    for i, side in enumerate("LR"):
        message = f"T_{side} must be non-negative (the temperature of bath {side})"
        baths[i] = ensure(baths[i], baths[i] < 0, message)
    return (*levels, *baths)


def fermi_bath(temperature: ArrayLike, mu: ArrayLike) -> Bath:
    """A reservoir's Fermi function f(w) = 1/(exp((w - mu)/T) + 1) as `Bath.occupation`
    (T = 0 allowed; the spectral density plays no part)."""
    return Bath(Newns(1.0, 1.0), temperature, chemical_potential=mu, statistics="fermi")
