"""Two fermionic modes: the density matrix and its correlation matrix (seed 003, eqs 21-22).

The 4 x 4 space is that of `qoj.fermion_ops(2)`: the site modes c = (c_L, c_R) are
Jordan-Wigner annihilators on kron(mode L, mode R), each factor with index 0 = occupied and
index 1 = empty, so the vacuum |0> is the last basis state. A mode basis is d = R c for a
unitary 2 x 2 `rotation` R (default the identity: the site basis; the eigenmodes of H_S are
`eigenmodes(h, delta, g)[1]`, eq 16).

A state that conserves the particle number ([N, rho] = 0) has five real parameters (section
III B): the Hermitian correlation matrix C_jk = Tr[rho d_j^dag d_k] (eq 21) and the double
occupancy D = Tr[rho d_1^dag d_2^dag d_2 d_1] (eq 22). In terms of them

    rho = p_0 |0><0| + sum_ab (C - D)^T_ab d_a^dag|0><0|d_b + D d_1^dag d_2^dag|0><0|d_2 d_1,
    p_0 = 1 - Tr C + D,

so (C, D) is a state exactly when D >= 0, C - D 1 >= 0 and 1 - Tr C + D >= 0 (which imply
0 <= C <= 1). The state is Gaussian when D = det C: then rho = exp(-d^dag P^T d) / det(1 +
e^{-P}) with C = (e^P + 1)^{-1} (eq F6). D is the same in every mode basis (the two-particle
state picks up det R, of modulus 1).

Checked (tests/test_fermionic_exact.py): rho -> (C, D) -> rho and (C, D) -> rho -> (C, D) to
1e-14 for random number-conserving states and rotations; the Gaussian state against
exp(-d^dag P^T d)/det(1 + e^{-P}) built by matrix exponential.
"""

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Complex, Float, Inexact

from .._checks import _tolerance, concrete_value, density_matrix, ensure, square_matrix
from .._operators import fermion_ops
from .._precision import complex_dtype

# Eigenvalues of C (and of C - D, and p_0) may sit this far outside their range before a state
# is refused: room for the round-off of quadratures (C(t) is ~1e-14 accurate).
_SLACK = 1e-10


def _rotation(rotation) -> Complex[Array, "2 2"]:
    """The 2 x 2 unitary R of d = R c (identity when None); ValueError unless unitary."""
    if rotation is None:
        return jnp.eye(2, dtype=complex_dtype())
    r = square_matrix(rotation, "rotation")
    if r.shape != (2, 2):
        raise ValueError(f"rotation must be a 2 x 2 matrix, got shape {r.shape}")
    error = jnp.max(jnp.abs(r @ r.conj().T - jnp.eye(2, dtype=r.dtype)))
    return ensure(
        r, error > _tolerance(r.real.dtype), "rotation must be unitary (d = R c, R R^dag = 1)"
    )


def mode_annihilators(rotation: Inexact[ArrayLike, "2 2"] | None = None) -> Complex[Array, "2 4 4"]:
    """The mode operators d_j = sum_a R_ja c_a on the 4 x 4 space (c = `qoj.fermion_ops(2)`).

    **Arguments:** `rotation`: the unitary R (default identity: d = c, the site modes).

    **Returns:** shape (2, 4, 4); `d[j]` annihilates mode j.
    """
    r = _rotation(rotation)
    return jnp.einsum("ja,amn->jmn", r, fermion_ops(2))


def _vacuum() -> Complex[Array, "4 4"]:
    """|0><0|: both modes empty, the last basis state (index 1 = empty on each factor)."""
    return jnp.zeros((4, 4), complex_dtype()).at[3, 3].set(1.0)


def correlation_matrix(
    rho: Complex[ArrayLike, "4 4"], rotation: Inexact[ArrayLike, "2 2"] | None = None
) -> Complex[Array, "2 2"]:
    """C_jk = Tr[rho d_j^dag d_k] with d = R c (seed 003 eq 21).

    **Arguments:** `rho`: a 4 x 4 density matrix (Hermitian, unit trace); `rotation`: R
    (default identity: the site basis c).

    **Returns:** the Hermitian 2 x 2 matrix C (C_jj the occupation of mode j).
    """
    rho = density_matrix(rho, "rho", positive=False)
    _shape(rho)
    d = mode_annihilators(rotation)
    return jnp.einsum("jnm,kno,om->jk", d.conj(), d, rho)


def double_occupancy(rho: Complex[ArrayLike, "4 4"]) -> Float[Array, ""]:
    """D = Tr[rho d_1^dag d_2^dag d_2 d_1] = Tr[rho n_L n_R] (seed 003 eq 22; the same for every
    mode basis d = R c). **Arguments:** `rho`: a 4 x 4 density matrix."""
    rho = density_matrix(rho, "rho", positive=False)
    _shape(rho)
    # n_L n_R = |11><11|, the first basis state (index 0 = occupied on each factor)
    return jnp.real(rho[0, 0])


def _shape(rho):
    if rho.shape != (4, 4):
        raise ValueError(f"rho must be 4 x 4 (two fermionic modes), got shape {rho.shape}")


def _eigenvalues_2x2(a):
    """Ascending eigenvalues of a Hermitian 2 x 2 matrix (closed form; works batched)."""
    mean = jnp.real(a[..., 0, 0] + a[..., 1, 1]) / 2
    half = jnp.real(a[..., 0, 0] - a[..., 1, 1]) / 2
    radius = jnp.sqrt(half**2 + jnp.abs(a[..., 0, 1]) ** 2)
    return jnp.stack([mean - radius, mean + radius], axis=-1)


