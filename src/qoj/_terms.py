"""The linear pieces a generator is built from.

Every term is `c(t) * S`, a scalar coefficient c(t) (constant or a callable of time) times a
fixed superoperator S. Solvers use this split to assemble the constant part of the
Liouvillian once, outside the time loop, and to rescale only the time-dependent pieces at each
step. A term acts on density matrices (`apply`), on observables in the Heisenberg picture
(`apply_adjoint`, the Hilbert–Schmidt adjoint S^dagger) and as a dense d^2 x d^2 matrix
(`matrix`, row-major vectorisation, see `_superop.py`).
"""

import abc
from collections.abc import Callable

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Complex, Inexact

from . import _superop as so
from ._checks import finite, hermitian, nonnegative, square_matrix

Rate = Inexact[Array, ""] | Callable


class AbstractTerm(eqx.Module):
    """A term c(t) * S of a time-local generator; `strength` is c (a number or a callable of t)."""

    strength: eqx.AbstractVar[Rate]

    @property
    def is_time_dependent(self) -> bool:
        """Whether the coefficient c(t) depends on time."""
        return callable(self.strength)

    def coefficient(self, t) -> Array:
        """The scalar c(t)."""
        return jnp.asarray(self.strength(t) if callable(self.strength) else self.strength)

    @abc.abstractmethod
    def apply(self, rho: Complex[Array, "n n"]) -> Complex[Array, "n n"]:
        """S(rho), without the coefficient."""

    @abc.abstractmethod
    def apply_adjoint(self, op: Complex[Array, "n n"]) -> Complex[Array, "n n"]:
        """S^dagger(op): Tr[op S(rho)] = Tr[S^dagger(op) rho]."""

    @abc.abstractmethod
    def matrix(self) -> Complex[Array, "n2 n2"]:
        """Dense matrix of S acting on vec(rho)."""

    @property
    @abc.abstractmethod
    def dimension(self) -> int:
        """Hilbert-space dimension d."""


def coefficients(terms, t) -> Array:
    """The real coefficients c_k(t) of a sequence of terms, stacked (shape (k,))."""
    if not terms:
        return jnp.zeros((0,))
    return jnp.stack([jnp.real(term.coefficient(t)) for term in terms])


def _strength(value, name):
    """A callable is kept as is (it may go negative); a number must be finite and >= 0."""
    return value if callable(value) else nonnegative(value, name)


class HamiltonianTerm(AbstractTerm):
    """Coherent evolution S(rho) = -i [H, rho], with an optional coefficient c(t)."""

    hamiltonian: Complex[Array, "n n"]
    strength: Rate

    def __init__(self, hamiltonian, strength=1.0):
        self.hamiltonian = hermitian(hamiltonian, "hamiltonian")
        self.strength = strength if callable(strength) else finite(strength, "strength")

    @property
    def dimension(self) -> int:
        return self.hamiltonian.shape[0]

    def apply(self, rho):
        h = self.hamiltonian
        return -1j * (h @ rho - rho @ h)

    def apply_adjoint(self, op):
        h = self.hamiltonian
        return 1j * (h @ op - op @ h)

    def matrix(self):
        h = self.hamiltonian
        return -1j * (so.left(h) - so.right(h))


class JumpTerm(AbstractTerm):
    """One Lindblad channel: S(rho) = L rho L^dag - {L^dag L, rho}/2, with rate c(t) = `rate`
    (stored as `strength`).

    A constant rate must be non-negative. A callable rate (a function or an equinox module of
    t) may go negative: time-local generators of non-Markovian dynamics have such rates.
    """

    operator: Complex[Array, "n n"]
    strength: Rate

    def __init__(self, operator, rate):
        self.operator = square_matrix(operator, "jump operator")
        self.strength = _strength(rate, "rate")

    @property
    def dimension(self) -> int:
        return self.operator.shape[0]

    def apply(self, rho):
        jump = self.operator
        jump_dag = jump.conj().T
        number = jump_dag @ jump
        return jump @ rho @ jump_dag - 0.5 * (number @ rho + rho @ number)

    def apply_adjoint(self, op):
        jump = self.operator
        jump_dag = jump.conj().T
        number = jump_dag @ jump
        return jump_dag @ op @ jump - 0.5 * (number @ op + op @ number)

    def matrix(self):
        jump = self.operator
        number = jump.conj().T @ jump
        return so.sandwich(jump, jump.conj().T) - 0.5 * (so.left(number) + so.right(number))


class KossakowskiTerm(AbstractTerm):
    """A dissipator with a rate matrix (GKSL form in a non-diagonal basis).

    S(rho) = sum_mn gamma_mn [X_m rho X_n^dag - {X_n^dag X_m, rho}/2]   (seed 004, eq 44)

    with a Hermitian rate matrix gamma (positive semidefinite for a Lindblad generator). The
    partial-secular and coarse-grained master equations have this form.
    """

    operators: Complex[Array, "k n n"]
    rates: Complex[Array, "k k"]
    strength: Rate

    def __init__(self, operators, rates, strength=1.0):
        ops = jnp.asarray(operators)
        if ops.ndim != 3 or ops.shape[1] != ops.shape[2]:
            raise ValueError(f"operators must have shape (k, n, n), got {ops.shape}")
        self.operators = jnp.stack([square_matrix(o, "operators") for o in ops])
        self.rates = hermitian(rates, "rates")
        if self.rates.shape[0] != ops.shape[0]:
            raise ValueError(
                f"rates must be ({ops.shape[0]}, {ops.shape[0]}) to match operators, "
                f"got {self.rates.shape}"
            )
        self.strength = strength if callable(strength) else finite(strength, "strength")

    @property
    def dimension(self) -> int:
        return self.operators.shape[-1]

    def _mixed(self):
        # Y_m = sum_n conj(gamma_mn) X_n turns the double sum into a single one:
        # sum_mn gamma_mn X_m rho X_n^dag = sum_m X_m rho Y_m^dag
        partner = jnp.einsum("mn,nij->mij", self.rates.conj(), self.operators)
        number = jnp.einsum("mji,mjk->ik", partner.conj(), self.operators)
        # number = sum_m Y_m^dag X_m = sum_mn gamma_mn X_n^dag X_m
        return partner, number

    def apply(self, rho):
        partner, number = self._mixed()
        gain = jnp.einsum("mij,jk,mlk->il", self.operators, rho, partner.conj())
        return gain - 0.5 * (number @ rho + rho @ number)

    def apply_adjoint(self, op):
        partner, number = self._mixed()
        gain = jnp.einsum("mji,jk,mkl->il", partner.conj(), op, self.operators)
        return gain - 0.5 * (number @ op + op @ number)

    def matrix(self):
        partner, number = self._mixed()
        d = self.dimension
        # sum_m X_m (x) conj(Y_m): the matrix of rho -> sum_m X_m rho Y_m^dag (row-major vec)
        gain = jnp.einsum("mij,mkl->ikjl", self.operators, partner.conj()).reshape(d * d, d * d)
        return gain - 0.5 * (so.left(number) + so.right(number))
