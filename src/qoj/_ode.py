"""The one entry point to diffrax's ODE solve, shared by every solver of qoj."""

import warnings

import diffrax


def diffeqsolve(vector_field, solver, *, args, **kwargs) -> diffrax.Solution:
    """`diffrax.diffeqsolve(ODETerm(vector_field), solver, args=args, **kwargs)`.

    `vector_field(t, y, args)` must be a module-level function and everything it depends on
    travel in `args` (a pytree: a model or a generator): diffrax compiles the solve once per
    function and structure of `args`, so later calls with new parameter values reuse it
    (a fresh closure per call would recompile every time). The state y is real; `args` may
    hold complex constants, for which diffrax's warning about complex states does not apply.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Complex dtype support in Diffrax")
        return diffrax.diffeqsolve(diffrax.ODETerm(vector_field), solver, args=args, **kwargs)
