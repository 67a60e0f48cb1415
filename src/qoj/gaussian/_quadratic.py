"""Quadratic bosonic generators in quadrature form: `GaussianPart`, `GaussianSystem`, builders.

Convention (the seed 001's, sec IV A and appendix B; "vacuum = 1/2"):

    r = (x_1, p_1, x_2, p_2, ..., x_n, p_n)               (mode by mode, interleaved)
    x_j = (a_j + a_j^dag)/sqrt(2),   p_j = (a_j - a_j^dag)/(i sqrt(2)),   [x_j, p_j] = i
    C_kl = <{r_k - <r_k>, r_l - <r_l>}>/2                  (vacuum: C = 1/2, thermal: N + 1/2)
    [r_k, r_l] = i Omega_kl,   Omega = direct sum of [[0, 1], [-1, 0]]

(The seed writes X_j = (a^dag + a)/sqrt(2), Y_j = i(a^dag - a)/sqrt(2) and chi = (X1, Y1, X2,
Y2): the same thing; `qoj.measures` uses it too.) Conversions: in the "vacuum = 1" convention
(sigma = 2C, e.g. Weedbrook et al. with hbar = 2) sigma and its diffusion are 2C and 2M, the
drift A is unchanged; the block ordering (x_1..x_n, p_1..p_n) is P C P^T (and P A P^T,
P M P^T) with the permutation P = `quadrature_permutation(n)`.

Generator. A quadratic Hamiltonian with linear Lindblad operators,

    H = sum_ij h_ij a_i^dag a_j + 1/2 sum_ij (g_ij a_i^dag a_j^dag + h.c.)
        + sum_i (f_i a_i^dag + h.c.)
      = 1/2 r^T G r + l^T r + E_0           (r^T G r symmetrised; E_0 = -tr(h)/2),
    d rho/dt = -i [H, rho] + sum_k gamma_k (L_k rho L_k^dag - {L_k^dag L_k, rho}/2),
    L_k = sum_j (u_kj a_j + v_kj a_j^dag) = c_k . r,

keeps Gaussian states Gaussian, and the first and second moments obey

    d<r>/dt = A <r> + b,        dC/dt = A C + C A^T + M,
    A = Omega (G - Im Gamma),   M = Omega (Re Gamma) Omega^T,   b = Omega l,
    Gamma = sum_k gamma_k c_k c_k^dag    (Gamma_kl = sum gamma c_k conj(c_l), Hermitian).

Derivation (Heisenberg picture): i[H, r] = Omega (G r + l); the dissipator's adjoint on a
linear observable is (L^dag [r, L] + [L^dag, r] L)/2 = -Omega Im(c c^dag) r; on products,
D^dag(r_k r_l) = D^dag(r_k) r_l + r_k D^dag(r_l) + [L^dag, r_k][r_l, L], and the last term,
symmetrised in (k, l), is (Omega Re(c c^dag) Omega^T)_kl. A Kossakowski (non-diagonal) form
sum_kl K_kl (L_k rho L_l^dag - ...) gives the same with Gamma = sum_kl K_kl c_k c_l^dag: every
formula is linear in Gamma, so parts add and subtract (`GaussianPart.__add__`/`__sub__`),
which is how a cross term such as the seed's D12 is represented (see `_cascade.py`).
Checked against truncated Fock-space `qoj.evolve` in tests/test_gaussian.py.
"""

from collections.abc import Mapping, Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Complex, Float

from .._checks import ensure, finite, hermitian, nonnegative
from .._precision import complex_dtype, real_dtype

Covariance = Float[Array, "2n 2n"]
Means = Float[Array, " 2n"]


def symplectic_form(n_modes: int) -> Float[Array, "2n 2n"]:
    """Omega = direct sum of n_modes copies of [[0, 1], [-1, 0]]: [r_k, r_l] = i Omega_kl."""
    return jnp.asarray(np.kron(np.eye(n_modes), np.array([[0.0, 1.0], [-1.0, 0.0]])), real_dtype())


