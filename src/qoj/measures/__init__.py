"""Quantum correlation measures: distances, entropies, entanglement and discord of density
matrices, and entanglement and discord of Gaussian states from covariance matrices.

Conventions (hbar = k_B = 1; seed 001, Appendix F):

- States: density matrices; two parts in `qoj.kron(A, B)` order (part 1 first), so for two
  qubits (|ee>, |eg>, |ge>, |gg>), qubit index 0 = |e>.
- Logarithms: natural (nats) by default for every entropic measure (`entropy`,
  `mutual_information`, `discord`, `log_negativity`, `gaussian_log_negativity`,
  `gaussian_discord`); pass `base=2` for bits/ebits (seed 001 quotes discords in bits).
- Fidelity: Uhlmann's, squared, F = (Tr sqrt(sqrt(rho) sigma sqrt(rho)))^2 = |<psi|phi>|^2.
- Negativity: (||rho^T_A||_1 - 1)/2 (1/2 for a Bell state); trace distance and trace
  distance discord carry the factor 1/2 (seed eq 44; Bell state: TDD 1/2).
- One-sided discords measure part 1 by default (`measured=0`), the seed's D(B|A) and D->.
- Gaussian states: covariance C_mn = <{chi_m, chi_n}>/2 - <chi_m><chi_n> of
  chi = (X_1, Y_1, X_2, Y_2), X = (a + a^dag)/sqrt(2): **vacuum C = 1/2**, symplectic
  eigenvalues >= 1/2 (seed Sec. IV A, eq D2).

Every function validates its input (ValueError naming the argument for a state that is not a
density matrix or a covariance matrix that violates the uncertainty relation; through
`equinox.error_if` under `jit`) and is jittable, vmappable and differentiable, with
derivatives kept finite at degenerate and rank-deficient points (see each docstring).
"""

from ._discord import (
    discord as discord,
    trace_distance_discord as trace_distance_discord,
    trace_distance_discord_x_state as trace_distance_discord_x_state,
)
from ._entanglement import (
    concurrence as concurrence,
    concurrence_x_state as concurrence_x_state,
    log_negativity as log_negativity,
    negativity as negativity,
)
from ._gaussian import (
    gaussian_discord as gaussian_discord,
    gaussian_log_negativity as gaussian_log_negativity,
    symplectic_eigenvalues as symplectic_eigenvalues,
)
from ._states import (
    entropy as entropy,
    fidelity as fidelity,
    mutual_information as mutual_information,
    trace_distance as trace_distance,
)
