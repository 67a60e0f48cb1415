"""Standard operators and states: Pauli matrices, ladder operators, tensor products, kets.

Conventions (the QuTiP ones, also written in API.md):

- Qubit basis: index 0 = |e> (sigma_z = +1), index 1 = |g> (sigma_z = -1), so
  `sigmam() = |g><e|` lowers and `sigmap() = |e><g|` raises.
- Fock basis of a truncated oscillator: index k = the k-boson state |k>. Note that this means
  `destroy(2) == sigmap()` (as in QuTiP): the two orderings differ on purpose.
- Tensor products: `kron(A, B)` puts part 1 first (slowest-varying index), so for two qubits
  the basis is (|ee>, |eg>, |ge>, |gg>).
- Fermions (`fermion_ops`): every mode is a two-level factor in the qubit convention,
  index 0 = occupied (|1>, like |e>), index 1 = empty (|0>, like |g>).

Every function returns arrays of dtype `complex_dtype()` as it is when called, so results follow
`qoj.set_precision`. Sizes (`n`, `k`, `index`, `dims`, `n_modes`) are Python integers, i.e.
static under `jax.jit`.
"""

import functools
import operator
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Complex

from ._custom_types import Ket, Operator
from ._precision import complex_dtype


def _eager_when_concrete(function):
    """Evaluate `function` eagerly when its inputs are concrete, even inside `jit`: operators
    built from constants stay constants (so their structure, e.g. sparsity, can be read), and
    traced inputs give traced results as usual."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with jax.ensure_compile_time_eval():
            return function(*args, **kwargs)

    return wrapper


def _positive_int(value, name: str) -> int:
    """A Python int >= 1 (NumPy integers accepted, bools and floats not)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a positive integer, got a bool ({value!r})")
    try:
        value = operator.index(value)
    except TypeError as e:
        raise TypeError(
            f"{name} must be a positive integer, got {type(value).__name__} ({value!r})"
        ) from e
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return value


