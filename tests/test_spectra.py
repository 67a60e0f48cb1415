"""Spectral densities: values against their defining formulas, quadrature rules against
closed-form integrals, finite gradients at kinks and band edges, and input validation."""

import math
import warnings

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, special

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")

from qoj.spectra import AbstractSpectralDensity, Flat, Lorentzian, Newns, Ohmic  # noqa: E402

SPECTRA = [
    Ohmic(0.1, 1.0, 2.0),
    Ohmic(0.05, 0.5, 1.0),
    Ohmic(0.02, 3.0, 1.5),
    Ohmic(0.1),
    Flat(0.3),
    Newns(0.4, 2.0),
    Lorentzian(0.2, 1.0, 0.3),
]


def test_all_are_spectral_densities_with_array_leaves():
    for spectrum in SPECTRA:
        assert isinstance(spectrum, AbstractSpectralDensity)
        leaves = jax.tree_util.tree_leaves(spectrum)
        assert leaves and all(isinstance(leaf, jax.Array) and leaf.ndim == 0 for leaf in leaves)
    assert not Ohmic.two_sided
    assert Newns.two_sided and Lorentzian.two_sided and Flat.two_sided


def test_ohmic_matches_seed_000_eq_10():
    g, s, wc = 0.07, 1.7, 2.5
    w = np.array([1e-3, 0.3, 1.0, 4.0, 30.0])
    expected = g * w**s * wc ** (1 - s) * np.exp(-w / wc)
    np.testing.assert_allclose(Ohmic(g, s, wc)(w), expected, rtol=1e-13)
    np.testing.assert_array_equal(Ohmic(g, s, wc)(np.array([0.0, -1.0, -50.0])), 0.0)
    # No cutoff (s = 1 only): J = coupling * w.
    np.testing.assert_allclose(Ohmic(0.2)(w), 0.2 * w, rtol=1e-14)
    # A huge argument underflows to 0, never NaN.
    assert Ohmic(g, 5.0, 1.0)(1e5) == 0.0


def test_flat_newns_lorentzian_values():
    np.testing.assert_allclose(Flat(0.3)(np.array([-2.0, 0.0, 5.0])), 0.3)
    newns = Newns(0.4, 2.0)
    w = np.array([-1.5, 0.0, 1.0, 1.999])
    np.testing.assert_allclose(newns(w), 0.4 * np.sqrt(1 - w**2 / 4.0), rtol=1e-14)
    np.testing.assert_array_equal(newns(np.array([-3.0, -2.0, 2.0, 7.0])), 0.0)
    lor = Lorentzian(0.2, 1.0, 0.3)
    np.testing.assert_allclose(lor(1.0), 0.2, rtol=1e-14)  # peak value = rate at the centre
    np.testing.assert_allclose(lor(np.array([0.85, 1.15])), 0.1, rtol=1e-13)  # FWHM = width
    np.testing.assert_allclose(lor(-3.0), 0.2 * 0.15**2 / (16 + 0.15**2), rtol=1e-14)


def _grads(fn, *args):
    return jax.grad(fn, argnums=tuple(range(len(args))))(*args)


@pytest.mark.parametrize("w", [0.0, -1.0, 1e-300, 2.0])
@pytest.mark.parametrize("s", [0.5, 1.0, 2.0])
def test_ohmic_finite_value_and_gradient_at_and_below_zero(w, s):
    def j(w, g, s, wc):
        return Ohmic(g, s, wc)(w)

    args = (w, 0.1, s, 1.5)
    assert np.isfinite(j(*args))
    assert all(np.isfinite(d) for d in _grads(j, *args))
    # No cutoff, s = 1.
    assert all(np.isfinite(d) for d in _grads(lambda w, g: Ohmic(g)(w), w, 0.1))


def test_ohmic_gradient_matches_derivative_of_formula():
    g, s, wc, w = 0.07, 1.3, 2.0, 0.8
    dj_dw = jax.grad(lambda w: Ohmic(g, s, wc)(w))(w)
    expected = g * wc ** (1 - s) * np.exp(-w / wc) * (s * w ** (s - 1) - w**s / wc)
    np.testing.assert_allclose(dj_dw, expected, rtol=1e-12)
    dj_ds = jax.grad(lambda s: Ohmic(g, s, wc)(w))(s)
    np.testing.assert_allclose(dj_ds, Ohmic(g, s, wc)(w) * np.log(w / wc), rtol=1e-12)


