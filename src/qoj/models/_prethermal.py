"""A qubit between non-equilibrium environments (seed 000): prethermalization and heat fluxes.

Each environment is a `qoj.NonEquilibriumBath` (a reservoir R_I driven by a second reservoir
R_II). Environment nu contributes the canonical dissipator gamma_+^nu(t) D[sigma_+] +
gamma_-^nu(t) D[sigma_-] and the frequency shift Delta w^nu(t) (seed 000 eqs 14, A1-A6; for two
environments section 6):

    d rho/dt = -i [(w0 + sum_nu Delta w^nu(t)) sigma_z / 2, rho]
               + sum_nu (gamma_+^nu(t) D[sigma_+] + gamma_-^nu(t) D[sigma_-]) rho,

D[L] rho = L rho L^dag - {L^dag L, rho}/2. The dissipators commute with rotations about z
(phase covariance), so in the frame rotating with Omega~(t) = int_0^t (w0 + Delta w) the
equation is purely dissipative; `evolve` integrates it there (the lab-frame coherence turns
about 1e6 times up to t = 1e6/w0, which an ODE solver would have to resolve) and rotates the
states back. Populations and heat currents do not depend on the frame.
"""

import abc
from collections.abc import Sequence

import diffrax
import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Complex, Float

from .._checks import nonnegative
from .._evolve import Solution, evolve
from .._generator import Generator, GeneratorPart
from .._nonequilibrium import NonEquilibriumBath
from .._operators import sigmam, sigmap, sigmax, sigmaz
from .._system import Coupling, OpenSystem
from .._terms import HamiltonianTerm, JumpTerm
from ._base import AbstractModel


class _Rate(eqx.Module):
    """t -> one of an environment's canonical rates at the qubit frequency (0: gamma_+,
    1: gamma_-), as a differentiable callable coefficient."""

    environment: NonEquilibriumBath
    omega0: Float[Array, ""]
    channel: int = eqx.field(static=True)

    def __call__(self, t):
        return self.environment.rates(t, self.omega0)[self.channel]


class _Shift(eqx.Module):
    """t -> the total frequency shift sum_nu Delta w^nu(t)."""

    environments: tuple[NonEquilibriumBath, ...]
    omega0: Float[Array, ""]

    def __call__(self, t):
        return sum(env.frequency_shift(t, self.omega0) for env in self.environments)


