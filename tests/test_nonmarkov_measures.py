"""Rivas–Huelga–Plenio and Breuer–Laine–Piilo measures of non-Markovianity.

Reference model: qubit dephasing, L = sigma_z with rate gamma(t) = g0 + a cos(w t). Its
Kossakowski matrix has the single nonzero canonical rate 2 gamma(t) (channel sigma_z/sqrt(2)),
and the coherence decays as exp(-2 Gamma(t)), Gamma(t) = int_0^t gamma = g0 t + (a/w) sin(w t).
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import qoj
from qoj.nonmarkov import blp_measure, canonical_rates, rhp_measure

from _helpers import central_difference, random_density_matrix, random_lindblad

G0, A, W = 0.3, 1.0, 1.0  # Gamma(t) >= 0 for all t: a physical (CPTP) dephasing map


def dephasing(a, g0=G0, w=W, dimension=2):
    """sigma_z-type dephasing with rate g0 + a cos(w t), in the first two levels."""
    jump = np.diag([1.0, -1.0] + [0.0] * (dimension - 2))
    h = np.diag(0.5 * np.arange(dimension, 0, -1.0))
    return qoj.lindblad(h, {"A": [(lambda t: g0 + a * jnp.cos(w * t), jump)]})


def cumulative_rate(t, a=A, g0=G0, w=W):
    return g0 * t + a / w * np.sin(w * t)


def markovian_qubits():
    h = 0.5 * qoj.sigmaz()
    constant = qoj.lindblad(h, {"A": [(0.3, qoj.sigmam()), (0.1, qoj.sigmap())]})
    varying = qoj.lindblad(
        h,
        {
            "A": [(lambda t: 0.2 * jnp.sin(t) ** 2, qoj.sigmam())],
            "B": [(lambda t: 0.1 * (1 + jnp.cos(t)), qoj.sigmaz())],
        },
    )
    return constant, varying


def test_rhp_vanishes_for_markovian_generators():
    """Non-negative rates: every canonical rate is >= 0 (a vanishing one up to round-off)."""
    ts = jnp.linspace(0.0, 6.0, 301)
    full_rank = random_lindblad(np.random.default_rng(0), 3, n_parts=2, channels=4)
    for gen in [*markovian_qubits(), full_rank]:
        assert abs(float(rhp_measure(gen, ts))) <= 1e-14


def test_rhp_of_oscillating_dephasing_rate():
    """gamma = a cos(w t): canonical rate 2 gamma, negative on half of each period, so
    N_RHP = int max(0, -2 a cos(w t)) dt = 4 a / w per period."""
    a, w = 0.7, 1.3
    gen = dephasing(a, g0=0.0, w=w)
    t_neg = 2.0 / w  # cos(2.0) < 0
    rates, _ = canonical_rates(gen, t_neg)
    np.testing.assert_allclose(rates[0], 2 * a * np.cos(w * t_neg), rtol=1e-13)

    def error(points):
        ts = jnp.linspace(0.0, 2 * (2 * np.pi / w), points)
        return float(rhp_measure(gen, ts)) - 2 * 4 * a / w

    assert abs(error(2001)) < 2e-5 * 8 * a / w  # 5.6 / 1.3 = 4.31, error 1.4e-5
    # trapezoidal rule: second order
    assert 3.5 < error(1001) / error(2001) < 4.5


def test_rhp_with_offset_rate_matches_closed_form():
    """gamma = g0 + a cos(w t) is negative for w t in (u0, 2 pi - u0), u0 = arccos(-g0/a):
    per period N = (4/w) [a sin(u0) - g0 (pi - u0)] and dN/da = (4/w) sin(u0)."""
    w = 1.3
    ts = jnp.linspace(0.0, 2 * (2 * np.pi / w), 2001)
    u0 = lambda a: np.arccos(-G0 / a)
    closed = lambda a: 2 * 4 / w * (a * np.sin(u0(a)) - G0 * (np.pi - u0(a)))
    measure = lambda a: rhp_measure(dephasing(a, w=w), ts)
    a = 0.8
    np.testing.assert_allclose(measure(a), closed(a), rtol=1e-5)  # 4.59: error 7.6e-7
    gradient = jax.grad(measure)(a)
    np.testing.assert_allclose(gradient, central_difference(measure, a, 1e-6), rtol=1e-6)
    # d/da of the trapezoidal sum integrates a step function: first order in h (8e-4 here)
    np.testing.assert_allclose(gradient, 2 * 4 / w * np.sin(u0(a)), rtol=2e-3)
    amplitudes = jnp.array([0.5, 0.8])
    np.testing.assert_allclose(
        jax.vmap(measure)(amplitudes), [measure(0.5), measure(0.8)], rtol=1e-13
    )
    np.testing.assert_allclose(eqx.filter_jit(measure)(a), measure(a), rtol=1e-13)


@pytest.mark.parametrize("index", [0, 1])
def test_blp_vanishes_for_markovian_qubits(index):
    """Trace distance is monotone under CP-divisible evolution."""
    gen = markovian_qubits()[index]
    assert float(blp_measure(gen, jnp.linspace(0.0, 5.0, 501), grid=(5, 8))) <= 1e-10


def test_blp_vanishes_for_markovian_qutrit():
    gen = random_lindblad(np.random.default_rng(1), 3)
    ts = jnp.linspace(0.0, 3.0, 201)
    assert float(blp_measure(gen, ts, samples=8, refine_steps=2)) <= 1e-10


def dephasing_backflow(ts):
    """Increase of exp(-2 Gamma) on the intervals where gamma < 0: w t in (u0, 2 pi - u0)."""
    u0 = np.arccos(-G0 / A)
    periods = int(round(ts[-1] * W / (2 * np.pi)))
    starts = (2 * np.pi * np.arange(periods) + u0) / W
    ends = (2 * np.pi * np.arange(1, periods + 1) - u0) / W
    return np.sum(np.exp(-2 * cumulative_rate(ends)) - np.exp(-2 * cumulative_rate(starts)))


def test_blp_of_dephasing_qubit():
    """Optimal pair on the equator (D = exp(-2 Gamma)); a pole pair has D = 1 always."""
    ts = np.linspace(0.0, 2 * (2 * np.pi / W), 2001)
    assert cumulative_rate(ts[1:]).min() > 0  # the map is CPTP
    gen = dephasing(A)
    value, pair = blp_measure(gen, ts, return_pair=True)
    on_grid = np.sum(np.maximum(np.diff(np.exp(-2 * cumulative_rate(ts))), 0.0))
    np.testing.assert_allclose(value, on_grid, atol=1e-9)  # the discrete sum, exactly
    # the continuum value 0.44043; missing the turning points costs O(h^2): 5e-6 here
    np.testing.assert_allclose(value, dephasing_backflow(ts), rtol=1e-4)
    pair = np.asarray(pair)
    sz = np.asarray(qoj.sigmaz())
    for rho in pair:
        np.testing.assert_allclose(np.trace(rho @ rho).real, 1.0, atol=1e-12)  # pure
        np.testing.assert_allclose(np.trace(sz @ rho).real, 0.0, atol=1e-6)  # equatorial
    np.testing.assert_allclose(pair[0] + pair[1], np.eye(2), atol=1e-12)  # antipodal
    poles = np.stack([np.diag([1.0, 0.0]), np.diag([0.0, 1.0])])[None]
    equator = np.stack([np.full((2, 2), 0.5), np.array([[0.5, -0.5], [-0.5, 0.5]])])[None]
    given, chosen = blp_measure(gen, ts, pairs=np.concatenate([poles, equator]), return_pair=True)
    np.testing.assert_allclose(given, on_grid, atol=1e-9)
    np.testing.assert_allclose(chosen, equator[0], atol=1e-14)
    assert float(blp_measure(gen, ts, pairs=poles)) <= 1e-12


def test_blp_of_given_pair_matches_evolve():
    """The dynamical map against `qoj.evolve` of each state, for a mixed pair in d = 3."""
    rng = np.random.default_rng(2)
    gen = qoj.lindblad(
        np.diag([0.5, -0.5, 0.1]),
        {
            "A": [(lambda t: G0 + A * jnp.cos(W * t), np.diag([1.0, -1.0, 0.0]))],
            "B": [(0.05, np.eye(3, k=1))],
        },
    )
    ts = np.linspace(0.0, 8.0, 401)
    plus, minus = np.full((3, 3), 0.0), np.full((3, 3), 0.0)
    plus[:2, :2], minus[:2, :2] = [[0.5, 0.5], [0.5, 0.5]], [[0.5, -0.5], [-0.5, 0.5]]
    noise = lambda: 0.3 * random_density_matrix(rng, 3)
    pair = np.stack([0.7 * plus + noise(), 0.7 * minus + noise()])
    evolve = eqx.filter_jit(
        lambda rho: qoj.evolve(gen, rho, ts, save_states=True, rtol=1e-11, atol=1e-13).states
    )
    states = [np.asarray(evolve(rho)) for rho in pair]
    distance = 0.5 * np.abs(np.linalg.eigvalsh(states[0] - states[1])).sum(axis=1)
    expected = np.sum(np.maximum(np.diff(distance), 0.0))
    assert expected > 0.1
    np.testing.assert_allclose(blp_measure(gen, ts, pairs=pair[None]), expected, atol=1e-8)


def test_blp_search_in_three_levels():
    """Random orthogonal pure pairs (seeded) find at least the backflow of the embedded
    qubit's equatorial pair, and the pair they return is orthogonal and pure."""
    gen = dephasing(A, dimension=3)
    ts = np.linspace(0.0, 2 * (2 * np.pi / W), 801)
    qubit_pair = np.zeros((2, 3, 3))
    qubit_pair[:, :2, :2] = [np.full((2, 2), 0.5), [[0.5, -0.5], [-0.5, 0.5]]]
    embedded = float(blp_measure(gen, ts, pairs=qubit_pair[None]))
    np.testing.assert_allclose(
        embedded, np.sum(np.maximum(np.diff(np.exp(-2 * cumulative_rate(ts))), 0.0)), atol=1e-9
    )
    value, pair = blp_measure(gen, ts, samples=16, refine_steps=6, seed=3, return_pair=True)
    assert float(value) >= embedded - 1e-9
    assert float(value) == float(blp_measure(gen, ts, samples=16, refine_steps=6, seed=3))
    pair = np.asarray(pair)
    np.testing.assert_allclose(np.trace(pair[0] @ pair[1]), 0.0, atol=1e-12)
    for rho in pair:
        np.testing.assert_allclose(rho @ rho, rho, atol=1e-12)


