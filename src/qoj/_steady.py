"""Steady states of time-independent generators."""

import jax
import jax.numpy as jnp
import lineax as lx
from jaxtyping import Array, Complex

from . import _superop as so
from ._checks import ensure
from ._generator import Generator


def steady_state(generator: Generator, t=0.0) -> Complex[Array, "n n"]:
    """The unique density matrix with L(t) rho = 0.

    Solves the real d^2 x d^2 system of the Liouvillian in the Hermitian basis (see
    `_superop.py`) with the equation of one diagonal coordinate replaced by the trace
    condition Tr(rho) = 1 — the replaced equation is redundant because the generator
    preserves the trace. The solve is an LU factorisation through `lineax.linear_solve`, so
    gradients with respect to any field of the generator come from implicit differentiation
    (one extra solve with the transposed factorisation), not from differentiating the
    factorisation's steps.

    Raises:
        ValueError (eagerly, or at run time under `jit`) if the steady state is not unique:
        the bordered matrix is singular to working precision, which happens exactly when
        L has a kernel of dimension > 1.
    """
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a qoj.Generator, got {type(generator).__name__}")
    d = generator.dimension
    basis = so.hermitian_basis(d, generator.hamiltonian.dtype)
    liouvillian = generator.real_superoperator(t)
    scale = jnp.max(jnp.abs(liouvillian))
    trace_row = so.trace_coordinates(d, liouvillian.dtype)
    matrix = liouvillian.at[0].set(trace_row * scale)
    rhs = jnp.zeros(d * d, liouvillian.dtype).at[0].set(scale)
    operator = lx.MatrixLinearOperator(matrix)
    solver = lx.LU()
    # The factorisation is reused by lineax for the solve and for its implicit derivative;
    # it must carry no tangent of its own.
    state = jax.lax.stop_gradient(solver.init(operator, {}))
    (lu, _), *_ = state
    pivots = jnp.abs(jnp.diag(lu))
    eps = jnp.finfo(liouvillian.dtype).eps
    singular = jnp.min(pivots) <= 100 * d * d * eps * jnp.max(pivots)
    x = lx.linear_solve(operator, rhs, solver, state=state, throw=False).value
    x = ensure(
        x,
        singular | ~jnp.all(jnp.isfinite(x)),
        "the steady state is not unique (the Liouvillian has more than one zero eigenvalue): "
        "add dissipation that connects all invariant subspaces",
    )
    rho = so.from_coordinates(x, basis)
    return 0.5 * (rho + rho.conj().T)
