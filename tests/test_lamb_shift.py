"""Lamb shifts: Bath.lamb_shift and the `lamb_shift=True` option of the master equations."""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import special  # noqa: E402

import qoj  # noqa: E402
from qoj._master_equation import bohr_decomposition  # noqa: E402
from qoj._terms import HamiltonianTerm, KossakowskiTerm  # noqa: E402

KAPPA, CUTOFF = 0.1, 5.0


def ohmic(temperature, kappa=KAPPA, cutoff=CUTOFF, s=1.0):
    return qoj.Bath(qoj.spectra.Ohmic(kappa, s=s, cutoff=cutoff), temperature)


def closed_form_t0(w, kappa=KAPPA, cutoff=CUTOFF):
    """S(w) = (kappa/2pi) P int_0^inf nu e^{-nu/wc}/(w - nu) dnu
    = (kappa/2pi) [-wc + w e^{-w/wc} Ei(w/wc)]   (nu/(w - nu) = -1 + w/(w - nu) and
    P int_0^inf e^{-x}/(a - x) dx = e^{-a} Ei(a) for every real a != 0)."""
    a = w / cutoff
    return kappa / (2 * np.pi) * (-cutoff + w * np.exp(-a) * special.expi(a))


def test_closed_form_ohmic_zero_temperature():
    w = np.array([-30.0, -3.0, -0.5, 1e-4, 0.7, 1.0, 5.0, 20.0, 300.0])
    s = np.asarray(ohmic(0.0).lamb_shift(w))
    expected = closed_form_t0(w)
    np.testing.assert_allclose(s, expected, rtol=0, atol=1e-13 * np.abs(expected).max())


def _tail(w, k, tau_max):
    """int_tau_max^inf e^{i w tau} tau^{-k} dtau (by parts down to E1 of complex argument)."""
    if k == 1:
        return special.exp1(-1j * w * tau_max)
    return np.exp(1j * w * tau_max) / ((k - 1) * tau_max ** (k - 1)) + 1j * w / (k - 1) * _tail(
        w, k - 1, tau_max
    )


def test_sign_convention_against_time_integral():
    """int_0^inf G(tau) e^{i w tau} dtau = gamma(w)/2 + i S(w), with G = Bath.correlation.

    The exponential cutoff makes gamma(nu) kink at nu = 0, so G(tau) ~ 1/tau^2: integrate to
    tau_max and add the tail of a fit sum_k c_k / tau^k (k = 2 ... 5) of G beyond it."""
    bath = qoj.Bath(qoj.spectra.Ohmic(KAPPA, 1.0, CUTOFF), 1.0, n_nodes=4096)
    tau_max = 25.0
    x, c = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(0.0, tau_max, 251)
    lo, width = edges[:-1, None], np.diff(edges)[:, None]
    tau = (lo + width * (x + 1) / 2).ravel()
    weights = (width * c / 2).ravel()
    g = np.asarray(bath.correlation(tau))
    far = np.linspace(tau_max, 40.0, 40)
    powers = np.arange(2, 6)
    design = far[:, None] ** (-powers[None, :].astype(float))
    coef, *_ = np.linalg.lstsq(design, np.asarray(bath.correlation(far)), rcond=None)
    w = np.array([-2.0, -0.3, 0.5, 1.5, 4.0, 9.0])
    direct = (weights * g) @ np.exp(1j * np.outer(tau, w))
    direct += np.array(
        [sum(a * _tail(x, k, tau_max) for a, k in zip(coef, powers, strict=True)) for x in w]
    )
    expected = 0.5 * np.asarray(bath.emission_rate(w)) + 1j * np.asarray(bath.lamb_shift(w))
    np.testing.assert_allclose(direct, expected, rtol=0, atol=1e-9 * abs(g[0]))
    # and not the opposite sign: S is far from zero here
    assert np.min(np.abs(np.asarray(bath.lamb_shift(w)))) > 1e-3


def test_vectorised_and_jit():
    bath = ohmic(0.5)
    w = jnp.linspace(-2.0, 3.0, 6).reshape(2, 3)
    s = jax.jit(lambda b, x: b.lamb_shift(x))(bath, w)
    assert s.shape == (2, 3)
    np.testing.assert_allclose(s.ravel(), [float(bath.lamb_shift(x)) for x in w.ravel()])


