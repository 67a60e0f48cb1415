"""CoupledQubits, TunnellingQubit and CoupledOscillators against seeds 002 and 004.

Closed forms (Fogedby, seed 002 III B and IV C 2; Cresser, seed 004 VI A and VI B) are written
out here from the papers, as printed or with the correction the models document, and compared
with steady states of `qoj.master_equation`.
"""

import warnings

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from _helpers import random_density_matrix

jax.config.update("jax_enable_x64", True)

import qoj  # noqa: E402
from qoj.models import CoupledOscillators, CoupledQubits, TunnellingQubit  # noqa: E402

Flat, Ohmic = qoj.spectra.Flat, qoj.spectra.Ohmic


def bath(strength, temperature, spectrum=Flat):
    return qoj.Bath(spectrum(strength), temperature)


def bose(w, temperature):
    return 1.0 / np.expm1(w / temperature)


@eqx.filter_jit
def steady(model, approach="global", **options):
    """Steady state and heat currents (jitted: one compilation per model structure)."""
    gen = model.generator(approach, **options)
    rho = qoj.steady_state(gen)
    return rho, qoj.heat_currents(gen, rho)


# --- Fogedby, seed 002 section III B: global master equation of two coupled qubits ---------


def fogedby_printed(w1, w2, lam, g_a, g_b, t_a, t_b):
    """Populations (eqs 3.46–3.49) and q^A (eqs 3.52–3.54) exactly as printed, with
    tan(theta) = 2 lambda/(omega1 - omega2), 0 < theta < pi/2 (omega1 > omega2, lambda > 0)."""
    theta = np.arctan(2 * lam / (w1 - w2))
    alpha, beta = np.cos(theta / 2), np.sin(theta / 2)
    wm, dw = (w1 + w2) / 2, (w1 - w2) / 2
    wp, wn = wm + np.hypot(dw, lam), wm - np.hypot(dw, lam)  # eqs 3.32–3.33
    na_p, na_n, nb_p, nb_n = bose(wp, t_a), bose(wn, t_a), bose(wp, t_b), bose(wn, t_b)
    a_pp, a_pn = alpha**2 * g_a(wp) * (1 + na_p), beta**2 * g_a(wn) * (1 + na_n)
    a_np, a_nn = alpha**2 * g_a(wp) * na_p, beta**2 * g_a(wn) * na_n
    b_pp, b_pn = beta**2 * g_b(wp) * (1 + nb_p), alpha**2 * g_b(wn) * (1 + nb_n)
    b_np, b_nn = beta**2 * g_b(wp) * nb_p, alpha**2 * g_b(wn) * nb_n
    norm = (a_pp + b_pp + a_np + b_np) * (a_nn + b_nn + a_pn + b_pn)
    populations = (
        np.array(
            [
                (a_pp + b_pp) * (a_pn + b_pn),
                (a_pp + b_pp) * (a_nn + b_nn),
                (a_np + b_np) * (a_pn + b_pn),
                (a_np + b_np) * (a_nn + b_nn),
            ]
        )
        / norm
    )
    q_plus = (
        (alpha * beta) ** 2
        * g_a(wp)
        * g_b(wp)
        * wp
        / (alpha**2 * g_a(wp) * (1 + 2 * na_p) + beta**2 * g_b(wp) * (1 + 2 * nb_p))
        * (na_p - nb_p)
    )
    q_minus = (
        (alpha * beta) ** 2
        * g_a(wn)
        * g_b(wn)
        * wn
        / (beta**2 * g_a(wn) * (1 + 2 * na_n) + alpha**2 * g_b(wn) * (1 + 2 * nb_n))
        * (na_n - nb_n)
    )
    return populations, q_plus + q_minus


FOGEDBY_CASES = {
    "flat": (1.0, 0.7, 0.15, 0.01, 0.02, 2.0, 0.4, Flat),
    "ohmic": (1.0, 0.7, 0.15, 0.01, 0.03, 2.0, 0.4, Ohmic),  # g(w) = kappa w
    "ohmic cold A": (1.2, 0.5, 0.3, 0.05, 0.02, 0.3, 1.1, Ohmic),
}


