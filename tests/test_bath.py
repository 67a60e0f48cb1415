"""Thermal baths: rates against Bose/Fermi physics (detailed balance, limits), the correlation
function against closed forms and its own Fourier transform, gradients against finite
differences, robustness at T = 0 and w = 0, and input validation."""

import warnings

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")

from qoj._bath import Bath  # noqa: E402
from qoj.spectra import Flat, Lorentzian, Newns, Ohmic  # noqa: E402

G_OHM, WC = 0.1, 1.0


def trigamma(z, shift=30):
    """psi'(z) for complex z (recurrence, then the asymptotic series), ~1e-15 accurate."""
    z = np.asarray(z, complex)
    total = sum(1 / (z + k) ** 2 for k in range(shift))
    z = z + shift
    return total + 1 / z + 1 / (2 * z**2) + 1 / (6 * z**3) - 1 / (30 * z**5) + 1 / (42 * z**7)


def ohmic_correlation_exact(g, wc, temperature, tau):
    """G(tau) for J = g w e^{-w/wc}: expanding n(w) in e^{-k w/T} term by term gives
    (g/2pi) T^2 [psi'(T/wc + i T tau) + psi'(1 + T/wc - i T tau)]; at T = 0,
    (g/2pi)/(1/wc + i tau)^2."""
    tau = np.asarray(tau, float)
    if temperature == 0:
        return g / (2 * np.pi) / (1 / wc + 1j * tau) ** 2
    t = temperature
    return (
        g
        / (2 * np.pi)
        * t**2
        * (trigamma(t / wc + 1j * t * tau) + trigamma(1 + t / wc - 1j * t * tau))
    )


def gauss_legendre_grid(a, b, panels, order=16):
    x, w = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(a, b, panels + 1)
    half = np.diff(edges)[:, None] / 2
    nodes = (edges[:-1, None] + half * (x[None, :] + 1)).ravel()
    return nodes, (half * w[None, :]).ravel()


# Compiled once per kind of bath and shape of tau (eager evaluation dispatches op by op).
_correlation = eqx.filter_jit(lambda bath, tau: bath.correlation(jnp.asarray(tau)))


# ---------------------------------------------------------------------------- rates


@pytest.mark.parametrize("temperature", [0.05, 0.7, 20.0])
def test_bose_detailed_balance_and_definitions(temperature):
    bath = Bath(Ohmic(G_OHM, 1.0, WC), temperature)
    w = np.array([-3.0, -0.4, 1e-3, 0.2, 1.0, 3.0])
    emission, absorption = bath.emission_rate(w), bath.absorption_rate(w)
    np.testing.assert_allclose(emission / absorption, np.exp(w / temperature), rtol=1e-12)
    # emission(-w) = absorption(w) for every real w.
    np.testing.assert_allclose(bath.emission_rate(-w), absorption, rtol=1e-14)
    pos = w > 0
    j = G_OHM * w[pos] * np.exp(-w[pos] / WC)
    n = 1 / np.expm1(w[pos] / temperature)
    np.testing.assert_allclose(bath.occupation(w[pos]), n, rtol=1e-13)
    np.testing.assert_allclose(emission[pos], j * (1 + n), rtol=1e-13)
    np.testing.assert_allclose(absorption[pos], j * n, rtol=1e-13)
    np.testing.assert_allclose(bath.occupation(-w[pos]), -1 - n, rtol=1e-13)


@pytest.mark.parametrize(("temperature", "mu"), [(0.1, 0.3), (1.0, -0.5), (0.02, 0.0)])
def test_fermi_detailed_balance_and_definitions(temperature, mu):
    bath = Bath(Newns(0.4, 2.0), temperature, chemical_potential=mu, statistics="fermi")
    w = np.array([-1.5, -0.2, 0.0, 0.25, 0.5, 1.2])
    emission, absorption = bath.emission_rate(w), bath.absorption_rate(w)
    np.testing.assert_allclose(emission / absorption, np.exp((w - mu) / temperature), rtol=1e-11)
    f = 1 / (np.exp((w - mu) / temperature) + 1)
    one_minus_f = 1 / (np.exp(-(w - mu) / temperature) + 1)
    j = 0.4 * np.sqrt(1 - w**2 / 4)
    np.testing.assert_allclose(bath.occupation(w), f, rtol=1e-13)
    np.testing.assert_allclose(emission, j * one_minus_f, rtol=1e-12)
    np.testing.assert_allclose(absorption, j * f, rtol=1e-12)
    # Outside the band nothing flows.
    np.testing.assert_array_equal(bath.emission_rate(np.array([-3.0, 2.0, 5.0])), 0.0)


