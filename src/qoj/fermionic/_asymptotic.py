"""The asymptotic master equation of the fermionic dimer and its non-additivity (seed 003,
sections IV B and V, appendix F).

Rate matrices (eq 55). Under the exponential-propagator approximation (EPA, eq 53), the
asymptotic dissipator of the exact time-local master equation (eqs 50-51) has the gain and loss
rate matrices

    Lambda^+_jk = i/(1 - Gamma/Omega) int dw J_N(w) F_jk(w)
                    [1/(E'_j - w + i Gamma_j/2) - 1/(E'_k - w - i Gamma_k/2)],
    Lambda^-    = diag(Gamma_j) - Lambda^+,

with F = R diag(f_L, f_R) R^T, the shifted levels E'_j and widths Gamma_j of eq 36, and the
coherent part H'_S = sum_j E'_j d_j^dag d_j. This is eq 55 with the EPA pole E'_j - i Gamma_j/2
of eq 53 and the normalisation 1/(1 - Gamma/Omega) of phi_j (eq 35). The paper then replaces
E'_j by E_j and drops the factor ("to the same order", section IV B), which changes Lambda^+ by
O(Gamma/Omega) (measured: 7.7e-3 relative at Gamma/Omega = 5e-3, tests). The form used here is
chosen (for `epa_correlations` too: one convention) because with it

* the diagonal is exactly Lambda^+_jj = Gamma_j int phi_j F_jj (eq 58 summed over the baths),
  so L = L_L + L_R + L_int (eq 56) is an identity, not an approximation, and eqs 61, 62, 66,
  67, 72-75 hold exactly (checked to ~1e-15);
* Lambda^+ = -i[H', C] + {Gamma, C}/2 with C the stationary correlation matrix of the EPA,
  whose diagonal equals the exact C_jj(inf) of eq 32 (checked to ~1e-15; the off-diagonal
  C_12 differs from eq 32 by O(Gamma/Omega));
* it is the t -> inf limit of the EPA (eq 54 with G_j = exp(-i E'_j t - Gamma_j t / 2), eq 53)
  with the same weight 1/(1 - Gamma/Omega) on the bath's part: `qoj.fermionic.epa_correlations`
  at late times is `asymptotic_correlation` (checked; against a direct time-domain quadrature
  of eq 54 to ~1e-12). The printed paper has no factor in eqs 53-55; without it the
  stationary populations miss eq 32 by Gamma/Omega, and the EPA misses Fig 4 by 7.1e-4 (a),
  5.7e-4 (b) instead of 4.0e-7, 5.2e-7 (Gamma/Omega = 2e-3).

Decomposition (eqs 56-58, 65). With Gamma_{L,j} = Gamma_j R_j1^2, Gamma_{R,j} = Gamma_j R_j2^2,

    L_a   = sum_j gamma^-_{a,j} D[d_j] + gamma^+_{a,j} D[d_j^dag],
    gamma^-_{a,j} = Gamma_{a,j} int phi_j (1 - f_a),  gamma^+_{a,j} = Gamma_{a,j} int phi_j f_a,
    L_int rho = sum_{j != k} Lambda^+_jk [(d_k^dag rho d_j - {d_j d_k^dag, rho}/2)
                                         - (d_j rho d_k^dag - {d_k^dag d_j, rho}/2)].

Printed-paper corrections (each checked numerically, tests/test_fermionic_asymptotic.py):

* eq 65 sums over j != k only (printed: over all j, k, which would count the diagonal twice and
  break eq 68, L_int^dag n_j = 0);
* eq 66 has a factor 2 too many: xi = Re Lambda^+_12 = (g / 4 Delta) int sum_j Gamma_j phi_j
  (f_L - f_R) (printed g / 2 Delta). With the printed factor, the steady-state current
  g Im C_12 ~ g xi / Delta would be twice the current of eqs 43 and 61, and the diagonal of
  the local rate matrix R^T Lambda^+ R would not reduce to the local rates of eq 70;
* eq 67 has E'_j (E_j to O(Gamma/Omega), as printed);
* eq 81: the last term has a plus sign, +(g/2) sum_j R_j1^2 Gamma_j Re<c_L^dag c_R> (printed
  minus); its R_1j^2 = R_j1^2 (R is a rotation);
* eq 78 needs delta = 0 and Gamma_1 = Gamma_2 (Delta << Omega) besides Gamma -> 0;
* appendix F: Lambda^+_12 = (Tr[Gamma]/2 - i (E'_1 - E'_2)) C_12 (printed with Delta = E_1 - E_2,
  the same to O(Gamma/Omega)).

The many-body generator acts on the 4 x 4 Jordan-Wigner space of `qoj.fermion_ops(2)` (mode 0
= site L, factor index 0 = occupied); d_j = sum_a R_ja c_a.
"""

