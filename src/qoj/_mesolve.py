"""`mesolve`: the QuTiP/dynamiqs-style entry point on top of `lindblad` and `evolve`."""

from collections.abc import Callable, Sequence

import jax.numpy as jnp
from jaxtyping import ArrayLike

from ._checks import square_matrix
from ._evolve import Solution, evolve
from ._generator import Generator, GeneratorPart
from ._terms import HamiltonianTerm, JumpTerm


def _as_density_matrix(state):
    state = jnp.asarray(state)
    if state.ndim == 2 and state.shape[1] == 1:
        return state @ state.conj().T
    if state.ndim == 1:
        return jnp.outer(state, state.conj())
    return state


def mesolve(
    H: ArrayLike | Sequence,
    jump_ops: Sequence[ArrayLike],
    rho0: ArrayLike,
    tsave: ArrayLike,
    *,
    exp_ops: Sequence[ArrayLike] | None = None,
    save_states: bool = True,
    **options,
) -> Solution:
    """Solve the Lindblad equation d rho/dt = -i[H, rho] + sum_k D[L_k] rho (QuTiP/dynamiqs style).

    Args:
        H: Hamiltonian, either an array or, for time dependence, a list `[H0, (H1, f1), ...]`
            with real coefficient functions f_k(t) (QuTiP's list format).
        jump_ops: collapse operators L_k with their rates included (L_k = sqrt(gamma_k) A_k).
            The generator's parts are named "0", "1", ... in this order, so
            `Solution.heat_currents["0"]` is the energy current through L_0.
        rho0: initial density matrix, or a ket (then rho0 = |psi><psi|).
        tsave: save times; the integration starts at tsave[0].
        exp_ops: operators whose expectation values are saved (`Solution.expect[k]`, k = 0, 1, ...).
        save_states: save rho(t) (default True, like QuTiP and dynamiqs).
        **options: passed to `qoj.evolve` (solver, rtol, atol, ...).
    """
    if isinstance(H, list | tuple):
        if not H:
            raise ValueError("H must not be an empty list")
        static = square_matrix(H[0], "H[0]")
        coherent = [HamiltonianTerm(static)]
        for k, item in enumerate(H[1:], start=1):
            if not (
                isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[1], Callable)
            ):
                raise TypeError(f"H[{k}] must be a pair (operator, coefficient function)")
            coherent.append(HamiltonianTerm(item[0], item[1]))
    else:
        static = square_matrix(H, "H")
        coherent = [HamiltonianTerm(static)]
    parts = {str(k): GeneratorPart([JumpTerm(op, 1.0)]) for k, op in enumerate(jump_ops)}
    generator = Generator(static, parts, coherent)
    return evolve(
        generator,
        _as_density_matrix(rho0),
        tsave,
        observables=list(exp_ops) if exp_ops is not None else None,
        save_states=save_states,
        **options,
    )
