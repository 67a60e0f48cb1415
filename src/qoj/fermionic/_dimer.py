"""The fermionic dimer's nine parameters, checked once and sampled on the stationary frequency
rule: the common input of the Landauer (`_landauer`) and asymptotic (`_asymptotic`) functions.

Their public forms take the nine parameters as scalars (so that any of them can be vmapped or
differentiated); `dimer_function` writes that form once for all of them.
"""

import functools
import inspect

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from ._junction import ExactJunction, sampled_newns_junction
from ._newns import PARAMETER_NAMES, checked_parameters
from ._quadrature import MIN_PANELS

_PARAMETERS = """Args:
        h, delta, g: mean site energy (h_L + h_R)/2, detuning h_L - h_R and tunnel coupling
            of H_S (eq 10); g^2 + delta^2 > 0.
        Gamma, Omega: the Newns band of each chain (eq 19, `qoj.spectra.Newns(Gamma, Omega)`):
            0 < Gamma < Omega, both levels inside the band (condition 34).
        T_L, T_R: bath temperatures (>= 0).
        mu_L, mu_R: chemical potentials."""


def _view(field: str, doc: str) -> property:
    """The junction's `field`, read through the dimer."""
    return property(lambda self: getattr(self.junction, field), doc=doc)


class Dimer(eqx.Module):
    """The checked parameters and the junction sampled for t_max = 0 on the rule of 32
    uniform panels (`_quadrature`: graded around the peaks, the Fermi levels and the band
    edges; a fixed number of nodes whatever the values, for jit and vmap), with the views the
    stationary formulae use."""

    h: Float[Array, ""]
    delta: Float[Array, ""]
    g: Float[Array, ""]
    Gamma: Float[Array, ""]
    Omega: Float[Array, ""]
    T_L: Float[Array, ""]
    T_R: Float[Array, ""]
    mu_L: Float[Array, ""]
    mu_R: Float[Array, ""]
    junction: ExactJunction

    def __init__(self, *parameters: ArrayLike):
        checked = checked_parameters(*parameters)
        for name, value in zip(PARAMETER_NAMES, checked, strict=True):
            setattr(self, name, value)
        t_max = jnp.zeros_like(self.Omega)
        self.junction = sampled_newns_junction((*checked, t_max), MIN_PANELS, MIN_PANELS)

    energies = _view("energies", "E_1, E_2 (eq 17).")
    rotation = _view("rotation", "R of d = R c (eq 16).")
    w = _view("nodes", "The frequency nodes.")
    phi = _view("distributions", "phi_j (eq 35) at the nodes, shape (2, n).")
    theta = _view("hilbert", "theta_j (eq 37) at the nodes, shape (2, n).")
    occupations = _view("occupations", "f_L, f_R at the nodes, shape (2, n).")

    @property
    def splitting(self) -> Float[Array, ""]:
        """Delta = E_1 - E_2."""
        return self.energies[0] - self.energies[1]

    @property
    def shifted(self) -> Float[Array, "2"]:
        """E'_j (eq 36), the real parts of the EPA poles."""
        return jnp.real(self.junction.poles)

    @property
    def widths(self) -> Float[Array, "2"]:
        """Gamma_j (eq 36), -2 x the imaginary parts of the EPA poles."""
        return -2 * jnp.imag(self.junction.poles)

    def integrate(self, values: Array) -> Array:
        """int dw values(w) over the band; `values` has the nodes on its last axis."""
        return values @ self.junction.weights


def dimer_function(function):
    """The public form of `function(dimer: Dimer, **options)`: a function of the nine
    parameters (h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R), then the options, which
    builds the `Dimer` and calls `function`. `{parameters}` in the docstring becomes the
    parameters' description."""
    inner = inspect.signature(function)
    options = list(inner.parameters.values())[1:]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    nine = [inspect.Parameter(n, kind, annotation=ArrayLike) for n in PARAMETER_NAMES]
    signature = inner.replace(parameters=nine + options)

    @functools.wraps(function)
    def public(*args, **kwargs):
        arguments = signature.bind(*args, **kwargs).arguments
        dimer = Dimer(*(arguments.pop(name) for name in PARAMETER_NAMES))
        return function(dimer, **arguments)

    public.__signature__ = signature
    if function.__doc__ is not None:
        public.__doc__ = function.__doc__.replace("{parameters}", _PARAMETERS)
    return public
