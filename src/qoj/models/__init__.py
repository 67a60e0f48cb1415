"""Ready-made models (equinox modules with `.system()` and `.generator(approach=...)`)."""

from ._base import AbstractModel as AbstractModel
from ._cascaded import CascadedOscillators as CascadedOscillators, CascadedQubits as CascadedQubits
from ._coupled_oscillators import CoupledOscillators as CoupledOscillators
from ._coupled_qubits import CoupledQubits as CoupledQubits
from ._fermionic_dimer import FermionicDimer as FermionicDimer
from ._flux_reversal import (
    FluxReversals as FluxReversals,
    flux_reversal_times as flux_reversal_times,
)
from ._prethermal import (
    PrethermalJunction as PrethermalJunction,
    PrethermalQubit as PrethermalQubit,
)
from ._qubit_two_baths import QubitTwoBaths as QubitTwoBaths
from ._tunnelling_qubit import TunnellingQubit as TunnellingQubit
