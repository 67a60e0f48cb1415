"""The record a reproducible figure registers, and the record its run returns."""

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np


@dataclasses.dataclass(frozen=True)
class FigureResult:
    """What a figure's run reports.

    Attributes:
        headline: one line saying what the figure shows and its key numbers (for summary.md).
        numbers: the key numbers by name (written to `<name>.txt` as `name: value` lines, so
            tests and scripts can check them).
        details: free text: how the figure was computed and how to read it.
        files: the files the run wrote (the PNG first).
    """

    headline: str
    numbers: Mapping[str, float | str]
    details: str = ""
    files: tuple[Path, ...] = ()


@dataclasses.dataclass(frozen=True)
class Figure:
    """A reproducible figure.

    Attributes:
        name: the command-line name, e.g. "fogedby-qubit".
        description: one line (shown by `qoj reproduce --list`).
        run: `run(out_dir, full=False) -> FigureResult`; writes `<name>.png` into `out_dir`
            (which exists). Assumes double precision (`qoj.set_precision("double")`).
        has_full_version: whether `full=True` computes a heavier version (finer grids, longer
            times); otherwise `full` is ignored.
    """

    name: str
    description: str
    run: Callable[..., FigureResult]
    has_full_version: bool = False


def relative_difference(value, reference):
    """|value - reference| / |reference|, elementwise (NumPy)."""
    return np.abs(np.asarray(value) - reference) / np.abs(reference)
