"""Quadratic bosonic systems by their covariance matrix (Gaussian states, linear dissipators).

Convention (seed 001's, sec IV A): r = (x_1, p_1, ..., x_n, p_n), x = (a + a^dag)/sqrt(2),
p = (a - a^dag)/(i sqrt(2)), C_kl = <{r_k - <r_k>, r_l - <r_l>}>/2, so the vacuum has
C = 1/2 (NOT the "vacuum = 1" convention: sigma = 2 C there) and a thermal mode N + 1/2.
Heat currents are qoj's (energy flowing from a bath into the system).

- Building: `system(h, dissipators, *, pairing, drive, rotating_frame)` -> `GaussianSystem`
  (`.drift` A, `.diffusion` M, `.force` b of d<r>/dt = A<r> + b, dC/dt = AC + CA^T + M;
  `.parts`, `.hamiltonian`); `dissipator([(rate, u, v), ...])` and `hamiltonian_part` ->
  `GaussianPart` (parts add and subtract).
- Dynamics: `evolve(system, C0, ts)` (closed form, vmapped over ts) -> `GaussianSolution`,
  `steady_state`, `steady_means`, `lyapunov`, `heat_currents`, `integrated_heat`, `energy`.
- States: `thermal_covariance`, `correlated_thermal_covariance` and
  `correlated_thermal_region` (seed 001 eq 31, appendix D), `symplectic_eigenvalues`,
  `is_physical`, `check_physical` (uncertainty relation C + i Omega/2 >= 0).
- Seed 001 (cascaded oscillators): `cascaded_oscillators(omega, gamma, occupation)` (parts
  "1", "2", "cascade" = L1, L2, D12), closed forms `cascade_heat_currents` (eqs 26-34) and
  `cascade_extrema` (eqs 35-38). The seed's eqs 20-38 count heat flowing OUT of the system:
  they are minus the values returned here.
"""

from ..measures._gaussian import symplectic_eigenvalues as symplectic_eigenvalues
from ._cascade import (
    cascade_extrema as cascade_extrema,
    cascade_heat_currents as cascade_heat_currents,
    cascaded_oscillators as cascaded_oscillators,
)
from ._dynamics import (
    GaussianSolution as GaussianSolution,
    energy as energy,
    evolve as evolve,
    heat_currents as heat_currents,
    integrated_heat as integrated_heat,
    lyapunov as lyapunov,
    steady_means as steady_means,
    steady_state as steady_state,
)
from ._quadratic import (
    GaussianPart as GaussianPart,
    GaussianSystem as GaussianSystem,
    dissipator as dissipator,
    hamiltonian_part as hamiltonian_part,
    ladder_matrix as ladder_matrix,
    mode_hamiltonians as mode_hamiltonians,
    quadrature_permutation as quadrature_permutation,
    symplectic_form as symplectic_form,
    system as system,
)
from ._states import (
    check_physical as check_physical,
    correlated_thermal_covariance as correlated_thermal_covariance,
    correlated_thermal_region as correlated_thermal_region,
    is_physical as is_physical,
    thermal_covariance as thermal_covariance,
    uncertainty_eigenvalue as uncertainty_eigenvalue,
)
