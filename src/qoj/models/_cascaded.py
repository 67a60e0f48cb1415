"""Two identical subsystems in cascade through one reservoir (seed 001): qubits, oscillators.

C[c1, c2] below is the cascade superoperator of `qoj._cascaded.CascadeTerm`.

Sign and unit conventions. qoj's heat currents are energy flowing INTO the system,
J = Tr[H L_part(rho)]. Seed 001 prints the energy released into the reservoir: its
oscillator fluxes (eqs 20-22, 26-34) are -J, and its qubit fluxes (eqs 23-25 and the closed
forms of section VI B) are -(2/omega) J, i.e. they also drop the factor omega/2 of
H = omega/2 (sigma_z1 + sigma_z2) (checked numerically against Tr[H L_part(rho)]).
Consequences and other readings of the printed text (all checked numerically):
- eq 45 reads |J12| = 4 omega gamma xi D; with J12 = Tr[H D12 rho] it is
  |J12| = 2 omega gamma xi D (D the trace-distance discord of eq 44, with its 1/2).
- The Re[rho_23(0)] of section VI B is the entry of the matrix in eq 41 before its overall
  1/4, i.e. four times <eg|rho(0)|ge>.
- Eq 47's sqrt((1 + xi)/2) must multiply |g> (S1 at the reservoir's populations, as the
  text says); on |e> S1 is not thermal and J1 != 0.
- Eq 19 needs equal initial energies of S1 and S2 (as eq 18 does); in general
  int (J12 + J2 - J1) dt = U1(0) - U2(0).
"""

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from .._bath import Bath
from .._cascaded import cascaded
from .._checks import density_matrix, ensure
from .._custom_types import DensityMatrix, RealScalarLike
from .._generator import Generator
from .._operators import destroy, embed, identity, kron, number, sigmam, sigmax, sigmaz
from .._precision import complex_dtype
from .._spectra import Flat
from .._states import gibbs
from .._system import Coupling, OpenSystem
from ._base import AbstractModel
from ._coupled_qubits import _scalar

_APPROACHES = ("cascaded", "independent")


def _positive(x, name):
    value = _scalar(x, name, sign=True)
    return ensure(value, value <= 0, f"{name} must be positive")


def _approach(approach):
    if approach not in _APPROACHES:
        raise ValueError(f"approach must be one of {_APPROACHES}, got {approach!r}")
    return approach == "independent"


def _total_heat(model, rho0):
    rho0 = density_matrix(rho0, "rho0")
    h = model.hamiltonian()
    if rho0.shape != h.shape:
        raise ValueError(f"rho0 must have shape {h.shape}, got {rho0.shape}")
    return jnp.real(jnp.trace((model.steady_state() - rho0) @ h))