from typing import Literal

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Complex, Float

from .._checks import ensure, hermitian
from .._generator import Generator, GeneratorPart
from .._linalg import eigh
from .._precision import complex_dtype
from .._terms import HamiltonianTerm, JumpTerm, KossakowskiTerm
from ._correlation import mode_annihilators
from ._dimer import Dimer, dimer_function


def system_hamiltonian(h: ArrayLike, delta: ArrayLike, g: ArrayLike) -> Complex[Array, "4 4"]:
    """H_S = h_L n_L + h_R n_R - (g/2)(c_L^dag c_R + c_R^dag c_L) (seed 003 eq 10), with
    h_L = h + delta/2, h_R = h - delta/2; equal to sum_j E_j d_j^dag d_j."""
    c_l, c_r = mode_annihilators()
    h_l, h_r = h + delta / 2, h - delta / 2
    hop = c_l.conj().T @ c_r
    return h_l * c_l.conj().T @ c_l + h_r * c_r.conj().T @ c_r - 0.5 * g * (hop + hop.conj().T)


# --- rates ---------------------------------------------------------------------------------


def _bath_rates(dimer: Dimer):
    """(gamma^-, gamma^+) of eq 58, each (bath, level)."""
    weights = dimer.widths[None, :] * dimer.rotation.T**2  # Gamma_{a,j} = Gamma_j R_ja^2
    filled = dimer.integrate(dimer.occupations[:, None, :] * dimer.phi[None, :, :])
    empty = dimer.integrate((1.0 - dimer.occupations)[:, None, :] * dimer.phi[None, :, :])
    return weights * empty, weights * filled


def _local_rates(dimer: Dimer):
    """(gamma-bar^-, gamma-bar^+) of eq 70: the bath rates summed over the levels."""
    minus, plus = _bath_rates(dimer)
    return jnp.sum(minus, axis=1), jnp.sum(plus, axis=1)


def _interference(dimer: Dimer):
    """(xi, eta): Lambda^+_12 = xi + i eta (eqs 66-67, with the corrections of the module)."""
    window = dimer.occupations[0] - dimer.occupations[1]
    ab = dimer.rotation[0, 0] * dimer.rotation[1, 0]  # R_11 R_21 = g / (2 Delta)
    phi = dimer.phi
    xi = 0.5 * ab * dimer.integrate(jnp.sum(dimer.widths[:, None] * phi, axis=0) * window)
    detuning = dimer.shifted[:, None] - dimer.w[None, :]
    eta = ab * dimer.integrate((detuning[0] * phi[0] - detuning[1] * phi[1]) * window)
    return xi, eta


def _rate_matrices(dimer: Dimer):
    minus, plus = _bath_rates(dimer)
    gain, loss = jnp.sum(plus, axis=0), jnp.sum(minus, axis=0)
    xi, eta = _interference(dimer)
    off = xi + 1j * eta
    lambda_plus = jnp.stack([jnp.stack([gain[0] + 0j, off]), jnp.stack([off.conj(), gain[1] + 0j])])
    lambda_minus = jnp.stack(
        [jnp.stack([loss[0] + 0j, -off]), jnp.stack([-off.conj(), loss[1] + 0j])]
    )
    return lambda_plus, lambda_minus


