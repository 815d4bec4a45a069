"""The outputs quoted in README.md and docs/*.md, regenerated from the code (issue 14.6).

A quoted output is a ```console block whose first line is the command, as a reader types it::

    ```console
    $ .venv/bin/sagsrute check samples/cases/kontanthjaelp-jobparat-2021.yaml --as-of 2021-08-16 --lang en
    Case EX-1001  as of 2021-08-16  (rules …)
    ```

The rest of the block is what the command prints (stdout and stderr as a terminal shows them) in a
terminal of ``WIDTH`` columns, trailing spaces left out; ``| head -n N`` keeps the first N lines, ``| tail -n N`` the last N, ``| sed -n A,Bp`` lines A to B.
A comment ``<!-- width: N -->`` on the line before the block sets another width. A YAML block
after ``<!-- file: NAME -->`` is written to a scratch folder first, for the commands that name it.
The rule sets' labels quoted in the prose are the ones the commands print.

``python tests/doc_outputs.py`` rewrites every quoted output (and label) from the code;
tests/test_docs.py fails when one has drifted. Written here rather than with cog: the blocks stay
plain Markdown a reader can copy from, with no generator code in the page.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
WIDTH = 100
PROMPT = re.compile(r"^\$ (?:\.venv/bin/)?sagsrute (?P<args>.*?)"
                    r"(?: \| head -(?:n )?(?P<head>\d+)| \| tail -(?:n )?(?P<tail>\d+)"
                    r"| \| sed -n '?(?P<first>\d+),(?P<last>\d+)p'?)?$")
FENCE = re.compile(r"^```(\w*)\s*$")
LABEL = re.compile(r"sagsrute-lab(?:\+[a-z0-9-]+)?@[0-9.]+\+[0-9a-f]{10}")


@dataclass
class Block:
    start: int  # the line of the command (0-based), the output follows it
    end: int  # the closing fence
    command: str
    args: list[str]
    lines: tuple[int, int] | None  # the lines kept (1-based, inclusive), or all
    width: int
    quoted: list[str]


def parse(text: str) -> tuple[list[Block], dict[str, str]]:
    """The quoted outputs of a page, and the files its ``<!-- file: NAME -->`` blocks hold."""
    lines = text.split("\n")
    blocks: list[Block] = []
    files: dict[str, str] = {}
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        close = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        before = lines[i - 1].strip() if i else ""
        named = re.fullmatch(r"<!-- file: (\S+) -->", before)
        if named:
            files[named.group(1)] = "\n".join(lines[i + 1:close]) + "\n"
        prompt = PROMPT.match(lines[i + 1]) if fence.group(1) == "console" and close > i + 1 else None
        if prompt:
            width = re.fullmatch(r"<!-- width: (\d+) -->", before)
            kept = ((1, int(prompt.group("head"))) if prompt.group("head") else
                    (-int(prompt.group("tail")), 0) if prompt.group("tail") else
                    (int(prompt.group("first")), int(prompt.group("last"))) if prompt.group("first") else None)
            blocks.append(Block(i + 1, close, lines[i + 1], shlex.split(prompt.group("args")), kept,
                                int(width.group(1)) if width else WIDTH, lines[i + 2:close]))
        i = close + 1
    return blocks, files


def run(block: Block, files: dict[str, str], scratch: Path) -> list[str]:
    """What the block's command prints now."""
    from typer.testing import CliRunner

    from cli.app import app

    args = [str(scratch / a) if a in files else a for a in block.args]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, args, env={"COLUMNS": str(block.width), "NO_COLOR": "1"})
    finally:
        os.chdir(cwd)
    output = result.output.replace(str(scratch) + os.sep, "")
    lines = [line.rstrip() for line in output.rstrip("\n").split("\n")]
    if block.lines and block.lines[1] == 0:  # | tail -n N
        return lines[block.lines[0]:]
    return lines[block.lines[0] - 1:block.lines[1]] if block.lines else lines


def regenerate(path: Path) -> tuple[str, list[tuple[Block, list[str]]]]:
    """The page with every quoted output (and rule-set label) as the code gives it now, and the
    blocks that differed."""
    text = path.read_text(encoding="utf-8")
    blocks, files = parse(text)
    lines = text.split("\n")
    drifted = []
    labels: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for name, content in files.items():
            (scratch / name).write_text(content, encoding="utf-8")
        for block in reversed(blocks):  # from the end, so earlier line numbers stay right
            now = run(block, files, scratch)
            for old, new in zip(LABEL.findall("\n".join(block.quoted)), LABEL.findall("\n".join(now))):
                labels[old] = new
            if now != [line.rstrip() for line in block.quoted]:
                drifted.append((block, now))
                lines[block.start + 1:block.end] = now
    new_text = "\n".join(lines)
    for old, new in labels.items():  # the prose names the labels the blocks print
        new_text = new_text.replace(old, new)
    return new_text, drifted


def main() -> None:
    for path in DOCS:
        text, drifted = regenerate(path)
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            print(f"{path.relative_to(ROOT)}: {len(drifted)} output(s) regenerated")


if __name__ == "__main__":
    main()