@pytest.mark.parametrize("case", FOGEDBY_CASES, ids=list(FOGEDBY_CASES))
def test_fogedby_global_populations_and_heat_current(case):
    w1, w2, lam, k_a, k_b, t_a, t_b, spectrum = FOGEDBY_CASES[case]
    model = CoupledQubits(w1, w2, lam, bath(k_a, t_a, spectrum), bath(k_b, t_b, spectrum))
    rho, currents = steady(model)

    if spectrum is Flat:
        g_a, g_b = (lambda w: k_a + 0 * w), (lambda w: k_b + 0 * w)
    else:
        g_a, g_b = (lambda w: k_a * w), (lambda w: k_b * w)
    populations, q_a = fogedby_printed(w1, w2, lam, g_a, g_b, t_a, t_b)

    u = model.fogedby_basis()
    in_basis = u.conj().T @ rho @ u
    np.testing.assert_allclose(u.conj().T @ u, np.eye(4), atol=1e-14)
    np.testing.assert_allclose(
        u.conj().T @ model.hamiltonian() @ u,
        np.diag(np.diag(u.conj().T @ model.hamiltonian() @ u)),
        atol=1e-14,
    )  # |1>..|4> are eigenstates
    np.testing.assert_allclose(jnp.real(jnp.diag(in_basis)), populations, rtol=1e-11)
    np.testing.assert_allclose(model.fogedby_populations(), populations, rtol=1e-12)
    # Section IV C 1: the coherences decay, the steady state is diagonal in |1>..|4>.
    assert float(jnp.max(jnp.abs(in_basis - jnp.diag(jnp.diag(in_basis))))) < 1e-14

    np.testing.assert_allclose(currents["1"], q_a, rtol=1e-10)
    np.testing.assert_allclose(model.fogedby_heat_current(), q_a, rtol=1e-12)
    assert abs(float(currents["1"] + currents["2"])) < 1e-12 * abs(q_a)  # q^A + q^B = 0
    assert np.sign(q_a) == np.sign(t_a - t_b)

    w_plus, w_minus = model.fogedby_frequencies()
    energies = np.linalg.eigvalsh(np.asarray(model.hamiltonian()))
    np.testing.assert_allclose(
        sorted([float(w_plus), float(w_minus)]),
        sorted([energies[3] - energies[1], energies[1] - energies[0]]),
        rtol=1e-13,
    )


def test_fogedby_forms_hold_for_omega1_below_omega2():
    """Fogedby assumes omega1 > omega2, lambda > 0; the model's forms are general."""
    model = CoupledQubits(0.6, 1.0, -0.2, bath(0.03, 1.5), bath(0.01, 0.3))
    rho, currents = steady(model)
    u = model.fogedby_basis()
    np.testing.assert_allclose(
        jnp.real(jnp.diag(u.conj().T @ rho @ u)), model.fogedby_populations(), rtol=1e-11
    )
    np.testing.assert_allclose(currents["1"], model.fogedby_heat_current(), rtol=1e-10)


@pytest.mark.parametrize("spectrum", [Flat, Ohmic])
def test_fogedby_heat_current_follows_the_second_law(spectrum):
    t_b = 0.6
    for t_a in (0.1, 0.59, 0.61, 3.0):
        model = CoupledQubits(1.0, 0.8, 0.2, bath(0.02, t_a, spectrum), bath(0.01, t_b, spectrum))
        assert np.sign(float(model.fogedby_heat_current())) == np.sign(t_a - t_b)
    equal = CoupledQubits(1.0, 0.8, 0.2, bath(0.02, t_b, spectrum), bath(0.01, t_b, spectrum))
    assert abs(float(equal.fogedby_heat_current())) < 1e-18


def test_fogedby_heat_current_vanishes_without_coupling_or_second_bath():
    """Section IV B 2: lambda = 0 or g_B = 0 give no current."""
    assert (
        float(CoupledQubits(1.0, 0.7, 0.0, bath(0.01, 2.0), bath(0.02, 0.4)).fogedby_heat_current())
        == 0.0
    )
    one_bath = CoupledQubits(1.0, 0.7, 0.2, bath(0.01, 2.0), None)
    assert float(one_bath.fogedby_heat_current()) == 0.0
    assert [c.name for c in one_bath.system().couplings] == ["1"]


