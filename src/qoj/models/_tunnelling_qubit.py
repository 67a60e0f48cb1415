"""A qubit tunnelling between two wells, each in its own bath (seed 004 section VI B)."""

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from .._bath import Bath
from .._generator import Generator
from .._master_equation import master_equation
from .._operators import identity, kron, sigmax, sigmaz
from .._precision import complex_dtype
from .._system import Coupling, OpenSystem
from ._base import AbstractModel
from ._coupled_qubits import _bath, _rates, _scalar


def _projector(index: int):
    p = np.zeros((2, 2))
    p[index, index] = 1.0
    return jnp.asarray(p, complex_dtype())


class TunnellingQubit(AbstractModel):
    """A qubit that tunnels between a left and a right well, each well in its own bath.

        H_S = omega_s/2 sigma_z (x) 1 + tunnelling/2 1 (x) (|l><r| + |r><l|)     (seed 004 eq 119)

    with Cresser's Omega = tunnelling. Basis kron(qubit, position), position basis (|l>, |r>)
    (index 0 = l): (|e l>, |e r>, |g l>, |g r>). Bath p in {l, r} couples through
    X_p = sigma_x (x) P_p, P_p = |p><p| (eq 122): parts "l" and "r". Their local Hamiltonian
    is the qubit's own, omega_s/2 sigma_z (x) 1, so `approach="local"` gives eq 142, the
    Omega << omega_S, T limit of the partial-secular equation (Cresser calls local vs global
    ill-defined here; this is the choice that reproduces eq 142). That local Hamiltonian is
    degenerate, so derivatives of local-equation results with respect to omega_s come out NaN
    (the eigendecomposition's derivative in `qoj`'s Bohr decomposition); the other approaches
    differentiate normally.

    Fields:
        omega_s: qubit frequency omega_S (>= 0).
        tunnelling: tunnelling frequency Omega (>= 0).
        bath_l, bath_r: `qoj.Bath` of the left and right wells.
    """

    omega_s: Float[Array, ""]
    tunnelling: Float[Array, ""]
    bath_l: Bath
    bath_r: Bath

    def __init__(self, omega_s, tunnelling, bath_l: Bath, bath_r: Bath):
        self.omega_s = _scalar(omega_s, "omega_s", sign=True)
        self.tunnelling = _scalar(tunnelling, "tunnelling", sign=True)
        self.bath_l = _bath(bath_l, "bath_l", optional=False)
        self.bath_r = _bath(bath_r, "bath_r", optional=False)

    def qubit_hamiltonian(self) -> Complex[Array, "4 4"]:
        """H_A (x) 1 = omega_s/2 sigma_z (x) 1, the local Hamiltonian of both couplings."""
        return 0.5 * self.omega_s * kron(sigmaz(), identity(2))

    def hamiltonian(self) -> Complex[Array, "4 4"]:
        """H_S of seed 004 eq 119 (the hopping |l><r| + |r><l| is sigma_x on the position)."""
        return self.qubit_hamiltonian() + 0.5 * self.tunnelling * kron(identity(2), sigmax())

    def system(self) -> OpenSystem:
        local = self.qubit_hamiltonian()
        return OpenSystem(
            self.hamiltonian(),
            [
                Coupling(name, kron(sigmax(), _projector(i)), bath, local_hamiltonian=local)
                for i, (name, bath) in enumerate((("l", self.bath_l), ("r", self.bath_r)))
            ],
        )

    def generator(self, approach: str = "global", **options) -> Generator:
        """`qoj.master_equation(self.system(), approach, **options)`; parts "l" and "r"."""
        return master_equation(self.system(), approach, **options)

    def _rates(self):
        """(d_l, u_l, d_r, u_r): emission gamma_p (n_p + 1), absorption gamma_p n_p at omega_S."""
        w = self.omega_s
        d_l, u_l = _rates(self.bath_l, w)
        d_r, u_r = _rates(self.bath_r, w)
        return d_l, u_l, d_r, u_r

    def secular_heat_current(self) -> Float[Array, ""]:
        """Global (full secular) heat current from the left bath for Omega << omega_S, T
        (seed 004 eq 140).

        Cresser's J = Tr[H_S (D_l - D_r) rho] (eq 138) is J_l - J_r = 2 J_l at steady state;
        this returns J_l (qoj's convention, `heat_currents(...)["l"]`):

            J_l = omega_S gamma (n_l - n_r) / (4 (n_l + n_r + 1))          (= eq 140 / 2)

        written for baths of different strength as omega_S (u_l d_r - d_l u_r) /
        (2 (u_l + u_r + d_l + d_r)), with d_p = gamma_p (n_p + 1), u_p = gamma_p n_p the
        emission and absorption rates at omega_S (the four transitions e pm -> g pm share
        the rates in this limit). Printed formula verified; the global current approaches it as
        O((Omega/omega_S)^2, (Omega/T)^2). It does not vanish as Omega -> 0 (Cresser's point).
        """
        d_l, u_l, d_r, u_r = self._rates()
        return self.omega_s * (u_l * d_r - d_l * u_r) / (2.0 * (u_l + u_r + d_l + d_r))

    def partial_secular_heat_current(self) -> Float[Array, ""]:
        """Partial-secular heat current from the left bath for Omega << omega_S, T (seed 004
        eq 145, with its undefined Omega-tilde identified).

            J_l^parsec = J_l^sec Omega~^2 / (1 + (2n_l + 1)(2n_r + 1) + Omega~^2),
            Omega~^2 = 2 Omega^2 / gamma^2,

        i.e. J_l^sec Omega^2 / (Omega^2 + gamma^2 (1 + n_l + n_r + 2 n_l n_r)). The extracted
        text never defines Omega~; Omega~ = sqrt(2) Omega/gamma is what the exact steady state
        of eq 142 (`generator("local")`) gives. Derivation: eq 142 keeps the position
        coherences of each qubit state alone, which damp at kappa_e = (d_l + d_r)/2,
        kappa_g = (u_l + u_r)/2, so the populations form a four-state cycle e_l -> e_r -> g_r
        -> g_l -> e_l with tunnelling rates t_e = Omega^2/(d_l + d_r), t_g = Omega^2/(u_l + u_r).
        Its current, for baths of different strength, is

            J_l = J_l^sec Omega^2 / (Omega^2 + [d_l d_r (d_l + d_r) + u_l u_r (u_l + u_r)] / S
                                      + (d_l u_r + d_r u_l)/2),   S = d_l + d_r + u_l + u_r,

        which is what this returns (it reduces to eq 145 for equal gamma).
        """
        d_l, u_l, d_r, u_r = self._rates()
        total = d_l + d_r + u_l + u_r
        damping = (d_l * d_r * (d_l + d_r) + u_l * u_r * (u_l + u_r)) / total + 0.5 * (
            d_l * u_r + d_r * u_l
        )
        omega2 = self.tunnelling**2
        return self.secular_heat_current() * omega2 / (omega2 + damping)
