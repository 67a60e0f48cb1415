"""Two flip-flop coupled qubits, each damped by its own bath (seed 002 III B; seed 004 VI A)."""

import jax.numpy as jnp
from jaxtyping import Array, Complex, Float

from .._bath import Bath
from .._checks import ensure, finite, nonnegative
from .._generator import Generator
from .._master_equation import master_equation
from .._operators import embed, kron, sigmam, sigmap, sigmax, sigmaz
from .._precision import real_dtype
from .._system import Coupling, OpenSystem
from ._base import AbstractModel


def _scalar(x, name: str, *, sign: bool):
    """A real scalar leaf: finite, and >= 0 when `sign` (ValueError/TypeError naming `name`)."""
    arr = jnp.asarray(x)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {arr.shape} (use jax.vmap)")
    if jnp.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got a complex value")
    arr = arr.astype(real_dtype())
    return nonnegative(arr, name) if sign else finite(arr, name)


def _bath(bath, name: str, *, optional: bool):
    if bath is None and optional:
        return None
    if not isinstance(bath, Bath):
        allowed = "a qoj.Bath or None" if optional else "a qoj.Bath"
        raise TypeError(f"{name} must be {allowed}, got {type(bath).__name__}")
    return bath


def _rates(bath, w):
    """(emission, absorption) rates of `bath` at released energy w; zeros for no bath."""
    if bath is None:
        zero = jnp.zeros_like(jnp.asarray(w, real_dtype()))
        return zero, zero
    return bath.emission_rate(w), bath.absorption_rate(w)


def normal_mode_mixing(omega1, omega2, coupling):
    """Weights and frequencies of the normal modes of two flip-flop coupled modes.

    In the one-excitation block [[omega1, lambda], [lambda, omega2]] the upper eigenvector is
    alpha|10> + beta|01> (seed 002 eqs 3.22–3.23, 3.29–3.33): with Delta = (omega1 - omega2)/2,
    R = sqrt(Delta^2 + lambda^2),

        alpha^2 = (1 + Delta/R)/2,   beta^2 = (1 - Delta/R)/2,   omega_pm = omega_m pm R.

    Fogedby assumes Delta > 0 (0 < theta < pi/2); these expressions hold for either sign of
    Delta, and the smaller weight is written as lambda^2 / (2R(R + |Delta|)) so that it has no
    cancellation as lambda -> 0. At R = 0 (identical uncoupled modes) alpha^2 = 1, beta^2 = 0.

    Returns:
        (alpha^2, beta^2, omega_+, omega_-).
    """
    delta = 0.5 * (omega1 - omega2)
    r2 = delta**2 + coupling**2
    nonzero = r2 > 0
    r = jnp.sqrt(jnp.where(nonzero, r2, 1.0))
    big = jnp.where(nonzero, 0.5 * (1.0 + jnp.abs(delta) / r), 1.0)
    small = jnp.where(nonzero, coupling**2 / (2.0 * r * (r + jnp.abs(delta))), 0.0)
    r = jnp.where(nonzero, r, 0.0)
    upper = delta >= 0
    mean = 0.5 * (omega1 + omega2)
    return jnp.where(upper, big, small), jnp.where(upper, small, big), mean + r, mean - r


