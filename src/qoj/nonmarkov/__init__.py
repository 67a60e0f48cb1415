"""Non-Markovianity toolkit: canonical form of time-local generators."""

from ._canonical import (
    canonical_rates as canonical_rates,
    is_lindblad as is_lindblad,
    kossakowski_matrix as kossakowski_matrix,
)