def test_zero_temperature_limits():
    spectrum = Ohmic(G_OHM, 1.0, WC)
    w = np.array([0.01, 0.5, 2.0])
    j = spectrum(w)
    for temperature in [0.0, 1e-300, 1e-4]:
        bath = Bath(spectrum, temperature)
        # e^{-w/T} <= e^{-100}: zero to any tolerance.
        np.testing.assert_allclose(bath.absorption_rate(w), 0.0, atol=1e-40)
        np.testing.assert_allclose(bath.emission_rate(w), j, rtol=1e-15)
        np.testing.assert_allclose(bath.emission_rate(-w), 0.0, atol=1e-40)
        np.testing.assert_allclose(bath.occupation(w), 0.0, atol=1e-40)
        np.testing.assert_allclose(bath.occupation(-w), -1.0, rtol=1e-15)
    fermi = Bath(Newns(1.0, 2.0), 0.0, chemical_potential=0.3, statistics="fermi")
    np.testing.assert_array_equal(fermi.occupation(np.array([-1.0, 0.3, 0.31])), [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(fermi.absorption_rate(np.array([0.5, 1.0])), 0.0)
    w = np.array([-1.0, 0.0, 0.2])
    np.testing.assert_array_equal(fermi.emission_rate(w), 0.0)
    np.testing.assert_allclose(fermi.absorption_rate(w), Newns(1.0, 2.0)(w), rtol=1e-15)


def test_high_temperature_and_zero_frequency_limits():
    temperature = 1e4
    bath = Bath(Ohmic(G_OHM, 1.0, WC), temperature)
    w = np.array([0.1, 1.0, 3.0])
    # n = T/w - 1/2 + w/(12 T) + O((w/T)^3)
    np.testing.assert_allclose(bath.occupation(w), temperature / w, rtol=2e-4)
    np.testing.assert_allclose(
        bath.occupation(w), temperature / w - 0.5 + w / (12 * temperature), rtol=1e-12
    )
    # Ohmic s = 1: J(w) n(w) -> coupling * T as w -> 0, from both sides and at w = 0.
    for t in [0.01, 1.0, 30.0]:
        bath = Bath(Ohmic(G_OHM, 1.0, WC), t)
        for w0 in [0.0, 1e-12, -1e-12]:
            np.testing.assert_allclose(bath.absorption_rate(w0), G_OHM * t, rtol=1e-7)
            np.testing.assert_allclose(bath.emission_rate(w0), G_OHM * t, rtol=1e-7)
    assert bath.occupation(0.0) == np.inf


def _all_finite(tree):
    return all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in jax.tree_util.tree_leaves(tree))


def _bose_value(w, temperature, coupling, method):
    return getattr(Bath(Ohmic(coupling, 1.0, WC), temperature), method)(w)


_bose_value_and_grads = jax.jit(
    jax.value_and_grad(_bose_value, argnums=(0, 1, 2)), static_argnames="method"
)


@pytest.mark.parametrize("method", ["emission_rate", "absorption_rate", "occupation"])
@pytest.mark.parametrize("temperature", [0.0, 1e-300, 0.5])
@pytest.mark.parametrize("w", [0.0, 1e-8, -0.3, 0.7])
def test_bose_finite_gradients_at_zero_temperature_and_frequency(method, temperature, w):
    value, grads = _bose_value_and_grads(w, temperature, G_OHM, method=method)
    if not (method == "occupation" and w == 0.0):  # n(0) = +inf is the physics
        assert np.isfinite(value)
    assert _all_finite(grads), grads


def _fermi_value(w, temperature, gamma, omega, mu, method):
    bath = Bath(Newns(gamma, omega), temperature, chemical_potential=mu, statistics="fermi")
    return getattr(bath, method)(w)


_fermi_value_and_grads = jax.jit(
    jax.value_and_grad(_fermi_value, argnums=(0, 1, 2, 3, 4)), static_argnames="method"
)


@pytest.mark.parametrize("method", ["emission_rate", "absorption_rate", "occupation"])
@pytest.mark.parametrize("temperature", [0.0, 0.2])
@pytest.mark.parametrize("w", [-3.0, -2.0, 0.1, 0.3, 2.0, 2.5])
def test_fermi_finite_gradients_at_band_edge_and_fermi_level(method, temperature, w):
    value, grads = _fermi_value_and_grads(w, temperature, 0.4, 2.0, 0.3, method=method)
    assert np.isfinite(value)
    assert _all_finite(grads), grads


def _central_difference(f, x, rel=1e-6):
    h = rel * max(abs(x), 1.0)
    return (f(x + h) - f(x - h)) / (2 * h)


@jax.jit
def _ohmic_rate(w, temperature, coupling):
    return Bath(Ohmic(coupling, 0.8, 1.3), temperature).emission_rate(w)


@jax.jit
def _newns_rate(w, temperature, mu):
    bath = Bath(Newns(0.4, 2.0), temperature, chemical_potential=mu, statistics="fermi")
    return bath.emission_rate(w)


@pytest.mark.parametrize("w", [-0.8, 0.3, 1.7])
def test_emission_rate_gradient_matches_finite_differences(w):
    t0, g0 = 0.6, 0.05
    d_t, d_g = jax.grad(_ohmic_rate, argnums=(1, 2))(w, t0, g0)
    fd_t = _central_difference(lambda t: _ohmic_rate(w, t, g0), t0)
    fd_g = _central_difference(lambda g: _ohmic_rate(w, t0, g), g0)
    np.testing.assert_allclose([d_t, d_g], [fd_t, fd_g], rtol=1e-6)

    t0, mu0 = 0.3, 0.1
    d_t, d_mu = jax.grad(_newns_rate, argnums=(1, 2))(w, t0, mu0)
    fd_t = _central_difference(lambda t: _newns_rate(w, t, mu0), t0)
    fd_mu = _central_difference(lambda m: _newns_rate(w, t0, m), mu0)
    np.testing.assert_allclose([d_t, d_mu], [fd_t, fd_mu], rtol=1e-6, atol=1e-12)


# ---------------------------------------------------------------------------- correlation


def test_ohmic_zero_temperature_correlation_closed_form():
    for wc in [1.0, 3.0]:
        bath = Bath(Ohmic(G_OHM, 1.0, wc), 0.0)
        tau = np.linspace(0.0, 20.0 / wc, 401)
        exact = ohmic_correlation_exact(G_OHM, wc, 0.0, tau)
        got = np.asarray(_correlation(bath, tau))
        assert got.shape == tau.shape and got.dtype == np.complex128
        np.testing.assert_array_less(np.abs(got - exact) / np.abs(exact), 1e-8)


@pytest.mark.parametrize("temperature", [0.01, 0.3, 2.0, 50.0])
def test_ohmic_thermal_correlation_closed_form(temperature):
    bath = Bath(Ohmic(G_OHM, 1.0, WC), temperature)
    tau = np.linspace(-60.0, 60.0, 241)
    exact = ohmic_correlation_exact(G_OHM, WC, temperature, np.abs(tau))
    exact = np.where(tau < 0, np.conj(exact), exact)
    got = np.asarray(_correlation(bath, tau))
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-10 * np.abs(exact).max())


