"""Asymptotic non-Markovianity: the negative canonical rates of a generator at late times."""

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from .._checks import finite
from .._generator import Generator
from .._linalg import eigh
from ._canonical import kossakowski_matrix


def asymptotic_nonmarkovianity(
    generator: Generator,
    t: Float[ArrayLike, ""] | None = None,
    *,
    tolerance: float = 1e-12,
) -> Float[Array, ""]:
    """nu(t) = sum_k max(0, -gamma_k(t)), the negative canonical rates of a time-local
    generator at a (late) time t: the instantaneous Rivas-Huelga-Plenio rate of
    non-Markovianity, whose t -> inf limit is the asymptotic non-Markovianity nu_inf
    (Ribeiro et al.; seed 003 eq 82, section V C).

    The rates gamma_k are the eigenvalues of the Kossakowski matrix in qoj's normalisation
    (`qoj.nonmarkov.canonical_rates`: channels with Tr[L_k^dag L_k] = 1). A paper that
    normalises its jump operators differently gets rates scaled by Tr[L^dag L]: seed 003 uses
    fermionic modes d_j with Tr[d_j^dag d_j] = 2 on the two-mode Fock space, so for the dimer
    this function returns exactly 2 x `qoj.fermionic.rate_matrix_nonmarkovianity` (eq 82).

    Rates within `tolerance` x max|gamma_k| of zero count as zero, so that the vanishing rates
    of a generator whose Kossakowski matrix has a kernel (11 of the 15 for the dimer) give an
    exact 0 rather than round-off. Differentiable where no rate crosses zero (the derivative of
    a degenerate zero rate is taken as zero, `qoj._linalg.eigh`); vmappable.

    Args:
        generator: a `qoj.Generator`.
        t: the time at which its rates are taken. Required when the generator depends on time
            (pass a time late enough for the rates to have converged); None for a constant
            generator.
        tolerance: relative threshold below which a rate counts as zero.

    Returns:
        nu(t) >= 0 (0 iff the generator is of Lindblad form at t, up to `tolerance`).
    """
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a qoj.Generator, got {type(generator).__name__}")
    if t is None:
        if generator.is_time_dependent:
            raise ValueError(
                "the generator depends on time: give the late time t at which to take its rates"
            )
        t = 0.0
    t = finite(t, "t")
    if jnp.ndim(t) != 0:
        raise ValueError(f"t must be a scalar, got shape {jnp.shape(t)} (use jax.vmap)")
    rates, _ = eigh(kossakowski_matrix(generator, t))
    scale = jnp.max(jnp.abs(rates))
    negative = rates < -tolerance * scale
    return jnp.sum(jnp.where(negative, -rates, 0.0))
