"""Canonical rates and channels of time-local generators (seed 000 eq 14 and A1)."""

import numpy as np

import qoj
from qoj.nonmarkov import canonical_rates, is_lindblad, kossakowski_matrix


def test_qubit_gain_and_loss_channels():
    """D = g_- D[sigma_-] + g_+ D[sigma_+]: canonical rates {0, g_+, g_-} with channels
    sigma_+ and sigma_- (seed 000 eq A1: gamma_3 = 0)."""
    g_minus, g_plus = 0.3, 0.1
    gen = qoj.lindblad(qoj.sigmaz(), {"A": [(g_minus, qoj.sigmam()), (g_plus, qoj.sigmap())]})
    rates, channels = canonical_rates(gen)
    np.testing.assert_allclose(rates, [0.0, g_plus, g_minus], atol=1e-14)
    for rate, target in ((g_plus, qoj.sigmap()), (g_minus, qoj.sigmam())):
        k = int(np.argmin(np.abs(np.asarray(rates) - rate)))
        overlap = abs(np.trace(np.asarray(target).conj().T @ np.asarray(channels[k])))
        np.testing.assert_allclose(overlap, 1.0, atol=1e-12)


def test_random_orthonormal_channels_are_recovered():
    rng = np.random.default_rng(5)
    d = 3
    a = rng.normal(size=(d * d, d * d)) + 1j * rng.normal(size=(d * d, d * d))
    q, _ = np.linalg.qr(a)
    # traceless orthonormal operators: project out the identity, re-orthonormalise
    ops = []
    for k in range(d * d):
        m = q[:, k].reshape(d, d)
        ops.append(m - np.trace(m) / d * np.eye(d))
    flat = np.stack([o.reshape(-1) for o in ops[:3]], axis=1)
    flat, _ = np.linalg.qr(flat)
    rates_in = np.array([0.2, 0.5, 0.9])
    gen = qoj.lindblad(
        np.diag([0.0, 1.0, 2.5]),
        {"A": [(r, flat[:, k].reshape(d, d)) for k, r in enumerate(rates_in)]},
    )
    rates, _ = canonical_rates(gen)
    np.testing.assert_allclose(np.sort(np.asarray(rates))[-3:], rates_in, atol=1e-12)
    np.testing.assert_allclose(np.asarray(rates)[:-3], 0.0, atol=1e-12)
    assert bool(is_lindblad(gen))
    c = np.asarray(kossakowski_matrix(gen))
    np.testing.assert_allclose(c, c.conj().T, atol=1e-14)


def test_negative_rate_is_detected():
    gen = qoj.lindblad(qoj.sigmaz(), {"A": [(lambda t: -0.3 + 0.0 * t, qoj.sigmaz())]})
    rates, _ = canonical_rates(gen, 1.0)
    np.testing.assert_allclose(rates[0], -0.6, atol=1e-14)  # sigma_z / sqrt(2) is normalised
    assert not bool(is_lindblad(gen, 1.0))