class CoupledQubits(AbstractModel):
    """Two qubits with a flip-flop coupling, qubit i damped through sigma_x by bath i.

        H_S = omega1/2 s1z + omega2/2 s2z + coupling (s1+ s2- + s1- s2+)

    (seed 002 eq 3.16 with lambda = coupling; seed 004 eq 91 with omega1 = omega2 = omega_S,
    coupling = Omega). Bath i couples through s_ix (x) B_i with local Hamiltonian
    omega_i/2 s_iz (seed 004 eq 116, seed 002 eqs 4.34–4.35), so `approach="local"` damps each
    qubit as if it were alone. (That local Hamiltonian is degenerate for every omega_i;
    derivatives stay finite through `qoj._linalg.eigh`.) Fogedby couples s+ A + s- A^dag
    (eqs 3.17–3.18); under the secular approximation that gives the same master equation.
    Basis kron(qubit 1, qubit 2): (|ee>, |eg>, |ge>, |gg>). Parts "1" and "2"; a bath that is
    None has no part. (Fogedby's baths A, B are baths 1, 2 here; Cresser's hot and cold
    baths h, c of section VI A 3 are baths 1, 2.)

    Fields:
        omega1, omega2: qubit frequencies (>= 0).
        coupling: flip-flop coupling lambda (real; its sign is a gauge choice).
        bath_1, bath_2: `qoj.Bath` of each qubit, or None (at least one must be given).
    """

    omega1: Float[Array, ""]
    omega2: Float[Array, ""]
    coupling: Float[Array, ""]
    bath_1: Bath | None
    bath_2: Bath | None

    def __init__(self, omega1, omega2, coupling, bath_1: Bath | None, bath_2: Bath | None):
        self.omega1 = _scalar(omega1, "omega1", sign=True)
        self.omega2 = _scalar(omega2, "omega2", sign=True)
        self.coupling = _scalar(coupling, "coupling", sign=False)
        self.bath_1 = _bath(bath_1, "bath_1", optional=True)
        self.bath_2 = _bath(bath_2, "bath_2", optional=True)
        if bath_1 is None and bath_2 is None:
            raise ValueError("at least one of bath_1, bath_2 must be a qoj.Bath (both are None)")

    def free_hamiltonian(self) -> Complex[Array, "4 4"]:
        """H_0 = omega1/2 s1z + omega2/2 s2z, the Hamiltonian of the uncoupled qubits."""
        return 0.5 * self.omega1 * embed(sigmaz(), 0, (2, 2)) + 0.5 * self.omega2 * embed(
            sigmaz(), 1, (2, 2)
        )

    def hamiltonian(self) -> Complex[Array, "4 4"]:
        """H_S of seed 002 eq 3.16 in the basis (|ee>, |eg>, |ge>, |gg>)."""
        flip_flop = kron(sigmap(), sigmam()) + kron(sigmam(), sigmap())
        return self.free_hamiltonian() + self.coupling * flip_flop

    def system(self) -> OpenSystem:
        frequencies = (self.omega1, self.omega2)
        couplings = [
            Coupling(
                name,
                embed(sigmax(), i, (2, 2)),
                bath,
                local_hamiltonian=0.5 * frequencies[i] * embed(sigmaz(), i, (2, 2)),
            )
            for i, (name, bath) in enumerate((("1", self.bath_1), ("2", self.bath_2)))
            if bath is not None
        ]
        return OpenSystem(self.hamiltonian(), couplings)

    def generator(self, approach: str = "global", **options) -> Generator:
        """`qoj.master_equation(self.system(), approach, **options)`; parts "1" and "2"."""
        return master_equation(self.system(), approach, **options)

    # --- Fogedby's global (secular) results, seed 002 section III B ---------------------------

    def fogedby_frequencies(self) -> tuple[Float[Array, ""], Float[Array, ""]]:
        """(omega_+, omega_-) = omega_m pm sqrt(Delta omega^2 + lambda^2) (seed 002 eqs 3.32–3.33).

        omega_+ = E_4 - E_2 = E_3 - E_1 and omega_- = E_4 - E_3 = E_2 - E_1 are the two Bohr
        frequencies at which either bath exchanges energy.
        """
        _, _, w_plus, w_minus = normal_mode_mixing(self.omega1, self.omega2, self.coupling)
        return w_plus, w_minus

    def fogedby_mixing(self) -> tuple[Float[Array, ""], Float[Array, ""]]:
        """(alpha, beta) = (cos theta/2, sin theta/2), tan theta = 2 lambda/(omega1 - omega2)
        (seed 002 eqs 3.29–3.31), extended to omega1 < omega2 (see `normal_mode_mixing`);
        beta carries the sign of the coupling."""
        a2, b2, _, _ = normal_mode_mixing(self.omega1, self.omega2, self.coupling)
        return jnp.sqrt(a2), jnp.sign(self.coupling) * jnp.sqrt(b2)

    def fogedby_basis(self) -> Complex[Array, "4 4"]:
        """Unitary whose columns are Fogedby's eigenstates |1>..|4> (seed 002 eqs 3.21–3.24):

        |1> = |gg>, |2> = -beta|eg> + alpha|ge>, |3> = alpha|eg> + beta|ge>, |4> = |ee>,

        in qoj's basis (|ee>, |eg>, |ge>, |gg>) (Fogedby's |+> = |e>, |-> = |g>).
        """
        alpha, beta = self.fogedby_mixing()
        zero, one = jnp.zeros_like(alpha), jnp.ones_like(alpha)
        columns = [
            [zero, zero, zero, one],
            [zero, -beta, alpha, zero],
            [zero, alpha, beta, zero],
            [one, zero, zero, zero],
        ]
        return jnp.stack([jnp.stack(c) for c in columns], axis=1).astype(self.hamiltonian().dtype)

    def _fogedby_rates(self):
        """A_{pm pm} and B_{pm pm} of seed 002 eqs 3.34–3.41 as emission/absorption rates:
        A_{+s} = (weight) x emission, A_{-s} = (weight) x absorption at omega_s (g(1 + n) and
        g n for a bath of spectral density g, so the forms hold for any spectrum)."""
        a2, b2, w_plus, w_minus = normal_mode_mixing(self.omega1, self.omega2, self.coupling)
        e1p, u1p = _rates(self.bath_1, w_plus)
        e1m, u1m = _rates(self.bath_1, w_minus)
        e2p, u2p = _rates(self.bath_2, w_plus)
        e2m, u2m = _rates(self.bath_2, w_minus)
        a = {"++": a2 * e1p, "+-": b2 * e1m, "-+": a2 * u1p, "--": b2 * u1m}
        b = {"++": b2 * e2p, "+-": a2 * e2m, "-+": b2 * u2p, "--": a2 * u2m}
        return a, b, w_plus, w_minus

    def fogedby_populations(self) -> Float[Array, "4"]:
        """Global steady populations (rho_1, rho_2, rho_3, rho_4) of |1>..|4> (seed 002
        eqs 3.45–3.49): the omega_+ and omega_- transitions act as two independent two-level
        systems, rho = (rho_+^A + rho_+^B) (x) (rho_-^A + rho_-^B) / norm, e.g.

            rho_1 = (A_{++} + B_{++})(A_{+-} + B_{+-}) / [(A_{++} + B_{++} + A_{-+} + B_{-+})
                                                          (A_{--} + B_{--} + A_{+-} + B_{+-})].

        Printed formulas verified against `steady_state(generator("global"))` (agreement
        ~1e-14). Use `fogedby_basis()` to compare with a density matrix.
        """
        a, b, _, _ = self._fogedby_rates()
        down_plus, up_plus = a["++"] + b["++"], a["-+"] + b["-+"]
        down_minus, up_minus = a["+-"] + b["+-"], a["--"] + b["--"]
        plus = jnp.stack([down_plus, up_plus]) / (down_plus + up_plus)
        minus = jnp.stack([down_minus, up_minus]) / (down_minus + up_minus)
        # |1> = (+ down, - down), |2> = (+ down, - up), |3> = (+ up, - down), |4> = both up
        return jnp.stack(
            [plus[0] * minus[0], plus[0] * minus[1], plus[1] * minus[0], plus[1] * minus[1]]
        )

    def fogedby_heat_current(self) -> Float[Array, ""]:
        """Global steady heat current q^A from bath 1 into the qubits (seed 002 eqs 3.50–3.54).

            q^A = omega_+ (B_{++} A_{-+} - B_{-+} A_{++}) / (A_{++} + B_{++} + A_{-+} + B_{-+})
                + omega_- (B_{+-} A_{--} - B_{--} A_{+-}) / (A_{--} + B_{--} + A_{+-} + B_{+-})

        which, with A, B = g(1 + n), g n times alpha^2 or beta^2, is q_+^A + q_-^A of eqs
        3.53–3.54 (e.g. q_+^A = (alpha beta)^2 g_A g_B omega_+ [n_A - n_B] /
        [alpha^2 g_A (1 + 2n_A) + beta^2 g_B (1 + 2n_B)], all at omega_+). q^B = -q^A
        (eqs 3.55–3.57), and q^A has the sign of T_1 - T_2 (second law). Printed formulas
        verified numerically (flat and Ohmic spectra, ~1e-13 relative). Zero when a bath is None.
        """
        a, b, w_plus, w_minus = self._fogedby_rates()
        plus = (b["++"] * a["-+"] - b["-+"] * a["++"]) / (a["++"] + b["++"] + a["-+"] + b["-+"])
        minus = (b["+-"] * a["--"] - b["--"] * a["+-"]) / (a["--"] + b["--"] + a["+-"] + b["+-"])
        return w_plus * plus + w_minus * minus

    # --- Cresser's damped coupled qubits, seed 004 section VI A ------------------------------

    def _resonant_frequency(self):
        """omega_S = omega1 = omega2: Cresser's qubits are identical (seed 004 eq 91)."""
        return ensure(
            self.omega1,
            self.omega1 != self.omega2,
            "Cresser's closed forms (seed 004 eqs 107-118) are for identical qubits: they need "
            "omega1 == omega2 (= omega_S)",
        )

    def _cresser_rates(self):
        """Decay rates Gamma_i = gamma_i (2 n_i + 1) and the current numerator
        gamma_1 gamma_2 (n_1 - n_2), from the rates at omega_S (flat-spectrum limit)."""
        w = self._resonant_frequency()
        d1, u1 = _rates(self.bath_1, w)
        d2, u2 = _rates(self.bath_2, w)
        return w, d1 + u1, d2 + u2, u1 * d2 - d1 * u2

    def cresser_secular_heat_current(self) -> Float[Array, ""]:
        """Global (full secular) heat current from bath 1 for Omega << omega_S (seed 004 eq 115).

        Cresser's current is J = Tr[H_S (D_h - D_c) rho] (eq 112), which at steady state is
        J_h - J_c = 2 J_h; this returns J_1 = J/2 (qoj's convention, `heat_currents(...)["1"]`):

            J_1 = gamma_h gamma_c omega_S (n_h - n_c) / [gamma_h (2n_h + 1) + gamma_c (2n_c + 1)]

        (eq 115 with (gamma_h + gamma_c)(2 nbar + 1) = sum_i gamma_i (2n_i + 1), eq 113), with
        h = bath 1, c = bath 2, all at omega_S = omega1 = omega2 (needs omega1 == omega2), and
        gamma_i n_i, gamma_i (n_i + 1) the bath's absorption, emission rates. It is the
        Omega -> 0 limit of `fogedby_heat_current()`, reached as O((Omega/omega_S)^2,
        (Omega/T)^2). Printed formula verified (with the factor 2 above).
        """
        w, gamma1, gamma2, numerator = self._cresser_rates()
        return w * numerator / (gamma1 + gamma2)

    def cresser_partial_secular_heat_current(self) -> Float[Array, ""]:
        """Partial-secular heat current from bath 1 for Omega << omega_S (seed 004 eq 118,
        corrected).

        In this limit the partial-secular equation is the local one (eq 116), and its steady
        current is, with Gamma_i = gamma_i (2 n_i + 1) and
        J_1^sec = `cresser_secular_heat_current()`,

            J_1^parsec = J_1^sec 4 Omega^2 / (Gamma_h Gamma_c + 4 Omega^2).

        The printed eq 118 has an extra term (1/4)[(2n_h + 1) gamma_h - (2n_c + 1) gamma_c]
        (gamma_h - gamma_c) in the denominator; it is wrong unless gamma_h = gamma_c: the
        local master equation's exact current (derived from the closed equations for
        <s1z>, <s2z>, <s1+ s2->, and checked against `generator("local")` to 1e-14) has
        none. Eq 116 as printed also swaps h and c (qubit 1 is the hot one) and writes gamma
        for gamma_h, gamma_c. As in eq 115, Cresser's J is twice this J_1.
        """
        w, gamma1, gamma2, numerator = self._cresser_rates()
        four_omega2 = 4.0 * self.coupling**2
        return w * numerator / (gamma1 + gamma2) * four_omega2 / (gamma1 * gamma2 + four_omega2)

    def cresser_steady_coherence(self) -> Complex[Array, ""]:
        """Partial-secular steady coherence rho_{+-} = <+|rho|-> when only qubit 2 is damped
        (seed 004 eqs 107–108), |pm> = (|eg> pm |ge>)/sqrt(2) (eq 92).

            p0 = rho_{+-} + rho_{-+} = [1 - (2n + 1) S / P] / [R - (2n + 1)^2 S / P],
            R = 16 Omega^2 / (S gamma^2) + S,   S = n_+ + n_- + 1,   P = (2n_- + 1)(2n_+ + 1),
            rho_{+-} - rho_{-+} = -4 i Omega p0 / (S gamma),

        with n_pm = n(omega_S pm Omega), n = n(omega_S) of bath 2 and gamma its spectral
        density at omega_S (Cresser's flat spectrum; needs bath_1 None and omega1 == omega2).
        Exact for `generator("partial_secular", resolution=...)` with a flat spectrum whenever
        the resolution joins omega_S - Omega and omega_S + Omega; printed formulas verified
        (~1e-10 relative).
        """
        if self.bath_1 is not None:
            raise ValueError("cresser_steady_coherence needs bath_1=None (seed 004 eq 107)")
        w = self._resonant_frequency()
        omega = self.coupling
        emission, absorption = _rates(self.bath_2, w)
        gamma = emission - absorption
        n = self.bath_2.occupation(w)
        n_plus, n_minus = self.bath_2.occupation(w + omega), self.bath_2.occupation(w - omega)
        s = n_plus + n_minus + 1.0
        p = (2.0 * n_minus + 1.0) * (2.0 * n_plus + 1.0)
        r = 16.0 * omega**2 / (s * gamma**2) + s
        p0 = (1.0 - (2.0 * n + 1.0) * s / p) / (r - (2.0 * n + 1.0) ** 2 * s / p)
        difference = -4j * omega * p0 / (s * gamma)
        return 0.5 * (p0 + difference)
