"""The common shape of ready-made models."""

import abc

import equinox as eqx

from .._generator import Generator
from .._system import OpenSystem


class AbstractModel(eqx.Module):
    """A ready-made physical model: a microscopic `OpenSystem` and its master equations.

    Fields follow the papers' symbols and are differentiable leaves, so a model can be
    vmapped over parameter grids and differentiated with respect to any of them.
    """

    @abc.abstractmethod
    def system(self) -> OpenSystem:
        """The system Hamiltonian and its couplings to the baths."""

    @abc.abstractmethod
    def generator(self, approach: str = "global") -> Generator:
        """The master equation of the given approach, parts named after the baths."""
