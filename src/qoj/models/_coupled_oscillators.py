"""Two coupled harmonic oscillators between two baths (seed 002 section IV C 2)."""

import warnings

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from .._bath import Bath
from .._checks import concrete_value, density_matrix, ensure
from .._generator import Generator
from .._master_equation import master_equation
from .._operators import destroy, embed
from .._system import Coupling, OpenSystem
from ._base import AbstractModel
from ._coupled_qubits import _bath, _rates, _scalar, normal_mode_mixing


class CoupledOscillators(AbstractModel):
    """Two oscillators with a beam-splitter coupling, oscillator 1 in bath A, 2 in bath B.

        H_S = omega1 a1^dag a1 + omega2 a2^dag a2 + coupling (a1 a2^dag + a1^dag a2)

    (seed 002 eq 4.32, lambda = coupling) on Fock spaces truncated to `n_max` levels each
    (basis kron(mode 1, mode 2), Fock index k = |k>). Bath A couples through a1 + a1^dag with
    local Hamiltonian omega1 a1^dag a1, bath B through a2 + a2^dag with omega2 a2^dag a2:
    `approach="local"` is seed 002 eqs 4.33–4.35, whose current follows
    n_A(omega1) - n_B(omega2) and so can run from the cold to the hot bath (section IV C 2;
    `local_heat_current`), while `approach="global"` follows T_A - T_B
    (`global_heat_current`). Parts "A" and "B". The local Hamiltonians are degenerate (mode 2's
    levels for bath A), so derivatives of local-equation results with respect to omega1,
    omega2 come out NaN (the eigendecomposition's derivative in `qoj`'s Bohr decomposition).

    Truncation: H_S conserves a1^dag a1 + a2^dag a2, but the truncated space holds only part of
    each sector with n_max or more quanta; check `truncation_error(rho)` (the top-level
    population of each mode) or `check_truncation(rho)`.

    Fields:
        omega1, omega2: oscillator frequencies (>= 0).
        coupling: lambda, real with coupling^2 < omega1 omega2 (else H_S is unbounded below).
        bath_A, bath_B: `qoj.Bath` of oscillators 1 and 2.
        n_max: Fock levels kept per oscillator (static int >= 2).
    """

    omega1: Float[Array, ""]
    omega2: Float[Array, ""]
    coupling: Float[Array, ""]
    bath_A: Bath
    bath_B: Bath
    n_max: int = eqx.field(static=True)

    def __init__(self, omega1, omega2, coupling, bath_A: Bath, bath_B: Bath, n_max: int):
        if not isinstance(n_max, int | np.integer) or isinstance(n_max, bool) or n_max < 2:
            raise ValueError(f"n_max must be an int >= 2 (Fock levels per mode), got {n_max!r}")
        self.omega1 = _scalar(omega1, "omega1", sign=True)
        self.omega2 = _scalar(omega2, "omega2", sign=True)
        self.coupling = ensure(
            _scalar(coupling, "coupling", sign=False),
            jnp.asarray(coupling) ** 2 >= self.omega1 * self.omega2,
            "coupling must satisfy coupling**2 < omega1 * omega2 (else the lower normal-mode "
            "frequency omega_- <= 0 and H_S is unbounded below)",
        )
        self.bath_A = _bath(bath_A, "bath_A", optional=False)
        self.bath_B = _bath(bath_B, "bath_B", optional=False)
        self.n_max = int(n_max)

    def mode_operators(self) -> tuple[Complex[Array, "n n"], Complex[Array, "n n"]]:
        """(a1, a2) on the truncated two-mode space of dimension n_max^2."""
        dims = (self.n_max, self.n_max)
        a = destroy(self.n_max)
        return embed(a, 0, dims), embed(a, 1, dims)

    def hamiltonian(self) -> Complex[Array, "n n"]:
        """H_S of seed 002 eq 4.32 on the truncated space."""
        a1, a2 = self.mode_operators()
        n1, n2 = a1.conj().T @ a1, a2.conj().T @ a2
        hopping = a1 @ a2.conj().T + a1.conj().T @ a2
        return self.omega1 * n1 + self.omega2 * n2 + self.coupling * hopping

    def system(self) -> OpenSystem:
        a1, a2 = self.mode_operators()
        return OpenSystem(
            self.hamiltonian(),
            [
                Coupling(
                    "A",
                    a1 + a1.conj().T,
                    self.bath_A,
                    local_hamiltonian=self.omega1 * (a1.conj().T @ a1),
                ),
                Coupling(
                    "B",
                    a2 + a2.conj().T,
                    self.bath_B,
                    local_hamiltonian=self.omega2 * (a2.conj().T @ a2),
                ),
            ],
        )

    def generator(self, approach: str = "global", **options) -> Generator:
        """`qoj.master_equation(self.system(), approach, **options)`; parts "A" and "B"."""
        return master_equation(self.system(), approach, **options)

    def truncation_error(self, rho: Complex[Array, "n n"]) -> Float[Array, "2"]:
        """Population of the top Fock level |n_max - 1> of mode 1 and of mode 2 in `rho`.

        A converged truncation has both small; the heat currents carry relative errors of
        about that size.
        """
        rho = density_matrix(rho, "rho")
        n = self.n_max
        blocks = rho.reshape(n, n, n, n)
        mode1 = jnp.real(jnp.einsum("kjkj->k", blocks))
        mode2 = jnp.real(jnp.einsum("jkjk->k", blocks))
        return jnp.stack([mode1[-1], mode2[-1]])

    def check_truncation(
        self, rho: Complex[Array, "n n"], tolerance: float = 1e-3
    ) -> Float[Array, "2"]:
        """`truncation_error(rho)`, with a `UserWarning` when either exceeds `tolerance`.

        The warning is issued only when the values are known (outside `jit`/`vmap`).
        """
        error = self.truncation_error(rho)
        value = concrete_value(error)
        if value is not None and float(value.max()) > tolerance:
            warnings.warn(
                f"CoupledOscillators: top Fock level populations {value.tolist()} exceed "
                f"tolerance {tolerance}; increase n_max (now {self.n_max})",
                stacklevel=3,  # past equinox's bound-method wrapper, to the caller
            )
        return error

    def global_heat_current(self) -> Float[Array, ""]:
        """Global (Davies) steady heat current from bath A, untruncated (n_max -> infinity).

        The global equation is that of the two normal modes b_pm (frequencies omega_pm, weights
        alpha^2, beta^2 of `normal_mode_mixing`, as for the qubits of seed 002 eqs 3.29–3.33),
        each damped independently by both baths: mode + by bath A with weight alpha^2 and by B
        with beta^2, mode - the other way round. A mode between two baths carries

            J_A = sum_pm omega_pm k_A k_B (n_A - n_B) / (k_A + k_B),

        k_A = weight x J_A(omega_pm) (emission minus absorption rate), n at omega_pm; its sign
        is that of T_A - T_B (second law).
        """
        a2, b2, w_plus, w_minus = normal_mode_mixing(self.omega1, self.omega2, self.coupling)

        def mode(w, weight_a, weight_b):
            d_a, u_a = _rates(self.bath_A, w)
            d_b, u_b = _rates(self.bath_B, w)
            k_a, k_b = weight_a * (d_a - u_a), weight_b * (d_b - u_b)
            # k_A k_B (n_A - n_B) with k n = weight x absorption
            return w * (weight_a * u_a * k_b - weight_b * u_b * k_a) / (k_a + k_b)

        return mode(w_plus, a2, b2) + mode(w_minus, b2, a2)

    def local_heat_current(self) -> Float[Array, ""]:
        """Local steady heat current from bath A (seed 002 eqs 4.33–4.35), untruncated.

        From the closed equations for N_i = <a_i^dag a_i> and C = <a1^dag a2>, with
        k_A = J_A(omega1), n_A = n_A(omega1), k_B = J_B(omega2), n_B = n_B(omega2),
        delta = omega1 - omega2, Gamma = (k_A + k_B)/2 and kappa = 2 lambda^2 Gamma /
        (Gamma^2 + delta^2):

            J_A = kappa k_A k_B (n_A - n_B) (k_A omega2 + k_B omega1)
                  / [(k_A + k_B)(k_A k_B + kappa (k_A + k_B))].

        It is proportional to n_A(omega1) - n_B(omega2), not to T_A - T_B (Fogedby, citing
        Levy and Kosloff): for omega1/T_A > omega2/T_B with T_A > T_B heat runs from the cold
        bath B into the hot bath A, violating the second law. Currents are Tr[H_S D_b(rho)]
        with the full H_S (seed 002 eq 2.11).
        """
        d_a, u_a = _rates(self.bath_A, self.omega1)
        d_b, u_b = _rates(self.bath_B, self.omega2)
        k_a, k_b = d_a - u_a, d_b - u_b
        gamma = 0.5 * (k_a + k_b)
        delta = self.omega1 - self.omega2
        kappa = 2.0 * self.coupling**2 * gamma / (gamma**2 + delta**2)
        # k_A k_B (n_A - n_B) = u_A k_B - u_B k_A
        driving = u_a * k_b - u_b * k_a
        return (
            kappa
            * driving
            * (k_a * self.omega2 + k_b * self.omega1)
            / ((k_a + k_b) * (k_a * k_b + kappa * (k_a + k_b)))
        )