@pytest.mark.parametrize("measure", [rhp_measure, blp_measure])
def test_bad_input(measure):
    gen = dephasing(A)
    with pytest.raises(ValueError, match="strictly increasing"):
        measure(gen, [0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        measure(gen, [0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="finite"):
        measure(gen, [0.0, np.nan, 1.0])
    with pytest.raises(ValueError, match="1-D"):
        measure(gen, [1.0])
    with pytest.raises(ValueError, match="1-D"):
        measure(gen, np.zeros((2, 2)))
    with pytest.raises(TypeError, match="qoj.Generator"):
        measure(np.eye(4), [0.0, 1.0])


def test_traced_times_are_checked_at_run_time():
    with pytest.raises(Exception, match="strictly increasing"):
        eqx.filter_jit(rhp_measure)(dephasing(A), jnp.array([0.0, 2.0, 1.0]))


def test_blp_bad_pairs_and_options():
    gen = dephasing(A)
    ts = [0.0, 1.0]
    with pytest.raises(ValueError, match="pairs must have shape"):
        blp_measure(gen, ts, pairs=np.eye(2)[None, None])
    with pytest.raises(ValueError, match=r"pairs\[0, 1\] must be positive semidefinite"):
        blp_measure(gen, ts, pairs=np.stack([np.eye(2) / 2, np.diag([1.5, -0.5])])[None])
    with pytest.raises(ValueError, match="samples must be a positive integer"):
        blp_measure(gen, ts, samples=0)
    with pytest.raises(ValueError, match="refine_steps"):
        blp_measure(gen, ts, refine_steps=-1)