def test_closed_forms_vmap_and_jit_over_fields():
    b1, b2 = bath(0.01, 2.0), bath(0.02, 0.4)
    couplings = jnp.linspace(0.05, 0.3, 4)

    def current(lam):
        return CoupledQubits(1.0, 0.7, lam, b1, b2).fogedby_heat_current()

    batched = jax.jit(jax.vmap(current))(couplings)
    np.testing.assert_allclose(batched, [current(c) for c in couplings], rtol=1e-14)


# --- Cresser, seed 004 section VI A: damped coupled qubits ---------------------------------


def cresser_printed_115(g_h, g_c, n_h, n_c, w_s=1.0):
    n_bar = (g_h * n_h + g_c * n_c) / (g_h + g_c)  # eq 113
    return 2 * g_c * g_h * w_s * (n_h - n_c) / ((g_h + g_c) * (2 * n_bar + 1))


def test_cresser_eq115_is_the_small_coupling_limit_of_the_global_current():
    """Cresser's J = Tr[H_S (D_h - D_c) rho] = J_1 - J_2 = 2 J_1 (eq 112)."""
    g_h, g_c, t_h, t_c = 0.002, 0.001, 2.0, 0.5
    printed = cresser_printed_115(g_h, g_c, bose(1.0, t_h), bose(1.0, t_c))
    errors = []
    for omega in (0.02, 0.002):
        model = CoupledQubits(1.0, 1.0, omega, bath(g_h, t_h), bath(g_c, t_c))
        _, currents = steady(model)
        np.testing.assert_allclose(model.cresser_secular_heat_current(), printed / 2, rtol=1e-14)
        np.testing.assert_allclose(currents["1"], model.fogedby_heat_current(), rtol=1e-10)
        errors.append(abs(float(currents["1"] - currents["2"]) / printed - 1))
    assert errors[0] < 1e-3
    assert errors[1] < errors[0] / 50  # O(Omega^2): the secular current survives Omega -> 0


@pytest.mark.parametrize("gammas", [(0.002, 0.001), (0.003, 0.0005), (0.001, 0.001)])
def test_cresser_eq118_partial_secular_current(gammas):
    """Eq 118 corrected: J^parsec = J^sec 4 Omega^2 / (Gamma_h Gamma_c + 4 Omega^2); the printed
    extra term (1/4)[(2n_h+1)g_h - (2n_c+1)g_c](g_h - g_c) is wrong unless g_h = g_c."""
    g_h, g_c = gammas
    t_h, t_c, omega = 2.0, 0.5, 0.001
    n_h, n_c = bose(1.0, t_h), bose(1.0, t_c)
    model = CoupledQubits(1.0, 1.0, omega, bath(g_h, t_h), bath(g_c, t_c))
    closed = float(model.cresser_partial_secular_heat_current())

    big_h, big_c = (2 * n_h + 1) * g_h, (2 * n_c + 1) * g_c
    corrected = (
        cresser_printed_115(g_h, g_c, n_h, n_c) / 2 * 4 * omega**2 / (big_h * big_c + 4 * omega**2)
    )
    printed = (
        cresser_printed_115(g_h, g_c, n_h, n_c)
        / 2
        * 4
        * omega**2
        / (big_h * big_c + 0.25 * (big_h - big_c) * (g_h - g_c) + 4 * omega**2)
    )
    np.testing.assert_allclose(closed, corrected, rtol=1e-13)

    _, local = steady(model, "local")  # eq 116, the Omega << omega_S form of partial secular
    np.testing.assert_allclose(local["1"], closed, rtol=1e-12)
    _, parsec = steady(model, "partial_secular", resolution=0.3)
    np.testing.assert_allclose(parsec["1"], closed, rtol=2e-5)
    np.testing.assert_allclose(parsec["1"], -parsec["2"], rtol=1e-12)
    if g_h == g_c:
        np.testing.assert_allclose(printed, closed, rtol=1e-13)
    else:
        assert abs(printed / closed - 1) > 0.05  # the printed form misses the numerics
    # Suppressed below the secular current (Omega^2 is not >> Gamma_h Gamma_c here).
    assert 0 < closed < 0.5 * float(model.cresser_secular_heat_current())