@pytest.mark.parametrize(
    "bath",
    [
        Bath(Ohmic(0.05, 0.6, 2.0), 0.4),
        Bath(Ohmic(0.05, 2.0, 1.0), 0.0),
        Bath(Lorentzian(0.2, 1.0, 0.4), 0.0),
        Bath(Newns(0.4, 2.0), 0.3, chemical_potential=0.2, statistics="fermi"),
    ],
)
def test_correlation_hermiticity_in_tau(bath):
    tau = np.array([0.0, 0.1, 0.7, 3.0, 25.0])
    forward, backward = _correlation(bath, tau), _correlation(bath, -tau)
    np.testing.assert_allclose(backward, np.conj(forward), rtol=1e-13, atol=1e-16)
    # G(0) = (1/2pi) int emission_rate over all w is real and positive.
    assert float(forward[0].real) > 0
    assert abs(float(forward[0].imag)) < 1e-15


@pytest.mark.parametrize(("s", "temperature"), [(0.3, 0.5), (3.0, 0.3), (1.0, 1e-3)])
def test_ohmic_correlation_against_quadpack(s, temperature):
    # Sub-Ohmic s < 1/2: J coth(w/2T) ~ w^{s-1} is singular at w = 0 (the rule maps it away).
    bath = Bath(Ohmic(0.1, s, 1.0), temperature)
    taus = np.array([0.0, 0.1, 0.7, 3.0, 25.0])
    j = lambda w: 0.1 * w**s * np.exp(-w)
    opts = dict(limit=1000, epsabs=1e-15, epsrel=1e-13)
    expected = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for tau in taus:

            def even(w, tau=tau):
                return j(w) / np.tanh(w / (2 * temperature)) * np.cos(w * tau)

            pieces = [(0.0, 1e-6), (1e-6, 1.0), (1.0, 80.0)]
            re = sum(integrate.quad(even, a, b, **opts)[0] for a, b in pieces)
            odd = lambda w, tau=tau: j(w) * np.sin(w * tau)
            im = -integrate.quad(odd, 0.0, 80.0, **opts)[0]
            expected.append((re + 1j * im) / (2 * np.pi))
    expected = np.array(expected)
    np.testing.assert_allclose(
        _correlation(bath, taus), expected, rtol=1e-10, atol=1e-13 * abs(expected[0])
    )