@dimer_function
def rate_matrices(dimer: Dimer) -> tuple[Complex[Array, "2 2"], Complex[Array, "2 2"]]:
    """The asymptotic gain and loss rate matrices (Lambda^+, Lambda^-) in the eigenmode basis
    (seed 003 eq 55, with E'_j and the factor 1/(1 - Gamma/Omega): see the module docstring).

    Lambda^+_jj = Gamma_j int phi_j F_jj, Lambda^-_jj = Gamma_j int phi_j (1 - F_jj) (both
    >= 0; their sum is Gamma_j to ~1e-15), Lambda^-_12 = -Lambda^+_12 = -(xi + i eta).

    {parameters}
    Returns:
        (Lambda^+, Lambda^-), Hermitian 2 x 2 complex matrices.
    """
    return _rate_matrices(dimer)


@dimer_function
def bath_rates(dimer: Dimer) -> tuple[Float[Array, "2 2"], Float[Array, "2 2"]]:
    """Decay and gain rates (gamma^-, gamma^+) of the additive generators L_L, L_R (seed 003
    eq 58), each of shape (bath, level) with bath 0 = L, 1 = R and level 0 = E_1, 1 = E_2:

        gamma^-_{a,j} = Gamma_{a,j} int phi_j (1 - f_a),
        gamma^+_{a,j} = Gamma_{a,j} int phi_j f_a,

    Gamma_{L,j} = Gamma_j R_j1^2, Gamma_{R,j} = Gamma_j R_j2^2. For Gamma -> 0 they tend to the
    global (Davies) rates J(E_j) R_ja^2 (1 - f_a(E_j)) and J(E_j) R_ja^2 f_a(E_j).

    {parameters}"""
    return _bath_rates(dimer)


@dimer_function
def interference_coefficients(dimer: Dimer) -> tuple[Float[Array, ""], Float[Array, ""]]:
    """(xi, eta) with Lambda^+_12 = xi + i eta (seed 003 eqs 66-67, corrected):

        xi  = (g / 4 Delta) int dw sum_j Gamma_j phi_j(w) [f_L(w) - f_R(w)],
        eta = (g / 2 Delta) int dw [(E'_1 - w) phi_1 - (E'_2 - w) phi_2] [f_L(w) - f_R(w)].

    Eq 66 prints g / 2 Delta for xi: a factor 2 too many (module docstring). Both vanish when
    f_L = f_R.

    {parameters}"""
    return _interference(dimer)


def _stationary_epa(dimer: Dimer, lambda_plus):
    """C = Lambda^+_jk / ((Gamma_j + Gamma_k)/2 - i (E'_j - E'_k)): the fixed point of eq 48."""
    widths, levels = dimer.widths, dimer.shifted
    denominator = 0.5 * (widths[:, None] + widths[None, :]) - 1j * (
        levels[:, None] - levels[None, :]
    )
    return lambda_plus / denominator


@dimer_function
def asymptotic_correlation(dimer: Dimer) -> Complex[Array, "2 2"]:
    """The stationary correlation matrix C_jk = <d_j^dag d_k> of the asymptotic master equation:
    the fixed point of eq 48, 0 = i[H', C] - {Gamma, C}/2 + Lambda^+, i.e.

        C_jk = Lambda^+_jk / ((Gamma_j + Gamma_k)/2 - i (E'_j - E'_k)).

    Its diagonal equals the exact C_jj(inf) of eq 32; C_12 differs from eq 32 by O(Gamma/Omega).
    The stationary state of `asymptotic_generator` is the Gaussian state with this C.

    Convention, shared with `qoj.fermionic.epa_correlations`: the EPA's bath part, hence eq 55,
    carries the weight 1/(1 - Gamma/Omega) of the pole in phi_j (eq 35), so that this C is the
    t -> inf limit of `epa_correlations` (to quadrature accuracy). The printed paper has no
    such factor in eqs 53-55 (and E_j for E'_j in eq 55); its stationary populations are
    (1 - Gamma/Omega) times eq 32 (to first order), and its EPA misses Fig 4 by O(Gamma/Omega)
    (7.1e-4, 5.7e-4) where this one misses it by O((Gamma/Omega)^2) (4.0e-7, 5.2e-7).

    {parameters}"""
    return _stationary_epa(dimer, _rate_matrices(dimer)[0])


