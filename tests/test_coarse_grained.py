"""Coarse-grained master equation (seed 004 section III, eqs 39–49)."""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import integrate  # noqa: E402

import qoj  # noqa: E402
from qoj._master_equation import bohr_decomposition  # noqa: E402
from qoj._master_equation._coarse_grained import coarse_grained_rates  # noqa: E402

KAPPA, CUTOFF = 0.01, 10.0


def ohmic(temperature, kappa=KAPPA, cutoff=CUTOFF):
    return qoj.Bath(qoj.spectra.Ohmic(kappa, s=1.0, cutoff=cutoff), temperature)


def coupled_qubits(lam, w1=1.0, w2=1.0, t1=0.5, t2=None):
    """H = w1/2 s1z + w2/2 s2z + lam (s1+ s2- + h.c.), bath "1" through s1x (and "2" through
    s2x when t2 is given)."""
    sz, i2 = qoj.sigmaz(), qoj.identity(2)
    h = (
        0.5 * w1 * qoj.kron(sz, i2)
        + 0.5 * w2 * qoj.kron(i2, sz)
        + lam * (qoj.kron(qoj.sigmap(), qoj.sigmam()) + qoj.kron(qoj.sigmam(), qoj.sigmap()))
    )
    couplings = [qoj.Coupling("1", qoj.kron(qoj.sigmax(), i2), ohmic(t1))]
    if t2 is not None:
        couplings.append(qoj.Coupling("2", qoj.kron(i2, qoj.sigmax()), ohmic(t2)))
    return qoj.OpenSystem(h, couplings)


def qubit(w0, bath):
    return qoj.OpenSystem(0.5 * w0 * qoj.sigmaz(), [qoj.Coupling("b", qoj.sigmax(), bath)])


def rate_matrix(system, dt):
    (term,) = qoj.CoarseGrainedMasterEquation(dt).dissipator(system, system.couplings[0])
    return term.rates


def transitions(system):
    return bohr_decomposition(system.hamiltonian, system.couplings[0].operator)


def dissipative_scale(system, generator):
    bare = qoj.master_equation(qoj.OpenSystem(system.hamiltonian, []), "global")
    return np.abs(np.asarray(generator.superoperator() - bare.superoperator())).max()


def test_rates_are_the_double_integral_of_eq_45():
    """Gamma_pq = (1/dt) int_0^dt int_0^dt G(t2 - t1) e^{-i w_p t1} e^{i w_q t2}, with G from
    `Bath.correlation`, by a 2D Gauss-Legendre rule (dt within G's accurate range)."""
    dt = 3.0
    # n_nodes=512: G accurate to ~1e-9 G(0) for tau up to 512 / (20 cutoff) ~ 5 > dt
    bath = qoj.Bath(qoj.spectra.Ohmic(0.05, s=1.0, cutoff=5.0), 0.5, n_nodes=512)
    system = qubit(1.3, bath)
    w = np.asarray(transitions(system).frequencies)
    x, c = np.polynomial.legendre.leggauss(112)
    t, c = (x + 1) * dt / 2, c * dt / 2
    g = np.asarray(bath.correlation(t[None, :] - t[:, None]))  # [i, j] = G(t_j - t_i)
    phases = np.exp(-1j * np.outer(w, t))  # [p, i] = e^{-i w_p t_i}
    expected = (phases * c) @ g @ (phases * c).conj().T / dt
    got = np.asarray(rate_matrix(system, dt))
    np.testing.assert_allclose(got, expected, atol=1e-9 * np.abs(expected).max())


def test_rates_are_hermitian_and_positive_for_every_dt():
    system = coupled_qubits(0.05, w2=0.8)
    dts = jnp.array([1e-2 / CUTOFF, 0.1, 1.0, 10.0, 100.0, 1e3, 1e4])
    rates = np.asarray(jax.vmap(lambda dt: rate_matrix(system, dt))(dts))
    for gamma in rates:
        np.testing.assert_array_equal(gamma, gamma.conj().T)
        eigenvalues = np.linalg.eigvalsh(gamma)
        assert eigenvalues[0] >= -1e-12 * eigenvalues[-1]
    # short coarse graining: Gamma -> dt G(0) for every pair (no time to resolve frequencies)
    g0 = float(ohmic(0.5).correlation(0.0).real)
    np.testing.assert_allclose(rates[0] / dts[0], g0, rtol=2e-3)


