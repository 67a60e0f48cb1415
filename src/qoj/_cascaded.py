"""Cascaded open systems: S1 drives S2 one way through a common reservoir (seed 001).

Each reservoir quantum meets S1 first and S2 after it (a collision model with negligible
delay, or Gardiner's input-output theory). With rates k_down (emission) and k_up (absorption)
at the subsystems' common frequency w, the generator is (seed 001 eqs 1-2, 4-5, 7-8)

    L(c) = L1 + L2 + D12,   L_i = k_down D[a_i] + k_up D[a_i^dag],
    D12  = k_down C[a1, a2] + k_up C[a1^dag, a2^dag],

with D[c] rho = c rho c^dag - {c^dag c, rho}/2 and the cascade superoperator C of
`CascadeTerm`. Per channel, D[c1] + D[c2] + C[c1, c2] = D[c1 + c2] - i[H_c, .] with
H_c = (i/2)(c1^dag c2 - c2^dag c1) (Gardiner), so L(c) is of Lindblad form although D12
alone is not.
"""

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Complex, Inexact

from . import _superop as so
from ._bath import Bath
from ._checks import _tolerance, ensure, finite, hermitian, square_matrix
from ._custom_types import RealScalarLike
from ._generator import Generator, GeneratorPart
from ._operators import identity
from ._terms import AbstractTerm, JumpTerm, Rate, _strength


class CascadeTerm(AbstractTerm):
    """One reservoir channel's one-way coupling of c1 (on S1) to c2 (on S2), rate c(t).

        S(rho) = c1 rho c2^dag + c2 rho c1^dag - c2^dag c1 rho - rho c1^dag c2

    which for commuting c1, c2 (operators of different subsystems) is the form printed in
    seed 001: c1 [rho, c2^dag] + [c2, rho] c1^dag (eq 5 with c = a or a^dag; eq 8 with
    c = sigma_- or sigma_+). S is trace preserving, and for any c1, c2

        S = D[c1 + c2] - D[c1] - D[c2] - i[H_c, .],   H_c = (i/2)(c1^dag c2 - c2^dag c1)

    (Gardiner's cascaded master equation), so rate x (D[c1] + D[c2] + S) is a Lindblad
    generator. S alone has canonical rates of both signs: the cascade needs the local parts.

    Arguments:
        first: c1, the operator of the upstream subsystem S1 (square, joint space).
        second: c2, the operator of the downstream subsystem S2 (same shape).
        rate: the channel's rate (>= 0), or a callable of t (stored as `strength`).
    """

    first: Complex[Array, "n n"]
    second: Complex[Array, "n n"]
    strength: Rate

    def __init__(self, first: ArrayLike, second: ArrayLike, rate: Rate):
        self.first = square_matrix(first, "first")
        self.second = square_matrix(second, "second")
        if self.first.shape != self.second.shape:
            raise ValueError(
                f"first and second must have the same shape, got {self.first.shape} and "
                f"{self.second.shape}"
            )
        self.strength = _strength(rate, "rate")

    @property
    def dimension(self) -> int:
        return self.first.shape[0]

    def _products(self):
        c1, c2 = self.first, self.second
        # K = c2^dag c1: S(rho) = c1 rho c2^dag + c2 rho c1^dag - K rho - rho K^dag
        return c1, c2, c2.conj().T @ c1

    def apply(self, rho):
        c1, c2, k = self._products()
        gain = c1 @ rho @ c2.conj().T
        return gain + c2 @ rho @ c1.conj().T - k @ rho - rho @ k.conj().T

    def apply_adjoint(self, op):
        c1, c2, k = self._products()
        gain = c2.conj().T @ op @ c1
        return gain + c1.conj().T @ op @ c2 - op @ k - k.conj().T @ op

    def matrix(self):
        c1, c2, k = self._products()
        gain = so.sandwich(c1, c2.conj().T) + so.sandwich(c2, c1.conj().T)
        return gain - so.left(k) - so.right(k.conj().T)

    def hamiltonian(self) -> Complex[Array, "n n"]:
        """H_c = (i/2)(c1^dag c2 - c2^dag c1), the coherent part of the identity above."""
        c1, c2 = self.first, self.second
        return 0.5j * (c1.conj().T @ c2 - c2.conj().T @ c1)


def _ladder_frequency(h, a, name):
    """w with [a, h] = w a (a lowers the energy of h by w), ValueError if there is none."""
    commutator = a @ h - h @ a
    norm = jnp.real(jnp.vdot(a, a))
    w = jnp.real(jnp.vdot(a, commutator)) / jnp.where(norm > 0, norm, 1.0)
    residual = jnp.linalg.norm(commutator - w * a)
    scale = jnp.linalg.norm(h) * jnp.sqrt(norm)
    bad = (norm == 0) | (residual > _tolerance(w.dtype) * scale)
    return ensure(
        w,
        bad,
        f"{name} must be a nonzero ladder operator of its Hamiltonian ([a, h] = w a for one "
        "frequency w) to infer the frequency; pass frequency= to choose it",
    )


