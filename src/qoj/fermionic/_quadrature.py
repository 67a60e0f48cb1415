"""The quadrature rules of seed 003's integrals: frequencies over the Newns band, and times.

Frequencies (`frequency_rule`). Every integral over the band runs over one rule: composite
16-node Gauss-Legendre panels on [-Omega, Omega], cut

* into `panels` panels of equal width W = 2 Omega / panels, short enough that e^{-iwt} turns
  by at most 16 radians across one up to t_max (`panel_count`; at least 32);
* geometrically (ratio 4) towards each band edge, down to W 4^-12 (the square-root edges of
  J(w), eq 19);
* geometrically around each feature centre c with scale s: edges at c and c +- s r^k,
  k = 0 ... 11, with r = max(4, (W/s)^(1/11)), so that the grading always reaches W. The
  centres are the peaks E'_j of phi_j (s = Gamma_j / 4: the Lorentzian's poles lie at
  E'_j +- i Gamma_j / 2) and the Fermi levels mu_a (s = pi T_a / 4: the Fermi function's poles
  lie at mu_a +- i pi T_a (2n + 1); at T_a = 0 the step sits on the edge c = mu_a).

Every feature of the integrands then lies at a panel edge, and (for r = 4) every panel is at
most three times as long as its distance to the nearest singularity, where 16 nodes are
accurate to ~1e-16. The
nodes are placed in w itself (a node's rounding error is eps |w|, not eps Omega as for a rule
built in the chain's wave number), and they move with the centres, so that derivatives with
respect to mu, T, h, ... are those of the integrals (T = 0 included). The number of nodes is
static: 16 (panels + 25 x 4 centres + 24).

Measured against scipy.quad with breakpoints (and int phi_j = 1, eq 26) for int phi_j f_a,
eq 32 and the Landauer current, at Fig 3-5's parameters and harder ones (T = 0, T = 1e-4 <<
Gamma = 1e-3, mu on a peak with T = 1e-7, levels near the band edge with Gamma/Omega = 0.2):
<= 5e-15 with 2496 nodes (32 panels). For very narrow peaks the rule is limited by round-off
(eps |E'_j| / Gamma_j per node): 3e-12 at Gamma/Omega = 1e-6, 2e-9 at 1e-9.

Times (`gauss_legendre` on uniform panels, in `_exact`): the same 16-node rule, the panels
short enough that e^{iws} turns by at most 16 radians across one.
"""

import math

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float

from .._checks import concrete_value
from .._precision import real_dtype

# Gauss-Legendre nodes per panel.
NODES = 16
# Largest phase (radians) of e^{iwt} across one panel: 16 nodes integrate it to ~1e-16.
PHASE = 16.0
MIN_PANELS = 32
# Graded panels on each side of a centre, and towards each band edge; smallest ratio.
_LEVELS = 12
_EDGE_LEVELS = 12
_RATIO = 4.0
# A scale below this fraction of W (T = 0 included) is graded as if it were this one.
_SMALLEST_SCALE = 1e-15


def gauss_legendre() -> tuple[np.ndarray, np.ndarray]:
    """The NODES Gauss-Legendre nodes and weights on [0, 1] (static)."""
    x, w = np.polynomial.legendre.leggauss(NODES)
    return (x + 1) / 2, w / 2


def composite(edges: Float[Array, " p"]) -> tuple[Float[Array, " n"], Float[Array, " n"]]:
    """Composite Gauss-Legendre nodes and weights on the consecutive `edges`."""
    x, w = (jnp.asarray(a, edges.dtype) for a in gauss_legendre())
    lo, width = edges[:-1, None], (edges[1:] - edges[:-1])[:, None]
    return (lo + width * x[None, :]).ravel(), (width * w[None, :]).ravel()


def _static_count(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def panel_count(phase_length: ArrayLike, given: int | None, name: str) -> int:
    """`given` (a static int), or the number of panels that keeps each below PHASE radians of
    a phase growing to `phase_length` (e.g. 2 Omega t_max) when that is concrete."""
    if given is not None:
        return _static_count(given, name)
    value = concrete_value(phase_length)
    if value is None:
        raise TypeError(
            f"{name} must be given (a static int) when Omega or t_max are traced (jit/vmap): "
            f"use at least ceil(2 Omega t_max / {PHASE:g})"
        )
    return max(MIN_PANELS, math.ceil(float(value) / PHASE))


def frequency_rule(
    Omega: ArrayLike,
    centres: Float[ArrayLike, " c"],
    scales: Float[ArrayLike, " c"],
    panels: int = MIN_PANELS,
) -> tuple[Float[Array, " n"], Float[Array, " n"]]:
    """Nodes and weights for int_{-Omega}^{Omega} g(w) dw (see the module): `panels` uniform
    panels (static), graded towards the band edges and around each of the `centres` down to
    its `scale` (>= 0; centres outside the band only add panels of zero width).

    **Returns:** (nodes, weights), each of static length 16 (panels + 25 c + 24).
    """
    rdt = real_dtype()
    Omega = jnp.asarray(Omega, rdt)
    centres, scales = jnp.asarray(centres, rdt), jnp.asarray(scales, rdt)
    width = 2 * Omega / panels
    uniform = Omega * jnp.asarray(np.linspace(-1.0, 1.0, panels + 1), rdt)
    inward = width * _RATIO ** -jnp.arange(1, _EDGE_LEVELS + 1, dtype=rdt)
    scales = jnp.maximum(scales, _SMALLEST_SCALE * width)
    ratio = jnp.maximum(_RATIO, (width / scales) ** (1 / (_LEVELS - 1)))
    offsets = scales[:, None] * ratio[:, None] ** jnp.arange(_LEVELS, dtype=rdt)[None, :]
    graded = centres[:, None] + jnp.concatenate(
        [-offsets, jnp.zeros_like(offsets[:, :1]), offsets], axis=1
    )
    edges = jnp.concatenate([uniform, -Omega + inward, Omega - inward, graded.ravel()])
    return composite(jnp.sort(jnp.clip(edges, -Omega, Omega)))