@pytest.mark.parametrize("gamma,temperature,omega", [(0.01, 0.7, 0.02), (0.05, 1.3, 0.01)])
def test_cresser_eqs106_to_108_partial_secular_steady_state(gamma, temperature, omega):
    """Only qubit 2 damped; coherence p0 (eq 107), its imaginary part (eq 108), and the
    populations (eq 106) of |u>, |+>, |->, |l>."""
    w_s = 1.0
    model = CoupledQubits(w_s, w_s, omega, None, bath(gamma, temperature))
    rho, currents = steady(model, "partial_secular", resolution=0.3)
    assert list(currents) == ["2"]  # no part for the missing bath 1
    e, g = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    up, low = np.kron(e, e), np.kron(g, g)
    plus, minus = (
        (np.kron(e, g) + np.kron(g, e)) / np.sqrt(2),
        (np.kron(e, g) - np.kron(g, e)) / np.sqrt(2),
    )
    rho = np.asarray(rho)

    n, n_p, n_m = (
        bose(w_s, temperature),
        bose(w_s + omega, temperature),
        bose(w_s - omega, temperature),
    )
    s, p = n_p + n_m + 1, (2 * n_m + 1) * (2 * n_p + 1)
    r = 16 * omega**2 / (s * gamma**2) + s
    p0 = (1 - (2 * n + 1) * s / p) / (r - (2 * n + 1) ** 2 * s / p)  # eq 107
    difference = -4j * omega / (s * gamma) * p0  # eq 108
    rho_pm, rho_mp = plus @ rho @ minus, minus @ rho @ plus
    np.testing.assert_allclose(rho_pm + rho_mp, p0, rtol=1e-8)
    np.testing.assert_allclose(rho_pm - rho_mp, difference, rtol=1e-8)
    np.testing.assert_allclose(model.cresser_steady_coherence(), (p0 + difference) / 2, rtol=1e-11)

    z = 2 * (np.cosh(w_s / temperature) + np.cosh(omega / temperature))  # eq 99
    populations = [
        np.exp(-w_s / temperature) / z + p0 * (-1 / (4 * s) + (n + 0.5) * (n_p + n_m + 0.5) / p),
        np.exp(-omega / temperature) / z + p0 * (1 / (4 * s) + (n + 0.5) * (n_m - n_p + 0.5) / p),
        np.exp(omega / temperature) / z + p0 * (1 / (4 * s) + (n + 0.5) * (n_p - n_m + 0.5) / p),
        np.exp(w_s / temperature) / z + p0 * (-1 / (4 * s) - (n + 0.5) * (n_p + n_m + 1.5) / p),
    ]  # eq 106
    measured = [np.real(v @ rho @ v) for v in (up, plus, minus, low)]
    np.testing.assert_allclose(measured, populations, atol=1e-14)
    boltzmann = np.exp(-np.array([w_s, omega, -omega, -w_s]) / temperature) / z
    assert np.max(np.abs(np.array(measured) - boltzmann)) > 1e-7  # the p0 terms matter

    rho_global, _ = steady(model)  # eq 98: the full secular state is canonical
    np.testing.assert_allclose(rho_global, qoj.gibbs(model.hamiltonian(), temperature), atol=1e-13)


# --- Cresser, seed 004 section VI B: the tunnelling qubit ----------------------------------


def test_tunnelling_eq140_is_the_small_tunnelling_limit_of_the_global_current():
    gamma, t_l, t_r = 0.01, 2.0, 0.5
    n_l, n_r = bose(1.0, t_l), bose(1.0, t_r)
    printed = gamma * (n_l - n_r) / (2 * (n_l + n_r + 1))  # eq 140, Cresser's J = 2 J_l
    errors = []
    for omega in (0.01, 0.001):
        model = TunnellingQubit(1.0, omega, bath(gamma, t_l), bath(gamma, t_r))
        _, currents = steady(model)
        np.testing.assert_allclose(model.secular_heat_current(), printed / 2, rtol=1e-14)
        errors.append(abs(float(currents["l"] - currents["r"]) / printed - 1))
    assert errors[0] < 1e-4
    assert errors[1] < errors[0] / 50