def _fourier_of_correlation(bath, w, t_max, panels):
    """int_{-t_max}^{t_max} G(tau) e^{i w tau} dtau = 2 Re int_0^t_max G e^{i w tau} dtau."""
    tau, weights = gauss_legendre_grid(0.0, t_max, panels)
    g = np.asarray(_correlation(bath, tau))
    return np.array([2 * np.sum(weights * g * np.exp(1j * wk * tau)).real for wk in w])


def test_fourier_transform_of_correlation_gives_the_rates_bosons():
    # G decays like 1/tau^2, so cutting at tau = 200 leaves ~1e-6 of the rates.
    bath = Bath(Ohmic(G_OHM, 1.0, WC), 0.5, n_nodes=4096)
    w = np.array([0.3, 1.0, 2.0])
    transform = _fourier_of_correlation(bath, np.concatenate([w, -w]), 200.0, 250)
    # The cut costs ~ 2 |G(200)| / w ~ 1e-6.
    np.testing.assert_allclose(transform[:3], bath.emission_rate(w), rtol=1e-4, atol=2e-6)
    np.testing.assert_allclose(transform[3:], bath.absorption_rate(w), rtol=1e-4, atol=2e-6)


def test_fourier_transform_of_correlation_gives_the_rates_fermions():
    bath = Bath(Newns(0.4, 2.0), 0.2, chemical_potential=0.3, statistics="fermi")
    w = np.array([-1.0, 0.0, 0.3, 0.8, 1.2])
    transform = _fourier_of_correlation(bath, w, 400.0, 300)
    np.testing.assert_allclose(transform, bath.emission_rate(w), rtol=0, atol=1e-4 * 0.4)


@pytest.mark.parametrize(("temperature", "mu"), [(0.0, 0.5), (0.15, -0.4), (1.0, 3.0)])
def test_newns_fermi_correlation_at_zero(temperature, mu):
    bath = Bath(Newns(0.4, 2.0), temperature, chemical_potential=mu, statistics="fermi")

    def integrand(w):
        j = 0.4 * np.sqrt(1 - w * w / 4)
        empty = float(w > mu) if temperature == 0 else 1 / (1 + np.exp(-(w - mu) / temperature))
        return j * empty

    points = [mu] if abs(mu) < 2 else None
    expected = integrate.quad(integrand, -2.0, 2.0, points=points, epsabs=1e-15, epsrel=1e-13)[0]
    expected /= 2 * np.pi
    np.testing.assert_allclose(_correlation(bath, 0.0), expected, rtol=1e-11)


def _fourier_reference(j, s, tau, lower, upper, points=None):
    """(1/2pi) int_lower^upper j(w) s(w) e^{-i w tau} dw with QUADPACK."""
    opts = dict(limit=2000, epsabs=1e-14, epsrel=1e-12, points=points)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        re = integrate.quad(lambda w: j(w) * s(w) * np.cos(w * tau), lower, upper, **opts)[0]
        im = integrate.quad(lambda w: j(w) * s(w) * np.sin(w * tau), lower, upper, **opts)[0]
    return (re - 1j * im) / (2 * np.pi)


def test_newns_fermi_correlation_against_quadpack():
    temperature, mu = 0.05, 0.3
    bath = Bath(Newns(0.4, 2.0), temperature, chemical_potential=mu, statistics="fermi")
    taus = np.array([0.5, 3.0, 40.0, 500.0])
    j = lambda w: 0.4 * np.sqrt(max(0.0, 1 - w * w / 4))
    s = lambda w: 1 / (1 + np.exp(-(w - mu) / temperature))
    expected = [_fourier_reference(j, s, t, -2.0, 2.0, points=[mu]) for t in taus]
    np.testing.assert_allclose(_correlation(bath, taus), expected, rtol=0, atol=1e-11)