def quadrature_permutation(n_modes: int) -> Float[Array, "2n 2n"]:
    """P with P r = (x_1..x_n, p_1..p_n) for r = (x_1, p_1, ..., x_n, p_n).

    A covariance matrix in block ordering is P C P^T; back with P^T C_block P.
    """
    order = np.concatenate([np.arange(0, 2 * n_modes, 2), np.arange(1, 2 * n_modes, 2)])
    return jnp.asarray(np.eye(2 * n_modes)[order], real_dtype())


def ladder_matrix(n_modes: int) -> Complex[Array, "n 2n"]:
    """T with a = T r: a_j = (x_j + i p_j)/sqrt(2) (so a^dag = conj(T) r)."""
    t = np.zeros((n_modes, 2 * n_modes), complex)
    t[np.arange(n_modes), 2 * np.arange(n_modes)] = 1 / np.sqrt(2)
    t[np.arange(n_modes), 2 * np.arange(n_modes) + 1] = 1j / np.sqrt(2)
    return jnp.asarray(t, complex_dtype())


def _complex(x, name: str, shape: tuple[int, ...] | None = None) -> Array:
    arr = finite(jnp.asarray(x), name).astype(complex_dtype())
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr


def _symmetric_real(p: Array) -> Array:
    """G of the operator r^T P r (complex P): its symmetrised part is r^T Re(P + P^T)/2 r."""
    return jnp.real(p + p.T)


def _hamiltonian_quadratures(hopping, pairing, drive):
    """(G, l, E_0) of H = a^dag h a + (a^dag g a^dag + h.c.)/2 + (f . a^dag + h.c.)."""
    h = hermitian(hopping, "hamiltonian")
    n = h.shape[0]
    t = ladder_matrix(n)
    # a_i^dag h_ij a_j = r^T (T^dag h T) r; r_k r_l = sym + (i/2) Omega_kl gives E_0
    hop = t.conj().T @ h @ t
    g_matrix = _symmetric_real(hop)
    offset = jnp.real(0.5j * jnp.sum(hop * symplectic_form(n).astype(hop.dtype)))
    if pairing is not None:
        g = _complex(pairing, "pairing", (n, n))
        g = ensure(g, jnp.max(jnp.abs(g - g.T)) > 1e-12, "pairing must be a symmetric matrix")
        # (g_ij a_i^dag a_j^dag + h.c.)/2 = r^T Re(T^dag g conj(T)) r (already symmetric)
        g_matrix = g_matrix + 2 * jnp.real(t.conj().T @ g @ t.conj())
    linear = jnp.zeros((2 * n,), real_dtype())
    if drive is not None:
        f = _complex(drive, "drive", (n,))
        linear = 2 * jnp.real(t.conj().T @ f)
    return g_matrix.astype(real_dtype()), linear, offset.astype(real_dtype())


