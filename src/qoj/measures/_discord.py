"""Discord-like correlations of two qubits: entropic quantum discord (seed 001 eqs F1-F3,
F9-F10) and trace distance discord (seed 001 eqs 43-45; Ciccarello, Tufarelli & Giovannetti,
New J. Phys. 16, 013038 (2014)).

Both are one-sided: a projective measurement {|1><1|, |2><2|} along a Bloch direction n
(eqs F9-F10: |1> = cos(theta/2)|e> + e^{i phi} sin(theta/2)|g>, n = (sin theta cos phi,
sin theta sin phi, cos theta)) on one qubit. In Bloch form,

    rho = (1/4) [1 + x.sigma (x) 1 + 1 (x) y.sigma + sum_ij T_ij sigma_i (x) sigma_j],

both objectives are explicit functions of n (below), minimised over the sphere by
`_minimise_on_sphere`: a fixed Fibonacci grid of directions plus the axes, the local Bloch
vector x and the principal axes of T T^T (where optima of classical-quantum and
Bell-diagonal states sit exactly), then a derivative-free pattern search (eight directions
in the tangent plane, rotated each iteration, step halved on failure) from the best four
points. For the trace distance discord the two directions where its objective has a
conical kink are added as exact candidates (`_circular_sections`). Fixed iteration counts
keep it all a pure, jittable and vmappable function. On random states both minima agree
with independent brute-force minimisations (grid + Nelder-Mead on eqs F9-F10) to ~1e-14,
and the trace distance discord with the X-state closed form to ~1e-15.

Derivatives: the optimal direction is held fixed (`stop_gradient`) and the objective
re-evaluated; by the envelope theorem this is the derivative of the measure wherever the
optimum is unique and the objective smooth there. When the optimum sits on a kink it moves
with the state along the kink, so the kink direction itself is differentiated.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float, Inexact

from .._checks import _tolerance
from .._linalg import eigh
from ._numerics import (
    _X_PATTERN,
    bloch_components,
    entropy_nats,
    hermitian_eigvals,
    log_factor,
    measured_index,
    modulus,
    safe_sqrt,
    swap_parts,
    two_qubit_state,
    x_state,
    xlogx,
)

_GRID_POINTS = 200
_STARTS = 4
_ITERATIONS = 96
_STENCIL = 8
_KINK_PREFERENCE = 1e-11


def _fibonacci_hemisphere(count: int) -> np.ndarray:
    """`count` nearly uniform unit vectors with z >= 0 (n and -n are the same measurement),
    plus the three axes, where X states often have their optimum."""
    k = np.arange(count) + 0.5
    z = 1.0 - k / count
    r = np.sqrt(1.0 - z**2)
    phi = np.pi * (1.0 + np.sqrt(5.0)) * k
    points = np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)
    return np.concatenate([np.eye(3), points])


_GRID = _fibonacci_hemisphere(_GRID_POINTS)
_INITIAL_STEP = 2.0 * np.sqrt(2.0 * np.pi / _GRID_POINTS)


def _tangent_basis(n):
    """Two unit vectors e1, e2 with (e1, e2, n) orthonormal."""
    reference = jnp.eye(3, dtype=n.dtype)[jnp.argmin(jnp.abs(n))]
    e1 = jnp.cross(n, reference)
    e1 = e1 / jnp.linalg.norm(e1)
    return e1, jnp.cross(n, e1)


def _natural_directions(x, t):
    """Directions where optima often sit exactly: the local Bloch vector x (optimal for
    classical-quantum states) and the principal axes of T T^T (Bell-diagonal states)."""
    length = jnp.linalg.norm(x)
    along_x = jnp.where(length > 0, x / jnp.where(length > 0, length, 1.0), jnp.eye(3)[2])
    return jnp.concatenate([along_x[None, :], jnp.linalg.eigh(t @ t.T)[1].T])


def _minimise_on_sphere(objective, extra):
    """The unit vector n minimising `objective(n)` (a scalar function), and the minimum;
    `extra` (k, 3) are further unit vectors added to the grid."""
    grid = jnp.concatenate([jnp.asarray(_GRID, dtype=extra.dtype), extra])
    values = jax.vmap(objective)(grid)
    starts = jnp.argsort(values)[:_STARTS]
    offsets = 2.0 * np.pi * np.arange(_STENCIL) / _STENCIL

    def refine(n, value):
        def step(k, state):
            n, value, h = state
            e1, e2 = _tangent_basis(n)
            angles = jnp.asarray(offsets) + 0.7 * k
            moves = jnp.cos(angles)[:, None] * e1[None, :] + jnp.sin(angles)[:, None] * e2[None, :]
            candidates = n[None, :] + h * moves
            candidates = candidates / jnp.linalg.norm(candidates, axis=1, keepdims=True)
            trial = jax.vmap(objective)(candidates)
            best = jnp.argmin(trial)
            better = trial[best] < value
            n = jnp.where(better, candidates[best], n)
            value = jnp.where(better, trial[best], value)
            return n, value, jnp.where(better, h, 0.5 * h)

        initial = (n, value, jnp.asarray(_INITIAL_STEP, dtype=value.dtype))
        n, value, _ = jax.lax.fori_loop(0, _ITERATIONS, step, initial)
        return n, value

    directions, minima = jax.vmap(refine)(grid[starts], values[starts])
    best = jnp.argmin(minima)
    return directions[best], minima[best]


def _conditional_entropy(n, x, y, t):
    """sum_j p_j S(rho_B|j) (nats) after measuring qubit A along n (eq F3's second term).

    Outcome +-: p = (1 +- n.x)/2 and the unnormalised state of B is (p 1 + w.sigma)/2 with
    w = (y +- T^T n)/2, eigenvalues (p +- |w|)/2; so p S(rho_B|j) = H(eigenvalues) + p ln p,
    with no division by a vanishing p.
    """
    projection = jnp.dot(n, x)
    transformed = t.T @ n
    total = jnp.zeros((), dtype=x.dtype)
    for sign in (1.0, -1.0):
        p = 0.5 * (1.0 + sign * projection)
        w = 0.5 * (y + sign * transformed)
        length = safe_sqrt(jnp.dot(w, w))
        total = total - xlogx(0.5 * (p + length)) - xlogx(0.5 * (p - length)) + xlogx(p)
    return total


def _oriented(rho, measured):
    """The validated state with the measured qubit first."""
    rho = two_qubit_state(rho)
    return swap_parts(rho, (2, 2)) if measured_index(measured) == 1 else rho


# The numerical cores are jitted (after the eager input checks), so that eager calls and
# eager derivatives compile once instead of dispatching the search op by op.
@jax.jit
def _discord_nats(rho):
    x, y, t = bloch_components(rho)
    n = _entropic_direction(*(jax.lax.stop_gradient(v) for v in (x, y, t)))
    length = safe_sqrt(jnp.dot(x, x))
    s_a = -xlogx(0.5 * (1.0 + length)) - xlogx(0.5 * (1.0 - length))
    s_ab = entropy_nats(hermitian_eigvals(rho))
    return jnp.maximum(s_a - s_ab + _conditional_entropy(n, x, y, t), 0.0)


def discord(
    rho: Inexact[ArrayLike, "4 4"], *, measured: int = 0, base: float = math.e
) -> Float[Array, ""]:
    """Quantum discord of two qubits with projective measurements (Ollivier–Zurek; seed 001
    eqs F1-F3, F9-F10):

        D(B|A) = I(A:B) - C(B|A) = S(rho_A) - S(rho_AB) + min_n sum_j p_j S(rho_B|j),

    C(B|A) = S(rho_B) - min_n sum_j p_j S(rho_B|j) the classical correlation, the minimum
    over projective measurements of qubit A along Bloch directions n (eqs F9-F10). This is
    the projective-measurement discord of the seed; general POVMs can lower the conditional
    entropy marginally for some states (Galve, Giorgi & Zambrini 2011), not considered here.

    **Which part is measured:** `measured=0` (default) measures part 1 (the first factor of
    `kron`), giving the seed's D(B|A); `measured=1` measures part 2.

    **Units:** natural log by default; `base=2` gives bits (a Bell state has D = ln 2 nats =
    1 bit, seed 001 plots bits).

    **Accuracy and derivatives:** the minimum over n is found numerically (module docstring;
    agreement with a brute-force minimisation ~1e-14); for Werner and Bell-diagonal states
    it reproduces Luo's closed form. The derivative with respect to rho is taken at
    the optimal measurement (envelope theorem), exact where that optimum is unique; the
    optimisation itself is not differentiated through. Jittable and vmappable (fixed
    iteration counts, no Python control flow on values).

    **Arguments:** `rho`: a two-qubit density matrix (4 x 4); `measured`: 0 or 1;
    `base`: logarithm base.

    **Returns:** a real scalar >= 0; 0 for product and classical-quantum states, S(rho_A) for
    pure states.
    """
    factor = log_factor(base)
    return factor * _discord_nats(_oriented(rho, measured))


def _distance_to_dephased(n, x, t):
    """(1/2) min ||rho - rho_CQ||_1 over the CQ states of eq 43 with the basis of direction n.

    Writing P = |1><1| (x) 1 and Q = |2><2| (x) 1, M = rho - rho_CQ keeps the off-diagonal
    blocks P rho Q + Q rho P whatever rho_CQ is; that part equals (M - Z M Z)/2 with the
    unitary Z = P - Q, so ||M||_1 >= ||P rho Q + Q rho P||_1 = 2 ||<1|rho|2>||_1, with
    equality for the dephased state rho_CQ = P rho P + Q rho Q. With m = <1|sigma|2>
    (= e1 + i e2 up to a phase, e1, e2, n orthonormal), <1|rho|2> = (a 1 + b.sigma)/4,
    a = m.x, b = T^T m, and ||A||_1 = sqrt(||A||_F^2 + 2|det A|) for 2 x 2 matrices:

        f(n) = (1/4) sqrt(2(|a|^2 + |b|^2) + 2|a^2 - b.b|)
             = (1/2) sqrt(|x_perp|^2 + lambda_max(S_perp)),   S = T T^T - x x^T,

    x_perp, S_perp the projections onto the plane orthogonal to n. The first form is the
    one evaluated: it has no cancellation, so f is accurate to round-off also where it
    vanishes (the second loses half the digits there, f ~ sqrt(eps)).
    """
    e1, e2 = _tangent_basis(n)
    m = e1 + 1j * e2
    a = jnp.dot(m, x)
    b = t.T @ m
    frobenius = jnp.abs(a) ** 2 + jnp.sum(jnp.abs(b) ** 2)
    return 0.25 * safe_sqrt(2.0 * frobenius + 2.0 * modulus(a**2 - jnp.sum(b**2)))


def _circular_sections(x, t):
    """The two normals n of the planes on which S = T T^T - x x^T restricts to a multiple
    of the identity (the circular sections of its quadric: n ~ sqrt(s1 - s2) e1 +-
    sqrt(s2 - s3) e3, s1 >= s2 >= s3 the eigenvalues). f(n) has a conical kink there (the
    two eigenvalues of S_perp cross, `_distance_to_dephased`), where the optimum of X
    states often sits and where a direct search converges slowly; these candidates make
    that case exact."""
    values, vectors = eigh(t @ t.T - jnp.outer(x, x))
    upper = safe_sqrt(values[2] - values[1])
    lower = safe_sqrt(values[1] - values[0])
    candidates = jnp.stack(
        [
            upper * vectors[:, 2] + lower * vectors[:, 0],
            upper * vectors[:, 2] - lower * vectors[:, 0],
        ]
    )
    norms = jnp.linalg.norm(candidates, axis=1, keepdims=True)
    fine = norms > 0
    return jnp.where(fine, candidates / jnp.where(fine, norms, 1.0), vectors[:, 2][None, :])


def _x_state_distance_discord(rho):
    """Closed form of Ciccarello, Tufarelli & Giovannetti (2014) for X states, qubit 1
    measured, in the normalisation of seed 001 eq 44:

        D = (1/2) sqrt[(g1^2 g_max^2 - g2^2 g_min^2) / (g_max^2 - g_min^2 + g1^2 - g2^2)],
        g_max^2 = max(g3^2, g2^2 + x3^2),  g_min^2 = min(g1^2, g3^2),

    g1 >= g2 >= 0 the singular values of the x-y block of T (2(|z| + |w|), 2||z| - |w||),
    g3 = T_zz = a - b - c + d, x3 = a + b - c - d (rho as in eq F14). The denominator
    vanishes only if g1 = g2 = |g3| and x3 = 0, where D = g1/2.
    """
    a, b, c, d = (rho[k, k].real for k in range(4))
    w, z = modulus(rho[3, 0]), modulus(rho[2, 1])
    g1_sq = 4.0 * (z + w) ** 2
    g2_sq = 4.0 * (z - w) ** 2
    g3_sq = (a - b - c + d) ** 2
    x3_sq = (a + b - c - d) ** 2
    g_max_sq = jnp.maximum(g3_sq, g2_sq + x3_sq)
    g_min_sq = jnp.minimum(g1_sq, g3_sq)
    numerator = g1_sq * g_max_sq - g2_sq * g_min_sq
    denominator = g_max_sq - g_min_sq + g1_sq - g2_sq
    regular = denominator > 1e3 * jnp.finfo(denominator.dtype).eps
    ratio = jnp.where(regular, numerator / jnp.where(regular, denominator, 1.0), g1_sq)
    return 0.5 * safe_sqrt(ratio)


def _constant_output(function):
    """`function` (jitted) as a function with zero derivative: the searches' results are used
    with the envelope theorem and never differentiated, and this keeps `jax.grad` from
    tracing (and compiling) a derivative of the search loop."""
    function = jax.jit(function)
    wrapped = jax.custom_jvp(function)
    wrapped.defjvp(lambda primals, tangents: (out := function(*primals), jnp.zeros_like(out)))
    return wrapped


@_constant_output
def _entropic_direction(x, y, t):
    """The measurement direction minimising `_conditional_entropy`."""
    objective = lambda m: _conditional_entropy(m, x, y, t)
    return _minimise_on_sphere(objective, _natural_directions(x, t))[0]


@_constant_output
def _distance_search(x, t):
    """The direction found by the direct search for the minimum of `_distance_to_dephased`."""
    objective = lambda m: _distance_to_dephased(m, x, t)
    return _minimise_on_sphere(objective, _natural_directions(x, t))[0]


def _numerical_distance_discord(x, t):
    """min_n f(n) (`_distance_to_dephased`) over the direct search's result and the two kink
    candidates (`_circular_sections`), whichever is lower. Derivatives: with the searched
    direction held fixed (envelope theorem, valid at a smooth optimum); at a kink optimum
    the minimiser moves with the state along the kink, so there the candidate direction
    itself is differentiated (f is smooth along the kink curve)."""
    searched = _distance_search(jax.lax.stop_gradient(x), jax.lax.stop_gradient(t))
    candidates = jnp.concatenate([searched[None, :], _circular_sections(x, t)])
    values = jax.vmap(lambda m: _distance_to_dephased(m, x, t))(candidates)
    # A search that converged onto a kink ties with the kink candidate up to round-off:
    # prefer the candidate then, whose derivative follows the kink.
    bias = jnp.asarray([_KINK_PREFERENCE, 0.0, 0.0], dtype=values.dtype)
    return values[jnp.argmin(jax.lax.stop_gradient(values) + bias)]


def trace_distance_discord_x_state(
    rho: Inexact[ArrayLike, "4 4"], *, measured: int = 0
) -> Float[Array, ""]:
    """Trace distance discord of a two-qubit X state in closed form (Ciccarello, Tufarelli &
    Giovannetti 2014, used in seed 001 eq 45); see `trace_distance_discord` for the
    definition and normalisation. Entries outside the X pattern (eq F14) raise a ValueError.

    **Arguments:** `rho`: a two-qubit X-state density matrix; `measured`: 0 (part 1, the
    seed's D->) or 1.

    **Returns:** a real scalar in [0, 1/2]. Differentiable (away from the switches between
    the max/min branches, where it has kinks).
    """
    rho = x_state(rho)
    return _x_state_distance_discord(_oriented(rho, measured))


def trace_distance_discord(
    rho: Inexact[ArrayLike, "4 4"], *, measured: int = 0
) -> Float[Array, ""]:
    """One-sided trace distance discord of two qubits (seed 001 eqs 43-44):

        D->(rho) = (1/2) min_{rho_CQ} ||rho - rho_CQ||_1,
        rho_CQ = sum_j |a_j><a_j| (x) rho_2(j)   (classical on the measured qubit),

    the trace distance (normalisation 1/2, as eq 44) to the nearest classical-quantum state.
    Bell states: 1/2; Bell-diagonal states (1/4)(1 + sum c_i sigma_i (x) sigma_i): the middle
    one of |c_1|, |c_2|, |c_3|, halved.

    **Computation:** for a measured qubit the minimisation over the rho_2(j) is exact: the
    closest CQ state for a basis {|1>, |2>} is the dephased state, and the distance is
    ||<1|rho|2>||_1 (proof in `_distance_to_dephased`), which leaves a minimisation over the
    Bloch sphere, done numerically (module docstring; ~1e-14 agreement with brute force and
    with the X-state closed form on random states). X states (eq F14) use the exact closed
    form of Ciccarello et al. (`trace_distance_discord_x_state`) instead: the choice is
    made at run time, so this stays jittable. Derivatives: at the optimal direction
    (envelope theorem; along the kink for kink optima), or of the closed form for X states;
    the measure itself has kinks where the optimal direction jumps.

    **Arguments:** `rho`: a two-qubit density matrix (4 x 4); `measured`: 0 (default: part 1
    measured, the seed's D-> "from 1 to 2") or 1.

    **Returns:** a real scalar in [0, 1/2].
    """
    return _trace_distance_discord(_oriented(rho, measured))


@jax.jit
def _trace_distance_discord(rho):
    x, _, t = bloch_components(rho)
    numerical = _numerical_distance_discord(x, t)
    outside = jnp.where(jnp.asarray(~_X_PATTERN), jnp.abs(rho), 0.0)
    is_x_state = jnp.max(outside) <= 10 * _tolerance(rho.real.dtype)
    return jnp.where(is_x_state, _x_state_distance_discord(rho), numerical)
