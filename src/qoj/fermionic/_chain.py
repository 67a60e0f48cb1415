"""Finite tight-binding chains: an exact single-particle simulation of seed 003's model, for
verification (eqs 10-15).

The total Hamiltonian is quadratic, H = sum_ab h_ab c_a^dag c_b, with the single-particle
matrix h on the 2 + 2M modes (c_L, c_R, A_{1,L} ... A_{M,L}, A_{1,R} ... A_{M,R}):

    h_S = [[h + delta/2, -g/2], [-g/2, h - delta/2]]                             (eq 10)
    chain alpha: -Omega/2 between neighbouring sites                             (eq 11)
    c_alpha <-> A_{1,alpha}: sqrt(Gamma Omega)/2                                 (eq 14)

Heisenberg operators evolve as c(t) = U(t) c with U = e^{-iht}, so the correlation matrix
<c_a^dag(t) c_b(t)> = (U^* C(0) U^T)_ab. Each chain starts in its Gibbs state, diagonal in the
standing waves a_q = sqrt(2/(M+1)) sum_m sin(q m) A_m, q = pi k/(M+1), w_q = -Omega cos q
(eq 13) with occupations f_alpha(w_q). U comes from one eigendecomposition of h and is
vectorised over the requested times.

A finite chain reproduces the semi-infinite one until excitations reflected at its far end
return: t < ~2M/Omega (the fastest group velocity is Omega sites per unit time). Its
equilibrium reduced state converges to the semi-infinite one exponentially in M T/Omega
(the chain is a Gauss quadrature of the reservoir's spectral measure), slowly (~1/M) at T = 0.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Complex, Float, Inexact

from .._checks import nonnegative
from .._precision import complex_dtype, real_dtype
from ._exact import _double_occupancy, _initial
from ._newns import check_in_band, checked_levels, eigenmodes, fermi_bath


def _sites(sites):
    if isinstance(sites, bool) or not isinstance(sites, int) or sites < 2:
        raise ValueError(f"sites must be an int >= 2 (sites per chain), got {sites!r}")
    return sites


def _arrays(*values):
    # arrays, not Python floats: filter_jit would take floats as static (a compile per value)
    return tuple(jnp.asarray(v, real_dtype()) for v in values)


def _check_model(h, delta, g, Gamma, Omega, sites):
    """Eager checks (ValueError for concrete input; under tracing the jitted cores check)."""
    _sites(sites)
    checked_levels(h, delta, g, Gamma, Omega)


def chain_hamiltonian(
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
    sites: int,
) -> Float[Array, "n n"]:
    """The single-particle Hamiltonian of the system and two chains of `sites` sites each
    (eqs 10, 11, 14), on (c_L, c_R, A_{1..M,L}, A_{1..M,R}), shape (2 + 2M, 2 + 2M).
    ValueError unless 0 < Gamma < Omega and the levels obey condition 34."""
    _check_model(h, delta, g, Gamma, Omega, sites)
    return _hamiltonian(_arrays(h, delta, g, Gamma, Omega), sites)


@eqx.filter_jit
def _hamiltonian(params, m: int):
    h, delta, g, Gamma, Omega = params
    rdt = real_dtype()
    energies, rotation = eigenmodes(h, delta, g)
    energies = check_in_band(energies, Gamma, Omega)
    n = 2 + 2 * m
    mat = jnp.zeros((n, n), rdt)
    idx = jnp.arange(m - 1)
    for start in (2, 2 + m):
        mat = mat.at[start + idx, start + idx + 1].set(-Omega / 2)
        mat = mat.at[start + idx + 1, start + idx].set(-Omega / 2)
    tunnel = jnp.sqrt(Gamma * Omega) / 2
    mat = mat.at[0, 2].set(tunnel).at[2, 0].set(tunnel)
    mat = mat.at[1, 2 + m].set(tunnel).at[2 + m, 1].set(tunnel)
    # h_S = R^T diag(E) R = [[h + delta/2, -g/2], [-g/2, h - delta/2]] (eqs 10, 16-17)
    h_s = jnp.einsum("ja,j,jb->ab", rotation, energies, rotation)
    return mat.at[:2, :2].set(h_s)


def chain_thermal_correlation(
    Omega: ArrayLike, temperature: ArrayLike, mu: ArrayLike, sites: int
) -> Float[Array, "M M"]:
    """<A_m^dag A_m'> of one chain in its Gibbs state (eqs 11-13, 20):
    sum_q (2/(M+1)) sin(q m) sin(q m') f(w_q), w_q = -Omega cos q, q = pi k/(M+1)."""
    m = _sites(sites)
    nonnegative(temperature, "temperature")
    return _thermal(_arrays(Omega, temperature, mu), m)


@eqx.filter_jit
def _thermal(params, m: int):
    Omega, temperature, mu = params
    rdt = real_dtype()
    q = jnp.pi * jnp.arange(1, m + 1, dtype=rdt) / (m + 1)
    modes = jnp.sqrt(2.0 / (m + 1)) * jnp.sin(q[:, None] * jnp.arange(1, m + 1, dtype=rdt)[None])
    f = fermi_bath(temperature, mu).occupation(-Omega * jnp.cos(q))
    return jnp.einsum("qm,q,qn->mn", modes, f, modes)


def chain_dynamics(
    ts: Float[ArrayLike, " T"],
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
    T_L: ArrayLike,
    T_R: ArrayLike,
    mu_L: ArrayLike,
    mu_R: ArrayLike,
    sites: int,
) -> tuple[Complex[Array, "T 2 2"], Complex[Array, "T 2 2"]]:
    """(G(t), Z(t)) of the finite chains in the eigenmode basis d = R c: the propagator
    G_jk = <0|d_j(t) d_k^dag|0> = (R U_SS(t) R^dag)_jk (eq 23; diagonal up to round-off) and
    the reservoirs' part Z(t) of C(t) = G^dag C(0) G + Z (eqs 29-30), shape (T, 2, 2) each."""
    _check_model(h, delta, g, Gamma, Omega, sites)
    for name, value in (("T_L", T_L), ("T_R", T_R)):
        nonnegative(value, name)
    ts = jnp.asarray(ts, real_dtype())
    params = _arrays(h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R)
    return _chain_dynamics(ts, params, sites)


@eqx.filter_jit
def _chain_dynamics(ts, params, m: int):
    h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R = params
    mat = _hamiltonian((h, delta, g, Gamma, Omega), m)
    _, rotation = eigenmodes(h, delta, g)
    bath = jax.scipy.linalg.block_diag(
        _thermal((Omega, T_L, mu_L), m), _thermal((Omega, T_R, mu_R), m)
    )
    energies, vectors = jnp.linalg.eigh(mat)
    phases = jnp.exp(-1j * ts[:, None] * energies[None, :])  # (T, n)
    rows = vectors[:2].astype(complex_dtype())  # system rows of V
    u_s = jnp.einsum("an,tn,bn->tab", rows, phases, vectors.astype(complex_dtype()))  # U_{S,all}
    r = rotation.astype(complex_dtype())
    g_site = u_s[:, :, :2]
    u_b = u_s[:, :, 2:]
    z_site = jnp.einsum("tai,ij,tbj->tab", u_b.conj(), bath.astype(complex_dtype()), u_b)
    prop = jnp.einsum("ja,tab,kb->tjk", r, g_site, r.conj())
    noise = jnp.einsum("ja,tab,kb->tjk", r.conj(), z_site, r)
    return prop, noise


def chain_correlations(
    ts: Float[ArrayLike, " T"],
    c0: Inexact[ArrayLike, "2 2"],
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
    T_L: ArrayLike,
    T_R: ArrayLike,
    mu_L: ArrayLike,
    mu_R: ArrayLike,
    sites: int,
    d0: ArrayLike | None = None,
) -> tuple[Complex[Array, "T 2 2"], Float[Array, " T"]]:
    """C(t) and D(t) of the system (eigenmode basis d = R c) coupled to two finite chains of
    `sites` sites each, from the initial (c0, d0) (default d0 = det c0) and Gibbs chains.

    C(t) = (U^* C_tot(0) U^T) restricted to the system, rotated to the eigenmodes: exact for
    the finite model. D(t) is eq 31 with the chain's G and Z (eq 31 itself is checked
    separately against a many-body simulation in the tests)."""
    c0, d0 = _initial(c0, d0)
    prop, noise = chain_dynamics(ts, h, delta, g, Gamma, Omega, T_L, T_R, mu_L, mu_R, sites)
    # C_jm = sum_kl G_jk^* C0_kl G_ml (eq 29 as G^dag C0 G for the diagonal G of the model)
    c = jnp.einsum("tjk,kl,tml->tjm", prop.conj(), c0, prop) + noise
    diag = jnp.diagonal(prop, axis1=1, axis2=2)
    return c, _double_occupancy(diag, noise, c0, d0)


def chain_gibbs_correlation(
    h: ArrayLike,
    delta: ArrayLike,
    g: ArrayLike,
    Gamma: ArrayLike,
    Omega: ArrayLike,
    temperature: ArrayLike,
    mu: ArrayLike,
    sites: int,
) -> Complex[Array, "2 2"]:
    """The system's correlation matrix (eigenmode basis) in the global Gibbs state
    e^{-(H - mu N)/T}/Z of system plus finite chains (eq 39): C = R^* [f(h)]_SS R^T with f
    the Fermi function of the single-particle matrix h (T = 0: the ground state)."""
    _check_model(h, delta, g, Gamma, Omega, sites)
    nonnegative(temperature, "temperature")
    return _gibbs(_arrays(h, delta, g, Gamma, Omega, temperature, mu), sites)


@eqx.filter_jit
def _gibbs(params, m: int):
    h, delta, g, Gamma, Omega, temperature, mu = params
    mat = _hamiltonian((h, delta, g, Gamma, Omega), m)
    _, rotation = eigenmodes(h, delta, g)
    energies, vectors = jnp.linalg.eigh(mat)
    f = fermi_bath(temperature, mu).occupation(energies)
    site = jnp.einsum("an,n,bn->ab", vectors[:2], f, vectors[:2])
    r = rotation.astype(complex_dtype())
    return jnp.einsum("ja,ab,kb->jk", r.conj(), site.astype(complex_dtype()), r)
