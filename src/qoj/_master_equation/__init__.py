"""Master equations derived from a microscopic `OpenSystem` (seeds 002 and 004)."""

from ._api import APPROACHES as APPROACHES, master_equation as master_equation
from ._base import AbstractMasterEquation as AbstractMasterEquation
from ._bohr import BohrDecomposition as BohrDecomposition, bohr_decomposition as bohr_decomposition
from ._coarse_grained import CoarseGrainedMasterEquation as CoarseGrainedMasterEquation
from ._redfield import RedfieldMasterEquation as RedfieldMasterEquation
from ._secular import (
    GlobalMasterEquation as GlobalMasterEquation,
    LocalMasterEquation as LocalMasterEquation,
    PartialSecularMasterEquation as PartialSecularMasterEquation,
)
