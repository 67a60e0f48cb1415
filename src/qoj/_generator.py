"""Time-local generators with named parts, and `lindblad` to build them."""

from collections.abc import Callable, Mapping, Sequence

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Complex, Float

from . import _superop as so
from ._checks import hermitian
from ._terms import AbstractTerm, HamiltonianTerm, JumpTerm


class GeneratorPart(eqx.Module):
    """A named piece of a generator (one bath's dissipator, or an extra part such as
    "cascade" or "interference"): a sum of terms c_k(t) S_k."""

    terms: tuple[AbstractTerm, ...]

    def __init__(self, terms: Sequence[AbstractTerm]):
        self.terms = tuple(terms)
        if not self.terms:
            raise ValueError("a generator part needs at least one term")
        dims = {term.dimension for term in self.terms}
        if len(dims) != 1:
            raise ValueError(f"terms of one part act on different dimensions {sorted(dims)}")

    @property
    def dimension(self) -> int:
        return self.terms[0].dimension

    @property
    def is_time_dependent(self) -> bool:
        return any(term.is_time_dependent for term in self.terms)

    def __call__(self, t, rho: Complex[Array, "n n"]) -> Complex[Array, "n n"]:
        """This part's contribution to d rho/dt."""
        return sum(term.coefficient(t) * term.apply(rho) for term in self.terms)

    def adjoint(self, t, op: Complex[Array, "n n"]) -> Complex[Array, "n n"]:
        """Heisenberg-picture action on an observable."""
        return sum(term.coefficient(t) * term.apply_adjoint(op) for term in self.terms)

    def superoperator(self, t=0.0) -> Complex[Array, "n2 n2"]:
        """Dense d^2 x d^2 matrix at time t (row-major vec)."""
        return sum(term.coefficient(t) * term.matrix() for term in self.terms)