class CascadedQubits(AbstractModel):
    """Two qubits in cascade (S1 -> S2) through a reservoir of qubits (seed 001 section II B).

        H = omega/2 (sigma_z (x) 1 + 1 (x) sigma_z)                                    (eq 6)
        L_i = gamma(1 + xi)/2 D[sigma_i-] + gamma(1 - xi)/2 D[sigma_i+]                (eq 7)
        D12 = gamma(1 + xi)/2 C[sigma_1-, sigma_2-] + gamma(1 - xi)/2 C[sigma_1+, sigma_2+]  (eq 8)

    xi = tanh(omega/2T) (eq 9): the rates of a fermionic `qoj.Bath` with the flat spectrum
    J = gamma (emission gamma(1 - f), absorption gamma f, 1 - 2f = xi). Basis (|ee>, |eg>,
    |ge>, |gg>). Parts "1", "2", "cascade" (J1, J2, J12 of eqs 13-14; energy into the system,
    so -omega/2 times the seed's eqs 23-25).

    Fields:
        omega: the qubits' frequency (> 0).
        gamma: the relaxation rate of each qubit alone (>= 0).
        temperature: the reservoir's temperature T (>= 0).
    """

    omega: Float[Array, ""]
    gamma: Float[Array, ""]
    temperature: Float[Array, ""]

    def __init__(self, omega: RealScalarLike, gamma: RealScalarLike, temperature: RealScalarLike):
        self.omega = _positive(omega, "omega")
        self.gamma = _scalar(gamma, "gamma", sign=True)
        self.temperature = _scalar(temperature, "temperature", sign=True)

    def bath(self) -> Bath:
        """The qubit reservoir: fermionic, flat spectrum gamma, at `temperature`."""
        return Bath(Flat(self.gamma), self.temperature, statistics="fermi")

    def xi(self) -> Float[Array, ""]:
        """xi = tanh(omega/2T) = 1 - 2 f(omega) (eq 9); 1 at T = 0."""
        return 1.0 - 2.0 * Bath(Flat(1.0), self.temperature, statistics="fermi").occupation(
            self.omega
        )

    def hamiltonian(self) -> Complex[Array, "4 4"]:
        """H of eq 6."""
        z = sigmaz()
        return 0.5 * self.omega * (kron(z, identity(2)) + kron(identity(2), z))

    def system(self) -> OpenSystem:
        """The independent configuration (seed 001 Fig. 1b): qubit i coupled through
        sigma_x to its own copy of the reservoir (couplings "1", "2").

        Its global or local master equation is `generator("independent")`. The cascade is not
        an `OpenSystem` of separate couplings: S2 sees the reservoir after S1 has changed it.
        """
        bath = self.bath()
        return OpenSystem(
            self.hamiltonian(),
            [
                Coupling("1", kron(sigmax(), identity(2)), bath),
                Coupling("2", kron(identity(2), sigmax()), bath),
            ],
        )

    def generator(self, approach: str = "cascaded") -> Generator:
        """L(c) = L1 + L2 + D12 (approach "cascaded", eqs 1-2) or L(ind) = L1 + L2
        ("independent"), from `qoj.cascaded`."""
        h = 0.5 * self.omega * sigmaz()
        return cascaded(
            h,
            h,
            sigmam(),
            sigmam(),
            self.bath(),
            frequency=self.omega,
            independent=_approach(approach),
        )

    def steady_state(self) -> Complex[Array, "4 4"]:
        """rho(inf) = e^{-H1/T} (x) e^{-H2/T} / Z^2 (eq 10), both approaches; the ground state
        |gg> at T = 0."""
        xi = self.xi()
        local = jnp.diag(jnp.stack([(1.0 - xi) / 2, (1.0 + xi) / 2])).astype(complex_dtype())
        return kron(local, local)

    def total_heat(self, rho0: DensityMatrix) -> Float[Array, ""]:
        """Q(inf) = Tr[(rho(inf) - rho(0)) H] (eq 11): the energy the reservoir gives the
        system over the whole relaxation, the same for both approaches (the time integral of
        the sum of the heat currents)."""
        return _total_heat(self, rho0)

    def locally_thermal_state(
        self, xi_s: RealScalarLike, coherence: complex = 0.0
    ) -> Complex[Array, "4 4"]:
        """The initial state of eq 41: each qubit thermal with xi_S = tanh(omega/2T_S) (eqs
        39-40; xi_S = -1 is |ee>), correlated through <eg|rho|ge> = `coherence`.

        The seed writes this matrix element as rho_23(0)/4 (eq 41 has an overall 1/4), so its
        Re[rho_23(0)] in section VI B is 4 Re(coherence); positivity is |coherence| <=
        (1 - xi_S^2)/4 (eq 42). The state has no entanglement (eq F16).
        """
        xi_s = jnp.asarray(xi_s)
        coherence = jnp.asarray(coherence).astype(complex_dtype())
        bound = (1.0 - xi_s**2) / 4
        coherence = ensure(
            coherence,
            (jnp.abs(xi_s) > 1) | (jnp.abs(coherence) > bound * (1 + 1e-12)),
            "xi_s must lie in [-1, 1] and |coherence| <= (1 - xi_s**2)/4 (seed 001 eq 42)",
        )
        local = jnp.stack([(1.0 - xi_s) / 2, (1.0 + xi_s) / 2]).astype(complex_dtype())
        rho = jnp.diag(jnp.kron(local, local))
        return rho.at[1, 2].set(coherence).at[2, 1].set(jnp.conj(coherence))

    def zero_temperature_heat_currents(
        self, t: RealScalarLike, rho0: DensityMatrix
    ) -> dict[str, Float[Array, "*t"]]:
        """Closed-form J1(t), J2(t), J12(t) from any initial state rho0 with the reservoir at
        T = 0 (xi = 1), keyed "1", "2", "cascade" like `qoj.heat_currents`.

        At T = 0 the Heisenberg equations of P_i = <sigma_i+ sigma_i->, X = Re<eg|rho|ge> and
        Q = <ee|rho|ee> close: dP1/dt = -gamma P1, dQ/dt = -2 gamma Q, dX/dt = -gamma X +
        gamma(2Q - P1), dP2/dt = -gamma P2 - 2 gamma X. With u = gamma t and the values at 0,

            J1  = -omega gamma P1 e^{-u}
            J12 = -2 omega gamma [X + 2Q(1 - e^{-u}) - u P1] e^{-u}
            J2  = -omega gamma [P2 - 2uX + 4Q(1 - u - e^{-u}) + u^2 P1] e^{-u}.

        For the state of eq 41 (`locally_thermal_state`: P_i = (1 - xi_S)/2, Q = P_i^2,
        X = Re[rho_23(0)]/4) these are the seed's section VI B formulas times -omega/2.
        Elementwise over an array t.
        """
        rho0 = density_matrix(rho0, "rho0")
        if rho0.shape != (4, 4):
            raise ValueError(f"rho0 must be a 4 x 4 two-qubit state, got shape {rho0.shape}")
        u = ensure(
            self.gamma * jnp.asarray(t),
            self.temperature != 0,
            "zero_temperature_heat_currents holds for temperature = 0 only (xi = 1); use "
            "qoj.evolve at T > 0",
        )
        p = jnp.real(jnp.diag(rho0))
        p1, p2, q, x = p[0] + p[1], p[0] + p[2], p[0], jnp.real(rho0[1, 2])
        decay = jnp.exp(-u)
        scale = self.omega * self.gamma * decay
        return {
            "1": -scale * p1,
            "2": -scale * (p2 - 2 * u * x + 4 * q * (1 - u - decay) + u**2 * p1),
            "cascade": -2 * scale * (x + 2 * q * (1 - decay) - u * p1),
        }


