"""Options on the command line: ``--no-bias`` for cells and stacks against PyTorch's
``bias=False``, and options written in full only (no argparse abbreviations)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

import cellviz
from cellviz.cli import main
from cellviz.cli.app import build_parser
from cellviz.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
MODULES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM", "lstm-proj": "LSTM"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.torch
@pytest.mark.parametrize(("layers", "bidirectional"),
                         [(None, False), *((k, b) for k in (1, 2, 3) for b in (False, True))],
                         ids=lambda v: {None: "cell", False: "one-way", True: "bi"}.get(v, v))
@pytest.mark.parametrize("cell", list(MODULES))
def test_no_bias_totals_equal_pytorch(capsys: pytest.CaptureFixture[str], cell: str,
                                      layers: int | None, bidirectional: bool) -> None:
    torch = pytest.importorskip("torch")
    sizes = ["-i", "5", "-n", "4", *(["-p", "3"] if cell == "lstm-proj" else [])]
    stack = [*(["--layers", str(layers)] if layers else []),
             *(["--bidirectional"] if bidirectional else [])]
    code, out, err = run(capsys, "params", cell, "--convention", "pytorch", "--no-bias",
                         *sizes, *stack, "--json")
    assert code == 0, err
    options = {"proj_size": 3} if cell == "lstm-proj" else {}
    module = getattr(torch.nn, MODULES[cell])(5, 4, num_layers=layers or 1, bias=False,
                                             bidirectional=bidirectional, **options)
    data = json.loads(out)
    assert data["total"] == sum(p.numel() for p in module.parameters())
    names = [t["name"] for t in data["tensors"]] if layers is None else [
        t["name"] for layer in data["layers"] for d in layer["directions"]
        for t in d["tensors"]]
    assert not any(name.startswith("b") for name in names)


@pytest.mark.torch
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_no_bias_eval_equals_pytorch(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     cell: str) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    module = getattr(torch.nn, MODULES[cell])(3, 2, num_layers=2, bidirectional=True,
                                              bias=False).double()
    torch.save(module.state_dict(), tmp_path / "w.pt")
    code, out, err = run(capsys, "eval", cell, "--convention", "pytorch", "--no-bias",
                         "--layers", "2", "--bidirectional", "--weights", str(tmp_path / "w.pt"),
                         "--x", "1,2,3", "--x=-1,0,0.5", "--json")
    assert code == 0, err
    with torch.no_grad():
        expected, final = module(torch.tensor([[1.0, 2, 3], [-1, 0, 0.5]], dtype=torch.float64))
    h_n = final[0] if cell == "lstm" else final
    data = json.loads(out)
    np.testing.assert_allclose(data["output"], expected.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(data["states"]["h"], h_n.numpy(), rtol=0, atol=1e-10)
    # One layer: the single cell's eval reads the one-layer state_dict.
    single = getattr(torch.nn, MODULES[cell])(3, 2, bias=False).double()
    torch.save(single.state_dict(), tmp_path / "one.pt")
    code, out, err = run(capsys, "eval", cell, "--convention", "pytorch", "--no-bias",
                         "--weights", str(tmp_path / "one.pt"), "--x", "1,2,3", "--json")
    assert code == 0, err
    with torch.no_grad():
        hs, _ = single(torch.tensor([[1.0, 2, 3]], dtype=torch.float64))
    np.testing.assert_allclose(json.loads(out)["outputs"]["h"], hs[-1].numpy(), atol=1e-10)


def test_no_bias_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    one, stack = tmp_path / "one.svg", tmp_path / "stack.svg"
    code, _, err = run(capsys, "render", "gru", "--convention", "pytorch", "--no-bias",
                       "-o", str(one))
    assert code == 0, err
    svg = one.read_text()
    assert "GRU-NOBIAS, pytorch convention" in svg and ">b<" not in svg
    assert "bias vectors" not in svg and "no biases" in svg
    total = cellviz.load("gru", input_size=3, hidden_size=2, convention="pytorch",
                         bias=False).params().total
    assert total == 30 and f"{total} parameters" in svg
    code, _, err = run(capsys, "render", "lstm", "--no-bias", "--layers", "2",
                       "--bidirectional", "-o", str(stack))
    assert code == 0, err
    expected = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=2,
                             bidirectional=True, bias=False).params().total
    assert f"{expected:,} parameters" in stack.read_text()
    code, _, err = run(capsys, "render", "lstm", "--no-bias", "--layers", "2", "--layer", "1",
                       "--unroll", "1")
    assert code == 0 and "output/lstm-nobias.L2.layer1.svg" in err
    assert (tmp_path / "output/lstm-nobias.L2.layer1.svg").is_file()


@pytest.mark.parametrize(("argv", "message"), [
    (["params", "{file}", "--no-bias"], "a cell file such as"),
    (["eval", "{file}", "--no-bias", "--layers", "2"], "a cell file such as"),
    (["params", "{model}", "--no-bias"], "leave out --no-bias"),
])
def test_no_bias_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                          argv: list[str], message: str) -> None:
    cell = tmp_path / "mine.cell"
    cell.write_text("h[t] = tanh(W @ x[t] + U @ h[t-1] + b)\n")
    model = tmp_path / "model.onnx"
    model.write_bytes(b"not read")
    code, out, err = run(capsys, *[a.format(file=cell, model=model) for a in argv])
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


@pytest.mark.parametrize(("argv", "meant"), [
    (["params", "lstm", "--layer", "2"], "--layers"),
    (["render", "lstm", "--bidir"], "--bidirectional"),
    (["eval", "lstm", "--step", "3"], "--steps"),
    (["render", "lstm", "--them", "dark"], "--theme"),
    (["params", "lstm", "--no-bia"], "--no-bias"),
])
def test_options_are_never_abbreviated(capsys: pytest.CaptureFixture[str], argv: list[str],
                                       meant: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"cellviz: error: cellviz {argv[0]}: unrecognized arguments: "
                          f"{argv[2]}")
    assert f"did you mean {meant}?" in err


def _documented_commands() -> list[str]:
    """Every cellviz command line the documentation and the README show, leaving out the
    synopses and the ones shown with the error they give."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        lines = page.read_text(encoding="utf-8").splitlines()
        for line, after in zip(lines, [*lines[1:], ""], strict=True):
            match = re.match(r"^(?:\$ |```\{cellviz-cli-output\} |)cellviz (\w[\w-]*\b.*)$", line)
            if match and "CELL" not in line and "..." not in line and not after.startswith(
                "cellviz: error:"
            ):
                found.append(match[1].split(" #")[0].removesuffix("```").strip())
    return found


