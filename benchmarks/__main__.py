"""Command line of the benchmarks; see ``benchmarks/__init__.py``."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import benchmarks


def available() -> dict[str, str]:
    names = {}
    for module in pkgutil.iter_modules([str(Path(benchmarks.__file__).parent)]):
        if module.name.startswith("_"):
            continue
        names[module.name] = importlib.import_module(f"benchmarks.{module.name}").DESCRIPTION
    return names


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellness.config.settings")
    os.environ.setdefault("DEBUG", "true")
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes; within a minute")
    parser.add_argument("--json", action="store_true", help="one JSON object per figure per line")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    known = available()
    if args.list:
        for name, description in sorted(known.items()):
            print(f"{name:24} {description}")
        return 0
    unknown = [name for name in args.names if name not in known]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; see --list")
    names = args.names or sorted(known)
    if len(names) > 1:
        return _each_in_its_own_process(names, args.quick, args.json)
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        for result in module.run(quick=args.quick):
            if args.json:
                print(json.dumps(result.as_json()), flush=True)
            else:
                ratio = f"{result.ratio:,.1f}x baseline" if result.ratio else "no baseline"
                print(
                    f"{result.benchmark:16} {result.figure:48} {result.value:>14,.3f} "
                    f"{result.unit:10} {ratio:>20}   goal: {result.goal}",
                    flush=True,
                )
    return 0


def _each_in_its_own_process(names: list[str], quick: bool, as_json: bool) -> int:
    """Run each benchmark in a fresh interpreter: each sets Django up once, on its own scratch
    database, which one process cannot do twice."""
    flags = [flag for flag, on in (("--quick", quick), ("--json", as_json)) if on]
    failed = []
    for name in names:
        finished = subprocess.run([sys.executable, "-m", "benchmarks", name, *flags], check=False)
        if finished.returncode != 0:
            failed.append(name)
    if failed:
        print(f"benchmark(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
