"""`master_equation`: the one entry point that names the approaches."""

from .._generator import Generator
from .._system import OpenSystem
from ._base import AbstractMasterEquation
from ._coarse_grained import CoarseGrainedMasterEquation
from ._redfield import RedfieldMasterEquation
from ._secular import GlobalMasterEquation, LocalMasterEquation, PartialSecularMasterEquation

APPROACHES: dict[str, type[AbstractMasterEquation]] = {
    "global": GlobalMasterEquation,
    "local": LocalMasterEquation,
    "partial_secular": PartialSecularMasterEquation,
    "coarse_grained": CoarseGrainedMasterEquation,
    "redfield": RedfieldMasterEquation,
}


def master_equation(
    system: OpenSystem, approach: str | AbstractMasterEquation = "global", **options
) -> Generator:
    """The generator of `system` under a master-equation approach.

    Args:
        system: a `qoj.OpenSystem` (Hamiltonian and couplings to baths).
        approach: "global" (Davies, full secular), "local" (each bath through its coupling's
            `local_hamiltonian`), "partial_secular" (option `resolution`), "coarse_grained"
            (option `dt`), "redfield" (Bloch–Redfield, not necessarily positive); or an
            `AbstractMasterEquation` instance.
        **options: the approach's fields (`tolerance`, `resolution`, `dt`, ...).

    Returns:
        A `qoj.Generator` whose parts are named after the couplings.
    """
    if not isinstance(system, OpenSystem):
        raise TypeError(f"system must be a qoj.OpenSystem, got {type(system).__name__}")
    if isinstance(approach, AbstractMasterEquation):
        if options:
            raise TypeError("options cannot be given together with an approach instance")
        return approach.generator(system)
    if approach not in APPROACHES:
        raise ValueError(f"unknown approach {approach!r}; choose one of {sorted(APPROACHES)}")
    cls = APPROACHES[approach]
    try:
        equation = cls(**options)
    except TypeError as e:
        raise TypeError(f"approach {approach!r}: bad options {sorted(options)} ({e})") from e
    return equation.generator(system)
