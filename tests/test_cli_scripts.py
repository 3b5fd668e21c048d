"""The CLI as scripts use it: the README's examples, machine-readable output, exit codes and error lines."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_commands(command: str) -> list[list[str]]:
    """Each ``bertlab COMMAND ...`` line of the README's bash blocks (continuations joined, comments cut), as argv."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S)
    out = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[2:4] == ["bertlab", command]:  # .venv/bin/python -m bertlab COMMAND
                out.append(words[3:])
    return out


def test_readme_run_examples_keep_each_strategys_own_epochs():
    """`run --strategies head_only full_ft ... --epochs 3` (the README's example) cut head_only from its 30 epochs to
    3 (macro-F1 0.373 where its default gave 0.923): an example's epochs are per strategy (full_ft=3)."""
    from bertlab.cli import bare_value_note, build_parser, per_strategy_values

    examples = _readme_commands("run")
    assert any("--epochs" in argv for argv in examples)
    for argv in examples:
        args = build_parser().parse_args(argv)
        bare, named = per_strategy_values("--epochs", args.epochs, int, "epochs", args.strategies)
        assert bare_value_note("--epochs", bare, "epochs", args.strategies, named) is None, shlex.join(argv)
