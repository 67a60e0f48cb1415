"""Coarse-grained master equation (seed 004 eq 45) — being written."""

from .._system import Coupling, OpenSystem
from ._base import AbstractMasterEquation


class CoarseGrainedMasterEquation(AbstractMasterEquation):
    """Coarse-grained master equation with coarse-graining time `dt` (seed 004 eq 45)."""

    dt: float

    def dissipator(self, system: OpenSystem, coupling: Coupling):
        raise ValueError("the coarse-grained approach is not available in this build")
