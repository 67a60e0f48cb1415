"""Spectral densities J(w) for `qoj.Bath` (rate-normalised: the zero-temperature emission rate
of a unit coupling operator at Bohr frequency w > 0; hbar = k_B = 1)."""

from ._spectra import (
    AbstractSpectralDensity as AbstractSpectralDensity,
    Flat as Flat,
    Lorentzian as Lorentzian,
    Newns as Newns,
    Ohmic as Ohmic,
    fourier_by_quadrature as fourier_by_quadrature,
    gauss_legendre as gauss_legendre,
)
