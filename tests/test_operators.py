import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from qoj._operators import (  # noqa: E402
    basis,
    create,
    destroy,
    embed,
    fermion_ops,
    identity,
    ket2dm,
    kron,
    number,
    sigmam,
    sigmap,
    sigmax,
    sigmay,
    sigmaz,
)
from qoj._precision import set_precision  # noqa: E402


# Algebra is checked in NumPy on the returned arrays (fast: no per-shape compilation).
def commutator(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a @ b - b @ a


def anticommutator(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a @ b + b @ a


def dag(a):
    return np.asarray(a).conj().T


def random_matrix(rng, n, m=None):
    m = n if m is None else m
    return rng.normal(size=(n, m)) + 1j * rng.normal(size=(n, m))


E, G = 0, 1  # qubit basis indices: |e> first


def test_pauli_algebra():
    sx, sy, sz = sigmax(), sigmay(), sigmaz()
    np.testing.assert_allclose(commutator(sx, sy), 2j * sz, atol=1e-15)
    np.testing.assert_allclose(commutator(sy, sz), 2j * sx, atol=1e-15)
    np.testing.assert_allclose(commutator(sz, sx), 2j * sy, atol=1e-15)
    for s in (sx, sy, sz):
        np.testing.assert_allclose(np.asarray(s) @ s, identity(2), atol=1e-15)
        np.testing.assert_allclose(s, dag(s), atol=0)
        assert abs(jnp.trace(s)) < 1e-15


def test_ladder_operators_follow_the_excited_first_convention():
    sx, sy = sigmax(), sigmay()
    np.testing.assert_allclose(sigmap(), (sx + 1j * sy) / 2, atol=1e-15)
    np.testing.assert_allclose(sigmam(), (sx - 1j * sy) / 2, atol=1e-15)
    np.testing.assert_allclose(sigmam(), dag(sigmap()), atol=0)
    e, g = basis(2, E), basis(2, G)
    np.testing.assert_allclose(np.asarray(sigmaz()) @ e, e, atol=0)
    np.testing.assert_allclose(np.asarray(sigmaz()) @ g, -g, atol=0)
    np.testing.assert_allclose(np.asarray(sigmam()) @ e, g, atol=0)  # sigma_- = |g><e|
    np.testing.assert_allclose(np.asarray(sigmap()) @ g, e, atol=0)  # sigma_+ = |e><g|
    np.testing.assert_allclose(np.asarray(sigmam()) @ g, np.zeros((2, 1)), atol=0)
    np.testing.assert_allclose(np.asarray(sigmap()) @ sigmam(), ket2dm(e), atol=0)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_oscillator_operators(n):
    a, ad = np.asarray(destroy(n)), np.asarray(create(n))
    np.testing.assert_allclose(ad, dag(a), atol=0)
    np.testing.assert_allclose(number(n), ad @ a, atol=1e-14)
    expected = np.eye(n)
    expected[-1, -1] = 1 - n  # truncation: [a, a^dag] = 1 except in the last level
    np.testing.assert_allclose(commutator(a, ad), expected, atol=1e-13)
    for k in range(1, n):
        np.testing.assert_allclose(a @ basis(n, k), np.sqrt(k) * basis(n, k - 1), atol=1e-15)
        np.testing.assert_allclose(np.asarray(number(n)) @ basis(n, k), k * basis(n, k), atol=1e-15)


def test_destroy_two_levels_is_sigmap_as_in_qutip():
    np.testing.assert_allclose(destroy(2), sigmap(), atol=0)


def test_dtype_follows_precision():
    for make in (sigmax, sigmay, sigmaz, sigmap, sigmam, lambda: destroy(3), lambda: basis(3, 1)):
        assert make().dtype == jnp.complex128
    try:
        set_precision("single")
        assert sigmax().dtype == jnp.complex64
        assert destroy(4).dtype == jnp.complex64
        assert kron(sigmaz(), identity(2)).dtype == jnp.complex64
        assert fermion_ops(2).dtype == jnp.complex64
    finally:
        set_precision("double")
    assert identity(3).dtype == jnp.complex128


def test_kron_ordering_and_shape():
    e, g = np.asarray(basis(2, E)), np.asarray(basis(2, G))
    gg = kron(g, g)
    eg = kron(e, g)
    assert gg.shape == (4, 1)
    # (ee, eg, ge, gg): |eg> is index 1
    np.testing.assert_allclose(eg[:, 0], [0, 1, 0, 0], atol=0)
    np.testing.assert_allclose(np.asarray(kron(sigmap(), identity(2))) @ gg, eg, atol=0)
    np.testing.assert_allclose(np.asarray(kron(identity(2), sigmap())) @ gg, kron(g, e), atol=0)
    np.testing.assert_allclose(kron(g, e)[:, 0], [0, 0, 1, 0], atol=0)

    rng = np.random.default_rng(0)
    a, b, c = random_matrix(rng, 2), random_matrix(rng, 3), random_matrix(rng, 4)
    abc = kron(a, b, c)
    assert abc.shape == (24, 24)
    # element ((i, j, k), (i', j', k')) = a[i, i'] b[j, j'] c[k, k']
    tensor = abc.reshape(2, 3, 4, 2, 3, 4)
    np.testing.assert_allclose(tensor, np.einsum("ad,be,cf->abcdef", a, b, c), atol=1e-13)
    np.testing.assert_allclose(kron([a, b, c]), abc, atol=0)
    np.testing.assert_allclose(kron(a), a, atol=0)
    # mixed-product property
    a2, b2 = random_matrix(rng, 2), random_matrix(rng, 3)
    np.testing.assert_allclose(
        np.asarray(kron(a, b)) @ kron(a2, b2), kron(a @ a2, b @ b2), atol=1e-12
    )


def test_embed_equals_explicit_kron():
    rng = np.random.default_rng(1)
    dims = (2, 3, 2)
    op = random_matrix(rng, 3)
    np.testing.assert_allclose(embed(op, 1, dims), kron(identity(2), op, identity(2)), atol=0)
    op0 = random_matrix(rng, 2)
    np.testing.assert_allclose(embed(op0, 0, dims), kron(op0, identity(3), identity(2)), atol=0)
    np.testing.assert_allclose(embed(op0, 2, dims), kron(identity(2), identity(3), op0), atol=0)
    np.testing.assert_allclose(embed(op0, 0, [2]), op0, atol=0)
    # operators on different factors commute
    assert np.max(np.abs(commutator(embed(op0, 0, dims), embed(op, 1, dims)))) < 1e-12


def test_fermion_car_three_modes():
    c = np.asarray(fermion_ops(3))
    assert c.shape == (3, 8, 8)
    eye = np.eye(8)
    for i in range(3):
        for j in range(3):
            np.testing.assert_allclose(anticommutator(c[i], dag(c[j])), eye * (i == j), atol=1e-14)
            np.testing.assert_allclose(anticommutator(c[i], c[j]), 0 * eye, atol=1e-14)


def test_fermion_convention():
    c = np.asarray(fermion_ops(3))
    for j in range(3):
        # n_j = |1><1| on factor j, and occupied = factor index 0 (like |e>)
        np.testing.assert_allclose(
            dag(c[j]) @ c[j], embed(np.asarray(sigmap()) @ sigmam(), j, (2, 2, 2)), atol=1e-15
        )
    np.testing.assert_allclose(c[0], kron(sigmam(), identity(2), identity(2)), atol=0)
    # Fock-space sign: c_j |n> = (-1)^(n_0 + ... + n_{j-1}) |n - e_j>.
    occupied_both = np.asarray(kron(basis(2, 0), basis(2, 0)))  # |1, 1>
    c2 = np.asarray(fermion_ops(2))
    np.testing.assert_allclose(c2[0] @ occupied_both, kron(basis(2, 1), basis(2, 0)), atol=0)
    np.testing.assert_allclose(c2[1] @ occupied_both, -kron(basis(2, 0), basis(2, 1)), atol=0)
    # vacuum = all factors at index 1 is annihilated by every c_j
    vacuum = np.asarray(kron(basis(2, 1), basis(2, 1)))
    np.testing.assert_allclose(c2 @ vacuum, np.zeros((2, 4, 1)), atol=0)


def test_basis_and_ket2dm():
    psi = basis(4, 2)
    assert psi.shape == (4, 1)
    np.testing.assert_allclose(psi[:, 0], [0, 0, 1, 0], atol=0)
    rho = ket2dm(psi)
    np.testing.assert_allclose(rho, np.diag([0, 0, 1, 0]), atol=0)
    rng = np.random.default_rng(2)
    v = jnp.asarray(rng.normal(size=3) + 1j * rng.normal(size=3))
    np.testing.assert_allclose(ket2dm(v), np.outer(v, v.conj()), atol=1e-15)
    np.testing.assert_allclose(ket2dm(v[:, None]), ket2dm(v), atol=0)


def test_works_under_jit_and_vmap():
    f = jax.jit(lambda x: kron(x, sigmaz()) + embed(x, 0, (2, 2)))
    np.testing.assert_allclose(
        f(sigmax()), kron(sigmax(), sigmaz()) + kron(sigmax(), identity(2)), atol=0
    )
    kets = jnp.stack([basis(3, 0), basis(3, 2)])
    rhos = jax.vmap(ket2dm)(kets)
    np.testing.assert_allclose(rhos[1], np.diag([0, 0, 1]), atol=0)
    g = jax.grad(
        lambda t: jnp.real(jnp.trace(kron(t * sigmax(), sigmax()) @ kron(sigmax(), sigmax())))
    )
    assert abs(g(0.3) - 4.0) < 1e-14


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: destroy(0), ValueError, "n must be a positive integer"),
        (lambda: create(-2), ValueError, "n must be a positive integer"),
        (lambda: identity(2.5), TypeError, "n must be a positive integer"),
        (lambda: number(True), TypeError, "n must be a positive integer"),
        (lambda: basis(3, 3), ValueError, r"k must be in the range \[0, 3\)"),
        (lambda: basis(3, -1), ValueError, "k must be in the range"),
        (lambda: basis(0, 0), ValueError, "n must be a positive integer"),
        (lambda: fermion_ops(0), ValueError, "n_modes must be a positive integer"),
        (lambda: kron(), ValueError, "at least one operator"),
        (lambda: kron(jnp.ones((2, 3))), ValueError, "ops must be all square"),
        (lambda: kron(sigmax(), jnp.ones(2)), ValueError, r"ops\[1\] must be 2-D"),
        (lambda: kron(sigmax(), basis(2, 0)), ValueError, "ops must be all square"),
        (lambda: kron(sigmax(), None), TypeError, r"ops\[1\]"),
        (lambda: embed(sigmax(), 2, (2, 2)), ValueError, "index must be in the range"),
        (lambda: embed(sigmax(), 1, (2, 3)), ValueError, r"op must have shape \(3, 3\)"),
        (lambda: embed(sigmax(), 0, ()), ValueError, "dims must name at least one factor"),
        (lambda: embed(sigmax(), 0, (2, 0)), ValueError, r"dims\[1\] must be a positive"),
        (lambda: ket2dm(sigmax()), ValueError, "psi must be a ket"),
        (lambda: ket2dm(jnp.ones((2, 1, 1))), ValueError, "psi must be a ket"),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
