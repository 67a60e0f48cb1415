"""Structured (sparse-diagonal) action of a generator, for systems too large for the dense
d^2 x d^2 Liouvillian.

Operators of many-body models built from local terms have few nonzero diagonals: a
nearest-neighbour hopping s_i+ s_{i+1}- of a qubit chain lies on the diagonals +-2^(N-2-i),
sz terms on the main one. An operator is stored by diagonals ("DIA" format),
M[i, i + o] = values[k, i] for the static offsets o = offsets[k], and M @ rho or rho @ M
costs one pass over rho per diagonal instead of a d^3 matrix product.

Every term of a `Generator` is a sum of products A rho B with a (possibly time-dependent)
real coefficient, so with G(t) = sum_j c_j(t) A_j collecting the one-sided products
(G = -i H - (1/2) sum_k r_k L_k^dag L_k for a Lindblad generator),

    L(t) rho = G(t) rho + (G(t) rho)^dag + sum_j c_j(t) A_j rho B_j,

using rho = rho^dag. rho = a + i b is held as the real pair (a, b), which goes through each
diagonal pass together (a product costs 2 d^2 flops per stored diagonal of each of the
operator's real and imaginary parts). The pattern of nonzero diagonals must be known when
the model is built,
so this path needs operators whose values are concrete (not traced); their coefficients
(rates, strengths) may be traced or time-dependent.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from ._cascaded import CascadeTerm
from ._checks import concrete_value
from ._terms import HamiltonianTerm, JumpTerm, KossakowskiTerm, coefficients


class Diagonals(eqx.Module):
    """A real d x d matrix stored by its nonzero diagonals: M[i, i + offsets[k]] = values[k, i]
    (zero where i + offsets[k] is outside the matrix). Products with a real matrix x cost
    one pass over x per diagonal."""

    offsets: tuple[int, ...] = eqx.field(static=True)
    values: Float[Array, "k n"]

    @classmethod
    def from_dense(cls, matrix, offsets: tuple[int, ...] | None = None) -> "Diagonals":
        """From a concrete real matrix (on its own nonzero diagonals unless `offsets`)."""
        m = np.asarray(matrix)
        d = m.shape[0]
        if offsets is None:
            rows, cols = np.nonzero(m)
            offsets = tuple(int(o) for o in np.unique(cols - rows))
        values = np.zeros((len(offsets), d), m.dtype)
        for k, o in enumerate(offsets):
            i = np.arange(max(0, -o), min(d, d - o))
            values[k, i] = m[i, i + o]
        return cls(offsets, jnp.asarray(values))

    @property
    def pad(self) -> int:
        return max((abs(o) for o in self.offsets), default=0)

    def left(self, x):
        """M @ x over the last two axes of x: row i is sum_k values[k, i] x[..., i + o_k, :]."""
        d, pad = x.shape[-1], self.pad
        padded = jnp.pad(x, ((0, 0), (pad, pad), (0, 0)))
        out = jnp.zeros_like(x)
        for k, o in enumerate(self.offsets):
            out = out + self.values[k][None, :, None] * padded[:, pad + o : pad + o + d]
        return out

    def right(self, x):
        """x @ M: column j is sum_k x[..., j - o_k] values[k, j - o_k]."""
        d, pad = x.shape[-1], self.pad
        padded = jnp.pad(x, ((0, 0), (0, 0), (pad, pad)))
        weights = jnp.pad(self.values, ((0, 0), (pad, pad)))
        out = jnp.zeros_like(x)
        for k, o in enumerate(self.offsets):
            w = weights[k, pad - o : pad - o + d]
            out = out + padded[:, :, pad - o : pad - o + d] * w[None, None, :]
        return out

    def right_transposed(self, x):
        """x @ M^T: column j is sum_k x[..., j + o_k] values[k, j]."""
        d, pad = x.shape[-1], self.pad
        padded = jnp.pad(x, ((0, 0), (0, 0), (pad, pad)))
        out = jnp.zeros_like(x)
        for k, o in enumerate(self.offsets):
            out = out + padded[:, :, pad + o : pad + o + d] * self.values[k][None, None, :]
        return out


class DiagonalOperator(eqx.Module):
    """A complex d x d matrix M = R + i I, each part stored by its own nonzero diagonals
    (None for a zero part), acting on rho = a + i b held as the real pair (a, b)."""

    real: Diagonals | None
    imag: Diagonals | None

    @classmethod
    def from_dense(cls, matrix) -> "DiagonalOperator":
        m = np.asarray(matrix)
        parts = [np.real(m), np.imag(m) if np.iscomplexobj(m) else np.zeros_like(m.real)]
        return cls(*(Diagonals.from_dense(p) if np.any(p) else None for p in parts))

    def _combine(self, apply, a, b, sign):
        """(R + i I) acting through `apply` on a + i b, with I's sign flipped if sign < 0
        (a and b go through each diagonal pass together)."""
        pair = jnp.stack([a, b])
        r = apply(self.real, pair) if self.real is not None else jnp.zeros_like(pair)
        if self.imag is None:
            return r[0], r[1]
        i = apply(self.imag, pair)
        return r[0] - sign * i[1], r[1] + sign * i[0]

    def matmul(self, a, b):
        """M @ (a + i b) as (real, imaginary) parts."""
        return self._combine(Diagonals.left, a, b, 1)

    def rmatmul(self, a, b):
        """(a + i b) @ M as (real, imaginary) parts."""
        return self._combine(Diagonals.right, a, b, 1)

    def rmatmul_adjoint(self, a, b):
        """(a + i b) @ M^dag = (a + i b)(R^T - i I^T) as (real, imaginary) parts."""
        return self._combine(Diagonals.right_transposed, a, b, -1)


def _products(term):
    """A term's action per unit coefficient as (one-sided operators [G_1, ...], two-sided pairs
    [(A_1, B_1), ...]): term.apply(rho) = sum G rho + (sum G rho)^dag + sum A rho B, as dense
    NumPy matrices. None if the term's operators are traced or its type is not known here."""
    if isinstance(term, HamiltonianTerm):
        h = concrete_value(term.hamiltonian)
        return None if h is None else ([-1j * h], [])
    if isinstance(term, JumpTerm):
        jump = concrete_value(term.operator)
        if jump is None:
            return None
        return [-0.5 * jump.conj().T @ jump], [(jump, jump.conj().T)]
    if isinstance(term, CascadeTerm):
        c1, c2 = concrete_value(term.first), concrete_value(term.second)
        if c1 is None or c2 is None:
            return None
        # c1 rho c2^dag + c2 rho c1^dag - (c2^dag c1) rho - rho (c2^dag c1)^dag
        return [-(c2.conj().T @ c1)], [(c1, c2.conj().T), (c2, c1.conj().T)]
    if isinstance(term, KossakowskiTerm):
        with jax.ensure_compile_time_eval():
            partner, number = term._mixed()  # sum_m X_m rho Y_m^dag - {number, rho}/2
        ops, partner, number = (concrete_value(x) for x in (term.operators, partner, number))
        if ops is None or partner is None or number is None:
            return None
        pairs = [(x, y.conj().T) for x, y in zip(ops, partner, strict=True) if np.any(x)]
        return [-0.5 * number], pairs
    return None


