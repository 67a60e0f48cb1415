"""Time evolution of a density matrix under a generator: `evolve` and its `Solution`."""

from collections.abc import Mapping, Sequence
from typing import Any

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Complex, Float

from . import _superop as so
from ._checks import concrete_value, density_matrix, ensure, square_matrix
from ._expm import expm
from ._generator import Generator
from ._ode import diffeqsolve
from ._precision import real_dtype, warn_if_unreachable
from ._readout import Readout, build_readout
from ._structured import StructuredGenerator, structured
from ._terms import AbstractTerm, coefficients

# Above this Hilbert-space dimension the dense d^2 x d^2 Liouvillian is not formed and the
# right-hand side is applied operator by operator.
DENSE_DIMENSION_LIMIT = 32
# The default solver of a time-independent generator is the exact `Propagator` up to this
# dimension (its matrix exponential costs ~20 (d^2)^3 flops); above it an ODE solver.
PROPAGATOR_DIMENSION_LIMIT = 8
# From this dimension on, sparse operators are applied by diagonals (`_structured.py`)
# when that costs less than the dense path.
STRUCTURED_DIMENSION = 16


class Propagator(eqx.Module):
    """Exact solver for time-independent generators: rho(t_k) = exp(L (t_k - t_{k-1})) rho(t_{k-1}).

    The matrix exponential of the real d^2 x d^2 Liouvillian is taken once for uniform save
    grids (once per save time otherwise) by scaling and squaring, so stiffness costs nothing
    and the error is at round-off level, independent of `rtol`/`atol`. Differentiable; reverse
    mode stores one state per saved time; forward mode (`jax.jvp`) is not supported (see
    `_expm.py`). Needs the dense Liouvillian (d <= 32).
    """


class Solution(eqx.Module):
    """Result of `evolve`.

    Attributes:
        ts: the save times, shape (T,).
        states: density matrices at `ts`, shape (T, d, d), or None unless `save_states`.
        expect: `{name: (T,)}` expectation values Tr[O rho(t)] (real for Hermitian O).
        heat_currents: `{part: (T,)}` J_b(t) = Tr[H L_b(t)(rho(t))], energy flowing from
            bath b into the system.
        stats: solver statistics (steps, accepted/rejected steps, right-hand-side evaluations).
    """

    ts: Float[Array, " T"]
    states: Complex[Array, "T n n"] | None
    expect: dict[str, Array]
    heat_currents: dict[str, Float[Array, " T"]]
    stats: dict[str, Any]


class _DenseModel(eqx.Module):
    """The generator as real matrices in the Hermitian basis (see `_superop.py`)."""

    basis: Complex[Array, "m m"]
    constant: Float[Array, "m m"]
    varying: Float[Array, "k m m"]
    varying_terms: tuple[AbstractTerm, ...]
    readout: Readout
    constant_rows: Complex[Array, "p m"]
    varying_rows: Complex[Array, "q m"]

    @classmethod
    def build(cls, generator: Generator, readout: Readout):
        d = generator.dimension
        basis = so.hermitian_basis(d, generator.hamiltonian.dtype)
        varying = [
            so.to_real_superoperator(t.matrix(), basis)
            for t in generator.terms()
            if t.is_time_dependent
        ]
        rows = lambda ops: jax.vmap(lambda o: so.functional(o, basis))(ops)
        return cls(
            basis=basis,
            constant=generator.real_superoperator(constant_only=True),
            varying=jnp.stack(varying) if varying else jnp.zeros((0, d * d, d * d)),
            varying_terms=tuple(t for t in generator.terms() if t.is_time_dependent),
            readout=readout,
            constant_rows=rows(readout.constant),
            varying_rows=rows(readout.varying),
        )

    def initial(self, rho):
        return so.coordinates(rho, self.basis)

    def rhs(self, t, x):
        out = self.constant @ x
        if self.varying_terms:
            out = out + jnp.einsum(
                "k,kij,j->i", coefficients(self.varying_terms, t), self.varying, x
            )
        return out

    def outputs(self, t, x):
        values = self.constant_rows @ x.astype(self.constant_rows.dtype)
        if self.varying_rows.shape[0]:
            weights = self.readout.coefficients(t) * (
                self.varying_rows @ x.astype(self.varying_rows.dtype)
            )
            values = values.at[jnp.asarray(self.readout.targets, dtype=int)].add(weights)
        return values

    def state(self, x):
        return so.from_coordinates(x, self.basis)