class CascadedOscillators(AbstractModel):
    """Two oscillators in cascade (S1 -> S2) through a bosonic reservoir (seed 001 II A).

        H = omega (a1^dag a1 + a2^dag a2)                                       (eq 3)
        L_i = gamma(N + 1) D[a_i] + gamma N D[a_i^dag]                          (eq 4)
        D12 = gamma(N + 1) C[a1, a2] + gamma N C[a1^dag, a2^dag]                (eq 5)

    N = 1/(e^{omega/T} - 1): the rates of a bosonic `qoj.Bath` with the flat spectrum
    J = gamma. Fock spaces truncated to `n_max` levels per mode (basis kron(mode 1, mode 2)),
    so that non-Gaussian states fit; the truncated generator keeps the product thermal state
    of the truncated modes as its exact steady state. Parts "1", "2", "cascade" (J1, J2,
    J12 of eqs 13-14: energy into the system, minus the seed's eqs 20-22). For Gaussian
    states, `qoj.gaussian` works with covariance matrices instead (seed 001 appendix B).

    Fields:
        omega: the oscillators' frequency (> 0).
        gamma: the relaxation rate of each oscillator alone (>= 0).
        temperature: the reservoir's temperature T (>= 0).
        n_max: Fock levels kept per mode (static int >= 2); dimension n_max^2.
    """

    omega: Float[Array, ""]
    gamma: Float[Array, ""]
    temperature: Float[Array, ""]
    n_max: int = eqx.field(static=True)

    def __init__(
        self,
        omega: RealScalarLike,
        gamma: RealScalarLike,
        temperature: RealScalarLike,
        *,
        n_max: int = 6,
    ):
        if not isinstance(n_max, int | np.integer) or isinstance(n_max, bool) or n_max < 2:
            raise ValueError(f"n_max must be an int >= 2 (Fock levels per mode), got {n_max!r}")
        self.omega = _positive(omega, "omega")
        self.gamma = _scalar(gamma, "gamma", sign=True)
        self.temperature = _scalar(temperature, "temperature", sign=True)
        self.n_max = int(n_max)

    def bath(self) -> Bath:
        """The reservoir: bosonic, flat spectrum gamma, at `temperature`."""
        return Bath(Flat(self.gamma), self.temperature)

    def occupation(self) -> Float[Array, ""]:
        """N = 1/(e^{omega/T} - 1), the reservoir's thermal occupation at omega; 0 at T = 0."""
        return Bath(Flat(1.0), self.temperature).occupation(self.omega)

    def mode_operators(self) -> tuple[Complex[Array, "n n"], Complex[Array, "n n"]]:
        """(a1, a2) on the truncated two-mode space of dimension n_max^2."""
        dims = (self.n_max, self.n_max)
        a = destroy(self.n_max)
        return embed(a, 0, dims), embed(a, 1, dims)

    def hamiltonian(self) -> Complex[Array, "n n"]:
        """H of eq 3 on the truncated space."""
        n = number(self.n_max)
        one = identity(self.n_max)
        return self.omega * (kron(n, one) + kron(one, n))

    def system(self) -> OpenSystem:
        """The independent configuration (seed 001 Fig. 1b): oscillator i coupled through
        a_i + a_i^dag to its own copy of the reservoir (couplings "1", "2"); its global or
        local master equation is `generator("independent")`."""
        bath = self.bath()
        a1, a2 = self.mode_operators()
        return OpenSystem(
            self.hamiltonian(),
            [Coupling("1", a1 + a1.conj().T, bath), Coupling("2", a2 + a2.conj().T, bath)],
        )

    def generator(self, approach: str = "cascaded") -> Generator:
        """L(c) = L1 + L2 + D12 (approach "cascaded", eqs 1-2) or L(ind) = L1 + L2
        ("independent"), from `qoj.cascaded`."""
        h = self.omega * number(self.n_max)
        a = destroy(self.n_max)
        return cascaded(
            h, h, a, a, self.bath(), frequency=self.omega, independent=_approach(approach)
        )

    def steady_state(self) -> Complex[Array, "n n"]:
        """rho(inf) = e^{-H1/T} (x) e^{-H2/T} / Z^2 (eq 10) of the truncated modes, both
        approaches (the vacuum at T = 0)."""
        local = gibbs(self.omega * number(self.n_max), self.temperature)
        return kron(local, local)

    def total_heat(self, rho0: DensityMatrix) -> Float[Array, ""]:
        """Q(inf) = Tr[(rho(inf) - rho(0)) H] (eq 11), the same for both approaches."""
        return _total_heat(self, rho0)

    def truncation_error(self, rho: DensityMatrix) -> Float[Array, "2"]:
        """Population of the top Fock level |n_max - 1> of mode 1 and of mode 2 in `rho`."""
        rho = density_matrix(rho, "rho")
        n = self.n_max
        blocks = rho.reshape(n, n, n, n)
        mode1 = jnp.real(jnp.einsum("kjkj->k", blocks))
        mode2 = jnp.real(jnp.einsum("jkjk->k", blocks))
        return jnp.stack([mode1[-1], mode2[-1]])

    def heat_currents_closed_form(
        self,
        t: RealScalarLike,
        n1: RealScalarLike,
        n2: RealScalarLike,
        coherence: complex = 0.0,
    ) -> dict[str, Float[Array, "*t"]]:
        """Exact J1(t), J2(t), J12(t) of the untruncated oscillators, keyed "1", "2",
        "cascade" like `qoj.heat_currents`, from the initial second moments
        n_i = <a_i^dag a_i>(0) and coherence = <a1^dag a2>(0), any reservoir temperature.

        The Heisenberg equations close (appendix B, eqs B4-B9 in terms of u_i = n_i - N and
        C13 + C24 = 2 Re<a1^dag a2>): du1/dt = -gamma u1, dRe<a1^dag a2>/dt = -gamma
        Re<a1^dag a2> - gamma u1, du2/dt = -gamma u2 - 2 gamma Re<a1^dag a2>. With g = gamma t,

            J1  = -omega gamma u1(0) e^{-g}
            J12 = -2 omega gamma [Re<a1^dag a2>(0) - g u1(0)] e^{-g}
            J2  = -omega gamma [u2(0) - 2 g Re<a1^dag a2>(0) + g^2 u1(0)] e^{-g}.

        For n1 = n2 = N_S these are minus the seed's eqs 26-27 (coherence 0) and 32-33
        (C13(0) + C24(0) = 2 Re coherence, which the seed states for N = 0; they hold for
        any N). Any initial state: first moments do not enter. Elementwise over an array t.
        """
        occupation = self.occupation()
        g = self.gamma * jnp.asarray(t)
        u1 = jnp.asarray(n1) - occupation
        u2 = jnp.asarray(n2) - occupation
        x = jnp.real(jnp.asarray(coherence))
        scale = self.omega * self.gamma * jnp.exp(-g)
        return {
            "1": -scale * u1,
            "2": -scale * (u2 - 2 * g * x + g**2 * u1),
            "cascade": -2 * scale * (x - g * u1),
        }