@dimer_function
def bath_fixed_points(dimer: Dimer) -> Float[Array, "2 2"]:
    """Occupations n_{a,j} = int phi_j f_a of the fixed point r_a of L_a (seed 003 eq 59):
    r_a is the Gaussian state with <d_j^dag d_k> = delta_jk n_{a,j} (`gaussian_state`), the
    reduced state of the global Gibbs state of bath a (eq 60, appendix C); n_{a,j} -> f_a(E_j)
    for Gamma -> 0. Shape (bath, level).

    {parameters}"""
    return dimer.integrate(dimer.occupations[:, None, :] * dimer.phi[None, :, :])


# --- generators ----------------------------------------------------------------------------


def _kossakowski(ops, minus, plus):
    """sum_jk minus_jk (a_j rho a_k^dag - ...) + plus_jk (a_k^dag rho a_j - ...) as one term
    over the operators (a_1, a_2, a_1^dag, a_2^dag): rate matrix blockdiag(minus, plus^T)."""
    stacked = jnp.concatenate([ops, jnp.conj(jnp.swapaxes(ops, -1, -2))])
    zero = jnp.zeros_like(minus)
    rates = jnp.block([[minus, zero], [zero, plus.T]])
    return KossakowskiTerm(stacked, rates)


def _channels(ops, loss, gain):
    return [JumpTerm(op, rate) for op, rate in zip(ops, loss, strict=True)] + [
        JumpTerm(op.conj().T, rate) for op, rate in zip(ops, gain, strict=True)
    ]


def _off_diagonal(matrix):
    return matrix * (1.0 - jnp.eye(2))


@dimer_function
def asymptotic_generator(
    dimer: Dimer, *, basis: Literal["energy", "local"] = "energy"
) -> Generator:
    """The asymptotic master equation of the dimer (seed 003 eqs 50-51 with eq 55) as a
    `qoj.Generator` on the 4 x 4 Jordan-Wigner space, split into named parts.

    * `basis="energy"` (eqs 56-58, 65): parts "L" and "R" (L_a, Lindblad, eq 57) and
      "interference" (L_int, not of Lindblad form: appendix F).
    * `basis="local"` (eqs 69-71): parts "L" and "R" (L-bar_a = gamma-bar^-_a D[c_a] +
      gamma-bar^+_a D[c_a^dag], gamma-bar_a = sum_j gamma_{a,j}, eq 70) and "LR" (the
      delocalised cross term L-bar_LR of eq 71, with the off-diagonal elements of the site-basis
      rate matrices R^T Lambda^+- R, eqs 72-75; their diagonal equals gamma-bar_a exactly).

    Both splittings add up to the same generator. `gen.hamiltonian` is the bare H_S (eq 10),
    used for energies and currents (`qoj.heat_currents(gen, rho)["L"]` = <L_L^dag H_S>, eq 62);
    the coherent part is H'_S = sum_j E'_j d_j^dag d_j = H_S (1 - Gamma/2 Omega)/(1 - Gamma/Omega)
    (the EPA level shift, eq 36), which commutes with H_S.

    {parameters}
        basis: "energy" or "local" (static).
    """
    if basis not in ("energy", "local"):
        raise ValueError(f"basis must be 'energy' or 'local', got {basis!r}")
    modes = mode_annihilators(dimer.rotation)
    lambda_plus, lambda_minus = _rate_matrices(dimer)
    hamiltonian = system_hamiltonian(dimer.h, dimer.delta, dimer.g)
    levels = jnp.einsum("j,jnm,jnk->mk", dimer.shifted, modes.conj(), modes)
    minus, plus = _bath_rates(dimer)
    if basis == "energy":
        parts = {
            "L": _channels(modes, minus[0], plus[0]),
            "R": _channels(modes, minus[1], plus[1]),
            "interference": [
                _kossakowski(modes, -_off_diagonal(lambda_plus), _off_diagonal(lambda_plus))
            ],
        }
    else:
        sites = mode_annihilators()
        r = dimer.rotation.astype(complex_dtype())
        local_plus, local_minus = r.T @ lambda_plus @ r, r.T @ lambda_minus @ r
        loss, gain = jnp.sum(minus, axis=1), jnp.sum(plus, axis=1)
        parts = {
            "L": _channels(sites[:1], loss[:1], gain[:1]),
            "R": _channels(sites[1:], loss[1:], gain[1:]),
            "LR": [_kossakowski(sites, _off_diagonal(local_minus), _off_diagonal(local_plus))],
        }
    return Generator(
        hamiltonian,
        {name: GeneratorPart(terms) for name, terms in parts.items()},
        [HamiltonianTerm(levels)],
    )


