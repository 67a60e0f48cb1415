"""Landauer currents of seed 003 (eqs 43-45) against an exact simulation of the system between
two finite chains, before the reflections from the chains' far ends return."""

import jax.numpy as jnp
import numpy as np

import qoj


def test_landauer_current_matches_finite_chains_before_reflections():
    """System + two 200-site chains (Gamma = 1, Omega = 10, biased in mu and T), from the empty
    system: the current between the sites, g Im <c_L^dag c_R>(t) (eq 42), settles on the
    Landauer current within 1e-5 (relative) for 16 <= t <= 36 (measured 1e-6: the finite
    chains' level spacing), long after 1/Gamma_j and before the signal reflected at the
    chains' far ends arrives (~40 here); after that it departs by ~4e-3."""
    parameters = (1.0, 0.2, 0.5, 1.0, 10.0, 0.1, 0.3, 1.6, 0.4)
    h, delta, g = parameters[:3]
    ts = jnp.linspace(0.0, 44.0, 89)
    c, _ = qoj.fermionic.chain_correlations(ts, jnp.zeros((2, 2)), *parameters, sites=200)
    _, rotation = qoj.fermionic.eigenmodes(h, delta, g)
    site = jnp.einsum("aj,tjk,kb->tab", rotation.T, c, rotation)  # C_site = R^T C_d R
    current = np.asarray(g * jnp.imag(site[:, 0, 1]))
    landauer = float(qoj.fermionic.landauer_currents(*parameters)[0])
    window = (np.asarray(ts) >= 16) & (np.asarray(ts) <= 36)
    np.testing.assert_allclose(current[window], landauer, rtol=1e-5)
    assert abs(current[-1] / landauer - 1) > 1e-3  # the reflection
