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
- "exact": P(t) and M(t) from eqs 16-18 by Filon-type panel quadrature
  (`_nonequilibrium_exact.py`, whose docstring gives the method, accuracy ~1e-11 and cost:
  ~2 s of setup, then ~1.5 ms per time).

Convention (checked against the paper's own limits): eq 16 as printed has prefactors 1/pi and
1/pi^2; with J_I = 2 pi sum_l |g_l|^2 delta(w - w_l) (eq C7) the sums over modes of eqs C4 and
C6 become (1/2pi) int dw and (1/4pi^2) int dw int dw', which is what reproduces eqs 19-20 (and
the rate J_I(w0) n_I(w0) of an equilibrium reservoir at long times). qoj uses 1/2pi and
1/4pi^2.
"""

from typing import Literal

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from ._bath import Bath, _principal_value
from ._checks import ensure
from ._lag_quadrature import integral
from ._precision import real_dtype


class _PositiveFrequencyWeight(eqx.Module):
    """J(w)(2 n(w) + 1) for w > 0 and 0 below, in the role of an emission rate: the weight of
    the rotating-wave Lamb shift (only the modes w > 0 of a sigma_+ B + h.c. coupling count)."""

    bath: Bath

    def emission_rate(self, w):
        return jnp.where(w > 0, self.bath.emission_rate(w) + self.bath.absorption_rate(w), 0.0)


def saturation(rate, t):
    """(1 - e^{-rate t})/rate = int_0^t e^{-rate s} ds, finite with finite gradients as
    rate t -> 0 (a series below 1e-4)."""
    x = rate * t
    small = jnp.abs(x) < 1e-4
    x_small = jnp.where(small, x, 0.0)
    series = jnp.where(small, t, 0.0) * (1 - x_small / 2 + x_small**2 / 6 - x_small**3 / 24)
    rate_safe = jnp.where(small, 1.0, rate)
    return jnp.where(small, series, -jnp.expm1(-jnp.where(small, 1.0, x)) / rate_safe)


def rotating_wave_shift(bath: Bath, w0: ArrayLike) -> Float[Array, "*shape"]:
    """(1/2pi) P int_0^inf J(w)(2 n(w) + 1)/(w0 - w) dw: the Markovian frequency shift of a
    qubit coupled to `bath` through sigma_+ B + h.c. (eq A5 in the Markov limit)."""
    if not hasattr(bath.spectrum, "quadrature"):
        raise TypeError("the frequency shift needs a spectrum from qoj.spectra")
    nodes, _ = bath.spectrum.quadrature(16, -jnp.inf, jnp.inf)
    extra, scale, feature = bath._lamb_shift_points(nodes)
    w0 = jnp.asarray(w0, real_dtype())
    return _principal_value(_PositiveFrequencyWeight(bath), w0, extra, scale, 8.0 / feature)


class RateTable(eqx.Module):
    """gamma_+(t), gamma_-(t) and Delta w(t) of an environment at one qubit frequency, on a time
    grid, read by cubic Hermite interpolation from the values and their exact time derivatives
    (error O(h^4)); held at the last value beyond the grid, where the rates have reached their
    long-time limit. Made by `NonEquilibriumBath.tabulate`."""

    omega0: Float[Array, ""]
    times: Float[Array, " n"]
    values: Float[Array, "3 n"]
    slopes: Float[Array, "3 n"]

    def __call__(self, t: ArrayLike) -> Float[Array, "3 ..."]:
        t = jnp.clip(jnp.asarray(t, real_dtype()), self.times[0], self.times[-1])
        k = jnp.clip(jnp.searchsorted(self.times, t, side="right") - 1, 0, self.times.size - 2)
        h = self.times[k + 1] - self.times[k]
        x = (t - self.times[k]) / h
        x2, x3 = x * x, x * x * x
        basis = [b[None] for b in (2 * x3 - 3 * x2 + 1, x3 - 2 * x2 + x, -2 * x3 + 3 * x2, x3 - x2)]
        v0, v1 = self.values[:, k], self.values[:, k + 1]
        s0, s1 = self.slopes[:, k] * h[None], self.slopes[:, k + 1] * h[None]
        return basis[0] * v0 + basis[1] * s0 + basis[2] * v1 + basis[3] * s1


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
    table: RateTable | None = None

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
        self.table = None

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

    def tabulate(
        self,
        w0: ArrayLike,
        t_max: ArrayLike,
        *,
        periods: int = 16,
        per_period: int = 16,
        log_points: int = 512,
        rise_points: int = 32,
    ) -> "NonEquilibriumBath":
        """This environment with its rates and frequency shift at `w0` tabulated up to `t_max`
        and interpolated from then on (`rates` and `frequency_shift` read the table; beyond
        the grid they hold the last values).

        The grid is uniform over the first `periods` periods 2 pi / w0 (`per_period` points
        each: the exact rates oscillate at w0 while the memory of the initial time decays),
        with `rise_points` geometric points inside its first step (the exact rates rise from
        0 on the scale 1/bandwidth), then `log_points` geometrically spaced points up to
        max(t_max, that) (the slow crossover at the rate J_II(w0)). Values and exact time
        derivatives (forward mode) feed a cubic Hermite interpolation: relative error ~2e-8
        with 256 and ~1e-9 with 512 log points for the approximate rates of g_II = 1e-4 up to
        1e6. With the exact rate model every grid point costs one evaluation of the memory
        integrals, vectorised over the grid, so an ODE solve then reads the rates at the
        price of an interpolation. Measured for the exact rates of Fig 8 (t_max = 2000):
        relative error <= 1.2e-3 for t < 100 and <= 1.7e-3 beyond, where the geometric steps
        exceed a period and the table samples the transient oscillating at w0 (amplitude
        ~1e-3 of the rate at t ~ 1000) below its Nyquist rate; raise `periods` to resolve it
        for longer. The end state of a qubit evolved with this table is off by 1.2e-6.
        The grid sizes are static; `w0` and `t_max` may be traced (w0 must be the qubit
        frequency used later).
        """
        for name, value in (
            ("periods", periods),
            ("per_period", per_period),
            ("rise_points", rise_points),
        ):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not isinstance(log_points, int) or log_points < 2:
            raise ValueError(f"log_points must be an int >= 2, got {log_points!r}")
        w0 = jnp.asarray(w0, real_dtype())
        t_max = ensure(
            jnp.asarray(t_max, real_dtype()), jnp.asarray(t_max) <= 0, "t_max must be > 0"
        )
        end = periods * 2.0 * jnp.pi / w0
        uniform = jnp.linspace(0.0, 1.0, periods * per_period + 1) * end
        rise = uniform[1] * 1e-4 ** jnp.linspace(1.0, 0.0, rise_points + 1)[:-1]
        stop = jnp.maximum(t_max, 2.0 * end)
        tail = end * (stop / end) ** jnp.linspace(0.0, 1.0, log_points + 1)[1:]
        times = jnp.concatenate([uniform[:1], rise, uniform[1:], tail])

        def curves(t):
            return jnp.stack([*self.rates(t, w0), self.frequency_shift(t, w0)])

        values, slopes = jax.jvp(curves, (times,), (jnp.ones_like(times),))
        return eqx.tree_at(
            lambda env: env.table,
            self,
            RateTable(w0, times, values, slopes),
            is_leaf=lambda x: x is None,
        )

    def rates(self, t: ArrayLike, w0: ArrayLike) -> tuple[Float[Array, "*shape"], ...]:
        """(gamma_+(t), gamma_-(t)): the canonical rates of the channels sigma_+ and sigma_-."""
        if self.table is not None:
            values = self.table(t)
            return values[0], values[1]
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

    def accumulated_shift(self, t: ArrayLike, w0: ArrayLike) -> Float[Array, "*shape"]:
        """int_0^t Delta w(t') dt': the extra rotation angle of the qubit's coherence (eq 22).

        Closed form for the approximate model, Delta_II t + (Delta_I - Delta_II)(1 -
        e^{-J_II t})/J_II; otherwise a composite Gauss-Legendre rule graded towards both ends
        of [0, t] (`qoj._lag_quadrature`).
        """
        t = jnp.asarray(t, real_dtype())
        if self.rate_model == "approximate" and self.table is None:
            start, end = (rotating_wave_shift(bath, w0) for bath in self.system_baths())
            return end * t + (start - end) * saturation(self.relaxation_rate(w0), t)
        return integral(lambda s: self.frequency_shift(s, w0), t)

    def frequency_shift(self, t: ArrayLike, w0: ArrayLike) -> Float[Array, "*shape"]:
        """Delta w(t) = Omega(t) - w0 (eq A5): the Lamb shift of the qubit frequency."""
        if self.table is not None:
            return self.table(t)[2]
        if self.rate_model == "exact":
            from ._nonequilibrium_exact import memory_integrals

            p, m = memory_integrals(self, t, w0)
            return jnp.imag(m) - jnp.imag(p)
        x = self.crossover(t, w0)
        initial, final = self.system_baths()
        return (1.0 - x) * rotating_wave_shift(initial, w0) + x * rotating_wave_shift(final, w0)
