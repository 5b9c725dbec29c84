"""Stacks as a model: the sizes each layer reads, the parameter tables, and stacks that cannot
exist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import cellviz


def test_layers_read_the_layer_below_with_directions_concatenated() -> None:
    s = cellviz.stack("lstm-proj", input_size=5, hidden_size=4, proj_size=3, num_layers=3,
                      bidirectional=True, convention="pytorch")
    assert [s.input_size(k) for k in range(3)] == [5, 6, 6]
    assert [s.reads(k) for k in range(3)] == ["i", "2·p", "2·p"]
    assert s.output_size == 3 and s.directions == 2
    assert [(k, d) for k, d, _ in s.members()] == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    one = cellviz.stack("gru", input_size=5, hidden_size=4, num_layers=2)
    assert [one.input_size(k) for k in range(2)] == [5, 4]
    assert one.reads(1) == "n" and one.label(1, 0) == "layer 1"


def test_parameter_table_per_layer_and_direction() -> None:
    s = cellviz.stack("gru", input_size=3, hidden_size=2, num_layers=2, bidirectional=True)
    table = s.params()
    # Written out: a paper GRU has 3·(n·i + n² + n); layer 0 reads i=3, layer 1 reads 2·n=4.
    assert table.layer_total(0) == 2 * 3 * (2 * 3 + 4 + 2)
    assert table.layer_total(1) == 2 * 3 * (2 * 4 + 4 + 2)
    assert table.total == 72 + 84
    assert table.tables[1][1].entries[0].name == "W_z_l1_reverse"
    text = table.to_text()
    assert text.startswith("gru (paper convention), 2 layers, bidirectional, i=3, n=2\n")
    assert "layer 1, reverse, input 2·n=4\n" in text
    assert text.endswith("156 parameters in 2 layers (72, 84)\n")
    data = json.loads(json.dumps(table.to_dict()))
    assert data["total"] == 156 and data["num_layers"] == 2 and data["bidirectional"]
    assert [layer["input_size"] for layer in data["layers"]] == [3, 4]
    reverse = data["layers"][1]["directions"][1]
    assert reverse["direction"] == "reverse" and reverse["total"] == 42
    assert reverse["tensors"][0] == {"name": "W_z_l1_reverse", "node": "z.dense",
                                     "gate": "update gate", "role": "matrix", "shape": [2, 4],
                                     "count": 8}


def test_a_cell_file_stacks_on_its_own_input_symbol(tmp_path: Path) -> None:
    path = tmp_path / "elman.cell"
    path.write_text("input x: d\nstate h: n\nh[t] = tanh(W @ x[t] + U @ h[t-1] + b)\n")
    s = cellviz.stack(str(path), input_size=1, hidden_size=2, num_layers=2, bidirectional=True,
                      d=7)
    assert [s.input_size(k) for k in range(2)] == [7, 4]
    assert s.params().total == 2 * (14 + 4 + 2) + 2 * (8 + 4 + 2)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"num_layers": 0}, "num_layers must be a whole number from 1 to 1,000, not 0"),
    ({"num_layers": True}, "num_layers must be a whole number from 1 to 1,000, not bool True"),
    ({"num_layers": 1001}, "num_layers must be a whole number from 1 to 1,000, not 1001"),
    ({"bidirectional": 1}, "bidirectional must be True or False, not int 1"),
    ({"cell": "lstm-proj", "proj_size": 2},
     "proj_size must be smaller than hidden_size: a projection of 2 from 2"),
    ({"cell": "lstm-proj", "proj_size": 5}, "proj_size must be smaller than hidden_size"),
    ({"proj_size": 1}, "cell 'lstm' has no size p"),
    ({"hidden_size": 0}, "size n must be a positive integer"),
])
def test_stacks_that_cannot_exist_are_refused(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"cell": "lstm", "input_size": 3, "hidden_size": 2, **kwargs}
    with pytest.raises(cellviz.UsageError) as info:
        cellviz.stack(args.pop("cell"), **args)
    assert message in str(info.value)


def test_a_cell_whose_input_size_is_its_state_size_stacks_only_where_they_agree(
        tmp_path: Path) -> None:
    path = tmp_path / "tied.cell"
    path.write_text("input x: n\nstate h: n\nh[t] = tanh(x[t] + U @ h[t-1])\n")
    assert cellviz.stack(str(path), input_size=1, hidden_size=2, num_layers=3).num_layers == 3
    with pytest.raises(cellviz.UsageError, match="uses its input's size n elsewhere too, so its "
                       "later layers cannot read 4"):
        cellviz.stack(str(path), input_size=1, hidden_size=2, num_layers=2, bidirectional=True)


def test_a_cell_without_a_state_is_refused(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mlp.cell"
    path.write_text("cell mlp\ninput x: i\noutput y: n\ny[t] = tanh(W @ x[t] + b)\n")
    with pytest.raises(cellviz.UsageError, match="cell 'mlp' has no state: a stack is of "
                       "recurrent cells"):
        cellviz.stack(str(path), input_size=3, hidden_size=2, num_layers=2)
    from cellviz.cli import main

    assert main(["render", str(path), "--layers", "2", "-o", str(tmp_path / "m.svg")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "m.svg").exists()


def test_a_cell_with_two_inputs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "two.cell"
    path.write_text("state h: n\nh[t] = tanh(W @ x[t] + V @ y[t] + U @ h[t-1])\n")
    with pytest.raises(cellviz.UsageError, match="has inputs x, y: a stack needs a cell with "
                       "one input"):
        cellviz.stack(str(path), input_size=3, hidden_size=2)


def test_repr() -> None:
    s = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=3, bidirectional=True)
    assert repr(s) == "<Stack lstm (paper) 3 layers, bidirectional, i=3, n=2>"


def test_a_stack_without_biases(tmp_path: Path) -> None:
    s = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=2, bidirectional=True,
                      bias=False, convention="pytorch")
    assert s.name == "lstm-nobias"
    assert s.params().total == 2 * 4 * (2 * 3 + 2 * 2) + 2 * 4 * (2 * 4 + 2 * 2)
    path = tmp_path / "mine.cell"
    path.write_text("input x: i\nstate h: n\nh[t] = tanh(W @ x[t] + U @ h[t-1] + b)\n")
    with pytest.raises(cellviz.UsageError, match=r"a cell file such as .* is taken as written"):
        cellviz.stack(str(path), input_size=3, hidden_size=2, bias=False)
    with pytest.raises(cellviz.UsageError, match="bias must be True or False, not 0"):
        cellviz.stack("lstm", input_size=3, hidden_size=2, bias=0)  # type: ignore[arg-type]
    graph = cellviz.load_graph("gru")
    assert cellviz.stack(graph, input_size=3, hidden_size=2).params().total == 36
    with pytest.raises(cellviz.UsageError, match="bias=False derives a built-in cell's form"):
        cellviz.stack(graph, input_size=3, hidden_size=2, bias=False)
