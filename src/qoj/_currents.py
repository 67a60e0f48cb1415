"""Heat and particle currents, and the entropy production, of a generator's parts."""

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Complex, Float

from ._checks import density_matrix, square_matrix
from ._generator import Generator
from ._steady import steady_state


def _check(generator, rho, *, positive=True):
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a qoj.Generator, got {type(generator).__name__}")
    rho = density_matrix(rho, "rho", positive=positive)
    if rho.shape[0] != generator.dimension:
        raise ValueError(f"rho has dimension {rho.shape[0]}, the generator {generator.dimension}")
    return rho


def heat_currents(
    generator: Generator,
    rho: Complex[ArrayLike, "n n"],
    *,
    hamiltonian: ArrayLike | None = None,
    t=0.0,
) -> dict[str, Float[Array, ""]]:
    """Energy currents J_b = Tr[H L_b(t)(rho)] of every part b (API.md convention).

    J_b > 0 means energy flows from bath b into the system. `H` is the generator's bare system
    Hamiltonian unless `hamiltonian` is given. For a generator whose parts are the only
    dissipators, sum_b J_b = d<H>/dt (first law).

    `rho` must be Hermitian with unit trace; its positivity is not checked (the currents
    are linear in rho, and under `jit` the check would cost an eigendecomposition, several
    times the currents themselves).
    """
    rho = _check(generator, rho, positive=False)
    h = generator.hamiltonian if hamiltonian is None else square_matrix(hamiltonian, "hamiltonian")
    return {
        name: jnp.real(jnp.trace(part.adjoint(t, h) @ rho))
        for name, part in generator.parts.items()
    }


def particle_currents(
    generator: Generator, rho: Complex[ArrayLike, "n n"], number: ArrayLike, *, t=0.0
) -> dict[str, Float[Array, ""]]:
    """Particle currents I_b = Tr[N L_b(t)(rho)] of every part, N the number operator."""
    return heat_currents(generator, rho, hamiltonian=number, t=t)


def _log_positive(rho):
    values, vectors = jnp.linalg.eigh(rho)
    floor = jnp.finfo(values.dtype).tiny ** 0.5
    logs = jnp.log(jnp.maximum(values, floor))
    return (vectors * logs[None, :]) @ vectors.conj().T


def entropy_production(
    generator: Generator, rho: Complex[ArrayLike, "n n"], *, t=0.0
) -> Float[Array, ""]:
    """Spohn's entropy production rate sigma = -sum_b Tr[L_b(rho) (ln rho - ln pi_b)].

    pi_b is the fixed point of the coherent part plus part b alone (for a thermal bath at
    temperature T_b and a Davies generator, the Gibbs state at T_b, and then
    sigma = -Tr[L(rho) ln rho] - sum_b J_b/T_b, the Clausius form). Spohn's inequality
    guarantees sigma >= 0 whenever every part is of Lindblad form with L_b(pi_b) = 0, which
    is the case for "thermal parts": global (Davies) generators and local generators whose
    parts act on disjoint subsystems. For other generators (e.g. the local master equation
    of interacting subsystems, seed 002) sigma can be negative: that is the second-law
    violation those papers discuss.

    Eigenvalues of rho below sqrt(tiny) are clamped before the logarithm, so pure states give
    a large but finite value.
    """
    rho = _check(generator, rho)
    log_rho = _log_positive(rho)
    total = jnp.zeros((), dtype=jnp.real(rho).dtype)
    for name, part in generator.parts.items():
        fixed_point = steady_state(generator.restricted([name]), t)
        change = part(t, rho)
        total = total - jnp.real(jnp.trace(change @ (log_rho - _log_positive(fixed_point))))
    return total
