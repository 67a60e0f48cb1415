"""Microscopic description of an open system: a Hamiltonian and its couplings to baths."""

from collections.abc import Sequence

import equinox as eqx
from jaxtyping import Array, Complex

from ._checks import hermitian


class Coupling(eqx.Module):
    """An interaction `operator (x) B` between the system and one bath.

    Args:
        name: the bath's name (it names the generator's part and its heat current).
        operator: Hermitian system operator X.
        bath: the bath (`qoj.Bath` or any object with the same rate methods), or None.
        local_hamiltonian: the part of H_S that the local master equation uses for this bath
            (seed 002 eqs 4.34–4.35; seed 004 eq 116). None means the full H_S.
    """

    name: str = eqx.field(static=True)
    operator: Complex[Array, "n n"]
    bath: object
    local_hamiltonian: Complex[Array, "n n"] | None

    def __init__(self, name: str, operator, bath, *, local_hamiltonian=None):
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty string, got {name!r}")
        self.name = name
        self.operator = hermitian(operator, f"operator of coupling {name!r}")
        self.bath = bath
        self.local_hamiltonian = (
            None
            if local_hamiltonian is None
            else hermitian(local_hamiltonian, f"local_hamiltonian of coupling {name!r}")
        )
        n = self.operator.shape[0]
        if self.local_hamiltonian is not None and self.local_hamiltonian.shape != (n, n):
            raise ValueError(
                f"local_hamiltonian of coupling {name!r} must have shape {(n, n)}, "
                f"got {self.local_hamiltonian.shape}"
            )


class OpenSystem(eqx.Module):
    """A system Hamiltonian H_S with its couplings to baths (`qoj.Coupling`)."""

    hamiltonian: Complex[Array, "n n"]
    couplings: tuple[Coupling, ...]

    def __init__(self, hamiltonian, couplings: Sequence[Coupling]):
        self.hamiltonian = hermitian(hamiltonian, "hamiltonian")
        couplings = tuple(couplings)
        names = [c.name for c in couplings]
        if len(set(names)) != len(names):
            raise ValueError(f"coupling names must be unique, got {names}")
        n = self.hamiltonian.shape[0]
        for c in couplings:
            if not isinstance(c, Coupling):
                raise TypeError(f"couplings must be qoj.Coupling objects, got {type(c).__name__}")
            if c.operator.shape != (n, n):
                raise ValueError(
                    f"coupling {c.name!r} acts on dimension {c.operator.shape[0]}, "
                    f"the Hamiltonian on {n}"
                )
        self.couplings = couplings

    @property
    def dimension(self) -> int:
        return self.hamiltonian.shape[0]
