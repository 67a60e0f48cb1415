"""Structured (sparse-diagonal) generator action for large systems: results equal the plain
term-by-term path."""

import jax

jax.config.update("jax_enable_x64", True)

import diffrax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import qoj  # noqa: E402
from qoj import _evolve  # noqa: E402
from qoj._structured import DiagonalOperator, structured  # noqa: E402
from qoj._terms import KossakowskiTerm  # noqa: E402


def site(op, i, n):
    out = np.ones((1, 1))
    for k in range(n):
        out = np.kron(out, np.asarray(op) if k == i else np.eye(2))
    return out


def chain(n, j=0.2, g=0.05, rate_a=None):
    """XX chain, local baths on the first and last site (W5 of the benchmarks)."""
    sm, sp, sz = qoj.sigmam(), qoj.sigmap(), qoj.sigmaz()
    h = sum(0.5 * site(sz, i, n) for i in range(n)) + j * sum(
        site(sp, i, n) @ site(sm, i + 1, n) + site(sm, i, n) @ site(sp, i + 1, n)
        for i in range(n - 1)
    )
    emission = g * 1.2 if rate_a is None else rate_a
    return qoj.lindblad(
        h,
        {
            "A": [(emission, site(sm, 0, n)), (g * 0.2, site(sp, 0, n))],
            "B": [(g * 1.0, site(sm, n - 1, n)), (g * 0.02, site(sp, n - 1, n))],
        },
    )


def random_state(d, seed=0):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = m @ m.conj().T
    return jnp.asarray(rho / np.trace(rho))


def test_diagonal_products_equal_dense_ones():
    rng = np.random.default_rng(1)
    d = 12
    m = np.zeros((d, d), complex)
    for o in (-5, -1, 0, 3, 11):
        i = np.arange(max(0, -o), min(d, d - o))
        m[i, i + o] = rng.normal(size=i.size) + 1j * rng.normal(size=i.size)
    x = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    op = DiagonalOperator.from_dense(m)
    a, b = jnp.asarray(x.real), jnp.asarray(x.imag)
    for got, expected in [
        (op.matmul(a, b), m @ x),
        (op.rmatmul(a, b), x @ m),
        (op.rmatmul_adjoint(a, b), x @ m.conj().T),
    ]:
        np.testing.assert_allclose(got[0] + 1j * got[1], expected, atol=1e-13)
    real = DiagonalOperator.from_dense(m.real)
    assert real.imag is None and real.real is not None


def test_structured_action_equals_the_generator_with_time_dependent_and_kossakowski_terms():
    gen = chain(5, rate_a=lambda t: 0.06 * (1 + 0.5 * jnp.sin(t)))
    # add a Kossakowski term on two sites
    ops = jnp.stack([site(qoj.sigmam(), 1, 5), site(qoj.sigmam(), 2, 5)])
    rates = jnp.asarray([[0.03, 0.01 + 0.005j], [0.01 - 0.005j, 0.02]])
    parts = dict(gen.parts)
    parts["C"] = qoj.GeneratorPart((KossakowskiTerm(ops, rates),))
    gen = qoj.Generator(gen.hamiltonian, parts)
    fast = structured(gen)
    assert fast is not None
    rho = random_state(32)
    for t in (0.0, 0.7):
        np.testing.assert_allclose(fast(t, rho), gen(t, rho), atol=1e-15)


def test_evolution_equals_the_term_by_term_path(monkeypatch):
    gen = chain(6)
    rho0 = np.zeros((64, 64))
    rho0[-1, -1] = 1.0
    ts = jnp.linspace(0.0, 10.0, 11)
    h = gen.hamiltonian
    fast = qoj.evolve(gen, rho0, ts, observables={"H": h})
    monkeypatch.setattr(_evolve, "structured", lambda generator: None)
    plain = qoj.evolve(gen, rho0, ts, observables={"H": h})
    for name in ("A", "B"):
        np.testing.assert_allclose(fast.heat_currents[name], plain.heat_currents[name], atol=1e-13)
    np.testing.assert_allclose(fast.expect["H"], plain.expect["H"], atol=1e-12)
    # energy balance: d<H>/dt = J_A + J_B (the chain's H is the one in the currents)
    rhs = qoj.evolve(gen, rho0, ts, observables={"H": h}, solver=diffrax.Tsit5())
    np.testing.assert_allclose(rhs.heat_currents["A"], fast.heat_currents["A"], atol=1e-13)


def test_constant_operators_stay_structured_under_jit_and_traced_ones_fall_back():
    def build(scale):
        gen = chain(6)
        return structured(gen) is not None, structured(
            qoj.lindblad(scale * gen.hamiltonian, {})
        ) is None

    seen = {}

    def inside(scale):
        seen["constant"], seen["traced"] = build(scale)
        return scale

    jax.jit(inside)(1.0)
    assert seen == {"constant": True, "traced": True}


def test_dense_operators_fall_back():
    rng = np.random.default_rng(2)
    m = rng.normal(size=(40, 40))
    gen = qoj.lindblad(m + m.T, {"b": [(0.1, rng.normal(size=(40, 40)))]})
    assert structured(gen) is None


@pytest.mark.parametrize("n", [6])
def test_structured_path_is_taken_inside_jit(n):
    gen = chain(n)
    rho0 = np.zeros((2**n, 2**n))
    rho0[-1, -1] = 1.0
    ts = jnp.linspace(0.0, 2.0, 3)
    f = jax.jit(lambda: qoj.evolve(chain(n), rho0, ts).heat_currents["A"])
    np.testing.assert_allclose(f(), qoj.evolve(gen, rho0, ts).heat_currents["A"], atol=1e-14)


def test_cascade_terms_are_structured():
    """The one-way cascade term of seed 001 (two 4-level ladders, d = 16) acts the same through
    its diagonal form as through the generator."""
    a = np.diag(np.sqrt(np.arange(1.0, 4.0)), 1)
    h = np.diag(np.arange(4.0))
    gen = qoj.cascaded(h, h, a, a, qoj.Bath(qoj.spectra.Flat(0.3), 0.7))
    fast = structured(gen, max_fraction=10.0)
    assert fast is not None
    rng = np.random.default_rng(5)
    x = rng.normal(size=(16, 16)) + 1j * rng.normal(size=(16, 16))
    rho = x @ x.conj().T / np.trace(x @ x.conj().T)
    np.testing.assert_allclose(fast(0.0, rho), gen(0.0, rho), atol=1e-14)
