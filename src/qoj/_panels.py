"""Composite Gauss-Legendre rules on panels scaled by a resolution time `dt`.

Shared by the integrals over a bath's spectrum whose integrands have features of width ~1/dt:
the principal value of `Bath.lamb_shift` and the coarse-grained rates. Distances are in
units of 1/dt unless said otherwise.
"""

import jax.numpy as jnp
import numpy as np

from ._precision import real_dtype

# Gauss-Legendre nodes per panel.
NODES = 16
# Width of the panels that resolve oscillations: e^{i x} over 8 radians is integrated by 16
# Gauss-Legendre nodes to ~1e-17.
WIDTH = 8.0
# Geometric grading towards a point below the first panel: ratio 2 (resolves smooth features
# such as exp(-nu/cutoff) or the thermal scale), then ratio 8 (integrable singularities
# |nu|^(s-1)), down to ~4e-19.
_FINE_LEVELS = 16
_COARSE_LEVELS = 16
# Geometric panels out to the end of a half-interval (ratio 2.5 for a length of ~4e11).
OUTER_LEVELS = 24


def graded_edges() -> np.ndarray:
    """Panel edges in [0, WIDTH], graded geometrically towards 0."""
    fine = WIDTH * 2.0 ** -np.arange(_FINE_LEVELS, -1, -1)
    coarse = fine[0] * 8.0 ** -np.arange(_COARSE_LEVELS, 0, -1)
    return np.concatenate([[0.0], coarse, fine])


def composite_rule(edges, nodes: int = NODES):
    """Gauss-Legendre nodes and weights (`nodes` per panel) on the panels between consecutive
    `edges`.

    Works on NumPy arrays (static rules) and on JAX arrays (edges that depend on traced
    values); a panel of zero width gets zero weights.
    """
    xp = np if isinstance(edges, np.ndarray) else jnp
    lo, width = edges[:-1], edges[1:] - edges[:-1]
    gl_x, gl_w = np.polynomial.legendre.leggauss(nodes)
    x = xp.asarray((gl_x + 1) / 2)
    w = xp.asarray(gl_w / 2)
    return (lo[:, None] + width[:, None] * x[None, :]).ravel(), (
        width[:, None] * w[None, :]
    ).ravel()


def geometric_edges(start, length, levels=OUTER_LEVELS):
    """`levels` edges growing geometrically from `start` (exclusive) to `length` (inclusive)."""
    ratio = jnp.maximum(length / start, 1.0) ** (1.0 / levels)
    return start * ratio ** jnp.arange(1, levels + 1, dtype=real_dtype())


def half_interval_rule(length, dt, uniform_panels):
    """Composite rule on [0, length] (frequency units), graded towards 0.

    Panels: graded below WIDTH/dt, uniform of width WIDTH/dt out to uniform_panels * WIDTH/dt,
    then geometric out to `length`; every edge is clipped to `length`, so a short interval
    has fewer (nonzero) panels. Returns (distances, weights).
    """
    z = WIDTH * uniform_panels
    uniform = WIDTH * np.arange(2, uniform_panels + 1)
    outer = geometric_edges(z, length * dt)
    u = jnp.concatenate(
        [jnp.asarray(graded_edges(), real_dtype()), jnp.asarray(uniform, real_dtype()), outer]
    )
    edges = jnp.minimum(u / dt, length).at[-1].set(length)
    return composite_rule(edges)


def symmetric(nodes: np.ndarray, weights: np.ndarray):
    """A rule on [0, a] mirrored onto [-a, a]."""
    return np.concatenate([-nodes[::-1], nodes]), np.concatenate([weights[::-1], weights])
