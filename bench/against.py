"""Fresh-process timings of this checkout against an older commit's bertlab, for the bench scripts that measure a
change (upload_load, cli_load, report_runs, light_cli, number_copies): the old code is taken out with ``git archive``, each
measurement runs in a fresh process importing one version, and the two alternate within each repeat after one
untimed run of each. No torch here: the light commands' timing must not pay for it in the parent."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def parser(doc: str, baseline: str, size: str, default: int) -> argparse.ArgumentParser:
    """The options every such bench takes: its size (``--rows`` or ``--runs``), ``--repeats``, ``--old`` (the commit
    to compare with, ``baseline`` by default) and ``--out``; described by ``doc``'s first line."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument(size, type=int, default=default)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--old", default=baseline, help="the commit to compare with (default: %(default)s)")
    ap.add_argument("--out", type=Path)
    return ap


def old_checkout(commit: str, into: Path) -> Path:
    """``commit``'s bertlab/ taken out into ``into``/old (made here): the root the "old" processes import from."""
    root = into / "old"
    root.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "bertlab"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    return root


def versions(commit: str, into: Path) -> dict[str, Path]:
    """{"old": :func:`old_checkout` of ``commit``, "new": this checkout}."""
    return {"old": old_checkout(commit, into), "new": REPO}


def worker_result(script: str, root: Path, home: str, *args: str, cwd: Path | None = None) -> dict:
    """``script --worker *args`` in a fresh process importing bertlab from ``root`` (run as a file, the script's own
    folder, not the checkout, comes first on its path): the JSON of its output's last line, checked to come from
    ``root``'s bertlab (its "bertlab" field: the package's folder)."""
    env = {**os.environ, "PYTHONPATH": str(root), "BERTLAB_HOME": home}
    out = subprocess.run([sys.executable, script, "--worker", *args], cwd=cwd, env=env, check=True,
                         capture_output=True, text=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    if Path(got["bertlab"]) != root / "bertlab":
        raise RuntimeError(f"imported bertlab from {got['bertlab']}, not {root}")
    return got


def alternating(roots: dict[str, Path], repeats: int, measure: Callable[[Path], dict],
                say: Callable[[dict], str]) -> tuple[dict[str, list[dict]], list[float]]:
    """``measure(root)`` once untimed for each version (its bytecode compiled, the files in the page cache), then
    ``repeats`` times each, old and new alternating which goes first (the machine's load hits both alike); each
    result printed as "repeat R NAME: " + ``say(result)``. Returns the results by version and the one-minute load
    average after each."""
    runs: dict[str, list[dict]] = {name: [] for name in roots}
    loads: list[float] = []
    for root in roots.values():
        measure(root)
    for r in range(repeats):
        for name in (("old", "new") if r % 2 == 0 else ("new", "old")):
            runs[name].append(measure(roots[name]))
            loads.append(os.getloadavg()[0])
            print(f"repeat {r + 1} {name}: {say(runs[name][-1])} (load {loads[-1]:.1f})", flush=True)
    return runs, loads