class _OperatorModel(eqx.Module):
    """The generator applied operator by operator to rho stored as (Re rho, Im rho): through
    its structured (sparse-diagonal) form when that pays off, else term by term."""

    action: Generator | StructuredGenerator
    readout: Readout

    def initial(self, rho):
        return jnp.stack([jnp.real(rho), jnp.imag(rho)])

    def rhs(self, t, y):
        if isinstance(self.action, StructuredGenerator):
            return self.action.real_rhs(t, y)
        drho = self.action(t, self.state(y))
        return jnp.stack([jnp.real(drho), jnp.imag(drho)])

    def outputs(self, t, y):
        rho = self.state(y)
        values = jnp.einsum("pij,ji->p", self.readout.constant, rho)
        if self.readout.varying.shape[0]:
            weights = self.readout.coefficients(t) * jnp.einsum(
                "qij,ji->q", self.readout.varying, rho
            )
            values = values.at[jnp.asarray(self.readout.targets, dtype=int)].add(weights)
        return values

    def state(self, y):
        return y[0] + 1j * y[1]


def _stages(solver) -> int | None:
    tableau = getattr(solver, "tableau", None)
    if tableau is None or getattr(solver, "implicit", False):
        return None
    if hasattr(solver, "root_finder"):
        return None
    stages = len(tableau.c) + 1
    return stages - 1 if tableau.fsal else stages


def _normalise_observables(observables) -> dict:
    if observables is None:
        return {}
    if isinstance(observables, Mapping):
        items = dict(observables)
    elif isinstance(observables, Sequence) or (
        hasattr(observables, "ndim") and observables.ndim == 3
    ):
        items = {i: op for i, op in enumerate(observables)}
    else:
        raise TypeError("observables must be a dict {name: operator} or a sequence of operators")
    return {k: square_matrix(v, f"observables[{k!r}]") for k, v in items.items()}


