import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")

import equinox as eqx  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.linalg  # noqa: E402

from qoj._operators import (  # noqa: E402
    basis,
    embed,
    fermion_ops,
    identity,
    ket2dm,
    kron,
    sigmam,
    sigmap,
    sigmax,
    sigmaz,
)
from qoj._states import expect, gibbs, partial_trace  # noqa: E402


def dag(a):
    return a.conj().T


def random_hermitian(rng, n, scale=1.0):
    a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    return jnp.asarray(scale * (a + a.conj().T) / 2)


def random_density_matrix(rng, n):
    a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    rho = a @ a.conj().T
    return jnp.asarray(rho / np.trace(rho))


def random_unitary(rng, n):
    q, _ = np.linalg.qr(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
    return jnp.asarray(q)


def mean_energy(H, T, **kwargs):
    return expect(H, gibbs(H, T, **kwargs)).real


# --- gibbs ----------------------------------------------------------------------------------


def test_gibbs_matches_matrix_exponential():
    rng = np.random.default_rng(0)
    H = random_hermitian(rng, 4)
    T = 0.8
    expected = scipy.linalg.expm(-np.asarray(H) / T)
    expected /= np.trace(expected)
    rho = gibbs(H, T)
    assert rho.dtype == jnp.complex128
    np.testing.assert_allclose(rho, expected, atol=1e-13)
    assert abs(jnp.trace(rho) - 1) < 1e-14
    np.testing.assert_allclose(rho, dag(rho), atol=0)
    assert jnp.linalg.eigvalsh(rho)[0] > 0


@pytest.mark.parametrize("T", [0.1, 1.0, 7.0])
def test_qubit_boltzmann_ratio(T):
    w = 1.3
    rho = gibbs(w / 2 * sigmaz(), T)
    p_e, p_g = rho[0, 0].real, rho[1, 1].real
    assert abs(p_e + p_g - 1) < 1e-14
    assert abs(p_e / p_g - np.exp(-w / T)) < 1e-12 * np.exp(-w / T)
    assert abs(rho[0, 1]) == 0


def test_zero_temperature_is_the_ground_state():
    H = 0.5 * sigmaz()
    g = ket2dm(basis(2, 1))
    np.testing.assert_allclose(gibbs(H, 0.0), g, atol=0)
    np.testing.assert_allclose(gibbs(H, 1e-3), g, atol=1e-200)
    # degenerate ground space (in a random basis): the equal mixture over it
    rng = np.random.default_rng(1)
    U = random_unitary(rng, 4)
    H = U @ jnp.diag(jnp.array([-1.0, -1.0, 2.0, 3.0])) @ dag(U)
    expected = 0.5 * (ket2dm(U[:, 0]) + ket2dm(U[:, 1]))
    np.testing.assert_allclose(gibbs(H, 0.0), expected, atol=1e-13)
    np.testing.assert_allclose(gibbs(H, 1e-4), expected, atol=1e-12)


def test_infinite_temperature_is_maximally_mixed():
    rng = np.random.default_rng(2)
    H = random_hermitian(rng, 4)
    np.testing.assert_allclose(gibbs(H, 1e12), np.eye(4) / 4, atol=1e-11)


@pytest.mark.parametrize("T", [1e-6, 1e-200])
def test_no_overflow_at_tiny_temperature_with_large_energies(T):
    rng = np.random.default_rng(3)
    U = random_unitary(rng, 4)
    H = U @ jnp.diag(jnp.array([-100.0, 40.0, 60.0, 100.0])) @ dag(U)
    rho = gibbs(H, T)
    assert jnp.all(jnp.isfinite(rho))
    np.testing.assert_allclose(rho, ket2dm(U[:, 0]), atol=1e-12)
    d_T = jax.grad(mean_energy, argnums=1)(H, T)
    d_H = jax.grad(mean_energy)(H, T)
    assert jnp.isfinite(d_T) and abs(d_T) < 1e-12
    assert jnp.all(jnp.isfinite(d_H))
    # Hellmann–Feynman: d<H>/dH = rho (conjugated, JAX's convention for complex inputs)
    np.testing.assert_allclose(d_H, rho.conj(), atol=1e-10)


def test_fermi_occupation_of_a_single_mode():
    c = fermion_ops(1)[0]
    N = dag(c) @ c
    eps = 0.7
    for mu, T in [(0.2, 0.3), (1.5, 0.5), (0.7, 2.0)]:
        occupation = expect(N, gibbs(eps * N, T, mu=mu, number=N)).real
        assert abs(occupation - 1 / (np.exp((eps - mu) / T) + 1)) < 1e-14


def test_grand_canonical_free_fermions():
    # Two hopping modes: total occupation = sum of Fermi functions of the single-particle levels.
    c = fermion_ops(2)
    h = np.array([[0.3, 0.4], [0.4, -0.2]])
    H = sum(h[i, j] * dag(c[i]) @ c[j] for i in range(2) for j in range(2))
    N = dag(c[0]) @ c[0] + dag(c[1]) @ c[1]
    mu, T = 0.1, 0.25
    total = expect(N, gibbs(H, T, mu=mu, number=N)).real
    levels = np.linalg.eigvalsh(h)
    assert abs(total - np.sum(1 / (np.exp((levels - mu) / T) + 1))) < 1e-13
    # dN/dmu = Var(N)/T
    rho = gibbs(H, T, mu=mu, number=N)
    var_N = (expect(N @ N, rho) - expect(N, rho) ** 2).real
    d_mu = jax.grad(lambda m: expect(N, gibbs(H, T, mu=m, number=N)).real)(mu)
    assert abs(d_mu - var_N / T) < 1e-12


def test_heat_capacity_from_gradient():
    rng = np.random.default_rng(4)
    H = random_hermitian(rng, 4)
    T = 0.7
    d_T = jax.grad(mean_energy, argnums=1)(H, T)
    rho = gibbs(H, T)
    variance = (expect(H @ H, rho) - expect(H, rho) ** 2).real
    assert abs(d_T - variance / T**2) < 1e-12 * abs(d_T)
    step = 1e-4
    fd = (mean_energy(H, T + step) - mean_energy(H, T - step)) / (2 * step)
    assert abs(d_T - fd) < 1e-6 * abs(d_T)


@pytest.mark.parametrize("degenerate", [False, True])
def test_gradient_with_respect_to_hamiltonian_matches_finite_differences(degenerate):
    rng = np.random.default_rng(5)
    if degenerate:  # two identical qubits: a doubly degenerate middle level
        H = 0.5 * (embed(sigmaz(), 0, (2, 2)) + embed(sigmaz(), 1, (2, 2)))
    else:
        H = random_hermitian(rng, 4)
    direction = random_hermitian(rng, 4)
    observable = random_hermitian(rng, 4)
    T = 0.6

    def loss(t):
        return expect(observable, gibbs(H + t * direction, T)).real

    _, tangent = jax.jvp(loss, (0.0,), (1.0,))
    step = 1e-5
    fd = (loss(step) - loss(-step)) / (2 * step)
    assert jnp.isfinite(tangent)
    assert abs(tangent - fd) < 1e-6 * max(abs(fd), 1e-3)
    # reverse mode agrees with forward mode
    grad_H = jax.grad(lambda h: expect(observable, gibbs(h, T)).real)(H)
    assert jnp.all(jnp.isfinite(grad_H))
    assert abs(jnp.sum(grad_H * direction).real - tangent) < 1e-10  # JAX: grad = df/dRe - i df/dIm


def test_zero_temperature_gradients_are_finite():
    rng = np.random.default_rng(6)
    H = jnp.diag(jnp.array([0.0, 0.0, 1.0, 1.0])) + 0.1 * random_hermitian(rng, 4)
    assert jax.grad(mean_energy, argnums=1)(H, 0.0) == 0.0
    grad_H = jax.grad(mean_energy)(H, 0.0)
    assert jnp.all(jnp.isfinite(grad_H))
    # Hellmann–Feynman at T = 0 (non-degenerate ground state): d<H>/dH = |g><g| (conjugated)
    _, vectors = jnp.linalg.eigh(H)
    np.testing.assert_allclose(grad_H, ket2dm(vectors[:, 0]).conj(), atol=1e-12)
    # The ground state itself moves with H: compare another observable with finite differences.
    direction, observable = random_hermitian(rng, 4), random_hermitian(rng, 4)

    def loss(t):
        return expect(observable, gibbs(H + t * direction, 0.0)).real

    _, tangent = jax.jvp(loss, (0.0,), (1.0,))
    step = 1e-5
    fd = (loss(step) - loss(-step)) / (2 * step)
    assert abs(tangent) > 1e-3
    assert abs(tangent - fd) < 1e-6 * abs(fd)


def test_vmap_of_grad_matches_loop_and_traces_once():
    rng = np.random.default_rng(7)
    H = random_hermitian(rng, 4)
    temperatures = jnp.array([0.0, 0.2, 1.0, 5.0])
    heat_capacity = jax.vmap(jax.grad(mean_energy, argnums=1), in_axes=(None, 0))(H, temperatures)
    looped = jnp.stack([jax.grad(mean_energy, argnums=1)(H, T) for T in temperatures])
    np.testing.assert_allclose(heat_capacity, looped, rtol=1e-12, atol=1e-15)

    @eqx.filter_jit
    @eqx.debug.assert_max_traces(max_traces=1)
    def jitted(H, T):
        return gibbs(H, T)

    for T in temperatures:
        np.testing.assert_allclose(jitted(H, T), gibbs(H, T), atol=1e-14)


def test_gibbs_bad_input():
    H = 0.5 * sigmaz()
    N = sigmap() @ sigmam()
    with pytest.raises(ValueError, match="temperature must be non-negative"):
        gibbs(H, -1.0)
    with pytest.raises(TypeError, match="temperature must be real"):
        gibbs(H, 1.0 + 1j)
    with pytest.raises(ValueError, match="temperature must be a scalar"):
        gibbs(H, jnp.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="temperature must be finite"):
        gibbs(H, jnp.nan)
    with pytest.raises(ValueError, match="H must be Hermitian"):
        gibbs(sigmap(), 1.0)
    with pytest.raises(ValueError, match="H must be a square matrix"):
        gibbs(jnp.ones((2, 3)), 1.0)
    with pytest.raises(ValueError, match="mu .* no `number`"):
        gibbs(H, 1.0, mu=0.3)
    with pytest.raises(ValueError, match="number must commute with H"):
        gibbs(sigmax(), 1.0, mu=0.3, number=N)
    with pytest.raises(ValueError, match="number must have the shape of H"):
        gibbs(H, 1.0, mu=0.3, number=identity(3))
    with pytest.raises(TypeError, match="mu must be a real number"):
        gibbs(H, 1.0, mu=1j, number=N)
    # mu = 0 without number and a commuting number are fine
    np.testing.assert_allclose(gibbs(H, 1.0, mu=0.0), gibbs(H, 1.0, mu=0.5, number=0 * N))


def test_gibbs_under_jit_raises_at_run_time():
    H = 0.5 * sigmaz()
    with pytest.raises(Exception, match="temperature must be non-negative"):
        jax.block_until_ready(jax.jit(gibbs)(H, -0.5))
    with pytest.raises(Exception, match="number must commute with H"):
        N = sigmap() @ sigmam()
        jax.block_until_ready(jax.jit(lambda h: gibbs(h, 1.0, mu=0.2, number=N))(sigmax()))
    with pytest.raises(Exception, match="no `number`"):
        jax.block_until_ready(jax.jit(lambda m: gibbs(H, 1.0, mu=m))(0.3))
    np.testing.assert_allclose(jax.jit(lambda m: gibbs(H, 1.0, mu=m))(0.0), gibbs(H, 1.0))


# --- partial_trace --------------------------------------------------------------------------


def test_partial_trace_of_products():
    rng = np.random.default_rng(8)
    A, B, C = (random_density_matrix(rng, d) for d in (2, 3, 2))
    # non-unit traces make the factor Tr B visible
    A, B = 2.0 * A, 3.0 * B
    AB = kron(A, B)
    np.testing.assert_allclose(partial_trace(AB, 0, (2, 3)), A * jnp.trace(B), atol=1e-13)
    np.testing.assert_allclose(partial_trace(AB, 1, (2, 3)), B * jnp.trace(A), atol=1e-13)
    np.testing.assert_allclose(partial_trace(AB, (0, 1), (2, 3)), AB, atol=0)
    ABC = kron(A, B, C)
    expected = kron(A, C) * jnp.trace(B)
    np.testing.assert_allclose(partial_trace(ABC, (0, 2), (2, 3, 2)), expected, atol=1e-13)
    np.testing.assert_allclose(partial_trace(ABC, (2, 0), (2, 3, 2)), expected, atol=1e-13)
    np.testing.assert_allclose(
        partial_trace(ABC, [1], (2, 3, 2)), B * jnp.trace(A) * jnp.trace(C), atol=1e-13
    )


def test_partial_trace_of_entangled_kets_and_batches():
    e, g = basis(2, 0), basis(2, 1)
    bell = (kron(e, g) + kron(g, e)) / np.sqrt(2)
    np.testing.assert_allclose(partial_trace(bell, 0, (2, 2)), np.eye(2) / 2, atol=1e-15)
    np.testing.assert_allclose(
        partial_trace(bell, 1, (2, 2)), partial_trace(ket2dm(bell), 1, (2, 2)), atol=1e-15
    )
    np.testing.assert_allclose(partial_trace(bell[:, 0], 1, (2, 2)), np.eye(2) / 2, atol=1e-15)
    rng = np.random.default_rng(9)
    states = jnp.stack([random_density_matrix(rng, 6) for _ in range(3)])
    batched = partial_trace(states, 1, (2, 3))
    assert batched.shape == (3, 3, 3)
    np.testing.assert_allclose(batched[2], partial_trace(states[2], 1, (2, 3)), atol=0)
    np.testing.assert_allclose(
        jax.vmap(lambda r: partial_trace(r, 1, (2, 3)))(states), batched, atol=1e-15
    )
    np.testing.assert_allclose(jnp.trace(batched, axis1=1, axis2=2), np.ones(3), atol=1e-14)


@pytest.mark.parametrize(
    "keep, dims, rho_shape, error, match",
    [
        (2, (2, 2), (4, 4), ValueError, r"keep must be in the range \[0, 2\)"),
        ((0, 0), (2, 2), (4, 4), ValueError, "keep must not repeat"),
        ((0, 5), (2, 2), (4, 4), ValueError, r"keep\[1\] must be in the range"),
        (0.5, (2, 2), (4, 4), TypeError, "keep must be an int"),
        (0, (2, 3), (4, 4), ValueError, r"rho must have shape \(\.\.\., 6, 6\)"),
        (0, (2, 0), (4, 4), ValueError, r"dims\[1\] must be a positive integer"),
    ],
)
def test_partial_trace_bad_input(keep, dims, rho_shape, error, match):
    with pytest.raises(error, match=match):
        partial_trace(jnp.eye(rho_shape[0]), keep, dims)


# --- expect ---------------------------------------------------------------------------------


def test_expect():
    e, g = basis(2, 0), basis(2, 1)
    assert expect(sigmaz(), ket2dm(e)) == 1
    assert expect(sigmaz(), g) == -1
    plus = (e + g) / np.sqrt(2)
    assert abs(expect(sigmax(), plus) - 1) < 1e-15
    assert abs(expect(sigmax(), plus[:, 0]) - 1) < 1e-15
    rng = np.random.default_rng(10)
    op = jnp.asarray(rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3)))
    rho = random_density_matrix(rng, 3)
    value = expect(op, rho)
    assert value.dtype == jnp.complex128
    assert abs(value - jnp.trace(op @ rho)) < 1e-14
    states = jnp.stack([rho, 2 * rho])
    np.testing.assert_allclose(expect(op, states), [value, 2 * value], atol=1e-14)
    kets = jnp.stack([e, g])
    np.testing.assert_allclose(expect(sigmaz(), kets), [1, -1], atol=0)
    # differentiable in the state
    grad = jax.grad(lambda r: expect(sigmaz(), r).real)(jnp.eye(2, dtype=complex) / 2)
    np.testing.assert_allclose(grad, sigmaz().conj().T, atol=0)


def test_expect_bad_input():
    with pytest.raises(ValueError, match="op must be a square matrix"):
        expect(jnp.ones((2, 3)), jnp.eye(2))
    with pytest.raises(ValueError, match="rho must be a density matrix of shape"):
        expect(sigmaz(), jnp.eye(3))
    with pytest.raises(TypeError, match="rho must be"):
        expect(sigmaz(), "rho")