@pytest.mark.parametrize("omega,gamma", [(0.01, 0.01), (0.001, 0.01), (0.004, 0.02)])
def test_tunnelling_eq145_partial_secular_current(omega, gamma):
    """Eq 145 with Omega~^2 = 2 Omega^2/gamma^2 (undefined in the extracted text)."""
    t_l, t_r = 2.0, 0.5
    n_l, n_r = bose(1.0, t_l), bose(1.0, t_r)
    model = TunnellingQubit(1.0, omega, bath(gamma, t_l), bath(gamma, t_r))
    closed = float(model.partial_secular_heat_current())
    j_sec = gamma * (n_l - n_r) / (2 * (n_l + n_r + 1))
    tilde2 = 2 * omega**2 / gamma**2
    printed = j_sec * tilde2 / (1 + (2 * n_l + 1) * (2 * n_r + 1) + tilde2)
    np.testing.assert_allclose(closed, printed / 2, rtol=1e-13)
    wrong = (
        j_sec * (omega / gamma) ** 2 / (1 + (2 * n_l + 1) * (2 * n_r + 1) + (omega / gamma) ** 2)
    )
    assert abs(wrong / printed - 1) > 0.1  # Omega~ = Omega/gamma would not do

    _, local = steady(model, "local")  # eq 142
    np.testing.assert_allclose(local["l"], closed, rtol=1e-12)
    _, parsec = steady(model, "partial_secular", resolution=0.3)
    np.testing.assert_allclose(parsec["l"], closed, rtol=3e-4)


def test_tunnelling_partial_secular_current_with_unequal_baths():
    model = TunnellingQubit(1.0, 0.003, bath(0.01, 1.5), bath(0.04, 0.4))
    _, local = steady(model, "local")
    np.testing.assert_allclose(local["l"], model.partial_secular_heat_current(), rtol=1e-12)
    _, secular = steady(model)
    np.testing.assert_allclose(secular["l"], model.secular_heat_current(), rtol=1e-4)


# --- Fogedby section IV C 2: the local equation of coupled oscillators -----------------------


def test_local_oscillator_equation_violates_the_second_law():
    """T_A > T_B but n_A(omega1) < n_B(omega2): the local equation carries heat from the cold
    bath B into the hot bath A; the global one carries it from A to B."""
    w1, w2, t_a, t_b = 2.0, 1.0, 0.5, 0.3
    assert t_a > t_b and bose(w1, t_a) < bose(w2, t_b)
    model = CoupledOscillators(w1, w2, 0.2, bath(0.02, t_a), bath(0.02, t_b), n_max=4)

    rho_local, local = steady(model, "local")
    rho_global, global_ = steady(model, "global")
    for rho in (rho_local, rho_global):
        assert float(jnp.max(model.check_truncation(rho, tolerance=2e-4))) < 2e-4

    assert float(local["A"]) < 0 < float(local["B"])  # cold -> hot
    assert float(global_["A"]) > 0 > float(global_["B"])  # hot -> cold
    # Clausius entropy production -J_A/T_A - J_B/T_B: negative for the local equation.
    assert -float(local["A"]) / t_a - float(local["B"]) / t_b < 0
    assert -float(global_["A"]) / t_a - float(global_["B"]) / t_b > 0
    # Closed forms (untruncated), to the truncation error.
    np.testing.assert_allclose(local["A"], model.local_heat_current(), rtol=1e-3)
    np.testing.assert_allclose(global_["A"], model.global_heat_current(), rtol=1e-3)
    np.testing.assert_allclose(local["A"], -local["B"], rtol=1e-10)


def test_oscillator_global_current_sign_follows_temperatures():
    for t_a, t_b in ((0.5, 0.3), (0.3, 0.5), (0.31, 0.3)):
        model = CoupledOscillators(2.0, 1.0, 0.2, bath(0.02, t_a), bath(0.03, t_b), n_max=4)
        assert np.sign(float(model.global_heat_current())) == np.sign(t_a - t_b)
        assert np.sign(float(model.local_heat_current())) == np.sign(
            bose(2.0, t_a) - bose(1.0, t_b)
        )


