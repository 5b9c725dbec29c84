"""The README's examples work as written: its Python blocks run, its commands give what it
shows, and its cell file builds."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from cellviz.cli.app import main
from cellviz.lang.build import build
from cellviz.lang.syntax import parse

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    """The README's fenced blocks of one language ("" for a fence without one)."""
    found: list[tuple[str, str]] = []
    fence: str | None = None
    for line in README.splitlines(keepends=True):
        if fence is None and line.startswith("```"):
            fence, body = line[3:].strip(), ""
        elif fence is not None and line.strip() == "```":
            found.append((fence, body))
            fence = None
        elif fence is not None:
            body += line
    return [body for lang, body in found if lang == language]


@pytest.mark.dot
def test_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (code,) = blocks("python")
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["cell"].params().total == 56  # type: ignore[attr-defined]
    assert (tmp_path / "lstm.pdf").read_bytes().startswith(b"%PDF")
    assert str(namespace["svg"]).startswith("<svg")


@pytest.mark.dot
def test_commands_print_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (console,) = blocks("console")
    lines = console.splitlines()
    commands = [(i, line[2:]) for i, line in enumerate(lines) if line.startswith("$ ")]
    assert commands
    for i, command in commands:
        words = shlex.split(command.split("|")[0])
        assert words[0] == ".venv/bin/cellviz"
        assert main(words[1:]) == 0
        shown = lines[i + 1] if i + 1 < len(lines) and not lines[i + 1].startswith("$") else ""
        if shown:
            assert capsys.readouterr().out.splitlines()[-1] == shown
    assert (tmp_path / "lstm.svg").read_text(encoding="utf-8").startswith("<svg")


def test_the_cell_file_builds() -> None:
    (text,) = blocks("")
    graph = build(parse(text, "mgu.cell"), "mgu")
    assert graph.states == ("h",) and [g.label for g in graph.gates] == ["forget gate"]