@pytest.mark.parametrize("w", [-3.0, -2.0, -1.0, 0.0, 1.999999, 2.0, 2.5])
def test_newns_finite_gradients_at_and_outside_band_edge(w):
    def j(w, gamma, omega):
        return Newns(gamma, omega)(w)

    grads = _grads(j, w, 0.4, 2.0)
    assert np.isfinite(j(w, 0.4, 2.0))
    assert all(np.isfinite(d) for d in grads)
    if abs(w) >= 2.0:
        assert all(d == 0 for d in grads)
    else:
        r = 1 - w**2 / 4
        np.testing.assert_allclose(grads[0], -0.4 * w / 4 / np.sqrt(r), rtol=1e-9)


@pytest.mark.parametrize(
    ("spectrum", "lower", "upper", "exact"),
    [
        # int_0^inf g w^s wc^(1-s) e^{-w/wc} dw = g wc^2 Gamma(s + 1)
        (Ohmic(0.1, 1.0, 2.0), -np.inf, np.inf, 0.1 * 4.0),
        (Ohmic(0.05, 0.5, 1.0), -np.inf, np.inf, 0.05 * special.gamma(1.5)),
        (Ohmic(0.02, 3.0, 1.5), -np.inf, np.inf, 0.02 * 1.5**2 * 6.0),
        # int_0^a w e^{-w} dw = 1 - (1 + a) e^{-a}
        (Ohmic(1.0, 1.0, 1.0), 0.5, 3.0, 1.5 * np.exp(-0.5) - 4.0 * np.exp(-3.0)),
        (Newns(0.4, 2.0), -np.inf, np.inf, 0.4 * 2.0 * np.pi / 2),
        (Newns(0.4, 2.0), 0.0, 5.0, 0.4 * 2.0 * np.pi / 4),
        (Newns(1.0, 1.0), -0.5, 0.5, 0.5 * np.sqrt(0.75) + np.arcsin(0.5)),
        (Newns(1.0, 1.0), 3.0, 4.0, 0.0),  # outside the band
        (Lorentzian(0.2, 1.0, 0.3), -np.inf, np.inf, 0.2 * np.pi * 0.15),
        (Lorentzian(0.2, 1.0, 0.3), 0.0, np.inf, 0.2 * 0.15 * (np.pi / 2 + np.arctan(1 / 0.15))),
        (Lorentzian(0.2, 1.0, 0.3), 0.7, 1.3, 0.2 * 0.15 * 2 * np.arctan(0.3 / 0.15)),
    ],
)
def test_quadrature_integrates_the_spectrum(spectrum, lower, upper, exact):
    nodes, weights = spectrum.quadrature(256, lower, upper)
    assert nodes.shape == weights.shape == (256,)
    assert np.all(weights >= 0)
    total = jnp.sum(weights * spectrum(nodes))
    np.testing.assert_allclose(total, exact, rtol=1e-12, atol=1e-15)


def test_quadrature_rejects_infinite_bandwidth():
    with pytest.raises(ValueError, match="infinite bandwidth"):
        Flat(0.3).quadrature(64)
    with pytest.raises(ValueError, match="cutoff=inf"):
        Ohmic(0.1).quadrature(64)
    with pytest.raises(ValueError, match="n_nodes"):
        Newns(1.0, 1.0).quadrature(0)