def test_truncation_warning():
    hot = CoupledOscillators(1.0, 0.8, 0.1, bath(0.02, 2.0), bath(0.02, 2.0), n_max=3)
    rho, _ = steady(hot)
    with pytest.warns(UserWarning, match="n_max"):
        error = hot.check_truncation(rho, tolerance=1e-3)
    assert float(jnp.min(error)) > 0.1
    cold = CoupledOscillators(2.0, 1.0, 0.2, bath(0.02, 0.3), bath(0.02, 0.3), n_max=4)
    rho, _ = steady(cold)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        error = cold.check_truncation(rho, tolerance=1e-3)
    tops = [qoj.partial_trace(rho, k, (4, 4))[3, 3].real for k in (0, 1)]
    np.testing.assert_allclose(error, tops, rtol=1e-12)
    assert float(jnp.max(error)) < 1e-4


# --- Consistency of all approaches ---------------------------------------------------------


def equal_temperature_models(temperature):
    return {
        "qubits": CoupledQubits(1.0, 0.8, 0.1, bath(0.01, temperature), bath(0.03, temperature)),
        "tunnelling": TunnellingQubit(1.0, 0.05, bath(0.01, temperature), bath(0.03, temperature)),
        "oscillators": CoupledOscillators(
            2.0, 1.0, 0.2, bath(0.02, temperature), bath(0.03, temperature), n_max=3
        ),
    }


@pytest.mark.parametrize("name", ["qubits", "tunnelling", "oscillators"])
def test_equal_temperatures_global_gives_gibbs_state_and_no_current(name):
    temperature = 0.7
    model = equal_temperature_models(temperature)[name]
    rho, currents = steady(model)
    np.testing.assert_allclose(rho, qoj.gibbs(model.hamiltonian(), temperature), atol=1e-13)
    for value in currents.values():
        assert abs(float(value)) < 1e-16


@pytest.mark.parametrize("name", ["qubits", "tunnelling"])
def test_equal_temperatures_partial_secular(name):
    """Equal baths: Gibbs state and no current. Unequal strengths at one temperature: the
    mean-frequency rates break detailed balance slightly (seed 004 VI A 3: populations couple
    to coherences, the state is not Gibbs) and a tiny current can flow."""
    temperature = 0.7
    model = equal_temperature_models(temperature)[name]
    gibbs = qoj.gibbs(model.hamiltonian(), temperature)
    first, second = ("bath_1", "bath_2") if name == "qubits" else ("bath_l", "bath_r")
    equal = eqx.tree_at(lambda m: getattr(m, second), model, getattr(model, first))
    rho, currents = steady(equal, "partial_secular", resolution=0.3)
    np.testing.assert_allclose(rho, gibbs, atol=1e-13)
    for value in currents.values():
        assert abs(float(value)) < 1e-16
    # Strengths 0.01 and 0.03: measured currents ~1e-8, against ~1e-4 for a 2:1 temperature
    # bias; the state is measurably not Gibbs.
    rho, currents = steady(model, "partial_secular", resolution=0.3)
    assert 1e-7 < float(jnp.max(jnp.abs(rho - gibbs))) < 1e-3
    for value in currents.values():
        assert abs(float(value)) < 1e-6


@eqx.filter_jit
def local_minus_global(model):
    """Largest entry of L_local - L_global (superoperators)."""
    local = model.generator("local").superoperator()
    return jnp.max(jnp.abs(local - model.generator("global").superoperator()))


def test_local_equals_global_without_coupling():
    uncoupled = [
        CoupledQubits(1.0, 0.7, 0.0, bath(0.01, 2.0), bath(0.02, 0.4)),
        CoupledOscillators(1.0, 0.6, 0.0, bath(0.01, 2.0), bath(0.02, 0.4), n_max=3),
    ]
    for model in uncoupled:
        assert float(local_minus_global(model)) < 1e-14
    coupled = CoupledQubits(1.0, 0.7, 0.1, bath(0.01, 2.0), bath(0.02, 0.4))
    assert float(local_minus_global(coupled)) > 1e-4


APPROACHES = [
    ("global", {}),
    ("local", {}),
    ("partial_secular", {"resolution": 0.5}),
    ("redfield", {}),
]