@dimer_function
def local_rate_matrices(dimer: Dimer) -> tuple[Complex[Array, "2 2"], Complex[Array, "2 2"]]:
    """The rate matrices in the site basis, (Lambda-bar^+, Lambda-bar^-) = R^T Lambda^+- R
    (seed 003 eqs 69-75): L = sum_{a a'} Lambda-bar^-_{a a'} (c_a rho c_a'^dag - ...) +
    Lambda-bar^+_{a a'} (c_a'^dag rho c_a - ...). The diagonal is the local rates of eq 70,
    Lambda-bar^+-_aa = gamma-bar^+-_a; the off-diagonal elements are eqs 72-75:

        Re Lambda-bar^+_LR = (g / 4 Delta) int [Gamma_2 phi_2 - Gamma_1 phi_1] (f_L + f_R),
        Im Lambda-bar^+_LR = eta (eq 67),
        Re Lambda-bar^-_LR = (g / 4 Delta) int [Gamma_2 phi_2 - Gamma_1 phi_1] (2 - f_L - f_R),
        Im Lambda-bar^-_LR = -eta.

    {parameters}"""
    lambda_plus, lambda_minus = _rate_matrices(dimer)
    r = dimer.rotation.astype(complex_dtype())
    return r.T @ lambda_plus @ r, r.T @ lambda_minus @ r


@dimer_function
def local_rates(dimer: Dimer) -> tuple[Float[Array, " 2"], Float[Array, " 2"]]:
    """(gamma-bar^-, gamma-bar^+) of the local dissipators L-bar_a = gamma-bar^-_a D[c_a] +
    gamma-bar^+_a D[c_a^dag] (seed 003 eq 70), gamma-bar^+-_a = sum_j gamma^+-_{a,j}; index 0 = L.

    {parameters}"""
    return _local_rates(dimer)


@dimer_function
def effective_local_energies(dimer: Dimer) -> Float[Array, " 2"]:
    """The energies e_a of the effective local Hamiltonians H_{s_a} = e_a n_a whose Gibbs
    states are the fixed points of L-bar_a (seed 003 eqs 76-77):

        e_a = T_a ln(gamma-bar^-_a / gamma-bar^+_a) + mu_a.

    For Gamma -> 0, delta = 0 and Delta << Omega, gamma-bar^-/gamma-bar^+ is eq 78 and e_a ~ h
    only if T_a >> Delta or |h - mu_a| >> T_a (white-noise limit). Needs T_a > 0.

    {parameters}"""
    minus, plus = _local_rates(dimer)
    temperatures = jnp.stack([dimer.T_L, dimer.T_R])
    temperatures = ensure(
        temperatures, jnp.any(temperatures <= 0), "effective_local_energies needs T_L, T_R > 0"
    )
    return temperatures * jnp.log(minus / plus) + jnp.stack([dimer.mu_L, dimer.mu_R])


# --- currents ------------------------------------------------------------------------------


