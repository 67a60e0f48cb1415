"""Gaussian states by their covariance matrix: thermal and correlated locally thermal states,
symplectic eigenvalues, the uncertainty relation (seed 001, appendix D).

Convention of `_quadratic.py`: r = (x_1, p_1, ..., x_n, p_n), vacuum C = 1/2. A covariance
matrix is physical (a quantum state) iff (seed 001 eq D2; Simon, Mukunda, Dutta)

    C + (i/2) Omega >= 0,

equivalently C > 0 and every symplectic eigenvalue (the moduli of the eigenvalues of i Omega C,
`qoj.measures.symplectic_eigenvalues`, re-exported here) is >= 1/2. The validation is
`qoj.measures._gaussian.physical_covariance`, shared with `qoj.measures`.
"""

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Bool, Float

from .._checks import ensure, finite
from .._precision import complex_dtype, real_dtype
from ..measures._gaussian import physical_covariance
from ._quadratic import Covariance, _as_covariance, symplectic_form


def thermal_covariance(occupations: Float[ArrayLike, " n"]) -> Covariance:
    """Covariance matrix of a product of thermal states: C = diag(N_i + 1/2) (x) 1_2.

    Args:
        occupations: mean boson numbers N_i = 1/(e^{omega_i/T_i} - 1) >= 0, shape (n,).
    """
    n = finite(jnp.asarray(occupations, real_dtype()), "occupations")
    if n.ndim != 1:
        raise ValueError(f"occupations must be one-dimensional, got shape {n.shape}")
    n = ensure(n, n < 0, "occupations must be non-negative")
    return jnp.diag(jnp.repeat(n + 0.5, 2))


def uncertainty_eigenvalue(covariance: Covariance) -> Float[Array, ""]:
    """The smallest eigenvalue of the Hermitian C + (i/2) Omega: >= 0 iff C is physical."""
    c = _as_covariance(covariance)
    omega = symplectic_form(c.shape[0] // 2)
    return jnp.linalg.eigvalsh(c.astype(complex_dtype()) + 0.5j * omega)[0]


def is_physical(covariance: Covariance) -> Bool[Array, ""]:
    """Whether C + (i/2) Omega >= 0 (seed 001 eq D2), to the round-off tolerance of
    `check_physical` (1e4 eps max(1, |C|)); a boolean, for masks and shading."""
    c = _as_covariance(covariance)
    eps = jnp.finfo(c.dtype).eps
    return uncertainty_eigenvalue(c) >= -1e4 * eps * jnp.maximum(1.0, jnp.max(jnp.abs(c)))


def check_physical(covariance: Covariance, name: str = "covariance") -> Covariance:
    """Return C, raising a ValueError (an `eqx.error_if` under tracing) unless it is a real,
    finite, symmetric (2n, 2n) matrix with C + (i/2) Omega >= 0 (seed 001 eq D2).

    This is `qoj.measures._gaussian.physical_covariance` (one check for all of qoj).
    """
    return physical_covariance(covariance, name)


def correlated_thermal_covariance(
    occupation: Float[ArrayLike, ""],
    c13: Float[ArrayLike, ""],
    c24: Float[ArrayLike, ""],
    *,
    check: bool = True,
) -> Covariance:
    """Two locally thermal modes with x_1-x_2 and p_1-p_2 correlations (seed 001, eqs 31, D1).

        C = [[c11, 0, c13, 0], [0, c11, 0, c24], [c13, 0, c11, 0], [0, c24, 0, c11]],
        c11 = N_S + 1/2,   c13 = <{x_1, x_2}>/2,   c24 = <{p_1, p_2}>/2

    (c13 + c24 = 2 Re <a_1^dag a_2> and c13 - c24 = 2 Re <a_1 a_2>.) Each mode alone is
    thermal with occupation N_S. Physical iff `correlated_thermal_region` (eqs D3-D4).

    Args:
        occupation: N_S >= 0.
        c13, c24: the correlations C13(0), C24(0).
        check: raise a ValueError for an unphysical matrix (`check_physical`).
    """
    n_s = finite(jnp.asarray(occupation, real_dtype()), "occupation")
    c13 = finite(jnp.asarray(c13, real_dtype()), "c13")
    c24 = finite(jnp.asarray(c24, real_dtype()), "c24")
    for value, label in ((n_s, "occupation"), (c13, "c13"), (c24, "c24")):
        if value.ndim:
            raise ValueError(f"{label} must be a scalar, got shape {value.shape}")
    d = n_s + 0.5
    z = jnp.zeros_like(d)
    c = jnp.stack(
        [
            jnp.stack([d, z, c13, z]),
            jnp.stack([z, d, z, c24]),
            jnp.stack([c13, z, d, z]),
            jnp.stack([z, c24, z, d]),
        ]
    )
    return check_physical(c, "the correlated thermal covariance") if check else c


def correlated_thermal_region(
    occupation: Float[ArrayLike, "..."],
    c13: Float[ArrayLike, "..."],
    c24: Float[ArrayLike, "..."],
) -> Bool[Array, "..."]:
    """Where the matrix of `correlated_thermal_covariance` is physical (seed 001, eqs D3-D4).

        |C13| < c11 and |C24| < c11                                  (D3, C > 0)
        nu_-^2 = (Delta - sqrt(Delta^2 - 4 I_Sigma))/2 >= 1/4         (D4)
        Delta = 2 c11^2 + 2 C13 C24,   I_Sigma = (c11^2 - C13^2)(c11^2 - C24^2),   c11 = N_S + 1/2

    Since Delta^2 - 4 I_Sigma = 4 c11^2 (C13 + C24)^2, D4 is c11^2 + C13 C24 - c11 |C13 + C24|
    >= 1/4.

    Arguments broadcast against each other (e.g. a `jnp.meshgrid` of C13, C24 for the shading
    of the seed's fig 7). On the diagonal C13 = C24 this is |C13| <= N_S, and over the whole
    region |C13 + C24| <= 2 N_S (eq D5; both checked in the tests).
    """
    n_s, c13, c24 = jnp.broadcast_arrays(
        jnp.asarray(occupation, real_dtype()),
        jnp.asarray(c13, real_dtype()),
        jnp.asarray(c24, real_dtype()),
    )
    d2 = (n_s + 0.5) ** 2
    # Delta^2 - 4 I_Sigma = 4 c11^2 (C13 + C24)^2, so D4 reads
    # nu_-^2 = c11^2 + C13 C24 - c11 |C13 + C24| >= 1/4
    nu2 = d2 + c13 * c24 - jnp.sqrt(d2) * jnp.abs(c13 + c24)
    positive = (jnp.abs(c13) ** 2 < d2) & (jnp.abs(c24) ** 2 < d2)
    return positive & (nu2 >= 0.25 * (1 - 1e-12))