def _subsystem(h, a, index):
    h = hermitian(h, f"h{index}")
    a = square_matrix(a, f"a{index}")
    if a.shape != h.shape:
        raise ValueError(f"a{index} must have the shape of h{index}, {h.shape}, got {a.shape}")
    return h, a


def cascaded(
    h1: Inexact[ArrayLike, "d1 d1"],
    h2: Inexact[ArrayLike, "d2 d2"],
    a1: Inexact[ArrayLike, "d1 d1"],
    a2: Inexact[ArrayLike, "d2 d2"],
    bath: Bath,
    *,
    frequency: RealScalarLike | None = None,
    independent: bool = False,
) -> Generator:
    """The generator of two subsystems coupled in cascade (S1 -> S2) to one reservoir.

        d rho/dt = -i[H1 + H2, rho] + L1(rho) + L2(rho) + D12(rho)      (seed 001 eqs 1-2)
        L_i = k_down D[a_i] + k_up D[a_i^dag]                            (eqs 4, 7)
        D12 = k_down C[a1, a2] + k_up C[a1^dag, a2^dag]                  (eqs 5, 8)

    with C the cascade superoperator of `CascadeTerm` and the reservoir's rates at the
    subsystems' frequency w: k_down = bath.emission_rate(w), k_up = bath.absorption_rate(w).
    Bosons with a flat spectrum J = gamma give gamma(N + 1) and gamma N (eqs 4-5); fermions
    (the qubit reservoir of section II B) give gamma(1 + xi)/2 and gamma(1 - xi)/2 with
    xi = 1 - 2 f(w) = tanh(w/2T) (eqs 7-9: gamma/4 (1 + xi)(2 s rho s^dag - ...) is
    gamma(1 + xi)/2 D[s]). S1's reduced dynamics is L1 alone: nothing flows back from S2.

    The operators are the subsystems' own (h1, a1 of dimension d1; h2, a2 of d2); the joint
    space is kron(S1, S2), dimension d1 d2.

    Args:
        h1, h2: the subsystems' Hermitian Hamiltonians.
        a1, a2: their lowering (ladder) operators, [a_i, h_i] = w a_i: `destroy(n)` for an
            oscillator h = w a^dag a, `sigmam()` for a qubit h = w sigma_z/2.
        bath: the reservoir (`qoj.Bath`).
        frequency: w at which the rates are evaluated. None infers it from [a_i, h_i] = w a_i,
            which must hold with the same w for both subsystems (resonance). When given, it
            is used as is, and a1, a2 may be any coupling operators.
        independent: return L(ind) = L1 + L2 instead (seed 001 Fig. 1b: each subsystem in
            its own copy of the reservoir, D12 = 0).

    Returns:
        A `Generator` on the joint space with H = h1 (x) 1 + 1 (x) h2 and parts "1" (L1),
        "2" (L2) and, unless `independent`, "cascade" (D12): `heat_currents(gen, rho)` gives
        J1, J2 and J12 of eqs 13-14 (energy into the system, the opposite sign of the seed's
        heat fluxes; see `qoj.models.CascadedQubits`).
    """
    if not isinstance(bath, Bath):
        raise TypeError(f"bath must be a qoj.Bath, got {type(bath).__name__}")
    h1, a1 = _subsystem(h1, a1, 1)
    h2, a2 = _subsystem(h2, a2, 2)
    if frequency is None:
        w1 = _ladder_frequency(h1, a1, "a1")
        w2 = _ladder_frequency(h2, a2, "a2")
        scale = jnp.maximum(jnp.abs(w1), jnp.abs(w2))
        w = ensure(
            w1,
            jnp.abs(w1 - w2) > 1e3 * _tolerance(w1.dtype) * scale,
            "the subsystems must be resonant (a1 and a2 lower the energy by the same w) for "
            "the cascaded master equation of seed 001; pass frequency= to choose the frequency "
            "at which the bath's rates are evaluated",
        )
    else:
        w = finite(jnp.asarray(frequency), "frequency")
        if w.ndim != 0 or jnp.iscomplexobj(w):
            raise ValueError(f"frequency must be a real scalar, got {w!r}")
    d1, d2 = h1.shape[0], h2.shape[0]
    one1, one2 = identity(d1).astype(h1.dtype), identity(d2).astype(h2.dtype)
    hamiltonian = jnp.kron(h1, one2) + jnp.kron(one1, h2)
    low1, low2 = jnp.kron(a1, one2), jnp.kron(one1, a2)
    down, up = bath.emission_rate(w), bath.absorption_rate(w)
    parts = {
        "1": [JumpTerm(low1, down), JumpTerm(low1.conj().T, up)],
        "2": [JumpTerm(low2, down), JumpTerm(low2.conj().T, up)],
    }
    if not independent:
        parts["cascade"] = [
            CascadeTerm(low1, low2, down),
            CascadeTerm(low1.conj().T, low2.conj().T, up),
        ]
    return Generator(hamiltonian, {k: GeneratorPart(v) for k, v in parts.items()})
