"""Row-major vectorisation and the real Hermitian operator basis."""

import numpy as np

from qoj import _superop as so

from _helpers import random_density_matrix, random_hermitian, random_lindblad


def test_vec_identity():
    rng = np.random.default_rng(0)
    a, b, rho = (rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3)) for _ in range(3))
    np.testing.assert_allclose(so.sandwich(a, b) @ so.vec(rho), so.vec(a @ rho @ b), atol=1e-12)
    np.testing.assert_allclose(so.left(a) @ so.vec(rho), so.vec(a @ rho), atol=1e-12)
    np.testing.assert_allclose(so.right(b) @ so.vec(rho), so.vec(rho @ b), atol=1e-12)


def test_hermitian_basis_is_orthonormal_and_hermitian():
    for d in (1, 2, 4):
        u = np.asarray(so.hermitian_basis(d, np.complex128))
        np.testing.assert_allclose(u.conj().T @ u, np.eye(d * d), atol=1e-14)
        for a in range(d * d):
            b = u[:, a].reshape(d, d)
            np.testing.assert_allclose(b, b.conj().T, atol=1e-14)
        traces = [np.trace(u[:, a].reshape(d, d)) for a in range(d * d)]
        np.testing.assert_allclose(traces, so.trace_coordinates(d, np.float64), atol=1e-14)


def test_coordinates_round_trip_and_real_liouvillian():
    rng = np.random.default_rng(1)
    d = 3
    u = so.hermitian_basis(d, np.complex128)
    rho = random_density_matrix(rng, d)
    x = so.coordinates(rho, u)
    assert x.dtype == np.float64
    np.testing.assert_allclose(so.from_coordinates(x, u), rho, atol=1e-14)
    obs = random_hermitian(rng, d)
    np.testing.assert_allclose(so.functional(obs, u) @ x, np.trace(obs @ rho), atol=1e-13)
    gen = random_lindblad(rng, d)
    full = np.asarray(gen.superoperator())
    real = so.to_real_superoperator(full, u)
    # a Hermiticity-preserving map is exactly real in this basis
    np.testing.assert_allclose(np.imag(u.conj().T @ full @ u), 0.0, atol=1e-12)
    np.testing.assert_allclose(
        so.from_coordinates(real @ x, u), np.asarray(gen(0.0, rho)), atol=1e-12
    )