class _PrethermalModel(AbstractModel):
    """Shared physics of `PrethermalQubit` and `PrethermalJunction` (see the module)."""

    omega0: eqx.AbstractVar[Float[Array, ""]]

    @abc.abstractmethod
    def environments(self) -> dict[str, NonEquilibriumBath]:
        """The environments by part name."""

    def hamiltonian(self) -> Complex[Array, "2 2"]:
        return 0.5 * self.omega0 * sigmaz()

    def system(self) -> OpenSystem:
        """H_S and the couplings sigma_x (x) B of the reservoirs R_I (their Markovian
        equilibrium limit: each environment's R_I at T_I)."""
        return OpenSystem(
            self.hamiltonian(),
            [Coupling(name, sigmax(), env.bath_I) for name, env in self.environments().items()],
        )

    def generator(self, approach: str = "canonical", *, frame: str = "lab") -> Generator:
        """The time-local canonical master equation (eqs 14, A1-A6), parts named after the
        environments.

        `frame="lab"`: as written above. `frame="rotating"`: in the frame rotating with
        Omega~(t) (no coherent term; `gen.hamiltonian` stays H_S for the heat currents), the
        form `evolve` integrates.
        """
        if approach != "canonical":
            raise ValueError(f"approach must be 'canonical' for this model, got {approach!r}")
        if frame not in ("lab", "rotating"):
            raise ValueError(f"frame must be 'lab' or 'rotating', got {frame!r}")
        h = self.hamiltonian()
        envs = self.environments()
        parts = {
            name: [
                JumpTerm(sigmap(), _Rate(env, self.omega0, 0)),
                JumpTerm(sigmam(), _Rate(env, self.omega0, 1)),
            ]
            for name, env in envs.items()
        }
        if frame == "rotating":
            coherent = [HamiltonianTerm(h, 0.0)]
        else:
            shift = _Shift(tuple(envs.values()), self.omega0)
            coherent = [HamiltonianTerm(h), HamiltonianTerm(0.5 * sigmaz(), shift)]
        return Generator(h, parts, coherent=GeneratorPart(coherent))

    def rotation_angle(self, t: ArrayLike) -> Float[Array, "*shape"]:
        """Omega~(t) = int_0^t (w0 + sum_nu Delta w^nu) dt' (eq 22)."""
        t = jnp.asarray(t)
        return self.omega0 * t + sum(
            env.accumulated_shift(t, self.omega0) for env in self.environments().values()
        )

    def tabulated(self, t_max: ArrayLike) -> "_PrethermalModel":
        """This model with every environment of the exact rate model tabulated up to `t_max`
        (`NonEquilibriumBath.tabulate`), so that an ODE solve reads its rates by interpolation
        instead of one quadrature of the memory integrals per right-hand side."""

        def tabulate(env):
            if env.rate_model != "exact" or env.table is not None:
                return env
            return env.tabulate(self.omega0, t_max)

        envs = tuple(self.environments().values())
        return eqx.tree_at(
            lambda m: tuple(m.environments().values()), self, tuple(map(tabulate, envs))
        )

    def evolve(
        self,
        rho0: Complex[ArrayLike, "2 2"],
        ts: Float[ArrayLike, " T"],
        *,
        save_states: bool = False,
        **kwargs,
    ) -> Solution:
        """rho(t) at `ts` from `rho0` at t = 0, with the heat currents J^nu(t) (eq 34).

        Integrates in the rotating frame (see the module) with `qoj.evolve` (keyword arguments
        are passed on: `rtol`, `atol`, `solver`, `max_steps`, ...) and rotates saved states
        back to the lab frame. Environments with exact rates are first tabulated up to the
        last save time (`tabulated`). The default solver is the implicit `diffrax.Kvaerno5()`: after
        relaxation on the scale 1/(J_I (2n + 1)) the state follows the slow drift set by J_II,
        and an explicit solver would stay bound to the fast scale by stability (g_II = 1e-5
        and t = 1e7 would take ~5e5 Tsit5 steps). Save on log-spaced times for the prethermal
        plateau.
        """
        ts = jnp.asarray(ts)
        kwargs.setdefault("solver", diffrax.Kvaerno5())
        model = self.tabulated(jnp.max(ts))
        sol = evolve(
            model.generator(frame="rotating"), rho0, ts, save_states=save_states, t0=0.0, **kwargs
        )
        if not save_states:
            return sol
        phase = jnp.exp(-1j * model.rotation_angle(ts))
        states = sol.states
        states = states.at[:, 0, 1].multiply(phase).at[:, 1, 0].multiply(jnp.conj(phase))
        return eqx.tree_at(lambda s: s.states, sol, states)

    def excited_population_limit(self, stages: Sequence[str]) -> Float[Array, ""]:
        """rho_++ of the (quasi-)stationary state when environment nu is at stage stages[nu]
        ("I": R_I still at T_I, prethermal; "II": relaxed to T_II): seed 000 eqs E2, G3, G5,

            rho_++ = sum_nu J_I^nu(w0) n^nu / sum_nu J_I^nu(w0) (2 n^nu + 1),

        with n^nu the occupation at the temperature of that stage. Written with the rates
        J n and J (n + 1) of each stage, so that T = 0 is fine.
        """
        envs = list(self.environments().values())
        if len(stages) != len(envs) or any(s not in ("I", "II") for s in stages):
            raise ValueError(f"stages must be {len(envs)} of 'I'/'II', got {stages!r}")
        up = down = 0.0
        for env, stage in zip(envs, stages, strict=True):
            bath = env.system_baths()[0 if stage == "I" else 1]
            up = up + bath.absorption_rate(self.omega0)
            down = down + bath.emission_rate(self.omega0)
        return up / (up + down)

    def steady_excited_population(self) -> Float[Array, ""]:
        """rho_++ of the steady state (eq E2 for one environment, G3 for two)."""
        return self.excited_population_limit(["II"] * len(self.environments()))

    def effective_inverse_temperature(self, stages: Sequence[str] | None = None):
        """beta_eff = ln((1 - rho_++)/rho_++)/w0 of a stationary state (eq G4); default the
        steady state, else the quasi-stationary state of `stages`."""
        stages = ["II"] * len(self.environments()) if stages is None else stages
        p = self.excited_population_limit(stages)
        return jnp.log((1.0 - p) / p) / self.omega0

    def stationary_heat_currents(self, stages: Sequence[str] | None = None) -> dict:
        """J^nu = w0 [gamma_+^nu - rho_++ (gamma_+^nu + gamma_-^nu)] in a (quasi-)stationary
        state (eq 35, with the rates of each environment's stage; default the steady state)."""
        stages = ["II"] * len(self.environments()) if stages is None else stages
        p = self.excited_population_limit(stages)
        out = {}
        for (name, env), stage in zip(self.environments().items(), stages, strict=True):
            bath = env.system_baths()[0 if stage == "I" else 1]
            up, down = bath.absorption_rate(self.omega0), bath.emission_rate(self.omega0)
            out[name] = self.omega0 * (up - p * (up + down))
        return out


