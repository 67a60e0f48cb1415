"""First crossing of a threshold, with implicit derivatives: the root finder behind
`qoj.release_time` (seed 001) and `qoj.prethermal.prethermalization_time` (seed 000).

`first_crossing(h, grid)` finds the first root of a scalar function h(u) on an ascending
grid: the first grid point where h has left the sign it has at grid[0] (an exact zero counts)
brackets the root, `n_bisect` bisections narrow the bracket, and one Newton step
u = u0 - h(u0) / h'(u0) finishes it. The grid search and the bisection run on stop-gradient
values, so nothing differentiates through the search; the Newton step is evaluated on the
live function, so derivatives with respect to any parameter theta that h closes over follow
the implicit function theorem, du/dtheta = -(dh/dtheta) / h'(u) at the root. Everything runs
with fixed iteration counts (jit/vmap-able).
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float


def first_crossing(
    h: Callable[[Array], Array],
    grid: Float[Array, " n"],
    *,
    n_bisect: int = 64,
    batch_size: int | None = None,
) -> tuple[Float[Array, ""], Bool[Array, ""]]:
    """(u, found): the first root of h on `grid` (ascending, at least two points).

    Args:
        h: a scalar function of a scalar; it may close over traced parameters.
        grid: the bracketing grid (its gradient is stopped); a crossing and a re-crossing
            inside one grid cell are missed.
        n_bisect: bisection steps inside the bracketing cell (64 reach round-off in double).
        batch_size: evaluate h on the grid with `lax.map` in batches of this size (bounds
            memory when h is expensive); None: one vmap.

    Returns:
        u, and whether h changed sign on the grid. Where it did not, u = grid[-1] (callers
        choose what that means). The Newton step is skipped (zero derivative instead of NaN)
        where h'(u0) vanishes or h(u0) is not finite, and u stays inside the grid cell.
    """
    grid = jax.lax.stop_gradient(grid)

    def frozen(u):
        return jax.lax.stop_gradient(h(u))

    if batch_size is None:
        values = jax.vmap(frozen)(grid)
    else:
        values = jax.lax.map(frozen, grid, batch_size=batch_size)
    sign0 = jnp.sign(values[0])
    crossed = (jnp.sign(values) != sign0) | (values == 0)
    found = jnp.any(crossed)
    i = jnp.argmax(crossed)  # the first crossing (0 if none: masked by `found`)
    exact = values[i] == 0  # an exact zero at a grid point: collapse the bracket onto it
    lo = jnp.where(exact, grid[i], grid[jnp.maximum(i - 1, 0)])
    hi = jnp.where(exact, grid[i], grid[jnp.maximum(i, 1)])

    def bisect(_, bracket):
        a, b = bracket
        mid = (a + b) / 2
        value = frozen(mid)
        same = (jnp.sign(value) == sign0) & (value != 0)
        return jnp.where(same, mid, a), jnp.where(same, b, mid)

    cell = (lo, hi)
    lo, hi = jax.lax.fori_loop(0, n_bisect, bisect, cell)
    u0 = jnp.where(found, (lo + hi) / 2, grid[-1])
    value, slope = jax.jvp(h, (u0,), (jnp.ones_like(u0),))
    usable = found & jnp.isfinite(value) & (slope != 0)
    step = jnp.where(usable, value / jnp.where(usable, slope, 1.0), 0.0)
    # clipped to the grid cell (not to the bisected bracket, which the Newton step may leave
    # by round-off: the clip would then cut the derivative)
    return jnp.clip(u0 - step, cell[0], cell[1]), found