def _check_times(ts):
    """Validated save times, and whether they are known to be uniformly spaced."""
    value = concrete_value(ts)
    if value is not None:
        value = np.asarray(value, dtype=float)
        if value.ndim != 1 or value.shape[0] == 0:
            raise ValueError(f"ts must be a non-empty 1-D array of times, got shape {value.shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError("ts must be finite")
        steps = np.diff(value)
        if np.any(steps < 0):
            raise ValueError("ts must be non-decreasing")
        uniform = value.size > 1 and bool(np.allclose(steps, steps[0], rtol=1e-12, atol=0.0))
        return jnp.asarray(value, dtype=real_dtype()), uniform
    ts = jnp.asarray(ts, dtype=real_dtype())
    if ts.ndim != 1 or ts.shape[0] == 0:
        raise ValueError(f"ts must be a non-empty 1-D array of times, got shape {ts.shape}")
    ts = ensure(ts, jnp.any(jnp.diff(ts) < 0), "ts must be non-decreasing")
    return ensure(ts, ~jnp.all(jnp.isfinite(ts)), "ts must be finite"), False


def evolve(
    generator: Generator,
    rho0: Complex[ArrayLike, "n n"],
    ts: Float[ArrayLike, " T"],
    *,
    observables: Mapping[Any, ArrayLike] | Sequence[ArrayLike] | None = None,
    save_states: bool = False,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    solver: diffrax.AbstractSolver | Propagator | None = None,
    stepsize_controller: diffrax.AbstractStepSizeController | None = None,
    adjoint: diffrax.AbstractAdjoint | None = None,
    max_steps: int = 100_000,
    t0: float | None = None,
    dt0: float | None = None,
    hamiltonian: ArrayLike | None = None,
    progress: bool = False,
) -> Solution:
    """Integrate d rho/dt = L(t) rho from `rho0` at `t0` (default `ts[0]`) and save at `ts`.

    Observables Tr[O rho(t)] and every part's heat current J_b(t) = Tr[H L_b(t) rho(t)] are
    evaluated as linear functionals of the state inside the solver, so no state is stored
    unless `save_states=True`.

    Solvers. `solver=None` picks `Propagator()` (exact matrix exponential) for a
    time-independent generator with d <= 8 and `diffrax.Tsit5()` otherwise. The right-hand
    side is the dense real d^2 x d^2 Liouvillian for d <= 32, except that from d = 16 on
    operators with few nonzero diagonals (many-body models built from local terms, built
    from constants) are applied diagonal by diagonal (`qoj._structured`); large dense
    systems are applied operator by operator. Any diffrax solver can be
    passed: `diffrax.Tsit5()`/`diffrax.Dopri8()` for non-stiff problems, `diffrax.Kvaerno5()`
    for stiff ones (rates many orders of magnitude apart). `stepsize_controller` defaults to
    `diffrax.PIDController(rtol, atol)`.

    Differentiation. Reverse mode uses `adjoint`, by default
    `diffrax.RecursiveCheckpointAdjoint()`: it differentiates through the solver's steps
    with O(log(steps)) checkpoints of the state, i.e. memory proportional to
    d^2 x log(steps) on top of the saved outputs; `diffrax.BacksolveAdjoint()` trades this
    for an adjoint ODE solved backwards. Forward mode (`jax.jvp`, `jax.jacfwd`) works with diffrax
    solvers and `adjoint=diffrax.ForwardMode()`, not with `Propagator`.

    Args:
        generator: the `Generator` L(t).
        rho0: initial density matrix (Hermitian, unit trace, positive semidefinite).
        ts: save times (non-decreasing).
        observables: `{name: O}` or a sequence of operators (named 0, 1, ...).
        save_states: also return rho(t) at every save time.
        rtol, atol: tolerances of the adaptive step-size controller.
        solver, stepsize_controller, adjoint, max_steps, dt0: passed to `diffrax.diffeqsolve`.
        t0: initial time (default `ts[0]`).
        hamiltonian: the H in the heat currents (default `generator.hamiltonian`).
        progress: show a progress bar (diffrax's tqdm meter).

    Returns:
        A `Solution`.
    """
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a qoj.Generator, got {type(generator).__name__}")
    warn_if_unreachable(rtol, atol)
    d = generator.dimension
    rho0 = density_matrix(rho0, "rho0")
    if rho0.shape[0] != d:
        raise ValueError(f"rho0 has dimension {rho0.shape[0]}, the generator {d}")
    ts, uniform = _check_times(ts)
    t_start = ts[0] if t0 is None else jnp.asarray(t0, dtype=ts.dtype)
    h = generator.hamiltonian if hamiltonian is None else square_matrix(hamiltonian, "hamiltonian")
    observables = _normalise_observables(observables)
    for key, op in observables.items():
        if op.shape[0] != d:
            raise ValueError(f"observables[{key!r}] has dimension {op.shape[0]}, expected {d}")
    # (products of constant operators are evaluated now, not staged for XLA to fold)
    with jax.ensure_compile_time_eval():
        readout, keys, part_names = build_readout(generator, observables, h.astype(rho0.dtype))

    if solver is None:
        solver = (
            Propagator()
            if not generator.is_time_dependent and d <= PROPAGATOR_DIMENSION_LIMIT
            else diffrax.Tsit5()
        )

    if isinstance(solver, Propagator):
        if generator.is_time_dependent:
            raise ValueError("Propagator needs a time-independent generator; pass a diffrax solver")
        if d > DENSE_DIMENSION_LIMIT:
            raise ValueError(f"Propagator needs d <= {DENSE_DIMENSION_LIMIT}, got d = {d}")
        model = _DenseModel.build(generator, readout)
        xs, stats = _propagate(model.constant, model.initial(rho0), ts, t_start, uniform)
        values = jax.vmap(lambda t, x: model.outputs(t, x))(ts, xs)
        states = jax.vmap(model.state)(xs) if save_states else None
    else:
        fast = structured(generator) if d >= STRUCTURED_DIMENSION else None
        if fast is not None:
            model = _OperatorModel(fast, readout)
        elif d <= DENSE_DIMENSION_LIMIT:
            model = _DenseModel.build(generator, readout)
        else:
            model = _OperatorModel(generator, readout)

        controller = stepsize_controller or diffrax.PIDController(rtol=rtol, atol=atol)
        sol = diffeqsolve(
            _vector_field,
            solver,
            t0=t_start,
            t1=ts[-1],
            dt0=dt0,
            y0=model.initial(rho0),
            args=model,
            saveat=diffrax.SaveAt(ts=ts, fn=_save_with_states if save_states else _save),
            stepsize_controller=controller,
            adjoint=adjoint or diffrax.RecursiveCheckpointAdjoint(),
            max_steps=max_steps,
            progress_meter=(diffrax.TqdmProgressMeter() if progress else diffrax.NoProgressMeter()),
        )
        values, states = sol.ys if save_states else (sol.ys, None)
        stages = _stages(solver)
        steps = sol.stats["num_steps"]
        stats = {
            "solver": type(solver).__name__,
            "num_steps": steps,
            "num_accepted_steps": sol.stats["num_accepted_steps"],
            "num_rejected_steps": sol.stats["num_rejected_steps"],
            # Exact for explicit Runge–Kutta solvers (new stages per step, first-same-as-last
            # counted once, plus the initial evaluation); implicit solvers do a variable number
            # of Newton iterations that diffrax does not report.
            "rhs_evaluations": None if stages is None else steps * stages + 1,
        }
    outputs = readout.split(values)
    return Solution(
        ts=ts,
        states=states,
        expect={k: outputs[f"expect:{k}"] for k in keys},
        heat_currents={n: outputs[f"current:{n}"] for n in part_names},
        stats=stats,
    )


# Module-level functions, the model travelling as `args` (see `_ode.diffeqsolve`).
def _vector_field(t, y, model):
    return model.rhs(t, y)


def _save(t, y, model):
    return model.outputs(t, y)


def _save_with_states(t, y, model):
    return model.outputs(t, y), model.state(y)


def _propagate(liouvillian, x0, ts, t_start, uniform):
    """States at `ts` by exact exponentials of the (real) Liouvillian.

    On a uniform grid (`uniform`, known when `ts` is concrete) one exponential P = exp(L dt)
    is taken and the states x_k = P^k x_0 are built by doubling: the block of the first 2^j
    states is multiplied by P^(2^j), so T saves cost log2(T) matrix products and no
    sequential loop.
    Otherwise every x_k = exp(L (t_k - t0)) x_0 is computed independently (in parallel).
    """
    count = ts.shape[0]
    if not uniform:
        xs = jax.vmap(lambda t: expm(liouvillian * (t - t_start)) @ x0)(ts)
        return xs, {"solver": "Propagator", "num_steps": count, "matrix_exponentials": count}
    xs = (expm(liouvillian * (ts[0] - t_start)) @ x0)[None]
    power = expm(liouvillian * (ts[1] - ts[0]))
    while xs.shape[0] < count:
        xs = jnp.concatenate([xs, xs @ power.T])
        power = power @ power
    stats = {"solver": "Propagator", "num_steps": count - 1, "matrix_exponentials": 2}
    return xs[:count], stats
