import jax

jax.config.update("jax_enable_x64", True)

import pytest  # noqa: E402

from qoj._cli import _read_header, main  # noqa: E402
from qoj.figures import FIGURES  # noqa: E402


def _numbers(path):
    """The `key: value` header of a `<name>.txt` written by `qoj reproduce`."""
    return _read_header(path)


def test_reproduce_fogedby_qubit(tmp_path, capsys):
    assert main(["reproduce", "fogedby-qubit", "--out", str(tmp_path)]) == 0
    png, txt = tmp_path / "fogedby-qubit.png", tmp_path / "fogedby-qubit.txt"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    numbers = _numbers(txt)
    assert numbers["figure"] == "fogedby-qubit"
    assert float(numbers["max_relative_difference"]) < 1e-8
    assert float(numbers["max_relative_difference_closed_form_vs_printed_eq_3_14"]) < 1e-12
    assert float(numbers["max_abs_qA_plus_qB"]) < 1e-14
    assert numbers["second_law_sign_check"] == "passed"
    # Hotter A heats the qubit, and a stronger cold bath carries more heat away.
    hot = [float(numbers[f"qA_at_TA_5_ratio_{r}"]) for r in ("0.1", "0.5", "1", "2")]
    assert 0 < hot[0] < hot[1] < hot[2] < hot[3]
    assert float(numbers["time_s"]) > 0
    summary = (tmp_path / "summary.md").read_text()
    assert "**fogedby-qubit**" in summary
    assert "fogedby-qubit" in capsys.readouterr().out


def test_list(capsys):
    assert main(["reproduce", "--list"]) == 0
    out = capsys.readouterr().out
    for name, figure in FIGURES.items():
        assert name in out
        assert figure.description in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["reproduce", "no-such-figure"], "unknown figure(s): no-such-figure"),
        (["reproduce"], "fogedby-qubit"),
        ([], "required"),
    ],
)
def test_bad_arguments_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err