def test_lorentzian_fermi_correlation_against_quadpack():
    # Emission J (1 - f): 1/w^2 tail towards +inf, whose part beyond 2000 is the asymptotic
    # expansion int_B^inf J e^{-i w tau} ~ e^{-i B tau} J(B) / (i tau).
    rate, center, width, temperature, mu = 0.2, 0.5, 0.4, 0.05, 0.3
    h = width / 2
    bath = Bath(
        Lorentzian(rate, center, width), temperature, chemical_potential=mu, statistics="fermi"
    )
    big = 2000.0
    j = lambda w: rate * h * h / ((w - center) ** 2 + h * h)
    s = lambda w: 1 / (1 + np.exp(-(w - mu) / temperature))
    for tau in [1.0, 7.0]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            core = _fourier_reference(j, s, tau, mu - 3.0, mu + 3.0, points=[mu, center])
            tail = [
                integrate.quad(
                    lambda w: j(w) * s(w),
                    mu + 3.0,
                    big,
                    weight=kind,
                    wvar=tau,
                    limit=2000,
                    epsabs=1e-15,
                )[0]
                for kind in ("cos", "sin")
            ]
        tail = tail[0] - 1j * tail[1] + np.exp(-1j * big * tau) * j(big) / (1j * tau)
        expected = core + tail / (2 * np.pi)
        np.testing.assert_allclose(_correlation(bath, tau), expected, rtol=0, atol=1e-10)


@jax.jit
def _ohmic_correlation_parts(tau, temperature, coupling):
    value = Bath(Ohmic(coupling, 1.0, 2.0), temperature).correlation(tau)
    return jnp.stack([value.real, value.imag])


@jax.jit
def _newns_correlation_parts(tau, temperature, mu):
    bath = Bath(Newns(0.4, 2.0), temperature, chemical_potential=mu, statistics="fermi")
    value = bath.correlation(tau)
    return jnp.stack([value.real, value.imag])


_ohmic_jacfwd = jax.jit(jax.jacfwd(_ohmic_correlation_parts, argnums=(1, 2)))
_ohmic_jacrev = jax.jit(jax.jacrev(_ohmic_correlation_parts, argnums=(1, 2)))
_newns_jacrev = jax.jit(jax.jacrev(_newns_correlation_parts, argnums=(1, 2)))


def test_correlation_gradient_matches_finite_differences():
    tau, t0, g0 = 1.3, 0.3, 0.1
    parts = _ohmic_correlation_parts
    jac_t, jac_g = _ohmic_jacfwd(tau, t0, g0)
    fd_t = _central_difference(lambda t: parts(tau, t, g0), t0)
    fd_g = _central_difference(lambda g: parts(tau, t0, g), g0)
    np.testing.assert_allclose(jac_t, fd_t, rtol=1e-6)
    np.testing.assert_allclose(jac_g, fd_g, rtol=1e-6)
    np.testing.assert_allclose(jac_g, parts(tau, t0, g0) / g0, rtol=1e-12)  # G is linear in g
    np.testing.assert_allclose(_ohmic_jacrev(tau, t0, g0), (jac_t, jac_g), rtol=1e-12)
    # At T = 0: finite, and dG/dT = 0 (the thermal part starts as T^2).
    jac_t, jac_g = _ohmic_jacfwd(tau, 0.0, g0)
    np.testing.assert_allclose(jac_g, parts(tau, 0.0, g0) / g0, rtol=1e-12)
    assert np.all(np.isfinite(jac_t)) and np.all(np.abs(jac_t) < 1e-12)

    parts = _newns_correlation_parts
    t0, mu0 = 0.2, 0.3
    jac_t, jac_mu = _newns_jacrev(tau, t0, mu0)
    fd_t = _central_difference(lambda t: parts(tau, t, mu0), t0)
    fd_mu = _central_difference(lambda m: parts(tau, t0, m), mu0)
    np.testing.assert_allclose(jac_t, fd_t, rtol=1e-6)
    np.testing.assert_allclose(jac_mu, fd_mu, rtol=1e-6)