class GaussianPart(eqx.Module):
    """One additive piece of a quadratic generator, as it acts on the moments.

        d<r>/dt = drift <r> + force,      dC/dt = drift C + C drift^T + diffusion

    Parts add and subtract (`part1 + part2`, `full - local`): the moment equations are linear
    in the generator, so a cross term (not a Lindblad generator on its own, like the seed's
    D12) is the difference of two Lindblad generators.
    """

    drift: Float[Array, "2n 2n"]
    diffusion: Float[Array, "2n 2n"]
    force: Float[Array, " 2n"]

    def __init__(self, drift, diffusion, force=None):
        self.drift = jnp.asarray(drift, real_dtype())
        self.diffusion = jnp.asarray(diffusion, real_dtype())
        m = self.drift.shape[0]
        self.force = jnp.zeros((m,), real_dtype()) if force is None else jnp.asarray(force)

    def __check_init__(self):
        m = self.drift.shape[0]
        if self.drift.shape != (m, m) or m % 2:
            raise ValueError(f"drift must be (2n, 2n), got {self.drift.shape}")
        if self.diffusion.shape != (m, m) or self.force.shape != (m,):
            raise ValueError(
                f"drift {self.drift.shape}, diffusion {self.diffusion.shape} and force "
                f"{self.force.shape} do not match"
            )

    @property
    def n_modes(self) -> int:
        return self.drift.shape[0] // 2

    def __add__(self, other: "GaussianPart") -> "GaussianPart":
        return GaussianPart(
            self.drift + other.drift, self.diffusion + other.diffusion, self.force + other.force
        )

    def __sub__(self, other: "GaussianPart") -> "GaussianPart":
        return GaussianPart(
            self.drift - other.drift, self.diffusion - other.diffusion, self.force - other.force
        )

    def covariance_rate(self, covariance: Covariance) -> Covariance:
        """This part's contribution to dC/dt: A C + C A^T + M."""
        ac = self.drift @ covariance
        return ac + ac.T + self.diffusion

    def means_rate(self, means: Means) -> Means:
        """This part's contribution to d<r>/dt: A <r> + b."""
        return self.drift @ means + self.force


def zero_part(n_modes: int) -> GaussianPart:
    """The part that does nothing (A = M = 0, b = 0)."""
    z = jnp.zeros((2 * n_modes, 2 * n_modes), real_dtype())
    return GaussianPart(z, z)


