"""The exact time-local master equation of two fermionic modes between two reservoirs (seed
003, section IV A).

With i H + Gamma/2 = -G^{-1} dG/dt (diagonal here, eq 23) and Z(t) of eq 30,

    Lambda^+ = dZ/dt - i[H, Z] + {Gamma, Z}/2,   Lambda^- = Gamma - Lambda^+          (eq 47)
    dC/dt = i[H, C] - {Gamma, C}/2 + Lambda^+                                     (eq 48)
    dD/dt = -Tr[Gamma] D + sum_jk (Lambda^+_jj C_kk - Lambda^+_jk C_kj)           (eq 49)

and the many-body master equation (eqs 50-51) with H'_S = d^dag H^T d. dZ/dt is computed
exactly (not by differencing, `_exact._dynamics`): dZ_jk/dt = i int dw J F_jk [G_j^* e^{-iwt}
kappa_k - G_k e^{iwt} kappa_j^*]. Checked: eqs 48-49 against central differences of C(t),
D(t) (3e-10, step 1e-4), and the 4 x 4 evolution under eqs 50-51 (`qoj.evolve`) against eqs
29, 31 (1e-7).

Note on the printed paper (checked numerically): eq 52's jump operators read L^-_j = sum_k
U^-_jk d_k and L^+_j = sum_k (U^+_jk)^* d_k^dag; with [U^+-]^dag Lambda^+- U^+- =
diag(lambda^+-) (eigenvectors in the columns of U) they are L^-_j = sum_k U^-_kj d_k and
L^+_j = sum_k (U^+_kj)^* d_k^dag (see `canonical_form`).
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Complex, Float, Inexact

from .._checks import ensure
from .._generator import Generator, GeneratorPart
from .._precision import complex_dtype, real_dtype
from .._terms import HamiltonianTerm, KossakowskiTerm
from ._correlation import mode_annihilators
from ._exact import _dynamics, _times
from ._junction import ExactJunction


def master_equation_rates(
    junction: ExactJunction, ts: Float[ArrayLike, " T"]
) -> tuple[Complex[Array, "T 2 2"], ...]:
    """(H(t), Gamma(t), Lambda^+(t), Lambda^-(t)), each (T, 2, 2), of the exact time-local
    master equation (section IV A): i H + Gamma/2 = -G^{-1} dG/dt and eq 47. ValueError where
    G(t) is singular (the equation does not exist there)."""
    ts = _times(junction, ts)
    g, gd, z, zd = _dynamics(junction, ts, rates=True)
    g = ensure(g, jnp.any(jnp.abs(g) < 1e-12), "G(t) is singular: no time-local master equation")
    rate = -gd / g  # i H_jj + Gamma_jj / 2
    eye = jnp.eye(2, dtype=complex_dtype())
    ham = jnp.imag(rate)[:, :, None] * eye[None]
    gamma = 2 * jnp.real(rate)[:, :, None] * eye[None]
    comm = ham @ z - z @ ham
    anti = gamma @ z + z @ gamma
    plus = zd - 1j * comm + 0.5 * anti
    plus = 0.5 * (plus + plus.conj().transpose(0, 2, 1))  # Hermitian up to round-off
    return ham.astype(complex_dtype()), gamma.astype(complex_dtype()), plus, gamma - plus


def correlation_equations(
    hamiltonian: Inexact[ArrayLike, "*T 2 2"],
    gamma: Inexact[ArrayLike, "*T 2 2"],
    lambda_plus: Inexact[ArrayLike, "*T 2 2"],
    c: Inexact[ArrayLike, "*T 2 2"],
    d: Float[ArrayLike, "*T"],
) -> tuple[Complex[Array, "*T 2 2"], Float[Array, "*T"]]:
    """(dC/dt, dD/dt) from eqs 48-49: i[H, C] - {Gamma, C}/2 + Lambda^+ and
    -Tr[Gamma] D + sum_jk (Lambda^+_jj C_kk - Lambda^+_jk C_kj). Batched over leading axes."""
    hm, gm, lp, c = (jnp.asarray(a, complex_dtype()) for a in (hamiltonian, gamma, lambda_plus, c))
    d = jnp.asarray(d, real_dtype())
    dc = 1j * (hm @ c - c @ hm) - 0.5 * (gm @ c + c @ gm) + lp
    trace = lambda a: jnp.real(jnp.trace(a, axis1=-2, axis2=-1))
    gain = trace(lp) * trace(c) - jnp.real(jnp.sum(lp * jnp.swapaxes(c, -1, -2), axis=(-2, -1)))
    return dc, -trace(gm) * d + gain


# Hermitian basis of 2 x 2 matrices: A = sum_b a_b B_b with real a_b (see _hermitian_coordinates).
_BASIS = np.array(
    [[[1, 0], [0, 0]], [[0, 0], [0, 1]], [[0, 1], [1, 0]], [[0, 1j], [-1j, 0]]], dtype=complex
)


def _hermitian_coordinates(a):
    """Real (a_11, a_22, Re a_12, Im a_12): A = sum_b a_b _BASIS[b]."""
    return jnp.stack(
        [
            jnp.real(a[..., 0, 0]),
            jnp.real(a[..., 1, 1]),
            jnp.real(a[..., 0, 1]),
            jnp.imag(a[..., 0, 1]),
        ],
        axis=-1,
    )


class _HermiteTable(eqx.Module):
    """Values and exact time derivatives on a grid, read by cubic Hermite interpolation (held
    at the end values outside the grid)."""

    times: Float[Array, " n"]
    values: Float[Array, "n k"]
    slopes: Float[Array, "n k"]

    def __call__(self, t):
        t = jnp.clip(jnp.asarray(t, real_dtype()), self.times[0], self.times[-1])
        k = jnp.clip(jnp.searchsorted(self.times, t, side="right") - 1, 0, self.times.size - 2)
        step = self.times[k + 1] - self.times[k]
        s = (t - self.times[k]) / step
        s2, s3 = s * s, s * s * s
        return (
            (2 * s3 - 3 * s2 + 1) * self.values[k]
            + (s3 - 2 * s2 + s) * step * self.slopes[k]
            + (-2 * s3 + 3 * s2) * self.values[k + 1]
            + (s3 - s2) * step * self.slopes[k + 1]
        )


class _Coefficient(eqx.Module):
    """t -> one interpolated real coefficient of the exact generator."""

    table: _HermiteTable
    index: int = eqx.field(static=True)

    def __call__(self, t):
        return self.table(t)[self.index]


def exact_generator(junction: ExactJunction, table_times: Float[ArrayLike, " n"]) -> Generator:
    """The exact time-local master equation of seed 003 (eqs 50-51) on the 4 x 4 space of
    `qoj.fermion_ops(2)` (site basis; d = R c):

        d rho/dt = -i[d^dag H^T(t) d, rho]
                   + sum_jk Lambda^-_jk(t) (d_j rho d_k^dag - {d_k^dag d_j, rho}/2)     ("loss")
                   + sum_jk Lambda^+_jk(t) (d_k^dag rho d_j - {d_j d_k^dag, rho}/2)     ("gain")

    The coefficients are computed exactly (`master_equation_rates`) with their exact time
    derivatives (forward mode) at `table_times` (increasing, within [0, t_max]) and read by
    cubic Hermite interpolation in between: Lambda^+ rises from 0 on the time scale
    1/Omega, so the table should be fine near t = 0. `gen.hamiltonian` is H_S = sum_j E_j
    d_j^dag d_j (eq 10). Not additive: the dissipator has no parts per reservoir.
    """
    times = _times(junction, table_times)
    times = ensure(times, jnp.any(jnp.diff(times) <= 0), "table_times must be increasing")

    def coordinates(t):
        ham, _, plus, minus = master_equation_rates(junction, t)
        return jnp.concatenate(
            [_hermitian_coordinates(a) for a in (jnp.swapaxes(ham, -1, -2), minus, plus)], axis=-1
        )

    values, slopes = jax.jvp(coordinates, (times,), (jnp.ones_like(times),))
    table = _HermiteTable(times, values, slopes)
    d = mode_annihilators(junction.rotation)
    d_dag = jnp.swapaxes(d.conj(), -1, -2)
    basis = jnp.asarray(_BASIS, complex_dtype())
    number_ops = jnp.einsum("bac,anm,cmk->bnk", basis, d_dag, d)  # sum_ac B_ac d_a^dag d_c
    coherent = [HamiltonianTerm(number_ops[b], _Coefficient(table, b)) for b in range(4)]
    loss = [KossakowskiTerm(d, basis[b], _Coefficient(table, 4 + b)) for b in range(4)]
    gain = [KossakowskiTerm(d_dag, basis[b].T, _Coefficient(table, 8 + b)) for b in range(4)]
    h_s = jnp.einsum("j,jnm,jmk->nk", junction.energies.astype(complex_dtype()), d_dag, d)
    return Generator(
        h_s,
        {"loss": GeneratorPart(loss), "gain": GeneratorPart(gain)},
        coherent=GeneratorPart(coherent),
    )


def canonical_form(
    lambda_plus: Inexact[ArrayLike, "2 2"], lambda_minus: Inexact[ArrayLike, "2 2"]
) -> tuple[Float[Array, "2"], Complex[Array, "2 2"], Float[Array, "2"], Complex[Array, "2 2"]]:
    """Canonical gain and loss rates and modes of the dissipator (eq 52): (lambda^-, U^-,
    lambda^+, U^+) with [U^+-]^dag Lambda^+- U^+- = diag(lambda^+-) (ascending). The jump
    operators are L^-_j = sum_k U^-_kj d_k (rate lambda^-_j) and L^+_j = sum_k (U^+_kj)^* d_k^dag
    (rate lambda^+_j), so that L = sum_j,s lambda^s_j D[L^s_j]. (The paper prints U_jk: the
    eigenvectors are the columns of U.) A negative rate means the dissipator is not of
    Lindblad form at that time."""
    lp, up = jnp.linalg.eigh(jnp.asarray(lambda_plus, complex_dtype()))
    lm, um = jnp.linalg.eigh(jnp.asarray(lambda_minus, complex_dtype()))
    return lm, um, lp, up


def canonical_jump_operators(
    loss_modes: Inexact[ArrayLike, "2 2"],
    gain_modes: Inexact[ArrayLike, "2 2"],
    rotation: Inexact[ArrayLike, "2 2"] | None = None,
) -> tuple[Complex[Array, "2 4 4"], Complex[Array, "2 4 4"]]:
    """(L^-_j, L^+_j) of eq 52 on the 4 x 4 space from the modes of `canonical_form`:
    L^-_j = sum_k U^-_kj d_k, L^+_j = sum_k (U^+_kj)^* d_k^dag, d = R c."""
    d = mode_annihilators(rotation)
    loss = jnp.einsum("kj,knm->jnm", jnp.asarray(loss_modes, complex_dtype()), d)
    gain = jnp.einsum("kj,kmn->jnm", jnp.asarray(gain_modes, complex_dtype()).conj(), d.conj())
    return loss, gain