class StructuredGenerator(eqx.Module):
    """L(t) rho = G(t) rho + (G(t) rho)^dag + sum_j c_j(t) A_j rho B_j with operators stored
    by diagonals (see the module docstring)."""

    terms: tuple  # the generator's terms, for their coefficients c(t)
    # G = sum_j c_j(t) G_j: the G_j on the union of their real / imaginary diagonals
    one_sided_real: Diagonals | None  # values stacked over j: (j, k, n)
    one_sided_imag: Diagonals | None
    left: tuple[DiagonalOperator, ...]
    right: tuple[DiagonalOperator, ...]
    owner: tuple[int, ...] = eqx.field(static=True)  # term index of each two-sided product

    def real_rhs(self, t, y: Float[Array, "2 n n"]) -> Float[Array, "2 n n"]:
        """d rho/dt for rho = y[0] + i y[1], as the same real pair."""
        c = coefficients(self.terms, t)

        def combined(stacked):
            if stacked is None:
                return None
            values = jnp.einsum("j,jkn->kn", c.astype(stacked.values.dtype), stacked.values)
            return Diagonals(stacked.offsets, values)

        g = DiagonalOperator(combined(self.one_sided_real), combined(self.one_sided_imag))
        a, b = y[0], y[1]
        p, q = g.matmul(a, b)
        r, s = g.rmatmul_adjoint(a, b)  # (G rho)^dag = rho G^dag, without transposes
        out_a, out_b = p + r, q + s
        for left, right, j in zip(self.left, self.right, self.owner, strict=True):
            x, z = right.rmatmul(*left.matmul(a, b))
            out_a, out_b = out_a + c[j] * x, out_b + c[j] * z
        return jnp.stack([out_a, out_b])

    def __call__(self, t, rho: Complex[Array, "n n"]) -> Complex[Array, "n n"]:
        out = self.real_rhs(t, jnp.stack([jnp.real(rho), jnp.imag(rho)]))
        return out[0] + 1j * out[1]


def structured(generator, *, max_fraction: float = 0.25) -> StructuredGenerator | None:
    """The structured form of `generator`, or None when it does not pay off.

    None if an operator is traced (its sparsity pattern is unknown) or a term type is not
    supported, or if the products cost more than `max_fraction` of the dense operator-by-
    operator path (one pass over rho per stored diagonal, against d matrix-vector passes
    per dense product).
    """
    terms = generator.terms()
    d = generator.dimension
    one_sided, pairs, owner = [], [], []
    for j, term in enumerate(terms):
        products = _products(term)
        if products is None:
            return None
        one_sided.append(sum(products[0]))
        for a, b in products[1]:
            pairs.append((DiagonalOperator.from_dense(a), DiagonalOperator.from_dense(b)))
            owner.append(j)

    def stacked(parts):
        """The matrices `parts` on the union of their nonzero diagonals, or None."""
        union = np.zeros((d, d), bool)
        for m in parts:
            union |= m != 0
        if not union.any():
            return None, 0
        offsets = Diagonals.from_dense(union.astype(float)).offsets
        values = jnp.stack([Diagonals.from_dense(m, offsets).values for m in parts])
        return Diagonals(offsets, values), len(offsets)

    real, n_real = stacked([np.real(np.asarray(m)) for m in one_sided])
    imag, n_imag = stacked([np.imag(np.asarray(m)) for m in one_sided])

    def passes(op):
        return sum(len(p.offsets) for p in (op.real, op.imag) if p is not None)

    stored = 4 * (n_real + n_imag) + sum(2 * (passes(a) + passes(b)) for a, b in pairs)
    dense = 4 * d * (2 + 2 * len(pairs))  # real passes of the dense complex products
    if stored > max_fraction * dense:
        return None
    return StructuredGenerator(
        terms=terms,
        one_sided_real=real,
        one_sided_imag=imag,
        left=tuple(a for a, _ in pairs),
        right=tuple(b for _, b in pairs),
        owner=tuple(owner),
    )