def hamiltonian_part(hamiltonian, *, pairing=None, drive=None) -> GaussianPart:
    """The coherent part -i[H, rho] of a quadratic Hamiltonian (module docstring): A = Omega G,
    M = 0, b = Omega l.

    Args:
        hamiltonian: Hermitian n x n matrix h of a_i^dag h_ij a_j.
        pairing: symmetric n x n g of (g_ij a_i^dag a_j^dag + h.c.)/2 (squeezing), optional.
        drive: length-n f of (f_i a_i^dag + h.c.), optional.
    """
    g_matrix, linear, _ = _hamiltonian_quadratures(hamiltonian, pairing, drive)
    omega = symplectic_form(g_matrix.shape[0] // 2)
    return GaussianPart(omega @ g_matrix, jnp.zeros_like(g_matrix), omega @ linear)


def dissipator(
    jump_operators: Sequence[tuple[ArrayLike, ArrayLike, ArrayLike]],
    *,
    hamiltonian: ArrayLike | None = None,
    pairing: ArrayLike | None = None,
    n_modes: int | None = None,
) -> GaussianPart:
    """A Lindblad dissipator with linear jump operators, sum_k gamma_k D[L_k], as a part.

        L_k = sum_j (u_kj a_j + v_kj a_j^dag),   D[L] rho = L rho L^dag - {L^dag L, rho}/2
        A = -Omega Im Gamma,   M = Omega Re Gamma Omega^T,   Gamma = sum_k gamma_k c_k c_k^dag

    with c_k = T^T u_k + T^dag v_k the quadrature coefficients of L_k (module docstring).

    Args:
        jump_operators: `[(rate, u, v), ...]`: rate >= 0, u and v length-n complex vectors
            (v = None or u = None for zero).
        hamiltonian: optional Hermitian n x n correction -i[a^dag h_c a, rho] carried by this
            part (a Lamb shift, or the cascade Hamiltonian of `_cascade.py`).
        pairing: optional pairing part of that correction.
        n_modes: needed only when `jump_operators` is empty and no `hamiltonian` is given.

    Returns:
        A `GaussianPart`.
    """
    channels = list(jump_operators)
    if n_modes is None:
        if hamiltonian is not None:
            n_modes = np.shape(hamiltonian)[0]
        elif channels:
            u, v = channels[0][1], channels[0][2]
            n_modes = np.shape(u if u is not None else v)[0]
        else:
            raise ValueError("an empty dissipator needs n_modes")
    t = ladder_matrix(n_modes)
    gamma = jnp.zeros((2 * n_modes, 2 * n_modes), complex_dtype())
    for k, channel in enumerate(channels):
        if not (isinstance(channel, tuple | list) and len(channel) == 3):
            raise TypeError("each jump operator must be a (rate, u, v) triple")
        rate, u, v = channel
        rate = nonnegative(rate, f"rate of jump operator {k}")
        if rate.ndim:
            raise ValueError(f"rate of jump operator {k} must be a scalar")
        zero = jnp.zeros((n_modes,), complex_dtype())
        u = zero if u is None else _complex(u, f"u of jump operator {k}", (n_modes,))
        v = zero if v is None else _complex(v, f"v of jump operator {k}", (n_modes,))
        c = t.T @ u + t.conj().T @ v
        gamma = gamma + rate * jnp.outer(c, c.conj())
    omega = symplectic_form(n_modes)
    part = GaussianPart(-omega @ jnp.imag(gamma), omega @ jnp.real(gamma) @ omega.T)
    if hamiltonian is not None or pairing is not None:
        h = jnp.zeros((n_modes, n_modes)) if hamiltonian is None else hamiltonian
        part = part + hamiltonian_part(h, pairing=pairing)
    return part


class GaussianSystem(eqx.Module):
    """A quadratic bosonic generator in quadrature form, with named parts (like `qoj.Generator`).

    `hamiltonian` (G) and `linear` (l) define the system energy H = r^T G r/2 + l^T r + offset
    used for energies and heat currents; `coherent` is the part generated by H (zero drift in
    a rotating frame); `parts` maps each bath's name to its dissipator (`GaussianPart`). The
    whole generator is

        drift = coherent.drift + sum_b parts[b].drift     (likewise diffusion, force),

    and the heat current of bath b is J_b = Tr[H L_b(rho)], energy flowing from b into the
    system (qoj's sign convention; `heat_currents`).
    """

    hamiltonian: Float[Array, "2n 2n"]
    linear: Float[Array, " 2n"]
    offset: Float[Array, ""]
    coherent: GaussianPart
    parts: dict[str, GaussianPart]

    def __check_init__(self):
        m = self.hamiltonian.shape[0]
        for name, part in [("coherent", self.coherent), *self.parts.items()]:
            if part.drift.shape[0] != m:
                raise ValueError(f"part {name!r} acts on {part.n_modes} modes, H on {m // 2}")

    @property
    def n_modes(self) -> int:
        return self.hamiltonian.shape[0] // 2

    def _total(self, field: str) -> Array:
        out = getattr(self.coherent, field)
        for part in self.parts.values():
            out = out + getattr(part, field)
        return out

    @property
    def drift(self) -> Float[Array, "2n 2n"]:
        """A of d<r>/dt = A <r> + b and dC/dt = A C + C A^T + M."""
        return self._total("drift")

    @property
    def diffusion(self) -> Float[Array, "2n 2n"]:
        """M of dC/dt = A C + C A^T + M."""
        return self._total("diffusion")

    @property
    def force(self) -> Float[Array, " 2n"]:
        """b of d<r>/dt = A <r> + b."""
        return self._total("force")

    def covariance_rate(self, covariance: Covariance) -> Covariance:
        """dC/dt = A C + C A^T + M."""
        ac = self.drift @ covariance
        return ac + ac.T + self.diffusion

    def means_rate(self, means: Means) -> Means:
        """d<r>/dt = A <r> + b."""
        return self.drift @ means + self.force

    def restricted(self, names: Sequence[str]) -> "GaussianSystem":
        """The system with only the named parts (e.g. the seed's L(ind) = L1 + L2)."""
        missing = [n for n in names if n not in self.parts]
        if missing:
            raise ValueError(f"no parts named {missing}; parts are {list(self.parts)}")
        return GaussianSystem(
            self.hamiltonian,
            self.linear,
            self.offset,
            self.coherent,
            {n: self.parts[n] for n in names},
        )


def system(
    hamiltonian: ArrayLike,
    dissipators: Mapping[str, GaussianPart | Sequence] | Sequence | None = None,
    *,
    pairing: ArrayLike | None = None,
    drive: ArrayLike | None = None,
    rotating_frame: bool = False,
) -> GaussianSystem:
    """A quadratic system: H = a^dag h a (+ pairing, drive) and linear Lindblad dissipators.

        d rho/dt = -i[H, rho] + sum_b D_b(rho),    D_b = sum_k gamma_bk D[L_bk] (+ corrections)

    Args:
        hamiltonian: Hermitian n x n h (H = sum_ij h_ij a_i^dag a_j), in units of frequency.
        dissipators: `{name: [(rate, u, v), ...] or GaussianPart}` (see `dissipator`), or a
            plain sequence of `(rate, u, v)` (one part named "bath"), or None.
        pairing: symmetric n x n g: H += (sum_ij g_ij a_i^dag a_j^dag + h.c.)/2.
        drive: length-n f: H += sum_i (f_i a_i^dag + h.c.).
        rotating_frame: leave H out of the drift (interaction picture w.r.t. H). Heat currents
            are unchanged when the dissipators are phase covariant ([H, D] = 0, as for
            resonant modes with RWA dissipators); the covariance matrix is the lab-frame one
            rotated by exp(-Omega G t).

    Returns:
        A `GaussianSystem`.
    """
    g_matrix, linear, offset = _hamiltonian_quadratures(hamiltonian, pairing, drive)
    n = g_matrix.shape[0] // 2
    if rotating_frame:
        coherent = zero_part(n)
    else:
        omega = symplectic_form(n)
        coherent = GaussianPart(omega @ g_matrix, jnp.zeros_like(g_matrix), omega @ linear)
    if dissipators is None:
        dissipators = {}
    elif not isinstance(dissipators, Mapping):
        dissipators = {"bath": dissipators}
    parts = {}
    for name, d in dissipators.items():
        if not isinstance(name, str):
            raise TypeError(f"part names must be strings, got {name!r}")
        parts[name] = d if isinstance(d, GaussianPart) else dissipator(d, n_modes=n)
    return GaussianSystem(g_matrix, linear, offset, coherent, parts)


def mode_hamiltonians(system: GaussianSystem) -> Float[Array, "n 2n 2n"]:
    """G restricted to each mode's 2x2 diagonal block: H_i = r^T G_i r/2 is mode i's energy.

    (Inter-mode terms of H are left out; for the seed's H = sum_i omega a_i^dag a_i these are
    the H_i of eqs 13-17.)
    """
    mask = jnp.asarray(_mode_selector(system.n_modes), real_dtype())
    return mask * system.hamiltonian[None]


def _mode_selector(n: int) -> np.ndarray:
    sel = np.zeros((n, 2 * n, 2 * n))
    for i in range(n):
        sel[i, 2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = 1.0
    return sel


def _as_covariance(covariance, n_modes: int | None = None, name: str = "covariance") -> Array:
    c = finite(jnp.asarray(covariance), name).astype(real_dtype())
    if c.ndim != 2 or c.shape[0] != c.shape[1] or c.shape[0] % 2:
        raise ValueError(f"{name} must be a (2n, 2n) matrix, got shape {c.shape}")
    if n_modes is not None and c.shape[0] != 2 * n_modes:
        raise ValueError(f"{name} is {c.shape}, the system has {n_modes} modes")
    return c


def _as_means(means, n_modes: int, name: str = "means") -> Array:
    if means is None:
        return jnp.zeros((2 * n_modes,), real_dtype())
    m = finite(jnp.asarray(means), name).astype(real_dtype())
    if m.shape != (2 * n_modes,):
        raise ValueError(f"{name} must have shape ({2 * n_modes},), got {m.shape}")
    return m