def _lorentz_reference(b, k):
    """int_b^inf e^{-i k v}/(1 + v^2) dv: QUADPACK's Fourier rule on [b, big] plus the
    asymptotic expansion of the tail beyond `big` (error ~ 24 / (big^5 k^4))."""
    big = max(2000.0, 400.0 / k)
    f = lambda v: 1 / (1 + v * v)
    opts = dict(limit=5000, epsabs=1e-15, epsrel=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        re = integrate.quad(f, b, big, weight="cos", wvar=k, **opts)[0]
        im = -integrate.quad(f, b, big, weight="sin", wvar=k, **opts)[0]
    derivs = [1 / (1 + big**2), -2 * big / (1 + big**2) ** 2, (6 * big**2 - 2) / (1 + big**2) ** 3]
    tail = np.exp(-1j * k * big) * sum(d / (1j * k) ** (n + 1) for n, d in enumerate(derivs))
    return re + 1j * im + tail


def test_lorentzian_fourier_closed_form():
    rate, center, width = 0.3, 0.8, 0.5
    h = width / 2
    lor = Lorentzian(rate, center, width)
    taus = np.array([0.05, 0.4, 2.0, 12.0, 200.0])
    for lower in [-5.0, 0.0, 0.8, 3.0]:
        got = np.asarray(lor.fourier(taus, lower))
        ref = np.array(
            [
                rate
                * h
                * np.exp(-1j * center * t)
                * _lorentz_reference((lower - center) / h, h * t)
                for t in taus
            ]
        )
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-10 * rate * h)
    # Full line: (rate pi h) e^{-i center tau - h |tau|}; tau = 0: the integral of J.
    taus = np.array([-3.0, -0.1, 0.0, 0.1, 3.0, 40.0])
    full = rate * np.pi * h * np.exp(-1j * center * taus - h * np.abs(taus))
    np.testing.assert_allclose(lor.fourier(taus), full, rtol=1e-12, atol=1e-16)
    half = rate * h * (np.pi / 2 + np.arctan(center / h))
    np.testing.assert_allclose(lor.fourier(0.0, 0.0), half, rtol=1e-13)
    # Conjugate symmetry in tau, and finite gradients everywhere (tau = 0 included).
    np.testing.assert_allclose(lor.fourier(-2.0, 0.0), np.conj(lor.fourier(2.0, 0.0)), rtol=1e-13)

    def re_im(tau, lower, rate, center, width):
        value = Lorentzian(rate, center, width).fourier(tau, lower)
        return value.real + value.imag

    grad_fn = jax.jit(jax.grad(re_im, argnums=(0, 1, 2, 3, 4)))
    for tau in [0.0, 1e-9, 0.3, 60.0]:
        for lower in [-1.0, 0.0, center]:
            grads = grad_fn(tau, lower, rate, center, width)
            assert all(np.isfinite(d) for d in grads), (tau, lower, grads)


def test_lorentzian_fourier_gradient_matches_finite_differences():
    def f(width, center):
        return jnp.abs(Lorentzian(0.3, center, width).fourier(1.7, 0.0))

    grad = jax.grad(f, argnums=(0, 1))(0.5, 0.8)
    eps = 1e-6
    fd_width = (f(0.5 + eps, 0.8) - f(0.5 - eps, 0.8)) / (2 * eps)
    fd_center = (f(0.5, 0.8 + eps) - f(0.5, 0.8 - eps)) / (2 * eps)
    np.testing.assert_allclose(grad, [fd_width, fd_center], rtol=1e-7)


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda x: Ohmic(x, 1.0, 1.0), "coupling"),
        (lambda x: Ohmic(0.1, x, 1.0), "s"),
        (lambda x: Ohmic(0.1, 1.0, x), "cutoff"),
        (lambda x: Flat(x), "rate"),
        (lambda x: Newns(x, 1.0), "Gamma"),
        (lambda x: Newns(1.0, x), "Omega"),
        (lambda x: Lorentzian(x, 1.0, 0.1), "rate"),
        (lambda x: Lorentzian(1.0, 1.0, x), "width"),
    ],
)
def test_negative_parameters_raise_naming_the_field(build, name):
    with pytest.raises(ValueError, match=name):
        build(-0.5)
    with pytest.raises(ValueError, match=name):
        build(math.nan)
    # Under jit the same check fires at run time (equinox.error_if).
    with pytest.raises(Exception, match=name):
        jax.block_until_ready(jax.jit(lambda x: build(x)(0.5))(-0.5))


def test_other_bad_parameters():
    with pytest.raises(ValueError, match="cutoff=inf"):
        Ohmic(0.1, 2.0)
    with pytest.raises(ValueError, match="Omega"):
        Newns(1.0, 0.0)
    with pytest.raises(ValueError, match="width"):
        Lorentzian(1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="center"):
        Lorentzian(1.0, math.inf, 1.0)
    with pytest.raises(ValueError, match="scalar"):
        Ohmic(jnp.array([0.1, 0.2]))
    with pytest.raises(TypeError, match="real"):
        Flat(1j)


def test_spectra_vmap_and_jit():
    w = jnp.linspace(0.1, 3.0, 5)

    @jax.jit
    @jax.vmap
    def batch(g):
        return Ohmic(g, 1.0, 2.0)(w)

    gs = jnp.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(batch(gs), gs[:, None] * (w * np.exp(-w / 2.0))[None, :], rtol=1e-13)

    @eqx.filter_jit
    @eqx.debug.assert_max_traces(max_traces=1)
    def at(spectrum, w):
        return spectrum(w)

    at(Newns(1.0, 2.0), jnp.asarray(0.5))
    at(Newns(1.5, 3.0), jnp.asarray(0.7))  # new values: no retrace