class Generator(eqx.Module):
    """A time-local generator L(t) = L_coherent(t) + sum_b L_b(t) with named parts.

    `gen(t, rho)` is d rho/dt. `gen.parts` maps each bath's name (and extra names such as
    "cascade" or "interference") to its `GeneratorPart`; `gen.coherent` holds the
    Hamiltonian (and Lamb-shift) terms. `gen.hamiltonian` is the bare system Hamiltonian H_S
    used for energies and heat currents J_b = Tr[H_S L_b(rho)].
    """

    hamiltonian: Complex[Array, "n n"]
    coherent: GeneratorPart
    parts: dict[str, GeneratorPart]

    def __init__(
        self,
        hamiltonian: ArrayLike,
        parts: Mapping[str, GeneratorPart | Sequence[AbstractTerm]],
        coherent: GeneratorPart | Sequence[AbstractTerm] | None = None,
    ):
        self.hamiltonian = hermitian(hamiltonian, "hamiltonian")
        if coherent is None:
            coherent = [HamiltonianTerm(self.hamiltonian)]
        self.coherent = coherent if isinstance(coherent, GeneratorPart) else GeneratorPart(coherent)
        built = {}
        for name, part in parts.items():
            if not isinstance(name, str):
                raise TypeError(f"part names must be strings, got {name!r}")
            built[name] = part if isinstance(part, GeneratorPart) else GeneratorPart(part)
        self.parts = built
        d = self.hamiltonian.shape[0]
        for name, part in [("coherent", self.coherent), *self.parts.items()]:
            if part.dimension != d:
                raise ValueError(
                    f"part {name!r} acts on dimension {part.dimension}, the Hamiltonian on {d}"
                )

    @property
    def dimension(self) -> int:
        """Hilbert-space dimension d."""
        return self.hamiltonian.shape[0]

    @property
    def is_time_dependent(self) -> bool:
        """Whether any coefficient depends on time."""
        return self.coherent.is_time_dependent or any(
            part.is_time_dependent for part in self.parts.values()
        )

    def all_parts(self) -> dict[str, GeneratorPart]:
        """The coherent part (key "coherent") followed by the named parts."""
        return {"coherent": self.coherent, **self.parts}

    def terms(self) -> tuple[AbstractTerm, ...]:
        """Every term of the generator, coherent ones first."""
        return tuple(t for part in self.all_parts().values() for t in part.terms)

    def __call__(self, t, rho: Complex[Array, "n n"]) -> Complex[Array, "n n"]:
        """d rho/dt = L(t) rho."""
        out = self.coherent(t, rho)
        for part in self.parts.values():
            out = out + part(t, rho)
        return out

    def adjoint(self, t, op: Complex[Array, "n n"]) -> Complex[Array, "n n"]:
        """Heisenberg picture: d<op>/dt = Tr[L^dag(t)(op) rho]."""
        out = self.coherent.adjoint(t, op)
        for part in self.parts.values():
            out = out + part.adjoint(t, op)
        return out

    def superoperator(self, t=0.0) -> Complex[Array, "n2 n2"]:
        """Dense d^2 x d^2 matrix of L(t) acting on the row-major vec(rho)."""
        out = self.coherent.superoperator(t)
        for part in self.parts.values():
            out = out + part.superoperator(t)
        return out

    def real_superoperator(self, t=0.0, *, constant_only: bool = False) -> Float[Array, "n2 n2"]:
        """Real d^2 x d^2 matrix of L(t) in the Hermitian basis of `_superop.py`.

        Each term's matrix is transformed before it is scaled by its coefficient, so that the
        change of basis of terms built from constant operators is folded at compile time.
        With `constant_only`, time-dependent terms are left out.
        """
        d = self.dimension
        basis = so.hermitian_basis(d, self.hamiltonian.dtype)
        out = jnp.zeros((d * d, d * d), jnp.real(self.hamiltonian).dtype)
        for term in self.terms():
            if constant_only and term.is_time_dependent:
                continue
            real = so.to_real_superoperator(term.matrix(), basis)
            out = out + jnp.real(term.coefficient(t)) * real
        return out

    def restricted(self, names: Sequence[str]) -> "Generator":
        """The generator with only the named parts (the coherent part is kept)."""
        missing = [n for n in names if n not in self.parts]
        if missing:
            raise ValueError(f"no parts named {missing}; parts are {list(self.parts)}")
        return Generator(self.hamiltonian, {n: self.parts[n] for n in names}, self.coherent)


Rate = ArrayLike | Callable


def lindblad(
    hamiltonian: ArrayLike,
    dissipators: Mapping[str, Sequence[tuple[Rate, ArrayLike]]],
) -> Generator:
    """A Lindblad generator with named dissipators.

    d rho/dt = -i[H, rho] + sum_b sum_k gamma_bk(t) (L_bk rho L_bk^dag - {L_bk^dag L_bk, rho}/2)

    Args:
        hamiltonian: the Hermitian system Hamiltonian H (also used for heat currents).
        dissipators: `{name: [(rate, L), ...]}`. A rate is a non-negative number or a
            callable of time t (a function or an equinox module; callables may be negative,
            as canonical rates of time-local non-Markovian generators are).

    Returns:
        A `Generator` whose `parts` are named after the keys of `dissipators`.
    """
    h = hermitian(hamiltonian, "hamiltonian")
    parts = {}
    for name, channels in dissipators.items():
        channels = list(channels)
        if not channels:
            raise ValueError(f"dissipator {name!r} has no channels")
        terms = []
        for channel in channels:
            if not (isinstance(channel, tuple | list) and len(channel) == 2):
                raise TypeError(
                    f"dissipator {name!r}: each channel must be a (rate, operator) pair"
                )
            rate, op = channel
            term = JumpTerm(op, rate)
            if term.dimension != h.shape[0]:
                raise ValueError(
                    f"dissipator {name!r}: operator has dimension {term.dimension}, "
                    f"hamiltonian has {h.shape[0]}"
                )
            terms.append(term)
        parts[name] = GeneratorPart(terms)
    return Generator(h, parts)
