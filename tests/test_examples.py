"""The example scripts run end to end (slow: each compiles its own programs)."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.slow
@pytest.mark.parametrize(
    "script, extra",
    [("fogedby_qubit.py", []), ("prethermal_design.py", ["--steps", "40"])],
)
def test_example_runs(tmp_path, script, extra):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--out", str(tmp_path), *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert list(tmp_path.glob("*.png"))
