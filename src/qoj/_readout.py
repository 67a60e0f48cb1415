"""Observables and heat currents as linear functionals of the state.

Everything `evolve` saves is linear in rho: an expectation value is Tr[O rho], and the heat
current of part b is J_b = Tr[H L_b(t)(rho)] = sum_k c_k(t) Tr[S_k^dag(H) rho] (API.md:
energy flowing from bath b into the system). So the readout is a stack of operators
F_j with fixed weights, plus time-dependent weights c_k(t) for time-dependent terms;
the operators S_k^dag(H) are computed once, before the time loop.
"""

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex

from ._generator import Generator
from ._terms import AbstractTerm, coefficients


class Readout(eqx.Module):
    """Linear functionals y_j(t) = sum_i w_ji(t) Tr[F_i rho].

    Constant functionals are rows of `constant` (operators F, one output each); the
    time-dependent ones are operators `varying` whose value is multiplied by the term's
    coefficient c_k(t) and added to output `targets[k]`.
    """

    constant: Complex[Array, "p n n"]
    varying: Complex[Array, "q n n"]
    varying_terms: tuple[AbstractTerm, ...]
    targets: tuple[int, ...] = eqx.field(static=True)
    names: tuple[str, ...] = eqx.field(static=True)
    real_output: tuple[bool, ...] = eqx.field(static=True)

    def coefficients(self, t):
        return coefficients(self.varying_terms, t)

    def split(self, values):
        """Dict of outputs from the stacked array (..., p), real where the operator is Hermitian."""
        out = {}
        for j, name in enumerate(self.names):
            v = values[..., j]
            out[name] = jnp.real(v) if self.real_output[j] else v
        return out


def _is_hermitian_constant(op) -> bool:
    try:
        a = np.asarray(op)
    except Exception:
        return False
    return bool(np.allclose(a, a.conj().T, atol=1e-12 * max(1.0, np.abs(a).max())))


def build_readout(
    generator: Generator, observables: dict, hamiltonian
) -> tuple[Readout, list, list]:
    """Readout of the named observables followed by one heat current per part.

    Returns the readout, the observable keys and the part names (in output order).
    """
    constant_ops = []
    names = []
    real_output = []
    for key, op in observables.items():
        constant_ops.append(op)
        names.append(f"expect:{key}")
        real_output.append(_is_hermitian_constant(op))
    varying_ops, varying_terms, targets = [], [], []
    part_names = list(generator.parts)
    for name in part_names:
        index = len(names)
        names.append(f"current:{name}")
        real_output.append(True)
        constant = jnp.zeros_like(hamiltonian)
        for term in generator.parts[name].terms:
            dual = term.apply_adjoint(hamiltonian)
            if term.is_time_dependent:
                varying_ops.append(dual)
                varying_terms.append(term)
                targets.append(index)
            else:
                constant = constant + term.coefficient(0.0) * dual
        constant_ops.append(constant)
    d = hamiltonian.shape[0]
    dtype = hamiltonian.dtype
    stack = lambda ops: jnp.stack(ops).astype(dtype) if ops else jnp.zeros((0, d, d), dtype)
    readout = Readout(
        constant=stack(constant_ops),
        varying=stack(varying_ops),
        varying_terms=tuple(varying_terms),
        targets=tuple(targets),
        names=tuple(names),
        real_output=tuple(real_output),
    )
    return readout, list(observables), part_names
