"""Non-Markovianity toolkit: canonical form of time-local generators (canonical rates and
channels), and the Rivas–Huelga–Plenio and Breuer–Laine–Piilo measures."""

from ._asymptotic import asymptotic_nonmarkovianity as asymptotic_nonmarkovianity
from ._canonical import (
    canonical_rates as canonical_rates,
    is_lindblad as is_lindblad,
    kossakowski_matrix as kossakowski_matrix,
)
from ._measures import blp_measure as blp_measure, rhp_measure as rhp_measure
