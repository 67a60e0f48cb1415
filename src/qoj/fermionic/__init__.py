"""Quadratic fermionic networks (seed 003): two fermionic modes between two tight-binding
reservoirs, their exact solution, Landauer currents and asymptotic master equation.

- Correlation-matrix formalism (`_correlation`): C_jk = Tr[rho d_j^dag d_k], the double
  occupancy D, and back to the 4 x 4 Jordan-Wigner density matrix.
- Eigenmodes and the Newns energy distributions (`_newns`, eqs 16-17, 35-37).
- The frequency rule of every integral over the band (`_quadrature`).
- The sampled junction and its stationary state (`_junction`, eqs 25-28, 32), the exact solution
  for any spectral density (`_exact`, eqs 24-31), the exponential-propagator approximation
  (eqs 53-54) and the exact time-local master equation (`_master_equation`, eqs 47-52).
- A finite-chain simulation for verification (`_chain`).
- The nine parameters checked and sampled once for the stationary functions (`_dimer`);
  Landauer currents and the transmission function (`_landauer`, eqs 43-46, D1, D4-D5).
- The asymptotic master equation (`_asymptotic`): rate matrices Lambda^+- (eq 55), the
  decomposition L = L_L + L_R + L_int (eqs 56-58, 65-68) and in the local basis (69-81), and
  the asymptotic non-Markovianity (eq 82).
"""

from ._asymptotic import (
    additive_currents as additive_currents,
    asymptotic_correlation as asymptotic_correlation,
    asymptotic_generator as asymptotic_generator,
    bath_fixed_points as bath_fixed_points,
    bath_rates as bath_rates,
    dimer_nonmarkovianity as dimer_nonmarkovianity,
    effective_local_energies as effective_local_energies,
    interference_channels as interference_channels,
    interference_coefficients as interference_coefficients,
    local_currents as local_currents,
    local_rate_matrices as local_rate_matrices,
    local_rates as local_rates,
    rate_matrices as rate_matrices,
    rate_matrix_nonmarkovianity as rate_matrix_nonmarkovianity,
    system_hamiltonian as system_hamiltonian,
)
from ._chain import (
    chain_correlations as chain_correlations,
    chain_dynamics as chain_dynamics,
    chain_gibbs_correlation as chain_gibbs_correlation,
    chain_hamiltonian as chain_hamiltonian,
    chain_thermal_correlation as chain_thermal_correlation,
)
from ._correlation import (
    check_correlation_matrix as check_correlation_matrix,
    check_correlations as check_correlations,
    correlation_matrix as correlation_matrix,
    correlations as correlations,
    double_occupancy as double_occupancy,
    gaussian_state as gaussian_state,
    mode_annihilators as mode_annihilators,
    state_from_correlations as state_from_correlations,
)
from ._exact import (
    epa_correlations as epa_correlations,
    exact_correlations as exact_correlations,
    noise_matrix as noise_matrix,
    propagator as propagator,
)
from ._junction import (
    ExactJunction as ExactJunction,
    newns_junction as newns_junction,
    steady_state_correlation as steady_state_correlation,
)
from ._landauer import (
    boundary_currents as boundary_currents,
    internal_current as internal_current,
    landauer_currents as landauer_currents,
    stationary_correlation as stationary_correlation,
    transmission as transmission,
    transmission_quantum_optical as transmission_quantum_optical,
)
from ._master_equation import (
    canonical_form as canonical_form,
    canonical_jump_operators as canonical_jump_operators,
    correlation_equations as correlation_equations,
    exact_generator as exact_generator,
    master_equation_rates as master_equation_rates,
)
from ._newns import (
    check_in_band as check_in_band,
    eigenmodes as eigenmodes,
    energy_distribution as energy_distribution,
    hilbert_transform as hilbert_transform,
    level_width as level_width,
    shifted_energy as shifted_energy,
)