def test_long_coarse_graining_gives_the_global_generator():
    """Seed 004 eq 49, |w_pq| dt >> 1 for every pair of distinct frequencies: the secular
    (Davies) generator, approached as 1/(dt * gap) (gap = 2 lam, the doublet splitting)."""
    lam = 0.05
    system = coupled_qubits(lam)
    global_ = qoj.master_equation(system, "global")
    scale = dissipative_scale(system, global_)
    errors = []
    for dt in (200 / lam, 2000 / lam, 20000 / lam):
        gen = qoj.master_equation(system, "coarse_grained", dt=dt)
        error = np.abs(np.asarray(gen.superoperator() - global_.superoperator())).max() / scale
        assert error * dt * (2 * lam) < 2.0  # measured 0.76, 0.86, 0.49
        errors.append(error)
    assert errors[2] < errors[0] / 30


def test_intermediate_coarse_graining_gives_the_partial_secular_generator():
    """Seed 004 eqs 49 and 55: for 1/w << dt << 1/lam the doublet's pairs keep rates at their
    mean frequency while pairs ~w apart decouple. The difference is ~(1/(w dt) + lam dt)/2
    relative (the eq 47 correction and opposite-sign pairs, and the phase lam dt of the
    doublet's coherences), smallest near dt ~ 1/sqrt(w lam); the global generator stays
    O(1) away."""
    lam = 1e-4
    system = coupled_qubits(lam)
    partial = qoj.master_equation(system, "partial_secular", resolution=0.1)
    global_ = qoj.master_equation(system, "global")
    scale = dissipative_scale(system, partial)

    def distance(gen, dt):
        other = qoj.master_equation(system, "coarse_grained", dt=dt)
        return np.abs(np.asarray(other.superoperator() - gen.superoperator())).max() / scale

    errors = {dt: distance(partial, dt) for dt in (10.0, 100.0, 1000.0)}
    for dt, error in errors.items():
        assert error < 0.7 * (1 / dt + lam * dt)
    assert errors[100.0] < 1e-2
    assert 5 < errors[10.0] / errors[100.0] < 20  # ~1/dt below the optimum
    assert 5 < errors[1000.0] / errors[100.0] < 20  # ~dt above it
    assert distance(global_, 100.0) > 50 * errors[100.0]
    # unlike the mean-frequency rule with an Ohmic spectrum, the coarse-grained generator is
    # exactly of Lindblad form
    assert bool(qoj.nonmarkov.is_lindblad(qoj.master_equation(system, "coarse_grained", dt=100.0)))


def _finite_part(emission, w, a):
    """f.p. int S(nu)/(nu - w)^2 dnu (Hadamard), S smooth on [w - a, w + a]."""
    s = lambda nu: float(emission(nu))
    slope = float(jax.grad(emission)(w))
    inner = integrate.quad(
        lambda y: (s(w + y) - s(w) - slope * y) / y**2, -a, a, points=[0.0], epsrel=1e-11
    )[0]
    outer = sum(
        integrate.quad(lambda nu: s(nu) / (nu - w) ** 2, lo, hi, limit=200, epsrel=1e-11)[0]
        for lo, hi in [(-40.0, 0.0), (0.0, w - a), (w + a, 50 * CUTOFF)]
    )
    return inner - 2 * s(w) / a + outer


def test_emission_rate_is_approached_with_the_eq_47_correction():
    """Single qubit: Gamma_pp(dt) = S(w0) - (1/dt) int_{-inf}^{inf} |tau| G(tau) e^{i w0 tau}
    dtau + o(1/dt) (seed 004 eq 47 in qoj's conventions), i.e. S(w0) + c / dt with
    c = (1/pi) f.p. int S(nu)/(nu - w0)^2 dnu."""
    w0, bath = 1.0, ohmic(0.5)
    system = qubit(w0, bath)
    emission = jax.jit(lambda w: bath.emission_rate(w))
    p = int(np.argmax(np.asarray(transitions(system).frequencies)))  # A_p = |g><e|
    target = float(emission(w0))
    c = _finite_part(emission, w0, w0 / 2) / np.pi
    for dt in (1e2, 1e3, 1e4):
        gamma = complex(rate_matrix(system, dt)[p, p])
        assert gamma.imag == 0.0
        np.testing.assert_allclose(dt * (gamma.real - target), c, rtol=1e-4)


