"""Gradient-based design: an optax loop over any pytree of parameters, with constraints.

`qoj.optimize(loss, params, optimizer, steps)` minimises `loss(params)` (a JAX-traceable scalar
function: a steady heat current, a prethermalization time, a fit error...) with an optax
optimiser. Constrained parameters are optimised in an unconstrained variable u that a
bijection maps onto the allowed set:

- `Positive(lower)`: x = lower + softplus(u), so x > lower (couplings, temperatures);
- `Box(lower, upper)`: x = lower + (upper - lower) sigmoid(u), so lower < x < upper.

The optimiser sees gradients with respect to u (the chain rule through the bijection), so
the constraint holds at every step, never by clipping. Steps run in compiled blocks (a
`jax.lax.scan` of `block` steps per call: one compilation, no host round trip per step);
between blocks the loop checks for non-finite losses, early stopping, and updates the
progress bar.
"""

import abc
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, ArrayLike, Float, PyTree


class AbstractConstraint(eqx.Module):
    """A bijection from the real line onto an allowed interval, applied leaf-wise."""

    @abc.abstractmethod
    def to_constrained(self, u: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """The parameter value x for the unconstrained variable u."""

    @abc.abstractmethod
    def to_unconstrained(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """The inverse map; x must lie strictly inside the allowed set."""

    @abc.abstractmethod
    def contains(self, x: Float[Array, "*shape"]) -> Array:
        """Whether x lies strictly inside the allowed set (elementwise)."""


class Positive(AbstractConstraint):
    """x > lower, through x = lower + softplus(u) (default lower = 0)."""

    lower: float = 0.0

    def to_constrained(self, u):
        return self.lower + jax.nn.softplus(u)

    def to_unconstrained(self, x):
        y = x - self.lower
        return y + jnp.log(-jnp.expm1(-y))  # softplus^-1, stable for small and large y

    def contains(self, x):
        return x > self.lower


class Box(AbstractConstraint):
    """lower < x < upper, through x = lower + (upper - lower) sigmoid(u)."""

    lower: float
    upper: float

    def __check_init__(self):
        if not self.lower < self.upper:
            raise ValueError(f"Box needs lower < upper, got ({self.lower}, {self.upper})")

    def to_constrained(self, u):
        return self.lower + (self.upper - self.lower) * jax.nn.sigmoid(u)

    def to_unconstrained(self, x):
        s = (x - self.lower) / (self.upper - self.lower)
        return jnp.log(s) - jnp.log1p(-s)

    def contains(self, x):
        return (x > self.lower) & (x < self.upper)


class OptimizeResult(NamedTuple):
    """What `optimize` returns.

    Fields:
        params: the parameters after the last step taken.
        loss: loss(params).
        history: {"loss": (n + 1,), "params": params stacked along a leading axis of n + 1},
            entry i after i steps (entry 0 is the start).
        steps: the number of steps taken, n.
        stopped_early: whether early stopping ended the loop before `steps`.
    """

    params: PyTree
    loss: Array
    history: dict[str, Any]
    steps: int
    stopped_early: bool


def _is_constraint_leaf(node) -> bool:
    return node is None or isinstance(node, AbstractConstraint)


def _full_constraints(constraints, params):
    """The constraint tree as a prefix of `params`; a dict may name only some of the keys
    of a dict of parameters (the rest are unconstrained)."""
    if constraints is None:
        return None
    if isinstance(constraints, dict) and isinstance(params, dict):
        unknown = set(constraints) - set(params)
        if unknown:
            raise ValueError(f"constraints name unknown parameters: {sorted(unknown)}")
        return {key: constraints.get(key) for key in params}
    return constraints


def _map_constrained(constraints, params, method):
    """Apply `method(constraint, leaf)` to every leaf under a constraint (others unchanged)."""
    if constraints is None:
        return params

    def apply(constraint, subtree):
        if constraint is None:
            return subtree
        return jax.tree.map(lambda leaf: method(constraint, leaf), subtree)

    return jax.tree.map(apply, constraints, params, is_leaf=_is_constraint_leaf)


def _check_inside(constraints, params) -> None:
    def check(constraint, subtree):
        if constraint is not None:
            for leaf in jax.tree.leaves(subtree):
                if not bool(jnp.all(constraint.contains(jnp.asarray(leaf)))):
                    raise ValueError(
                        f"initial parameter value {np.asarray(leaf)} lies outside {constraint}"
                    )
        return None

    jax.tree.map(check, constraints, params, is_leaf=_is_constraint_leaf)


def _first_stop(losses: np.ndarray, best: float, since: int, patience, min_improvement):
    """Walk the new losses: (index of the step that triggers early stopping or None, best
    loss so far, steps since the last improvement)."""
    for i, value in enumerate(losses):
        if value < best - min_improvement:
            best, since = value, 0
        else:
            since += 1
        if patience is not None and since >= patience:
            return i, best, since
    return None, best, since


def optimize(
    loss: Callable[[PyTree], Float[ArrayLike, ""]],
    params: PyTree,
    optimizer: optax.GradientTransformation | float,
    steps: int,
    *,
    constraints: PyTree | None = None,
    patience: int | None = None,
    min_improvement: float = 0.0,
    block: int = 25,
    progress: bool = True,
) -> OptimizeResult:
    """Minimise `loss(params)` with `optimizer` for at most `steps` steps.

    Args:
        loss: a JAX-traceable function of the parameter pytree returning a real scalar. To
            maximise f, minimise -f.
        params: the starting point: any pytree (a dict of scalars, arrays, an equinox module
            such as `eqx.nn.MLP`); its inexact-array leaves are optimised, other leaves are
            held fixed.
        optimizer: an `optax.GradientTransformation`, or a float: Adam with that learning
            rate. Transformations that need the loss (`optax.lbfgs`, line searches) get
            `value`, `grad` and `value_fn` as extra arguments.
        steps: the largest number of steps (>= 1).
        constraints: a pytree prefix of `params` with `qoj.Positive(...)`, `qoj.Box(...)` or
            None at its leaves (a dict of parameters may be constrained by a dict naming only
            some keys). The start must lie strictly inside.
        patience: stop once the loss has not fallen by more than `min_improvement` below its
            best value for `patience` consecutive steps (default: never stop early).
        block: steps compiled into one call (`jax.lax.scan`); the loop checks stopping and
            finiteness and updates the progress bar between blocks.
        progress: show a tqdm progress bar with the current loss (when tqdm is installed).

    Returns:
        An `OptimizeResult`: params, loss, history of loss and params, steps, stopped_early.

    Raises:
        ValueError on bad arguments or a start outside the constraints; FloatingPointError
        when the loss or its gradient becomes non-finite (with the step and the parameters).
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    if not isinstance(block, int) or block < 1:
        raise ValueError(f"block must be an int >= 1, got {block!r}")
    if patience is not None and (not isinstance(patience, int) or patience < 1):
        raise ValueError(f"patience must be an int >= 1 or None, got {patience!r}")
    if not min_improvement >= 0:
        raise ValueError(f"min_improvement must be >= 0, got {min_improvement!r}")
    if isinstance(optimizer, int | float):
        optimizer = optax.adam(float(optimizer))
    if not isinstance(optimizer, optax.GradientTransformation):
        raise TypeError("optimizer must be an optax.GradientTransformation or a learning rate")
    optimizer = optax.with_extra_args_support(optimizer)

    params = jax.tree.map(lambda x: jnp.asarray(x) if eqx.is_array_like(x) else x, params)
    trainable, static = eqx.partition(params, eqx.is_inexact_array)
    if not jax.tree.leaves(trainable):
        raise ValueError("params has no floating-point leaves to optimise")
    constraints = _full_constraints(constraints, params)
    if constraints is not None:
        _check_inside(constraints, params)

    def constrained(u):
        return eqx.combine(
            _map_constrained(constraints, u, lambda c, leaf: c.to_constrained(leaf)), static
        )

    def objective(u):
        value = loss(constrained(u))
        if jnp.ndim(value) != 0 or not jnp.issubdtype(jnp.result_type(value), jnp.floating):
            raise ValueError("loss must return a real scalar")
        return value

    u0 = eqx.filter(
        _map_constrained(constraints, trainable, lambda c, leaf: c.to_unconstrained(leaf)),
        eqx.is_inexact_array,
    )
    value_and_grad = jax.value_and_grad(objective)

    @jax.jit
    def run_block(u, state):
        def step(carry, _):
            u, state = carry
            value, grad = value_and_grad(u)
            finite = jnp.isfinite(value) & jnp.all(
                jnp.stack([jnp.all(jnp.isfinite(g)) for g in jax.tree.leaves(grad)])
            )
            updates, new_state = optimizer.update(
                grad, state, u, value=value, grad=grad, value_fn=objective
            )
            new_u = optax.apply_updates(u, updates)
            return (new_u, new_state), (value, finite, u)

        (u, state), history = jax.lax.scan(step, (u, state), length=block)
        return u, state, history

    bar = None
    if progress:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=steps, unit="step", desc="qoj.optimize")
        except ImportError:
            bar = None

    u, state = u0, optimizer.init(u0)
    losses, trajectory = [], []
    best, since, taken, stopped = math.inf, 0, 0, False
    try:
        while taken < steps:
            u_next, state_next, (values, finite, us) = run_block(u, state)
            values, finite = np.asarray(values), np.asarray(finite)
            keep = min(block, steps - taken)
            bad = np.flatnonzero(~finite[:keep])
            if bad.size:
                at = jax.tree.map(lambda a, i=bad[0]: np.asarray(a[i]), us)
                raise FloatingPointError(
                    f"loss or gradient is not finite at step {taken + int(bad[0])} "
                    f"(loss {values[bad[0]]}); parameters: {constrained(at)}"
                )
            stop, best, since = _first_stop(values[:keep], best, since, patience, min_improvement)
            if stop is not None:
                keep, stopped = stop + 1, True
            losses.append(values[:keep])
            trajectory.append(jax.tree.map(lambda a, k=keep: a[:k], us))
            if keep == block and not stopped:
                u, state = u_next, state_next
            else:  # the state after `keep` steps: the next entry of the block's trajectory
                u = jax.tree.map(lambda a, k=keep: a[k], us) if keep < block else u_next
            taken += keep
            if bar is not None:
                bar.update(keep)
                bar.set_postfix(loss=f"{values[keep - 1]:.6g}")
            if stopped:
                break
    finally:
        if bar is not None:
            bar.close()

    final = float(objective(u))
    if not math.isfinite(final):
        raise FloatingPointError(f"loss is not finite after {taken} steps: {final}")
    us = jax.tree.map(lambda *a: jnp.concatenate(a[:-1] + (a[-1][None],)), *trajectory, u)
    history = {
        "loss": np.concatenate(losses + [np.asarray([final])]),
        "params": eqx.filter_vmap(constrained)(us),
    }
    return OptimizeResult(constrained(u), jnp.asarray(final), history, taken, stopped)
