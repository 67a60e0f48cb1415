"""A qubit between two thermal baths (seed 002, section III A)."""

from jaxtyping import Array, Float

from .._bath import Bath
from .._checks import nonnegative
from .._generator import Generator, lindblad
from .._operators import sigmam, sigmap, sigmax, sigmaz
from .._system import Coupling, OpenSystem
from ._base import AbstractModel

_APPROACHES = ("global", "local", "partial_secular", "redfield", "coarse_grained")


class QubitTwoBaths(AbstractModel):
    """A qubit H_S = omega0/2 sigma_z coupled through sigma_x to baths A and B.

    Fogedby (seed 002, eqs 3.1–3.3) couples sigma^+ A + sigma^- A^dag; in the rotating-wave
    (secular) limit both couplings give the same master equation: for each bath a decay
    channel sigma^- with rate J(omega0)(1 + n(omega0)) and an excitation channel sigma^+ with
    rate J(omega0) n(omega0) (seed 002 eqs 3.8–3.11, with g_{A,B} = J_{A,B}(omega0)). A single
    qubit has one Bohr frequency, so the global, local and partial-secular master equations
    coincide; this model returns that generator for each of those approaches.

    Fields:
        omega0: qubit frequency.
        bath_A, bath_B: the two `qoj.Bath`s.
    """

    omega0: Float[Array, ""]
    bath_A: Bath
    bath_B: Bath

    def __init__(self, omega0, bath_A: Bath, bath_B: Bath):
        self.omega0 = nonnegative(omega0, "omega0")
        self.bath_A = bath_A
        self.bath_B = bath_B

    def hamiltonian(self):
        return 0.5 * self.omega0 * sigmaz()

    def system(self) -> OpenSystem:
        return OpenSystem(
            self.hamiltonian(),
            [Coupling("A", sigmax(), self.bath_A), Coupling("B", sigmax(), self.bath_B)],
        )

    def generator(self, approach: str = "global") -> Generator:
        if approach not in _APPROACHES[:3]:
            raise ValueError(
                f"approach must be one of {_APPROACHES[:3]} for a single qubit, got {approach!r}"
            )
        w = self.omega0
        return lindblad(
            self.hamiltonian(),
            {
                name: [(bath.emission_rate(w), sigmam()), (bath.absorption_rate(w), sigmap())]
                for name, bath in (("A", self.bath_A), ("B", self.bath_B))
            },
        )

    def steady_populations(self) -> tuple[Float[Array, ""], Float[Array, ""]]:
        """Closed-form steady populations (rho_+, rho_-) of |e> and |g> (seed 002 eqs 3.12–3.13).

        rho_+ = (g_A n_A + g_B n_B) / (g_A(1 + 2n_A) + g_B(1 + 2n_B)), rho_- = 1 - rho_+.
        """
        w = self.omega0
        up = self.bath_A.absorption_rate(w) + self.bath_B.absorption_rate(w)
        down = self.bath_A.emission_rate(w) + self.bath_B.emission_rate(w)
        return up / (up + down), down / (up + down)

    def steady_heat_current(self) -> Float[Array, ""]:
        """Closed-form steady heat current q^A from bath A into the qubit (seed 002 eq 3.14).

        q^A = g_A g_B omega0 (n_A - n_B) / (g_A(1 + 2n_A) + g_B(1 + 2n_B)), and q^B = -q^A
        (eq 3.15). Written with the rates k_up = J n and k_down = J (1 + n) of each bath as
        omega0 (k_up^A k_down^B - k_down^A k_up^B) / (sum of all four rates), which is the
        same expression and stays finite when a temperature is zero.
        """
        w = self.omega0
        up_a, down_a = self.bath_A.absorption_rate(w), self.bath_A.emission_rate(w)
        up_b, down_b = self.bath_B.absorption_rate(w), self.bath_B.emission_rate(w)
        return w * (up_a * down_b - down_a * up_b) / (up_a + down_a + up_b + down_b)
