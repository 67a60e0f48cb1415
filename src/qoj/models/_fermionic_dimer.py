"""Two fermionic modes between two tight-binding reservoirs (seed 003), as a ready-made model.

A thin front end to `qoj.fermionic`: the model holds the paper's nine parameters and hands
them to the toolkit's functions, which hold the physics.
"""

from typing import Literal

from jaxtyping import Array, ArrayLike, Complex, Float

from .. import fermionic
from .._generator import Generator
from .._system import OpenSystem
from ..fermionic._newns import PARAMETER_NAMES, checked_parameters
from ._base import AbstractModel

_APPROACHES = ("asymptotic", "asymptotic-local", "global", "local")


class FermionicDimer(AbstractModel):
    """Two fermionic sites L, R, H_S = h_L n_L + h_R n_R - (g/2)(c_L^dag c_R + h.c.) (seed 003
    eq 10, h = (h_L + h_R)/2, delta = h_L - h_R), site a tunnel-coupled (sqrt(Gamma Omega)/2)
    to the end of a semi-infinite uniform chain a (hopping Omega/2: the Newns band, eq 19)
    with temperature T_a and chemical potential mu_a.

    Fields: h, delta, g (system), Gamma (coupling, 0 < Gamma < Omega), Omega (half
    bandwidth), T_L, T_R (>= 0), mu_L, mu_R. Both levels E_1,2 = h +- Delta/2 must lie inside
    the band (condition 34). Parts are named "L" and "R" (and "interference" or "LR").

    `generator(approach)`, on the 4 x 4 Jordan-Wigner space (`qoj.fermion_ops(2)`):

    - "asymptotic": the t -> inf limit of the exact master equation (eqs 50-51 with the rate
      matrices of eq 55), split as L_L + L_R + L_int (eqs 56-58, 65): not additive; L_int
      carries the coherence of the current-carrying steady state and is not of Lindblad form.
    - "asymptotic-local": the same generator split in the site basis (eqs 69-71: parts "L",
      "R", "LR").
    - "global": the additive part L_L + L_R alone (eq 57; the Born-Markov-secular master
      equation as Gamma -> 0): right populations and boundary currents in the
      quantum-optical limit (eqs 61-62), no coherence.
    - "local": the additive site-basis part L-bar_L + L-bar_R alone (eq 70).

    `system()` is not available: the tunnelling coupling c_a^dag A_a + h.c. exchanges
    particles, which qoj's `OpenSystem` (couplings X (x) B with Hermitian X) does not
    describe; the master equations above are derived from the exact solution instead.
    """

    h: Float[Array, ""]
    delta: Float[Array, ""]
    g: Float[Array, ""]
    Gamma: Float[Array, ""]
    Omega: Float[Array, ""]
    T_L: Float[Array, ""]
    T_R: Float[Array, ""]
    mu_L: Float[Array, ""]
    mu_R: Float[Array, ""]

    def __init__(self, h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R):
        checked = checked_parameters(h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R)
        for name, value in zip(PARAMETER_NAMES, checked, strict=True):
            setattr(self, name, value)

    @property
    def parameters(self) -> tuple[Array, ...]:
        """(h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R), the toolkit's argument order."""
        return tuple(getattr(self, name) for name in PARAMETER_NAMES)

    def system(self) -> OpenSystem:
        raise NotImplementedError(
            "FermionicDimer has no OpenSystem form: its tunnelling couplings exchange particles "
            "(qoj.Coupling takes Hermitian X (x) B); use generator(approach) or qoj.fermionic"
        )

    def generator(
        self, approach: Literal["asymptotic", "asymptotic-local", "global", "local"] = "asymptotic"
    ) -> Generator:
        """The asymptotic master equation (see the class docstring for the approaches)."""
        if approach not in _APPROACHES:
            raise ValueError(f"approach must be one of {_APPROACHES}, got {approach!r}")
        basis = "local" if approach in ("asymptotic-local", "local") else "energy"
        full = fermionic.asymptotic_generator(*self.parameters, basis=basis)
        if approach.startswith("asymptotic"):
            return full
        parts = {name: full.parts[name] for name in ("L", "R")}
        return Generator(full.hamiltonian, parts, full.coherent)

    def eigenmodes(self) -> tuple[Float[Array, "2"], Float[Array, "2 2"]]:
        """Energies (E_1, E_2) and the rotation R, d = R c (eqs 16-17)."""
        return fermionic.eigenmodes(self.h, self.delta, self.g)

    def transmission(self, w: ArrayLike) -> Array:
        """The transmission function T(w) of eq 45."""
        return fermionic.transmission(w, self.h, self.delta, self.g, self.Gamma, self.Omega)

    def landauer_currents(self) -> tuple[Array, Array]:
        """Steady particle and energy currents from reservoir L into the system (eqs 43-44);
        those from R are their negatives."""
        return fermionic.landauer_currents(*self.parameters)

    def steady_correlation(self) -> Complex[Array, "2 2"]:
        """The exact steady correlation matrix C_jk = <d_j^dag d_k> (eq 32)."""
        return fermionic.stationary_correlation(*self.parameters)

    def rate_matrices(self) -> tuple[Complex[Array, "2 2"], Complex[Array, "2 2"]]:
        """The asymptotic gain and loss rate matrices (Lambda^+, Lambda^-) of eq 55."""
        return fermionic.rate_matrices(*self.parameters)

    def nonmarkovianity(self) -> Float[Array, ""]:
        """The asymptotic non-Markovianity nu_inf of eq 82 (the paper's normalisation)."""
        return fermionic.dimer_nonmarkovianity(*self.parameters)
