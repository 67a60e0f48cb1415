"""A reservoir driven out of equilibrium by a second one (seed 000): time-dependent rates.

The system (a qubit, H_S = w0 sigma_z / 2) couples through sigma_+ B + sigma_- B^dag to the
modes a_l of a reservoir R_I (spectral density J_I, initially thermal at T_I); every mode is
damped, at rate J_II(w_l)/2 in amplitude, into its own part of a second reservoir R_II
(spectral density J_II, temperature T_II). The second-order time-local master equation has
the canonical form (seed 000 eq 14 and appendix A)

    d rho/dt = -i [Omega(t) sigma_z / 2, rho]
               + gamma_+(t) D[sigma_+] rho + gamma_-(t) D[sigma_-] rho,

with gamma_+ = 2 Re P(t), gamma_- = 2 Re M(t) and the frequency shift Omega - w0 = Im M - Im P
(eqs A1-A5), where P(t) = int_0^t alpha_+(t, t') e^{-i w0 t'} dt' and M likewise with alpha_-
(eqs A2-A3) are the memory integrals of the two-time correlation functions (eqs 16-18).

Two rate models:

- "approximate" (eqs 19-20): the Lorentzian kernel of eq 17 is replaced by a delta function and
  the memory integral taken in the Markov limit. With J_i = J_i(w0), n_i = n_i(w0):

      gamma_+(t) = J_I [n_I e^{-J_II t} + n_II (1 - e^{-J_II t})],
      gamma_-(t) = J_I [(n_I + 1) e^{-J_II t} + (n_II + 1)(1 - e^{-J_II t})].

  The occupation seen by the system relaxes from n_I to n_II at the rate J_II(w0). The paper
  gives no frequency shift for this model; the consistent one (the same two limits applied to
  eq A5) is the rotating-wave Lamb shift Delta_i = (1/2pi) P int_0^inf J_I(w)(2 n_i(w) + 1) /
  (w0 - w) dw, interpolated as Delta_I e^{-J_II t} + Delta_II (1 - e^{-J_II t}).
- "exact": P(t) and M(t) from eqs 16-18 by numerical integration (`_memory_integrals`).

Convention (checked against the paper's own limits): eq 16 as printed has prefactors 1/pi and
1/pi^2; with J_I = 2 pi sum_l |g_l|^2 delta(w - w_l) (eq C7) the sums over modes of eqs C4 and
C6 become (1/2pi) int dw and (1/4pi^2) int dw int dw', which is what reproduces eqs 19-20 (and
the rate J_I(w0) n_I(w0) of an equilibrium reservoir at long times). qoj uses 1/2pi and
1/4pi^2.
"""

from typing import Literal

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from ._bath import Bath, _principal_value
from ._precision import real_dtype


class _PositiveFrequencyWeight(eqx.Module):
    """J(w)(2 n(w) + 1) for w > 0 and 0 below, in the role of an emission rate: the weight of
    the rotating-wave Lamb shift (only the modes w > 0 of a sigma_+ B + h.c. coupling count)."""

    bath: Bath

    def emission_rate(self, w):
        return jnp.where(w > 0, self.bath.emission_rate(w) + self.bath.absorption_rate(w), 0.0)


def rotating_wave_shift(bath: Bath, w0: ArrayLike) -> Float[Array, "*shape"]:
    """(1/2pi) P int_0^inf J(w)(2 n(w) + 1)/(w0 - w) dw: the Markovian frequency shift of a
    qubit coupled to `bath` through sigma_+ B + h.c. (eq A5 in the Markov limit)."""
    if not hasattr(bath.spectrum, "quadrature"):
        raise TypeError("the frequency shift needs a spectrum from qoj.spectra")
    nodes, _ = bath.spectrum.quadrature(16, -jnp.inf, jnp.inf)
    extra, scale, feature = bath._lamb_shift_points(nodes)
    w0 = jnp.asarray(w0, real_dtype())
    return _principal_value(_PositiveFrequencyWeight(bath), w0, extra, scale, 8.0 / feature)


