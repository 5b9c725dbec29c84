"""Model files as CELL: ``cellviz render|params|eval model.onnx [--node NAME]``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cellviz
from cellviz.cli import main

onnx = pytest.importorskip("onnx")
from cellviz.interop.onnx_io import onnx_model  # noqa: E402


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(path: Path, *cells: tuple[str, cellviz.Cell]) -> Path:
    """An ONNX model of one node per cell (the first cell's model, more nodes appended)."""
    models = [onnx_model(cell, cellviz.init_weights(cell, seed=0), name=name)
              for name, cell in cells]
    first = models[0]
    for k, extra in enumerate(models[1:], 1):
        node = extra.graph.node[0]
        renamed = {t: f"{t}{k}" for t in ("W", "R", "B", "P", "Y", "Y_h", "Y_c")}
        node.input[:] = [renamed.get(t, t) for t in node.input]
        node.output[:] = [renamed[t] for t in node.output]
        for init in extra.graph.initializer:
            init.name = renamed[init.name]
        first.graph.node.append(node)
        first.graph.initializer.extend(extra.graph.initializer)
    path.write_bytes(first.SerializeToString())
    return path


def test_eval_runs_the_model_weights(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cell = cellviz.load("gru", input_size=4, hidden_size=3, convention="pytorch")
    path = _write(tmp_path / "m.onnx", ("enc", cell))
    code, out, err = run(capsys, "eval", str(path), "--json")
    assert code == 0 and err == ""
    # The model holds the weights seed 0 draws, so its numbers are those of eval --seed 0.
    code, same, _ = run(capsys, "eval", "gru", "-i", "4", "-n", "3", "--convention", "pytorch",
                        "--json")
    assert json.loads(out) == json.loads(same)
    code, text, _ = run(capsys, "eval", str(path))
    assert text.splitlines()[0] == (f"gru (pytorch convention), i=4, n=3; weights from {path}, "
                                    "input from seed 0; 1 step")


def test_params_and_render_of_a_node(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lstm = cellviz.load("lstm-peephole", input_size=3, hidden_size=2)
    gru = cellviz.load("gru", input_size=3, hidden_size=2)
    path = _write(tmp_path / "two.onnx", ("a", lstm), ("b", gru))
    code, _, err = run(capsys, "params", str(path))
    assert code == 2 and err == (f"cellviz: error: {path}: 2 recurrent nodes (a, b) that are no "
                                 "stack of layers, each reading the one before; choose one with "
                                 "--node NAME\n")
    code, out, _ = run(capsys, "params", str(path), "--node", "b", "--json")
    assert code == 0 and json.loads(out)["total"] == 36 and json.loads(out)["cell"] == "gru"
    code, out, _ = run(capsys, "params", str(path), "--node", "a", "--json")
    assert json.loads(out)["cell"] == "lstm-peephole"
    svg = tmp_path / "a.svg"
    code, _, _ = run(capsys, "render", str(path), "--node", "a", "--values", "-o", str(svg))
    assert code == 0
    weights = cellviz.init_weights(lstm, seed=0)
    # The figure prints the model's weights (two decimals), e.g. the first of W_f.
    first = f"{weights['W_f'][0, 0]:.2f}".replace("-", "−")
    assert 'data-key="W_f/0/0"' in svg.read_text() and first in svg.read_text()


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["--node", "x"], 2, "no recurrent node named 'x' (its recurrent nodes: m)"),
    (["-n", "4"], 2,
     "a model file brings its own sizes, convention and biases; leave out --hidden-size"),
    (["--convention", "keras"], 2, "leave out --convention"),
])
def test_model_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str],
                      code: int, message: str) -> None:
    path = _write(tmp_path / "m.onnx", ("m", cellviz.load("rnn", input_size=3, hidden_size=2)))
    got, out, err = run(capsys, "eval", str(path), *argv)
    assert got == code and out == "" and message in err and err.count("\n") == 1


def test_a_bad_model_file_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x08\x07garbage")
    code, _, err = run(capsys, "render", str(path), "-o", str(tmp_path / "x.svg"))
    assert code == 1 and "not an ONNX model" in err and err.count("\n") == 1
    assert not (tmp_path / "x.svg").exists()
    code, _, err = run(capsys, "eval", "gru", "--node", "a")
    assert code == 2 and "--node chooses a node of a model file" in err