def test_correlation_rejects_infinite_bandwidth_and_infrared_divergence():
    with pytest.raises(ValueError, match="infinite bandwidth"):
        Bath(Flat(0.1), 0.0).correlation(1.0)
    with pytest.raises(ValueError, match="infinite bandwidth"):
        Bath(Flat(0.1), 0.5, statistics="fermi").correlation(1.0)
    with pytest.raises(ValueError, match="cutoff=inf"):
        Bath(Ohmic(0.1), 0.0).correlation(1.0)
    with pytest.raises(ValueError, match="diverges"):
        Bath(Lorentzian(0.1, 1.0, 0.2), 0.5).correlation(1.0)
    with pytest.raises(ValueError, match="diverges"):
        Bath(Ohmic(0.1, 0.0, 1.0), 0.5).correlation(1.0)
    # ... but the zero-temperature correlation of those is finite.
    assert np.isfinite(complex(Bath(Lorentzian(0.1, 1.0, 0.2), 0.0).correlation(1.0)))

    class Custom(eqx.Module):
        def __call__(self, w):
            return 0.1 * jnp.maximum(w, 0.0)

    bath = Bath(Custom(), 0.3)  # any J(w) module gives rates ...
    np.testing.assert_allclose(bath.absorption_rate(1.0), 0.1 / np.expm1(1 / 0.3), rtol=1e-14)
    with pytest.raises(TypeError, match="AbstractSpectralDensity"):  # ... not a correlation
        bath.correlation(1.0)


# ---------------------------------------------------------------------------- validation, jit


def test_bad_input_raises_naming_the_argument():
    with pytest.raises(ValueError, match="temperature"):
        Bath(Ohmic(0.1, 1.0, 1.0), -0.1)
    with pytest.raises(ValueError, match="statistics"):
        Bath(Ohmic(0.1, 1.0, 1.0), 0.1, statistics="boltzmann")
    with pytest.raises(ValueError, match="coupling"):
        Bath(Ohmic(-0.1, 1.0, 1.0), 0.1)
    with pytest.raises(ValueError, match="chemical_potential"):
        Bath(Ohmic(0.1, 1.0, 1.0), 0.1, chemical_potential=0.2)
    with pytest.raises(ValueError, match="temperature"):
        Bath(Ohmic(0.1, 1.0, 1.0), np.array([0.1, 0.2]))
    with pytest.raises(TypeError, match="spectrum"):
        Bath(0.3, 0.1)
    with pytest.raises(ValueError, match="n_nodes"):
        Bath(Ohmic(0.1, 1.0, 1.0), 0.1, n_nodes=4)

    @jax.jit
    def rate(temperature, coupling):
        return Bath(Ohmic(coupling, 1.0, 1.0), temperature).emission_rate(0.5)

    with pytest.raises(Exception, match="temperature"):
        jax.block_until_ready(rate(-0.1, 0.1))
    with pytest.raises(Exception, match="coupling"):
        jax.block_until_ready(rate(0.1, -0.1))
    with pytest.raises(Exception, match="diverges"):
        jax.block_until_ready(
            jax.jit(lambda t: Bath(Lorentzian(0.1, 1.0, 0.2), t).correlation(1.0))(0.5)
        )


def test_jit_vmap_over_temperature_without_retracing():
    spectrum = Ohmic(G_OHM, 1.0, WC)
    w = jnp.array([0.2, 1.0])

    @eqx.filter_jit
    @eqx.debug.assert_max_traces(max_traces=1)
    def rates(bath):
        return bath.emission_rate(w), bath.correlation(jnp.array([0.0, 1.0]))

    first = rates(Bath(spectrum, 0.3))
    second = rates(Bath(spectrum, 0.7))  # new temperature value: same trace
    np.testing.assert_allclose(first[0], Bath(spectrum, 0.3).emission_rate(w), rtol=1e-14)
    np.testing.assert_allclose(second[0], Bath(spectrum, 0.7).emission_rate(w), rtol=1e-14)

    temperatures = jnp.array([0.0, 0.1, 1.0, 10.0])
    batched = jax.jit(jax.vmap(lambda t: Bath(spectrum, t).absorption_rate(w)))(temperatures)
    for t, row in zip(temperatures, batched, strict=True):
        np.testing.assert_allclose(row, Bath(spectrum, t).absorption_rate(w), rtol=1e-14)
    correlation = jax.jit(lambda t: Bath(spectrum, t).correlation(0.5))
    correlations = jax.jit(jax.vmap(correlation))(temperatures)
    for t, value in zip(temperatures, correlations, strict=True):
        np.testing.assert_allclose(value, correlation(t), rtol=1e-12)
