"""Parameter tables: the article's counts, PyTorch's numel() over a sweep of sizes, and load()."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest

import cellviz
from cellviz import UnknownCellError, UsageError, load

# DESIGN.md's table at i=3, n=2. PyTorch's RNN has 14 (2·3 + 2·2 + 2 + 2), which the live check
# below confirms against torch.nn.RNNCell; the "16" in DESIGN.md is a typo.
TOTALS = {
    ("gru", "paper"): 36, ("lstm", "paper"): 48, ("rnn", "paper"): 12,
    ("gru", "pytorch"): 42, ("lstm", "pytorch"): 56, ("rnn", "pytorch"): 14,
    ("gru", "keras"): 42, ("lstm", "keras"): 48, ("rnn", "keras"): 12,
}


@pytest.mark.parametrize(("name", "convention"), list(TOTALS), ids=lambda v: str(v))
def test_totals_at_the_articles_sizes(name: str, convention: str) -> None:
    cell = load(name, input_size=3, hidden_size=2, convention=convention)
    assert cell.params().total == TOTALS[name, convention]


def test_gru_table_in_detail() -> None:
    table = load("gru", input_size=3, hidden_size=2).params()
    assert [(e.name, e.shape, e.count) for e in table][:3] == [
        ("W_z", (2, 3), 6), ("U_z", (2, 2), 4), ("b_z", (2,), 2)
    ]
    assert {node: sum(e.count for e in entries) for node, entries in table.by_node().items()} == {
        "z.dense": 12, "r.dense": 12, "n.dense": 12
    }
    assert table.summary() == "36 parameters: 6 weight matrices, 3 bias vectors"
    assert table["U_n"].gate == "candidate state"
    text = table.to_text()
    assert re.search(r"^update gate \(z\.dense\) +W_z +n×i +2×3 +6$", text, re.MULTILINE)
    assert text.endswith("36 parameters: 6 weight matrices, 3 bias vectors\n")


def test_totals_are_exact_at_any_size() -> None:
    i, n, p = 10_000, 65_537, 4_099
    lstm = load("lstm-proj", input_size=i, hidden_size=n, proj_size=p, convention="pytorch")
    assert lstm.params().total == 4 * n * i + 4 * n * p + 8 * n + p * n
    peep = load("lstm-peephole", input_size=i, hidden_size=n).params()
    assert peep.total == 4 * (n * i + n * n + n) + 3 * n
    assert peep.summary().endswith("3 element-wise weight vectors")


def test_json_table() -> None:
    data = load("rnn", input_size=3, hidden_size=2, convention="pytorch").params().to_dict()
    assert data["total"] == 14
    assert data["tensors"][0] == {
        "name": "W_ih", "node": "h.dense", "gate": "hidden state", "role": "matrix",
        "shape": [2, 3], "count": 6,
    }


SWEEP = [(1, 1, 1), (3, 2, 1), (5, 7, 3), (16, 8, 4)]


def _torch_module(torch: Any, name: str, i: int, n: int, p: int) -> Any:
    if name == "rnn":
        return torch.nn.RNNCell(i, n)
    if name == "gru":
        return torch.nn.GRUCell(i, n)
    if name == "lstm":
        return torch.nn.LSTMCell(i, n)
    return torch.nn.LSTM(i, n, proj_size=p)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["rnn", "gru", "lstm", "lstm-proj"])
def test_pytorch_convention_counts_equal_torch_numel(name: str) -> None:
    torch = pytest.importorskip("torch")
    for i, n, p in SWEEP:
        if name == "lstm-proj" and p >= n:
            continue  # torch requires proj_size < hidden_size
        cell = load(name, input_size=i, hidden_size=n, convention="pytorch",
                    proj_size=p if name == "lstm-proj" else None)
        module = _torch_module(torch, name, i, n, p)
        assert cell.params().total == sum(t.numel() for t in module.parameters()), (i, n, p)


def test_formulas_agree_with_totals() -> None:
    for name, (i, n, p) in itertools.product(cellviz.BUILTIN_CELLS, SWEEP):
        graph = cellviz.load_graph(name)
        cell = load(name, input_size=i, hidden_size=n,
                    proj_size=p if "p" in graph.sizes else None)
        formula = graph.formula().replace("·", "*").replace("²", "**2")
        assert eval(formula, {}, {"i": i, "n": n, "p": p}) == cell.params().total, name


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_size": 0, "hidden_size": 2}, UsageError, "size i must be a positive integer"),
        ({"input_size": 3, "hidden_size": 2.5}, UsageError, "size n must be a positive integer"),
        ({"input_size": True, "hidden_size": 2}, UsageError, "size i must be a positive integer"),
        ({"input_size": 3, "hidden_size": 2, "proj_size": 1, "convention": "torch"}, UsageError,
         "unknown convention: 'torch' (must be one of paper, pytorch, keras, flax)"),
        ({"input_size": 3, "hidden_size": 2, "proj_size": 1}, UsageError,
         "cell 'gru' has no size p"),
    ],
)
def test_load_rejects_bad_sizes(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        load("gru", **kwargs)


def test_load_names_a_missing_size() -> None:
    with pytest.raises(UsageError, match=r"needs a value for size p \(--proj-size"):
        load("lstm-proj", input_size=3, hidden_size=2)


def test_unknown_name_suggests_the_nearest() -> None:
    with pytest.raises(UnknownCellError, match="did you mean 'lstm-peephole'"):
        load("lstm-pephole", input_size=3, hidden_size=2)


def test_cell_files_bind_their_own_sizes(tmp_path: Path) -> None:
    path = tmp_path / "deep.cell"
    path.write_text("input x: d\nstate h: k\nh[t] = tanh(W @ x[t] + U @ h[t-1] + b)\n")
    cell = load(path, input_size=1, hidden_size=1, d=5, k=4)
    assert cell.name == "deep" and cell.sizes == (("d", 5), ("k", 4))
    assert cell.params().total == 4 * 5 + 4 * 4 + 4
    with pytest.raises(UsageError, match="needs a value for size d"):
        load(path, input_size=1, hidden_size=1, k=4)


def test_unreadable_files(tmp_path: Path) -> None:
    binary = tmp_path / "bin.cell"
    binary.write_bytes(b"\xff\xfe\x00h[t]")
    with pytest.raises(cellviz.CellvizError, match="is not UTF-8 text"):
        load(binary, input_size=3, hidden_size=2)
    with pytest.raises(cellviz.CellvizError, match=r"cannot read cell file .*: it is a directory"):
        load(tmp_path, input_size=3, hidden_size=2)


def test_a_cell_files_name_is_its_name_without_the_suffix(tmp_path: Path) -> None:
    text = "h[t] = tanh(W @ x[t] + U @ h[t-1])\n"
    names = []
    for file_name in ("x.y.cell", "x.z.cell", "noext", "plain.cell"):
        (tmp_path / file_name).write_text(text)
        names.append(load(tmp_path / file_name, input_size=3, hidden_size=2).name)
    assert names == ["x.y", "x.z", "noext", "plain"]