class PrethermalQubit(_PrethermalModel):
    """A qubit H_S = omega0 sigma_z / 2 in one non-equilibrium environment (seed 000 sections
    2-5): it first relaxes towards the Gibbs state at T_I of the reservoir R_I it touches and,
    on the slower scale 1/J_II(omega0), to the Gibbs state at T_II of the driving reservoir.
    The generator's part is named "environment".

    Fields: omega0 (> 0), environment (a `qoj.NonEquilibriumBath`).
    """

    omega0: Float[Array, ""]
    environment: NonEquilibriumBath

    def __init__(self, omega0, environment: NonEquilibriumBath):
        if not isinstance(environment, NonEquilibriumBath):
            raise TypeError("environment must be a qoj.NonEquilibriumBath")
        self.omega0 = nonnegative(omega0, "omega0")
        self.environment = environment

    def environments(self) -> dict[str, NonEquilibriumBath]:
        return {"environment": self.environment}


class PrethermalJunction(_PrethermalModel):
    """A qubit between two non-equilibrium environments L and R (seed 000 section 6, Fig 7).

    Heat fluxes J^L(t), J^R(t) (eq 34, energy into the qubit) are `heat_currents["L"]`,
    `["R"]` of `evolve`. The quasi-stationary states (eq G5), the steady state (G3) and the
    effective temperature (G4) are closed forms of the model.

    Fields: omega0 (> 0), env_L, env_R (`qoj.NonEquilibriumBath`s).
    """

    omega0: Float[Array, ""]
    env_L: NonEquilibriumBath
    env_R: NonEquilibriumBath

    def __init__(self, omega0, env_L: NonEquilibriumBath, env_R: NonEquilibriumBath):
        for env in (env_L, env_R):
            if not isinstance(env, NonEquilibriumBath):
                raise TypeError("env_L and env_R must be qoj.NonEquilibriumBath instances")
        self.omega0 = nonnegative(omega0, "omega0")
        self.env_L = env_L
        self.env_R = env_R

    def environments(self) -> dict[str, NonEquilibriumBath]:
        return {"L": self.env_L, "R": self.env_R}

    def flux_reversal_times(self, rho0: Complex[ArrayLike, "2 2"], t_max: ArrayLike, **kwargs):
        """The times at which the heat flux (J^R - J^L)/2 changes sign, from `rho0` up to
        `t_max` (Fig 7 (d), (e)): `qoj.models.flux_reversal_times(self, rho0, t_max,
        **kwargs)`, see there for the quantity, the method and the accuracy."""
        from ._flux_reversal import flux_reversal_times

        return flux_reversal_times(self, rho0, t_max, **kwargs)
