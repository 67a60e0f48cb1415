"""Ready-made models (equinox modules with `.system()` and `.generator(approach=...)`)."""

from ._base import AbstractModel as AbstractModel
from ._qubit_two_baths import QubitTwoBaths as QubitTwoBaths