@dimer_function
def additive_currents(dimer: Dimer) -> tuple[Float[Array, ""], Float[Array, ""]]:
    """The currents <L_L^dag N_S>_inf, <L_L^dag H_S>_inf of the additive generator L_L in the
    stationary state (seed 003 eqs 61-62; exact for the asymptotic master equation):

        (g^2 / 4 Delta^2) int dw sum_j {1, E_j} Gamma_j phi_j(w) [f_L(w) - f_R(w)].

    L_int leaves the populations alone (eq 68), so these are the currents of the additive
    model L_L + L_R too. They equal the Landauer currents (eqs 43-44) up to O(Gamma/Delta)
    (eq 46; for the energy current also E_j phi_j ~ w phi_j). The currents of bath R are the
    opposite.

    {parameters}"""
    window = dimer.occupations[0] - dimer.occupations[1]
    populations = dimer.integrate(dimer.phi * window[None, :])  # (level,)
    weight = (dimer.g / dimer.splitting) ** 2 / 4 * dimer.widths
    return jnp.sum(weight * populations), jnp.sum(weight * dimer.energies * populations)


@dimer_function
def local_currents(dimer: Dimer) -> dict[str, Float[Array, ""]]:
    """The currents assigned to bath L by the local dissipator L-bar_L, and the corrections
    that separate them from the master equation's own current (seed 003 eqs 79-81):

        <L-bar_L^dag N_S> = J^P_L + (g / 2 Delta)(Gamma_2 - Gamma_1) Re<c_L^dag c_R>,   (79-80)
        <L-bar_L^dag H_S> = h_L <L-bar_L^dag N_S> + (g/2) sum_j R_j1^2 Gamma_j Re<c_L^dag c_R>,
                                                                                         (81)

    with J^P_L = <L^dag n_L>_inf the particle current of the asymptotic master equation and
    all expectation values in its stationary state (`asymptotic_correlation`). Eq 81 is
    printed with a minus sign; with H_S = ... - (g/2)(c_L^dag c_R + h.c.) (eq 10) and
    L-bar_L^dag(c_L^dag c_R) = -(gamma-bar^-_L + gamma-bar^+_L)/2 c_L^dag c_R, where
    gamma-bar^-_L + gamma-bar^+_L = sum_j R_j1^2 Gamma_j, the sign is plus (checked against
    the generator's Heisenberg-picture action).

    {parameters}
    Returns:
        {"particle": <L-bar_L^dag N_S>, "energy": <L-bar_L^dag H_S>, "master_equation_particle":
        J^P_L, "correction": -<L-bar_LR^dag n_L> (eq 80), "hopping": Re<c_L^dag c_R>}.
    """
    lambda_plus, _ = _rate_matrices(dimer)
    c = _stationary_epa(dimer, lambda_plus)
    r = dimer.rotation
    hopping = jnp.real(jnp.einsum("j,k,jk->", r[:, 0], r[:, 1], c))
    widths = jnp.diag(dimer.widths)
    drift = lambda_plus - 0.5 * (widths @ c + c @ widths)  # dissipative part of eq 48
    particle_me = jnp.real(jnp.einsum("j,k,jk->", r[:, 0], r[:, 0], drift))
    correction = 0.5 * dimer.g / dimer.splitting * (dimer.widths[1] - dimer.widths[0]) * hopping
    particle = particle_me + correction
    h_l = dimer.h + dimer.delta / 2
    energy = h_l * particle + 0.5 * dimer.g * jnp.sum(r[:, 0] ** 2 * dimer.widths) * hopping
    return {
        "particle": particle,
        "energy": energy,
        "master_equation_particle": particle_me,
        "correction": correction,
        "hopping": hopping,
    }


# --- non-Markovianity ----------------------------------------------------------------------