def test_no_documented_command_abbreviates_an_option() -> None:
    commands = _documented_commands()
    assert len(commands) > 30
    parser = build_parser()
    for command in commands:
        try:
            _, extra = parser.parse_known_args(shlex.split(command))
        except UsageError as exc:
            assert "unrecognized" not in str(exc), command
        else:
            assert extra == [], command


def test_no_bias_in_documents(tmp_path: Path) -> None:
    """``no-bias`` in a document's figure (the Markdown fence) and in the spec every embedding
    shares; refused for equations, which are taken as written."""
    from cellviz.embed.spec import load_cell, parse_spec

    markdown = pytest.importorskip("markdown", reason="needs Markdown (cellviz[mkdocs])")
    html = markdown.markdown("```cellviz gru convention=pytorch no-bias\n```\n",
                             extensions=["cellviz.markdown"])
    assert "GRU-NOBIAS, pytorch convention" in html and "no biases" in html
    cell, _ = load_cell(parse_spec({"no-bias": None, "convention": "pytorch"}, cell="lstm"),
                        base=tmp_path)
    assert cell.params().total == 4 * (3 * 2 + 2 * 2)
    with pytest.raises(UsageError, match="equations are taken as written"):
        load_cell(parse_spec({"no-bias": None}, text="h[t] = tanh(W @ x[t] + U @ h[t-1])\n"),
                  base=tmp_path)
    with pytest.raises(UsageError, match="option 'no-bias' takes no value"):
        parse_spec({"no-bias": "yes"}, cell="lstm")


@pytest.mark.torch
def test_no_bias_in_convert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``convert --cell lstm --no-bias`` reads the weights of a cell without biases."""
    torch = pytest.importorskip("torch")
    module = torch.nn.LSTM(3, 2, bias=False)
    np.savez(tmp_path / "w.npz", **{k: v.numpy() for k, v in module.state_dict().items()})
    code, _, err = run(capsys, "convert", str(tmp_path / "w.npz"), "--cell", "lstm",
                       "--convention", "pytorch", "--no-bias", "-o", str(tmp_path / "back.pt"),
                       "--to", "pytorch")
    assert code == 0 and "torch.nn.LSTM(3, 2, bias=False)" in err, err
    back = torch.load(tmp_path / "back.pt", weights_only=True)
    assert back.keys() == module.state_dict().keys()
    assert all(torch.equal(back[k], v) for k, v in module.state_dict().items())