@pytest.mark.parametrize("approach,options", APPROACHES, ids=[a for a, _ in APPROACHES])
def test_every_approach_preserves_trace_and_hermiticity(approach, options):
    rng = np.random.default_rng(7)
    models = [
        CoupledQubits(1.0, 0.7, 0.15, bath(0.01, 2.0), bath(0.02, 0.4, Ohmic)),
        TunnellingQubit(1.0, 0.05, bath(0.01, 2.0), bath(0.02, 0.4)),
        CoupledOscillators(1.0, 0.6, 0.1, bath(0.01, 2.0), bath(0.02, 0.4), n_max=3),
    ]
    for model in models:
        gen = model.generator(approach, **options)
        assert set(gen.parts) == {c.name for c in model.system().couplings}
        rho = random_density_matrix(rng, gen.dimension)
        change = np.asarray(gen(0.0, rho))
        scale = np.abs(change).max()
        assert scale > 1e-3
        assert abs(np.trace(change)) < 1e-14 * max(scale, 1.0)
        np.testing.assert_allclose(change, change.conj().T, atol=1e-14)


@pytest.mark.parametrize("approach,options", APPROACHES, ids=[a for a, _ in APPROACHES])
def test_gradient_of_steady_current_matches_finite_differences(approach, options):
    """d J_1 / d(coupling, omega1, T_1) by implicit differentiation of the steady state."""

    def current(x):
        coupling, omega1, t1 = x[0], x[1], x[2]
        model = CoupledQubits(omega1, 0.7, coupling, bath(0.01, t1), bath(0.02, 0.4))
        return steady(model, approach, **options)[1]["1"]

    value_and_grad = jax.jit(jax.value_and_grad(current))  # one compilation serves both
    x0 = jnp.array([0.15, 1.0, 2.0])
    _, gradient = value_and_grad(x0)
    for i in range(3):
        step = 1e-4 * float(x0[i])
        e = jnp.zeros(3).at[i].set(step)
        fd = (float(value_and_grad(x0 + e)[0]) - float(value_and_grad(x0 - e)[0])) / (2 * step)
        assert abs(float(gradient[i]) - fd) < 1e-6 * abs(fd), (i, float(gradient[i]), fd)
    assert np.all(np.abs(np.asarray(gradient)) > 1e-5)


# --- Bad input -----------------------------------------------------------------------------


def test_bad_input_raises_clear_errors():
    b = bath(0.01, 1.0)
    for n_max in (0, -2, 1):
        with pytest.raises(ValueError, match="n_max"):
            CoupledOscillators(1.0, 0.8, 0.1, b, b, n_max=n_max)
    with pytest.raises(ValueError, match="n_max"):
        CoupledOscillators(1.0, 0.8, 0.1, b, b, n_max=2.5)
    with pytest.raises(ValueError, match="omega1"):
        CoupledOscillators(-1.0, 0.8, 0.1, b, b, n_max=3)
    with pytest.raises(ValueError, match="coupling"):
        CoupledOscillators(1.0, 0.8, 0.95, b, b, n_max=3)
    with pytest.raises(ValueError, match="omega2"):
        CoupledQubits(1.0, -0.8, 0.1, b, b)
    with pytest.raises(ValueError, match="coupling"):
        CoupledQubits(1.0, 0.8, np.inf, b, b)
    with pytest.raises(ValueError, match="bath_1, bath_2"):
        CoupledQubits(1.0, 0.8, 0.1, None, None)
    with pytest.raises(TypeError, match="bath_2"):
        CoupledQubits(1.0, 0.8, 0.1, b, 0.3)
    with pytest.raises(ValueError, match="omega_s"):
        TunnellingQubit(-1.0, 0.1, b, b)
    with pytest.raises(ValueError, match="tunnelling"):
        TunnellingQubit(1.0, -0.1, b, b)
    with pytest.raises(TypeError, match="bath_r"):
        TunnellingQubit(1.0, 0.1, b, None)
    with pytest.raises(ValueError, match="unknown approach"):
        CoupledQubits(1.0, 0.8, 0.1, b, b).generator("secular")
    with pytest.raises(ValueError, match="omega1 == omega2"):
        CoupledQubits(1.0, 0.8, 0.1, b, b).cresser_secular_heat_current()
    with pytest.raises(ValueError, match="bath_1=None"):
        CoupledQubits(1.0, 1.0, 0.1, b, b).cresser_steady_coherence()