def rate_matrix_nonmarkovianity(
    lambda_plus: Complex[ArrayLike, "m m"], lambda_minus: Complex[ArrayLike, "m m"]
) -> Float[Array, ""]:
    """nu = sum_{s = +-} sum_j max(0, -lambda^s_j), lambda^s_j the eigenvalues of Lambda^s
    (seed 003 eq 82, the paper's normalisation).

    The eigenvalues of Lambda^+- are the canonical rates of the dissipator (eq 52) for the
    jump operators L^-_j = sum_k U_kj d_k and L^+_j = sum_k U*_kj d_k^dag, which have
    Tr[L^dag L] = 2 on the 4-dimensional Fock space. In qoj's normalisation (channels with
    Tr[L^dag L] = 1, `qoj.nonmarkov.canonical_rates`) every rate doubles and the remaining 11
    canonical rates vanish, so `qoj.nonmarkov.asymptotic_nonmarkovianity(gen)` = 2 nu (checked).
    In general (m modes, Fock dimension 2^m) the factor is Tr[d^dag d] = 2^(m-1).

    Differentiable where no eigenvalue crosses zero; vmappable.
    """
    plus = hermitian(lambda_plus, "lambda_plus")
    minus = hermitian(lambda_minus, "lambda_minus")
    values = jnp.concatenate([eigh(plus)[0], eigh(minus)[0]])
    return jnp.sum(jnp.maximum(-values, 0.0))


@dimer_function
def dimer_nonmarkovianity(dimer: Dimer) -> Float[Array, ""]:
    """nu_inf of the dimer (seed 003 eq 82, Fig 5) in the paper's normalisation:
    `rate_matrix_nonmarkovianity` of the asymptotic rate matrices (`rate_matrices`); the
    generic `qoj.nonmarkov.asymptotic_nonmarkovianity` of `asymptotic_generator` is twice it.

    Zero in equilibrium (Lambda^+- diagonal and non-negative). At low temperature it is
    largest where one chemical potential lies between E_2 and E_1 and the other outside: for
    delta = 0 and T, Gamma << Delta there Lambda^+ -> (Gamma/4) [[0, 1], [1, 2]] (levels
    empty/filled, xi = Gamma/4), whose negative eigenvalue gives nu_inf = (sqrt 2 - 1) Gamma/4
    = 0.104 Gamma (measured median 0.104-0.106 Gamma over that region of Fig 5a). Elsewhere the
    principal-value part eta of Lambda^+_12 (eq 67, from the Lorentzian tails of phi_j) keeps
    it smaller but not zero (medians 0-0.03 Gamma at T = 0.01, tests and figure).

    {parameters}"""
    return rate_matrix_nonmarkovianity(*_rate_matrices(dimer))


def interference_channels(
    lambda_plus: Complex[ArrayLike, "2 2"], modes: Complex[ArrayLike, "2 n n"]
) -> tuple[Float[Array, " 4"], Complex[Array, "4 n n"]]:
    """The diagonal form L_int = sum_j lambda_j D[L_j] (seed 003 eq F1):

        lambda = |Lambda^+_12| (1, -1, -1, 1),
        L_1 = L_2^dag = (d_1 - e^{-i theta} d_2)/sqrt(2),
        L_3 = L_4^dag = (d_1 + e^{-i theta} d_2)/sqrt(2),

    theta = arg Lambda^+_12. Two rates are negative, and for |a> = |0>, |b> = L_3^dag|0>
    (orthonormal), <a| L_int(|b><b|) |a> = sum_j lambda_j |<a|L_j|b>|^2 = lambda_3 < 0 (eq F2):
    exp(L_int t) is not even positive. (The L_j have Tr[L_j^dag L_j] = 2: qoj's canonical rates
    of L_int are 2 lambda_j.)

    Args:
        lambda_plus: the gain rate matrix (`rate_matrices(...)[0]`).
        modes: (d_1, d_2) on the Fock space (`qoj.fermionic.mode_annihilators(R)` with R =
            `qoj.fermionic.eigenmodes(h, delta, g)[1]`).
    """
    lambda_plus = jnp.asarray(lambda_plus, complex_dtype())
    d1, d2 = jnp.asarray(modes, complex_dtype())
    coupling = lambda_plus[0, 1]
    size = jnp.abs(coupling)
    phase = jnp.where(size > 0, coupling / jnp.where(size > 0, size, 1.0), 1.0)  # e^{i theta}
    l1 = (d1 - phase.conj() * d2) / jnp.sqrt(2.0)
    l3 = (d1 + phase.conj() * d2) / jnp.sqrt(2.0)
    rates = size * jnp.array([1.0, -1.0, -1.0, 1.0])
    return rates, jnp.stack([l1, l1.conj().T, l3, l3.conj().T])
