"""Prethermalization of a qubit in a non-equilibrium environment (seed 000, section 5).

The ball of accessible states (eqs 21-31): `ball_radius`, `ball_centre`, `polarisation`, the
limits `short_time_centre` (eqs 27-28), `prethermal_centre` (eq 29), `long_time_centre`
(eq 31) and `prethermal_condition` (eq 30). The prethermalization time of section 5.1:
`prethermalization_time` (differentiable w.r.t. couplings and temperatures),
`departure_distance` and `thermal_distance` (eq 32, figs 4-5).

Environments are `qoj.NonEquilibriumBath`s (closed forms for `rates="approximate"`) or any
object with `rates(t, w0) -> (gamma_plus, gamma_minus)` (numerical integration). Note: the
accessible set is a spheroid (semi-axis r along z, sqrt(r) across), not the isotropic ball of
the paper's eq 21; see `qoj.prethermal._ball`.
"""

from ._ball import (
    ball_centre as ball_centre,
    ball_radius as ball_radius,
    long_time_centre as long_time_centre,
    polarisation as polarisation,
    prethermal_centre as prethermal_centre,
    prethermal_condition as prethermal_condition,
    short_time_centre as short_time_centre,
)
from ._time import (
    PrethermalizationTime as PrethermalizationTime,
    departure_distance as departure_distance,
    prethermalization_time as prethermalization_time,
    thermal_distance as thermal_distance,
)
