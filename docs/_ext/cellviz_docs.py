"""Directives of cellviz's own documentation that read the code, so that a page cannot go
stale: ``cellviz-cli`` (the command line, from the argument parser), ``cellviz-cli-output``
(what a command prints) and ``cellviz-errors``
(example cell files with the message cellviz gives for each, computed at build time)."""

from __future__ import annotations

import argparse
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

__all__ = ["setup"]


def _literal(text: str, language: str = "text") -> nodes.literal_block:
    block = nodes.literal_block(text, text)
    block["language"] = language
    return block


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _option_text(action: argparse.Action) -> str:
    if action.option_strings:
        names = ", ".join(action.option_strings)
        if action.nargs != 0:
            metavar = action.metavar or action.dest.upper()
            names += f" {metavar}"
        return names
    return str(action.metavar or action.dest)


def _help_text(action: argparse.Action) -> str:
    text = (action.help or "") % {"default": action.default, "prog": "cellviz"}
    if action.choices and not isinstance(action, argparse._SubParsersAction):
        text += f" (one of: {', '.join(map(str, action.choices))})"
    return text


class CommandLine(SphinxDirective):
    """Every subcommand of ``cellviz``: its description, usage line and options."""

    def run(self) -> list[nodes.Node]:
        from cellviz.cli.app import build_parser

        parser = build_parser()
        out: list[nodes.Node] = [_literal(parser.format_usage().strip(), "console")]
        for name, sub in _subcommands(parser).items():
            target = f"cli-{name}"
            rubric = nodes.rubric("", "", nodes.literal(f"cellviz {name}", f"cellviz {name}"),
                                  ids=[target])
            out += [rubric, nodes.paragraph(text=sub.description or "")]
            usage = " ".join(sub.format_usage().split())
            out.append(_literal(usage.removeprefix("usage: "), "console"))
            items = nodes.definition_list()
            for action in sub._actions:
                if isinstance(action, argparse._HelpAction):
                    continue
                term = nodes.term("", "", nodes.literal(text=_option_text(action)))
                body = nodes.definition("", nodes.paragraph(text=_help_text(action)))
                items += nodes.definition_list_item("", term, body)
            out.append(items)
        return out


class CommandOutput(SphinxDirective):
    """What ``cellviz ARGUMENTS`` prints, run while the page is built."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        import contextlib
        import io
        import shlex

        from cellviz.cli.app import main

        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(shlex.split(self.arguments[0]))
        if code != 0:
            raise self.error(f"cellviz {self.arguments[0]} exited with {code}: {out.getvalue()}")
        return [_literal(f"$ cellviz {self.arguments[0]}\n{out.getvalue()}", "console")]


class CellErrors(SphinxDirective):
    """Example cells, separated by lines of ``---``: the first line of each is what is wrong,
    the rest the cell file ``bad.cell``. Each is shown with the message cellviz gives; an
    example that cellviz accepts is a build warning, so the page cannot claim a check that is
    gone."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        from cellviz.errors import CellvizError
        from cellviz.lang.build import build
        from cellviz.lang.syntax import parse

        items = nodes.definition_list()
        for chunk in "\n".join(self.content).split("\n---\n"):
            title, _, text = chunk.strip("\n").partition("\n")
            try:
                build(parse(text, "bad.cell"), "bad")
            except CellvizError as exc:
                message = f"cellviz: error: {exc}"
            else:
                raise self.error(f"the example {title!r} builds without an error")
            body = nodes.definition("", _literal(text), _literal(message, "console"))
            items += nodes.definition_list_item("", nodes.term(text=title), body)
        return [items]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("cellviz-cli", CommandLine)
    app.add_directive("cellviz-cli-output", CommandOutput)
    app.add_directive("cellviz-errors", CellErrors)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