def test_heat_current_gradients_match_finite_differences():
    def current(t1, dt, lam):
        system = coupled_qubits(lam, w2=0.8, t1=t1, t2=0.3)
        gen = qoj.master_equation(system, "coarse_grained", dt=dt)
        return qoj.heat_currents(gen, qoj.steady_state(gen))["1"]

    point = (0.6, 20.0, 0.05)
    grads = jax.jit(jax.grad(current, argnums=(0, 1, 2)))(*point)
    value = jax.jit(current)
    assert float(value(*point)) > 0  # heat flows in from the hotter bath
    for k, grad in enumerate(grads):
        step = 1e-5 * point[k]
        up = list(point)
        down = list(point)
        up[k] += step
        down[k] -= step
        fd = (value(*up) - value(*down)) / (2 * step)
        assert abs(float(grad) - float(fd)) < 1e-6 * abs(float(fd)), k


@pytest.mark.parametrize("dt", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_dt_raises(dt):
    with pytest.raises(ValueError, match="dt"):
        qoj.master_equation(coupled_qubits(0.05), "coarse_grained", dt=dt)


def test_bad_dt_raises_under_jit():
    with pytest.raises(Exception, match="dt"):
        jax.block_until_ready(jax.jit(lambda dt: qoj.CoarseGrainedMasterEquation(dt).dt)(-1.0))


def test_baths_without_a_correlation_function_raise():
    flat = qubit(1.0, qoj.Bath(qoj.spectra.Flat(0.02), 0.5))
    with pytest.raises(ValueError, match="correlation"):
        qoj.master_equation(flat, "coarse_grained", dt=1.0)
    lorentzian = qubit(1.0, qoj.Bath(qoj.spectra.Lorentzian(0.02, 1.0, 0.5), 0.5))
    with pytest.raises(ValueError, match="diverge"):
        qoj.master_equation(lorentzian, "coarse_grained", dt=1.0)


def _zero_temperature_correlation():
    """Ohmic s = 1 at T = 0: S(nu) = kappa nu e^{-nu/cutoff} (nu > 0), hence
    G(tau) = (1/2pi) int S(nu) e^{-i nu tau} dnu = (kappa/2pi) / (1/cutoff + i tau)^2."""
    bath = ohmic(0.0)
    nu = np.array([0.3, 1.0, 7.0])
    np.testing.assert_allclose(
        np.asarray(bath.emission_rate(jnp.asarray(nu))), KAPPA * nu * np.exp(-nu / CUTOFF)
    )
    assert float(bath.emission_rate(-1.0)) == 0.0
    return bath, lambda tau: KAPPA / (2 * np.pi) / (1 / CUTOFF + 1j * tau) ** 2


def _one_sided_reference(w, dt, correlation):
    """M_pq = (1/dt) int_0^dt G(tau) e^{i w_p tau} (e^{i D dt} - e^{i D tau})/(i D) dtau with
    D = w_q - w_p ((dt - tau) at D = 0): the time-ordered average, by adaptive quadrature."""

    def entry(wp, wq):
        d = wq - wp
        if d == 0:
            weight = lambda t: dt - t  # noqa: E731
        else:
            weight = lambda t: (np.exp(1j * d * dt) - np.exp(1j * d * t)) / (1j * d)  # noqa: E731
        f = lambda t: correlation(t) * np.exp(1j * wp * t) * weight(t)  # noqa: E731
        edges = np.linspace(0.0, dt, int(np.ceil(2 * dt)) + 1)  # pieces of <= 1/2
        total = 0j
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            total += integrate.quad(lambda t: f(t).real, lo, hi, epsabs=1e-17, epsrel=1e-12)[0]
            total += 1j * integrate.quad(lambda t: f(t).imag, lo, hi, epsabs=1e-17, epsrel=1e-12)[0]
        return total / dt

    return np.array([[entry(a, b) for b in w] for a in w])


@pytest.mark.parametrize("dt", [0.3, 3.0, 30.0, 300.0])
def test_rates_and_lamb_shift_match_the_time_domain_average(dt):
    """Gamma = M + M^dag (seed 004 eq 45) and sigma = (M - M^dag)/2i against the time-domain
    double integral with the closed-form T = 0 Ohmic correlation function."""
    bath, correlation = _zero_temperature_correlation()
    w = np.array([0.0, 1.3, -1.3, 0.02])
    m = _one_sided_reference(w, dt, correlation)
    gamma, sigma = coarse_grained_rates(bath, jnp.asarray(w), dt)
    scale = np.abs(m).max()
    np.testing.assert_allclose(np.asarray(gamma), m + m.conj().T, atol=1e-11 * scale)
    np.testing.assert_allclose(np.asarray(sigma), (m - m.conj().T) / 2j, atol=1e-11 * scale)


def test_distinct_frequencies_give_the_same_rates():
    bath = ohmic(0.7)
    w = jnp.asarray([0.0, 1.1, -1.1, 0.0])
    full = coarse_grained_rates(bath, w, 4.0)
    shared = coarse_grained_rates(bath, w, 4.0, distinct=(0, 1, 2, 0))
    for a, b in zip(full, shared, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=1e-17)


def test_lamb_shift_tends_to_the_global_one():
    """sigma_pp(dt) -> Bath.lamb_shift(w_p) (the one-sided transform's imaginary part) with a
    1/dt correction, and the generator's Lamb-shift Hamiltonian tends to the global one."""
    w0, bath = 1.0, ohmic(0.5)
    system = qubit(w0, bath)
    w = transitions(system).frequencies
    target = np.asarray(bath.lamb_shift(w))
    errors = []
    for dt in (1e2, 1e3, 1e4):
        _, sigma = coarse_grained_rates(bath, w, dt)
        nonzero = np.abs(w) > 0  # (w = 0: a log(dt)/dt correction from the kink at 0)
        errors.append(np.abs(np.diagonal(np.asarray(sigma)) - target)[nonzero].max())
    assert errors[0] < 0.02 * np.abs(target).max()
    assert errors[1] < errors[0] / 8 and errors[2] < errors[1] / 8

    def shift(gen):
        return (
            gen.superoperator()
            - qoj.master_equation(system, "global", lamb_shift=False).superoperator()
        )

    coarse = qoj.master_equation(system, "coarse_grained", dt=1e4, lamb_shift=True)
    plain = qoj.master_equation(system, "coarse_grained", dt=1e4)
    global_ = qoj.master_equation(system, "global", lamb_shift=True)
    difference = coarse.superoperator() - plain.superoperator()
    expected = shift(global_)
    assert np.abs(np.asarray(difference - expected)).max() < 1e-2 * np.abs(expected).max()


def test_lamb_shift_keeps_the_lindblad_form_and_a_physical_steady_state():
    """H_LS is Hermitian and leaves Gamma alone: the generator stays of Lindblad form, its
    steady state is a density matrix, and heat still flows in from the hotter bath."""
    system = coupled_qubits(0.05, w2=0.8, t1=0.9, t2=0.3)
    gen = qoj.master_equation(system, "coarse_grained", dt=20.0, lamb_shift=True)
    plain = qoj.master_equation(system, "coarse_grained", dt=20.0)
    assert bool(qoj.nonmarkov.is_lindblad(gen))
    assert np.abs(np.asarray(gen.superoperator() - plain.superoperator())).max() > 1e-6
    rho = np.asarray(qoj.steady_state(gen))
    np.testing.assert_allclose(np.trace(rho).real, 1.0, atol=1e-12)
    assert np.linalg.eigvalsh(rho)[0] > -1e-12
    assert float(qoj.heat_currents(gen, jnp.asarray(rho))["1"]) > 0