def test_fermionic_bath_hilbert_transform_of_lorentzian():
    """T = 0 fermions, mu far below the band: S = P int J/(w - nu) = rate h (w - c)/((w-c)^2+h^2)
    up to the part of the Lorentzian below mu, which we remove by putting mu at -inf-ish."""
    rate, center, width = 1.0, 0.5, 0.4
    h = width / 2
    bath = qoj.Bath(
        qoj.spectra.Lorentzian(rate, center, width),
        0.0,
        statistics="fermi",
        chemical_potential=-1e7,
    )
    w = np.array([-1.0, 0.2, 0.5, 0.9, 3.0])
    expected = rate * h * (w - center) / ((w - center) ** 2 + h**2) / 2
    np.testing.assert_allclose(np.asarray(bath.lamb_shift(w)), expected, atol=1e-9)


def test_gradient_wrt_temperature():
    w = jnp.array([-1.0, 0.3, 2.0])

    def f(temperature):
        return ohmic(temperature).lamb_shift(w)

    grad = jax.jacfwd(f)(0.5)
    rev = jax.grad(lambda t: jnp.sum(f(t)))(0.5)
    h = 1e-5
    fd = (f(0.5 + h) - f(0.5 - h)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(rev, jnp.sum(fd), rtol=1e-6)
    dw = jax.grad(lambda x: ohmic(0.5).lamb_shift(x))(0.3)
    fdw = (ohmic(0.5).lamb_shift(0.3 + h) - ohmic(0.5).lamb_shift(0.3 - h)) / (2 * h)
    np.testing.assert_allclose(dw, fdw, rtol=1e-6)


@pytest.mark.parametrize(
    "bath",
    [
        qoj.Bath(qoj.spectra.Flat(0.1), 0.5),
        qoj.Bath(qoj.spectra.Flat(0.1), 0.5, statistics="fermi"),
        qoj.Bath(qoj.spectra.Ohmic(0.1), 0.5),
        qoj.Bath(qoj.spectra.Lorentzian(0.1, 1.0, 0.3), 0.5),
    ],
)
def test_divergent_spectra_raise(bath):
    with pytest.raises(ValueError, match="lamb_shift"):
        bath.lamb_shift(1.0)


def three_level(t1=0.7, t2=0.7):
    rng = np.random.default_rng(3)
    m = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    q, _ = np.linalg.qr(m)
    h = q @ np.diag([0.0, 1.0, 2.5]) @ q.conj().T
    x1 = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    x2 = rng.normal(size=(3, 3))
    couplings = [
        qoj.Coupling("1", jnp.asarray(x1 + x1.conj().T), ohmic(t1)),
        qoj.Coupling("2", jnp.asarray(x2 + x2.T), ohmic(t2, kappa=0.05)),
    ]
    return qoj.OpenSystem(jnp.asarray(h), couplings)


def lamb_hamiltonians(gen):
    return [
        term.hamiltonian
        for part in gen.parts.values()
        for term in part.terms
        if isinstance(term, HamiltonianTerm)
    ]


@pytest.mark.parametrize("levels", [(0.0, 1.0, 2.5), (0.0, 1.0, 2.0)])
def test_global_lamb_shift_commutes_and_keeps_gibbs(levels):
    system = three_level()
    e, v = np.linalg.eigh(np.asarray(system.hamiltonian))
    h = jnp.asarray(v @ np.diag(levels) @ v.conj().T)
    system = qoj.OpenSystem(h, system.couplings)
    gen = qoj.master_equation(system, "global", lamb_shift=True)
    h_ls = lamb_hamiltonians(gen)
    assert len(h_ls) == 2
    for op in h_ls:
        assert np.abs(op).max() > 1e-3
        np.testing.assert_allclose(op @ h - h @ op, 0, atol=1e-12)
        np.testing.assert_allclose(op, op.conj().T, atol=1e-14)
    rho = qoj.steady_state(gen)
    np.testing.assert_allclose(rho, qoj.gibbs(h, 0.7), atol=1e-10)
    # the only change is -i[H_LS, .] in each part
    plain = qoj.master_equation(system, "global")
    coherent = sum(HamiltonianTerm(op).matrix() for op in h_ls)
    np.testing.assert_allclose(gen.superoperator(), plain.superoperator() + coherent, atol=1e-13)


def test_local_and_partial_secular_run():
    system = three_level(0.4, 1.2)
    for approach, options in (("local", {}), ("partial_secular", {"resolution": 1e-6})):
        gen = qoj.master_equation(system, approach, lamb_shift=True, **options)
        assert len(lamb_hamiltonians(gen)) == 2
    # partial secular with a tiny resolution is the global generator
    a = qoj.master_equation(system, "partial_secular", resolution=1e-6, lamb_shift=True)
    b = qoj.master_equation(system, "global", lamb_shift=True)
    np.testing.assert_allclose(a.superoperator(), b.superoperator(), atol=1e-13)


def test_qubit_currents_unchanged():
    h = 0.5 * 1.3 * qoj.sigmaz()
    system = qoj.OpenSystem(
        h,
        [
            qoj.Coupling("hot", qoj.sigmax(), ohmic(2.0)),
            qoj.Coupling("cold", qoj.sigmax(), ohmic(0.3, kappa=0.05)),
        ],
    )
    plain = qoj.master_equation(system, "global")
    shifted = qoj.master_equation(system, "global", lamb_shift=True)
    rho0, rho1 = qoj.steady_state(plain), qoj.steady_state(shifted)
    np.testing.assert_allclose(rho1, rho0, atol=1e-12)
    j0, j1 = qoj.heat_currents(plain, rho0), qoj.heat_currents(shifted, rho1)
    assert abs(j0["hot"]) > 1e-3
    for name in j0:
        np.testing.assert_allclose(j1[name], j0[name], rtol=1e-10, atol=1e-15)


def textbook_redfield(system, rho, lamb_shift):
    """-i[H_S, rho] + sum_b sum_pq Gamma(w_p) [A_p rho A_q^dag - A_q^dag A_p rho] + h.c.,
    Gamma(w) = gamma(w)/2 + i S(w) (S = 0 without the Lamb shift)."""
    h = np.asarray(system.hamiltonian)
    out = -1j * (h @ rho - rho @ h)
    for c in system.couplings:
        dec = bohr_decomposition(system.hamiltonian, c.operator)
        ops = np.asarray(dec.operators)
        gamma = 0.5 * np.asarray(c.bath.emission_rate(dec.frequencies))
        if lamb_shift:
            gamma = gamma + 1j * np.asarray(c.bath.lamb_shift(dec.frequencies))
        x = ops.sum(axis=0)  # sum_q A_q = X
        for p in range(ops.shape[0]):
            term = gamma[p] * (ops[p] @ rho @ x.conj().T - x.conj().T @ ops[p] @ rho)
            out = out + term + term.conj().T
    return out


@pytest.mark.parametrize("lamb_shift", [False, True])
def test_redfield_against_textbook(lamb_shift):
    system = three_level(0.4, 1.2)
    gen = qoj.master_equation(system, "redfield", lamb_shift=lamb_shift)
    rng = np.random.default_rng(0)
    for _ in range(3):
        m = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
        rho = m @ m.conj().T
        rho = rho / np.trace(rho)
        np.testing.assert_allclose(
            gen(0.0, jnp.asarray(rho)), textbook_redfield(system, rho, lamb_shift), atol=1e-13
        )
    if lamb_shift:
        plain = qoj.master_equation(system, "redfield")
        assert np.abs(gen.superoperator() - plain.superoperator()).max() > 1e-3


def test_default_is_unchanged():
    system = three_level(0.4, 1.2)
    for approach, options in (
        ("global", {}),
        ("local", {}),
        ("partial_secular", {"resolution": 0.1}),
        ("redfield", {}),
        ("coarse_grained", {"dt": 5.0}),
    ):
        a = qoj.master_equation(system, approach, **options)
        b = qoj.master_equation(system, approach, lamb_shift=False, **options)
        assert [type(t) for p in a.parts.values() for t in p.terms] == [
            type(t) for p in b.parts.values() for t in p.terms
        ]
        np.testing.assert_array_equal(a.superoperator(), b.superoperator())
    gen = qoj.master_equation(system, "global")
    assert all(isinstance(t, KossakowskiTerm) for p in gen.parts.values() for t in p.terms)


def test_lamb_shift_divergent_bath_in_master_equation():
    system = qoj.OpenSystem(
        0.5 * qoj.sigmaz(), [qoj.Coupling("b", qoj.sigmax(), qoj.Bath(qoj.spectra.Flat(0.1), 0.5))]
    )
    qoj.master_equation(system, "global")  # fine without the Lamb shift
    with pytest.raises(ValueError, match="lamb_shift"):
        qoj.master_equation(system, "global", lamb_shift=True)


def test_generator_under_jit_and_grad():
    def f(temperature):
        system = qoj.OpenSystem(
            0.5 * qoj.sigmaz(), [qoj.Coupling("b", qoj.sigmax(), ohmic(temperature))]
        )
        gen = qoj.master_equation(system, "redfield", lamb_shift=True)
        rho = qoj.steady_state(gen)
        return jnp.real(rho[0, 0])

    g = jax.jit(jax.grad(f))(0.8)
    h = 1e-5
    np.testing.assert_allclose(g, (f(0.8 + h) - f(0.8 - h)) / (2 * h), rtol=1e-6)
