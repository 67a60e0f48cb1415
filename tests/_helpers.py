"""Shared test utilities: random Lindblad generators and finite differences."""

import jax.numpy as jnp
import numpy as np

import qoj


def random_hermitian(rng, n, scale=1.0):
    a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    return scale * (a + a.conj().T) / 2


def random_density_matrix(rng, n, rank=None):
    rank = n if rank is None else rank
    a = rng.normal(size=(n, rank)) + 1j * rng.normal(size=(n, rank))
    rho = a @ a.conj().T
    return rho / np.trace(rho)


def random_lindblad(rng, n, n_parts=2, channels=2, scale=1.0):
    h = random_hermitian(rng, n)
    dissipators = {}
    for p in range(n_parts):
        dissipators[f"bath{p}"] = [
            (
                rng.uniform(0.1, 1.0),
                scale * (rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))),
            )
            for _ in range(channels)
        ]
    return qoj.lindblad(h, dissipators)


def thermal_ladder_generator(rng, n, temperatures, coupling=0.3):
    """Davies-type generator: random spectrum, jumps |i><j| between every pair of levels with
    rates obeying detailed balance at each bath's temperature (thermal parts)."""
    energies = np.sort(rng.uniform(-2, 2, size=n))
    h = np.diag(energies)
    dissipators = {}
    for b, temperature in enumerate(temperatures):
        channels = []
        for i in range(n):
            for j in range(i + 1, n):
                gap = energies[j] - energies[i]
                down = coupling * rng.uniform(0.5, 1.5)
                op = np.zeros((n, n))
                op[i, j] = 1.0  # |i><j|: j -> i releases energy gap
                channels.append((down, op))
                channels.append((down * np.exp(-gap / temperature), op.T))
        dissipators[f"bath{b}"] = channels
    return qoj.lindblad(h, dissipators), h


def central_difference(f, x, step):
    return (f(x + step) - f(x - step)) / (2 * step)


def to_numpy(a):
    return np.asarray(jnp.asarray(a))
