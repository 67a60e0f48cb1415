"""The `qoj` command line: `qoj reproduce [FIGURE ...] [--all] [--out DIR] [--full] [--list]`
and `qoj scan SPEC.toml [--out PATH] [--no-progress]`."""

import argparse
import datetime
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path


def _build_parser(
    names: Sequence[str],
) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The `qoj` parser and its subcommands' parsers by name (they report argument errors)."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="qoj", description="qoj: JAX open quantum systems and quantum thermodynamics."
    )
    parser.add_argument("--version", action="version", version=f"qoj {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    reproduce = commands.add_parser(
        "reproduce",
        help="regenerate the seed papers' figures",
        description=(
            "Regenerate figures as <name>.png plus <name>.txt (key numbers) in DIR, and "
            "DIR/summary.md with one line per figure. Runs in double precision with "
            "matplotlib's Agg backend. Figures: " + ", ".join(names) + "."
        ),
    )
    reproduce.add_argument("figures", nargs="*", metavar="FIGURE", help="figure names")
    reproduce.add_argument("--all", action="store_true", help="regenerate every figure")
    reproduce.add_argument(
        "--out",
        type=Path,
        default=Path("figures"),
        metavar="DIR",
        help="output directory (default: ./figures; created if missing)",
    )
    reproduce.add_argument(
        "--full",
        action="store_true",
        help="run the heavier version of figures that have one (finer grids, longer times)",
    )
    reproduce.add_argument(
        "--list", action="store_true", help="list the figure names with a description and exit"
    )
    scan = commands.add_parser(
        "scan",
        help="run a parameter scan described by a TOML file",
        description=(
            "Scan a ready-made model over the axes of a TOML spec (model, approach, fixed "
            "parameters, baths, axes, outputs; see examples/scan_coupled_qubits.toml) in "
            "double precision with qoj.scan, write the dataset (.zarr or .nc) and a quick-look "
            "<stem>.png next to it."
        ),
    )
    scan.add_argument("spec", type=Path, metavar="SPEC.toml", help="the scan spec")
    scan.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="dataset path ending in .zarr or .nc (default: the spec's `output`, else "
        "SPEC.zarr next to the spec)",
    )
    scan.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser, {"reproduce": reproduce, "scan": scan}


def _format_value(value) -> str:
    return f"{value:.6e}" if isinstance(value, float) else str(value)


def _write_figure_text(path: Path, figure, result, seconds: float) -> None:
    lines = [
        f"figure: {figure.name}",
        f"description: {figure.description}",
        f"headline: {result.headline}",
        f"time_s: {seconds:.2f}",
    ]
    lines += [f"{key}: {_format_value(value)}" for key, value in result.numbers.items()]
    path.write_text("\n".join(lines) + "\n\n" + result.details.rstrip() + "\n")


def _read_header(path: Path) -> dict[str, str]:
    """The `key: value` lines at the top of a `<name>.txt`, up to the first blank line."""
    header = {}
    for line in path.read_text().splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(": ")
        header[key] = value
    return header


def _table_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _write_summary(out: Path, figures) -> None:
    """summary.md: an index with one row per figure whose <name>.txt is in `out` (from any
    earlier run): what it shows, its headline, the time taken and links to its files."""
    import jax

    from . import __version__

    stamp = datetime.datetime.now().isoformat(timespec="seconds")
    rows = []
    for name in figures:
        text = out / f"{name}.txt"
        if text.exists():
            header = _read_header(text)
            cells = [
                f"**{name}**",
                _table_cell(header.get("description", "")),
                _table_cell(header.get("headline", "")),
                header.get("time_s", "?"),
                f"[{name}.png]({name}.png), [{name}.txt]({name}.txt)",
            ]
            rows.append("| " + " | ".join(cells) + " |")
    lines = [
        "# qoj reproduce: summary",
        "",
        f"Last updated {stamp} with qoj {__version__}, jax {jax.__version__} "
        f"({jax.default_backend()}). One row per figure ({len(rows)} in all): what it shows, its "
        "headline (key numbers), the time taken and its files: the figure in `<name>.png`, "
        "details and all numbers in `<name>.txt`.",
        "",
        "| figure | shows | headline | time (s) | files |",
        "|---|---|---|---|---|",
        *rows,
    ]
    (out / "summary.md").write_text("\n".join(lines) + "\n")


def _reproduce(args, parser: argparse.ArgumentParser) -> int:
    from .figures import FIGURES

    if args.list:
        width = max(map(len, FIGURES))
        for name, figure in FIGURES.items():
            extra = " [has --full version]" if figure.has_full_version else ""
            print(f"{name:<{width}}  {figure.description}{extra}")
        return 0
    available = "available: " + ", ".join(FIGURES) + " (or --all)"
    if args.all:
        names = list(FIGURES)
    elif not args.figures:
        parser.error(f"name the figures to regenerate; {available}")
    else:
        unknown = [name for name in args.figures if name not in FIGURES]
        if unknown:
            parser.error(f"unknown figure(s): {', '.join(unknown)}; {available}")
        names = list(dict.fromkeys(args.figures))

    import matplotlib

    import qoj

    matplotlib.use("Agg")
    qoj.set_precision("double")
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    failed = []
    total = time.perf_counter()
    for i, name in enumerate(names, 1):
        figure = FIGURES[name]
        note = (
            " (no heavier version: --full ignored)"
            if args.full and not figure.has_full_version
            else ""
        )
        print(f"[{i}/{len(names)}] {name} ...{note}", flush=True)
        start = time.perf_counter()
        try:
            result = figure.run(out, full=args.full)
        except Exception:
            traceback.print_exc()
            print(f"[{i}/{len(names)}] {name} FAILED", flush=True)
            failed.append(name)
            continue
        seconds = time.perf_counter() - start
        _write_figure_text(out / f"{name}.txt", figure, result, seconds)
        print(f"[{i}/{len(names)}] {name} done in {seconds:.1f} s: {result.headline}", flush=True)
    _write_summary(out, FIGURES)
    print(
        f"{len(names) - len(failed)}/{len(names)} figures in {time.perf_counter() - total:.1f} s "
        f"-> {out}/ (summary.md)"
    )
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _scan(args, parser: argparse.ArgumentParser) -> int:
    import qoj

    from ._scan_spec import SpecError, load_spec, output_path, run_spec

    qoj.set_precision("double")
    start = time.perf_counter()
    try:
        spec = load_spec(args.spec)
        path = output_path(spec, args.out)
        ds = run_spec(spec, path, progress=not args.no_progress)
    except SpecError as e:
        parser.error(str(e))
    shape = " x ".join(str(ds.sizes[name]) for name in spec.axes)
    print(
        f"{spec.model} ({spec.approach}) over {', '.join(spec.axes)}: {shape} points in "
        f"{time.perf_counter() - start:.1f} s"
    )
    print(f"dataset ({', '.join(ds.data_vars)}): {path}")
    print(f"quick look: {path.with_suffix('.png')}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `qoj` command; returns the exit code (argparse errors exit with 2)."""
    from .figures import FIGURES

    parser, commands = _build_parser(list(FIGURES))
    args = parser.parse_args(None if argv is None else [str(a) for a in argv])
    run = {"reproduce": _reproduce, "scan": _scan}[args.command]
    return run(args, commands[args.command])
