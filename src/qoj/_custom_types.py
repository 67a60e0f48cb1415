"""Shape-annotated array types used on public signatures (jaxtyping)."""

from jaxtyping import Array, ArrayLike, Complex, Float, Inexact, Shaped

Operator = Inexact[Array, "n n"]
DensityMatrix = Inexact[Array, "n n"]
Ket = Inexact[Array, "n 1"]
Superoperator = Complex[Array, "n2 n2"]
RealScalarLike = Float[ArrayLike, ""] | float | int
RealArray = Float[Array, "..."]
ScalarOrArray = Shaped[ArrayLike, "..."]

__all__ = [
    "Array",
    "ArrayLike",
    "Operator",
    "DensityMatrix",
    "Ket",
    "Superoperator",
    "RealScalarLike",
    "RealArray",
    "ScalarOrArray",
]
