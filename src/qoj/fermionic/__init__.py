"""Quadratic fermionic networks (seed 003): two fermionic modes between two tight-binding
reservoirs, their exact solution, Landauer currents and asymptotic master equation."""

from ._newns import (
    check_in_band as check_in_band,
    eigenmodes as eigenmodes,
    energy_distribution as energy_distribution,
    hilbert_transform as hilbert_transform,
    level_width as level_width,
    shifted_energy as shifted_energy,
)