class NonEquilibriumBath(eqx.Module):
    """A reservoir R_I (spectral density `spectrum_I`, initially at `temperature_I`) whose modes
    are driven by a second reservoir R_II (`spectrum_II`, `temperature_II`): seed 000.

    Spectral densities are rate-normalised (API.md), e.g. `qoj.spectra.Ohmic(g, s, cutoff)` for
    J_i(w) = g_i w^s_i w_ci^(1 - s_i) e^{-w/w_ci} (eq 10). `rates` (static) picks the rate model:
    "approximate" (eqs 19-20) or "exact" (eqs A2-A5 from eqs 16-18); see the module docstring.

    Methods take the time t (any shape; the result has that shape) and the qubit frequency w0.
    """

    bath_I: Bath
    bath_II: Bath
    rate_model: Literal["approximate", "exact"] = eqx.field(static=True)

    def __init__(
        self,
        spectrum_I,
        spectrum_II,
        temperature_I: ArrayLike,
        temperature_II: ArrayLike,
        *,
        rates: Literal["approximate", "exact"] = "approximate",
    ):
        if rates not in ("approximate", "exact"):
            raise ValueError(f"rates must be 'approximate' or 'exact', got {rates!r}")
        self.bath_I = Bath(spectrum_I, temperature_I)
        self.bath_II = Bath(spectrum_II, temperature_II)
        self.rate_model = rates

    @property
    def spectrum_I(self):
        return self.bath_I.spectrum

    @property
    def spectrum_II(self):
        return self.bath_II.spectrum

    @property
    def temperature_I(self) -> Float[Array, ""]:
        return self.bath_I.temperature

    @property
    def temperature_II(self) -> Float[Array, ""]:
        return self.bath_II.temperature

    def system_baths(self) -> tuple[Bath, Bath]:
        """The equilibrium baths the qubit sees at the two ends: J_I at T_I (t -> 0, or J_II -> 0)
        and J_I at T_II (t -> inf). Their rates at w0 are the short- and long-time limits of
        eqs 19-20."""
        return self.bath_I, Bath(self.spectrum_I, self.temperature_II)

    def relaxation_rate(self, w0: ArrayLike) -> Float[Array, ""]:
        """J_II(w0): the rate at which R_I's modes near w0 relax to T_II."""
        return self.spectrum_II(jnp.asarray(w0, real_dtype()))

    def crossover(self, t: ArrayLike, w0: ArrayLike) -> Float[Array, "*shape"]:
        """1 - e^{-J_II(w0) t}: the weight of the long-time terms of eqs 19-20."""
        t = jnp.asarray(t, real_dtype())
        return -jnp.expm1(-self.relaxation_rate(w0) * t)

    def rates(self, t: ArrayLike, w0: ArrayLike) -> tuple[Float[Array, "*shape"], ...]:
        """(gamma_+(t), gamma_-(t)): the canonical rates of the channels sigma_+ and sigma_-."""
        if self.rate_model == "exact":
            from ._nonequilibrium_exact import memory_integrals

            p, m = memory_integrals(self, t, w0)
            return 2.0 * jnp.real(p), 2.0 * jnp.real(m)
        x = self.crossover(t, w0)
        w0 = jnp.asarray(w0, real_dtype())
        initial, final = self.system_baths()
        up = (1.0 - x) * initial.absorption_rate(w0) + x * final.absorption_rate(w0)
        down = (1.0 - x) * initial.emission_rate(w0) + x * final.emission_rate(w0)
        return up, down

    def frequency_shift(self, t: ArrayLike, w0: ArrayLike) -> Float[Array, "*shape"]:
        """Delta w(t) = Omega(t) - w0 (eq A5): the Lamb shift of the qubit frequency."""
        if self.rate_model == "exact":
            from ._nonequilibrium_exact import memory_integrals

            p, m = memory_integrals(self, t, w0)
            return jnp.imag(m) - jnp.imag(p)
        x = self.crossover(t, w0)
        initial, final = self.system_baths()
        return (1.0 - x) * rotating_wave_shift(initial, w0) + x * rotating_wave_shift(final, w0)