def _index_in_range(value, size: int, name: str) -> int:
    """A Python int in [0, size)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got a bool ({value!r})")
    try:
        value = operator.index(value)
    except TypeError as e:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} ({value!r})") from e
    if not 0 <= value < size:
        raise ValueError(f"{name} must be in the range [0, {size}), got {value}")
    return value


def _dims(dims, name: str = "dims") -> tuple[int, ...]:
    """A non-empty tuple of positive Python ints."""
    if isinstance(dims, (str, bytes)) or not isinstance(dims, Sequence):
        try:
            dims = tuple(dims)
        except TypeError as e:
            raise TypeError(
                f"{name} must be a sequence of positive integers, got {type(dims).__name__}"
            ) from e
    if len(dims) == 0:
        raise ValueError(f"{name} must name at least one factor, got an empty sequence")
    return tuple(_positive_int(d, f"{name}[{i}]") for i, d in enumerate(dims))


def _as_array(x, name: str) -> Array:
    try:
        arr = jnp.asarray(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name} must be an array, got {type(x).__name__}") from e
    if not jnp.issubdtype(arr.dtype, jnp.number):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    return arr.astype(complex_dtype())


def _constant(values: np.ndarray) -> Array:
    # Fixed matrices are built in NumPy: no per-size XLA compilation for eager calls, and
    # under jit they become constants anyway.
    return jnp.asarray(values.astype(np.dtype(complex_dtype())))


# --- Qubit (spin-1/2) operators -------------------------------------------------------------


@_eager_when_concrete
def sigmax() -> Operator:
    """Pauli X, `[[0, 1], [1, 0]]` (= |e><g| + |g><e|)."""
    return _constant(np.array([[0, 1], [1, 0]]))


@_eager_when_concrete
def sigmay() -> Operator:
    """Pauli Y, `[[0, -i], [i, 0]]` (= -i|e><g| + i|g><e|)."""
    return _constant(np.array([[0, -1j], [1j, 0]]))


@_eager_when_concrete
def sigmaz() -> Operator:
    """Pauli Z, `diag(1, -1)` (= |e><e| - |g><g|, so sigma_z|e> = +|e>)."""
    return _constant(np.array([[1, 0], [0, -1]]))


@_eager_when_concrete
def sigmap() -> Operator:
    """Raising operator `sigma_+ = |e><g| = (sigma_x + i sigma_y)/2 = [[0, 1], [0, 0]]`."""
    return _constant(np.array([[0, 1], [0, 0]]))


@_eager_when_concrete
def sigmam() -> Operator:
    """Lowering operator `sigma_- = |g><e| = (sigma_x - i sigma_y)/2 = [[0, 0], [1, 0]]`."""
    return _constant(np.array([[0, 0], [1, 0]]))


# --- Truncated harmonic oscillator ----------------------------------------------------------


@_eager_when_concrete
def destroy(n: int) -> Operator:
    """Annihilation operator `a = sum_{k=1}^{n-1} sqrt(k) |k-1><k|` on n Fock levels.

    Fock ordering: index k = |k>. On the truncated space `[a, a^dag] = 1` except in the last
    level, where it is `1 - n`. (`destroy(2)` equals `sigmap()`, as in QuTiP.)

    **Arguments:** `n`: the number of levels, a positive Python int.
    """
    n = _positive_int(n, "n")
    return _constant(np.diag(np.sqrt(np.arange(1, n)), k=1))


@_eager_when_concrete
def create(n: int) -> Operator:
    """Creation operator `a^dag = sum_{k=1}^{n-1} sqrt(k) |k><k-1|` on n Fock levels."""
    n = _positive_int(n, "n")
    return _constant(np.diag(np.sqrt(np.arange(1, n)), k=-1))


@_eager_when_concrete
def number(n: int) -> Operator:
    """Number operator `a^dag a = diag(0, 1, ..., n-1)` on n Fock levels."""
    n = _positive_int(n, "n")
    return _constant(np.diag(np.arange(n)))


@_eager_when_concrete
def identity(n: int) -> Operator:
    """The n x n identity matrix."""
    n = _positive_int(n, "n")
    return _constant(np.eye(n))


# --- Tensor products ------------------------------------------------------------------------


@_eager_when_concrete
def kron(*ops: Complex[ArrayLike, "a b"]) -> Complex[Array, "c d"]:
    """Tensor (Kronecker) product `ops[0] (x) ops[1] (x) ...`, part 1 first.

    For two qubits the basis is (|ee>, |eg>, |ge>, |gg>). Either all arguments are square
    matrices (operators) or all are column vectors of shape (n, 1) (kets); anything else is a
    ValueError. A single list or tuple of arrays is accepted too: `kron([A, B]) == kron(A, B)`.

    **Returns:** the operator of shape (prod n_i, prod n_i), or the ket (prod n_i, 1).
    """
    if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
        ops = tuple(ops[0])
    if len(ops) == 0:
        raise ValueError("kron needs at least one operator in ops, got none")
    arrays = [_as_array(op, f"ops[{i}]") for i, op in enumerate(ops)]
    for i, arr in enumerate(arrays):
        if arr.ndim != 2:
            raise ValueError(
                f"ops[{i}] must be 2-D (a square operator or an (n, 1) ket), got shape {arr.shape}"
            )
    all_square = all(a.shape[0] == a.shape[1] for a in arrays)
    all_kets = all(a.shape[1] == 1 for a in arrays)
    if not (all_square or all_kets):
        shapes = [a.shape for a in arrays]
        raise ValueError(
            "ops must be all square matrices (operators) or all (n, 1) column vectors "
            f"(kets), got shapes {shapes}"
        )
    result = arrays[0]
    for arr in arrays[1:]:
        result = jnp.kron(result, arr)
    return result


@_eager_when_concrete
def embed(op: Complex[ArrayLike, "m m"], index: int, dims: Sequence[int]) -> Operator:
    """`op` acting on factor `index` of a tensor product, the identity on the others.

    `embed(op, j, dims) = I_{dims[0]} (x) ... (x) op (x) ... (x) I_{dims[-1]}`, with `op` in
    position j (counted from 0, part 1 first as in `kron`).

    **Arguments:** `op`: a square matrix of size `dims[index]`; `index`: which factor;
    `dims`: the dimensions of all factors (positive Python ints).
    """
    dims = _dims(dims)
    index = _index_in_range(index, len(dims), "index")
    arr = _as_array(op, "op")
    if arr.shape != (dims[index], dims[index]):
        raise ValueError(
            f"op must have shape ({dims[index]}, {dims[index]}) to act on factor "
            f"index={index} of dims={dims}, got shape {arr.shape}"
        )
    left = identity(_prod(dims[:index]))
    right = identity(_prod(dims[index + 1 :]))
    return jnp.kron(jnp.kron(left, arr), right)


def _prod(values: Sequence[int]) -> int:
    result = 1
    for v in values:
        result *= v
    return result


# --- Fermions -------------------------------------------------------------------------------


@_eager_when_concrete
def fermion_ops(n_modes: int) -> Complex[Array, "n_modes dim dim"]:
    """Jordan–Wigner annihilators `c_0, ..., c_{n_modes-1}`, stacked, each 2^n x 2^n.

    Each mode j is a two-level tensor factor (mode 0 first, as in `kron`) in the qubit
    convention: factor index 0 = occupied |1> (like |e>), index 1 = empty |0> (like |g>).
    Then

        c_j = P_0 (x) ... (x) P_{j-1} (x) sigma_-^{(j)} (x) I (x) ... (x) I,
        P_k = (-1)^{n_k} = -sigma_z^{(k)},

    with `sigma_- = sigmam() = |g><e| = |0><1|`, so that `c_j^dag c_j = |1><1|` on factor j
    (= `sigmap() @ sigmam()`), and on occupation-number states
    `c_j |n_0 ... n_{N-1}> = (-1)^(n_0 + ... + n_{j-1}) n_j |... n_j - 1 ...>`, the usual
    Fock-space sign. The string is the parity `(-1)^{n_k}`, i.e. `-sigma_z` in this basis;
    a `sigma_z` string would give the same operators up to the sign `(-1)^j`.
    The operators obey `{c_i, c_j^dag} = delta_ij` and `{c_i, c_j} = 0`.

    **Arguments:** `n_modes`: the number of modes, a positive Python int.

    **Returns:** an array of shape (n_modes, 2**n_modes, 2**n_modes); `c[j]` is c_j
    (unpack with `c0, c1 = fermion_ops(2)`).
    """
    n_modes = _positive_int(n_modes, "n_modes")
    parity = np.diag([-1.0, 1.0])  # (-1)^n on one mode: occupied (index 0) -> -1
    lowering = np.array([[0.0, 0.0], [1.0, 0.0]])  # sigmam() = |g><e| = |0><1|
    ops = []
    for j in range(n_modes):
        op = np.eye(1)
        for factor in [parity] * j + [lowering] + [np.eye(2)] * (n_modes - j - 1):
            op = np.kron(op, factor)
        ops.append(op)
    return _constant(np.stack(ops))


# --- States ---------------------------------------------------------------------------------


@_eager_when_concrete
def basis(n: int, k: int) -> Ket:
    """The basis ket |k> of an n-dimensional space, shape (n, 1).

    For a qubit `basis(2, 0) = |e>` and `basis(2, 1) = |g>`; for an oscillator `basis(n, k)`
    is the Fock state |k>.
    """
    n = _positive_int(n, "n")
    k = _index_in_range(k, n, "k")
    ket = np.zeros((n, 1))
    ket[k, 0] = 1
    return _constant(ket)


@_eager_when_concrete
def ket2dm(psi: Complex[ArrayLike, "n 1"] | Complex[ArrayLike, " n"]) -> Operator:
    """The projector `|psi><psi|` of a ket given as an (n, 1) column or a 1-D vector.

    No normalisation is applied (normalise psi first if needed).
    """
    arr = _as_array(psi, "psi")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != 1:
        raise ValueError(
            f"psi must be a ket: a column vector of shape (n, 1) or a 1-D vector, "
            f"got shape {arr.shape}"
        )
    return arr @ arr.conj().T
