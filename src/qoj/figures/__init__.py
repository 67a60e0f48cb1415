"""Reproductions of the seed papers' figures, run by `qoj reproduce`.

`FIGURES` maps a figure's command-line name to its `Figure` record: a one-line description
and `run(out_dir, full=False) -> FigureResult`, which writes `<name>.png` into `out_dir` and
reports a headline and key numbers. Figures assume double precision
(`qoj.set_precision("double")`) and draw with matplotlib's object-oriented API, so they never
touch pyplot's global state. To add a figure: a module here defining `FIGURE`, listed below.
"""

from . import (
    _asymptotic_nonmarkovianity,
    _cascade_correlated,
    _cascade_thermal,
    _coarse_graining,
    _correlations,
    _cresser_qubits,
    _cresser_tunnelling,
    _exact_rates,
    _fermionic_dynamics,
    _fermionic_transmission,
    _fogedby_coupled,
    _fogedby_qubit,
    _heat_flux_flips,
    _local_violation,
    _prethermal_ball,
    _prethermal_time,
    _release_times,
)
from ._base import Figure as Figure, FigureResult as FigureResult

FIGURES: dict[str, Figure] = {
    figure.name: figure
    for figure in (
        _fogedby_qubit.FIGURE,
        _fogedby_coupled.FIGURE,
        _local_violation.FIGURE,
        _cresser_qubits.FIGURE,
        _cresser_tunnelling.FIGURE,
        _coarse_graining.FIGURE,
        _prethermal_ball.FIGURE,
        _prethermal_time.FIGURE,
        _heat_flux_flips.FIGURE,
        _exact_rates.FIGURE,
        _cascade_thermal.FIGURE,
        _cascade_correlated.FIGURE,
        _release_times.FIGURE,
        _correlations.FIGURE,
        _fermionic_transmission.FIGURE,
        _fermionic_dynamics.FIGURE,
        _asymptotic_nonmarkovianity.FIGURE,
    )
}