def _hermitian_2x2(c, name):
    c = square_matrix(c, name)
    if c.shape != (2, 2):
        raise ValueError(f"{name} must be a 2 x 2 matrix, got shape {c.shape}")
    tol = _SLACK * jnp.maximum(jnp.max(jnp.abs(c)), 1.0)
    bad = jnp.max(jnp.abs(c - c.conj().T)) > tol
    return ensure(c, bad, f"{name} must be Hermitian (a correlation matrix C_jk = <d_j^dag d_k>)")


def check_correlation_matrix(
    c: Inexact[ArrayLike, "2 2"], name: str = "C"
) -> Complex[Array, "2 2"]:
    """`c` as a complex array, or a ValueError unless it is Hermitian with eigenvalues in
    [0, 1] (0 <= C <= 1: a fermionic correlation matrix, seed 003 below eq 21). Under `jit`
    the error is raised at run time (`equinox.error_if`)."""
    c = _hermitian_2x2(c, name)
    eig = _eigenvalues_2x2(c)
    bad = (eig[0] < -_SLACK) | (eig[1] > 1 + _SLACK)
    value = concrete_value(eig)
    detail = "" if value is None else f", got eigenvalues {np.round(value, 12).tolist()}"
    return ensure(c, bad, f"{name} must satisfy 0 <= {name} <= 1 (eigenvalues in [0, 1]){detail}")


def check_correlations(
    c: Inexact[ArrayLike, "2 2"], d: Float[ArrayLike, ""]
) -> tuple[Complex[Array, "2 2"], Float[Array, ""]]:
    """(C, D) unchanged, or a ValueError unless they describe a number-conserving two-mode
    state: C Hermitian, D real, D >= 0, C - D 1 >= 0 and p_0 = 1 - Tr C + D >= 0 (the blocks
    of the 4 x 4 density matrix; see the module). These imply 0 <= C <= 1 and D <= min C_jj."""
    c = check_correlation_matrix(c)
    d = jnp.asarray(d)
    if d.ndim != 0:
        raise ValueError(f"D must be a scalar (the double occupancy), got shape {d.shape}")
    if jnp.iscomplexobj(d):
        d = ensure(jnp.real(d), jnp.abs(jnp.imag(d)) > _SLACK, "D must be real")
    d = jnp.real(d).astype(c.real.dtype)
    single = _eigenvalues_2x2(c - d * jnp.eye(2, dtype=c.dtype))[0]
    vacuum = 1 - jnp.real(jnp.trace(c)) + d
    d = ensure(d, d < -_SLACK, "D (double occupancy) must be >= 0")
    d = ensure(
        d,
        single < -_SLACK,
        "C - D 1 must be positive semidefinite (the one-particle block of rho): the double "
        "occupancy D cannot exceed the smaller eigenvalue of C",
    )
    d = ensure(
        d,
        vacuum < -_SLACK,
        "1 - Tr C + D (the vacuum probability) must be >= 0: (C, D) is not a state",
    )
    return c, d


def state_from_correlations(
    c: Inexact[ArrayLike, "2 2"],
    d: Float[ArrayLike, ""],
    rotation: Inexact[ArrayLike, "2 2"] | None = None,
) -> Complex[Array, "4 4"]:
    """The number-conserving 4 x 4 density matrix with correlation matrix C (in the basis
    d = R c) and double occupancy D (inverse of eqs 21-22; formula in the module docstring).

    **Arguments:** `c`: C_jk = <d_j^dag d_k>; `d`: D; `rotation`: R (default identity).
    ValueError (`check_correlations`) unless (C, D) is a state.

    **Returns:** rho on the space of `qoj.fermion_ops(2)` (site basis, vacuum last).
    """
    c, d = check_correlations(c, d)
    modes = mode_annihilators(rotation)
    vac = _vacuum()
    raised = jnp.einsum("jnm,mk->jnk", modes.conj().transpose(0, 2, 1), vac)  # d_j^dag |0><0|
    single = jnp.einsum(
        "ab,anm,bkm->nk", (c - d * jnp.eye(2, dtype=c.dtype)).T, raised, raised.conj()
    )
    pair = modes[0].conj().T @ raised[1]  # d_1^dag d_2^dag |0><0|
    p0 = 1 - jnp.real(jnp.trace(c)) + d
    return p0 * vac + single + d * pair @ pair.conj().T


def gaussian_state(
    c: Inexact[ArrayLike, "2 2"], rotation: Inexact[ArrayLike, "2 2"] | None = None
) -> Complex[Array, "4 4"]:
    """The Gaussian (quasi-free) state with correlation matrix C: D = det C (Wick's theorem;
    seed 003 eq F6, rho = exp(-d^dag P^T d) / det(1 + e^{-P}) with C = (e^P + 1)^{-1}, also for
    C with eigenvalues 0 or 1 where P is infinite). ValueError unless 0 <= C <= 1."""
    c = check_correlation_matrix(c)
    det = jnp.real(c[0, 0] * c[1, 1] - c[0, 1] * c[1, 0])
    return state_from_correlations(c, det, rotation)


def correlations(
    rho: Complex[ArrayLike, "4 4"], rotation: Inexact[ArrayLike, "2 2"] | None = None
) -> tuple[Complex[Array, "2 2"], Float[Array, ""]]:
    """(C, D) of a 4 x 4 density matrix: `correlation_matrix(rho, rotation)` and
    `double_occupancy(rho)` (eqs 21-22)."""
    return correlation_matrix(rho, rotation), double_occupancy(rho)
