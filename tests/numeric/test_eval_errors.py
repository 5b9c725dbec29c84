"""Bad input to the evaluator: a clear EvaluationError naming the tensor and both shapes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import load

import cellviz
from cellviz import EvaluationError


@pytest.fixture
def lstm() -> tuple[cellviz.Cell, dict[str, Any]]:
    cell = load("lstm")
    return cell, cellviz.init_weights(cell)


def _error(cell: cellviz.Cell, weights: Any, x: Any, state: Any = None) -> str:
    with pytest.raises(EvaluationError) as info:
        cell.step(weights, x, state)
    assert isinstance(info.value, cellviz.CellvizError)
    return str(info.value)


@pytest.mark.parametrize(("x", "message"), [
    (np.zeros(4), "input 'x' has shape (4,), expected (3,) or (B, 3)"),
    (np.zeros((2, 4)), "input 'x' has shape (2, 4), expected (3,) or (B, 3)"),
    (np.zeros((2, 2, 3)), "input 'x' has shape (2, 2, 3), expected (3,) or (B, 3)"),
    (np.zeros(()), "input 'x' has shape (), expected (3,) or (B, 3)"),
    (["a", "b", "c"], "input 'x' is not an array of numbers"),
    (np.array([1.0, np.nan, 0.0]), "input 'x' holds nan at index 1: NaN and infinity"),
    (np.array([[0.0, 0, 0], [0, 0, -np.inf]]), "input 'x' holds -inf at index (1, 2)"),
    (np.zeros(3, dtype=np.float32), "mixed dtypes: input 'x' is float32 but the weights are "
                                    "float64"),
], ids=["length", "batch-length", "rank", "scalar", "strings", "nan", "inf", "float32"])
def test_bad_input(lstm: tuple[cellviz.Cell, dict[str, Any]], x: Any, message: str) -> None:
    assert message in _error(*lstm, x)


@pytest.mark.parametrize(("state", "message"), [
    ({"h": np.zeros(2)}, "cell 'lstm' has states h, c, not h"),
    ({"h": np.zeros(2), "c": np.zeros(3)}, "state 'c' has shape (3,), expected (2,)"),
    ({"h": np.zeros((1, 2)), "c": np.zeros(2)}, "state 'h' has shape (1, 2), expected (2,)"),
    ({"h": np.zeros(2), "c": np.array([0.0, np.inf])}, "state 'c' holds inf at index 1"),
    ([np.zeros(2), np.zeros(2)], "state must be a dict by state name (h, c), not list"),
], ids=["missing", "size", "batch-for-single", "inf", "list"])
def test_bad_state(lstm: tuple[cellviz.Cell, dict[str, Any]], state: Any, message: str) -> None:
    assert message in _error(*lstm, np.zeros(3), state)


def test_state_batch_must_match_input(lstm: tuple[cellviz.Cell, dict[str, Any]]) -> None:
    cell, weights = lstm
    state = {"h": np.zeros((5, 2)), "c": np.zeros((4, 2))}
    message = _error(cell, weights, np.zeros((4, 3)), state)
    assert message == "state 'h' has shape (5, 2), expected (4, 2) (the batch of the input)"


@pytest.mark.parametrize(("change", "message"), [
    ({"W_f": None}, "cell 'lstm' is missing weight 'W_f' (2, 3)"),
    ({"W_f": np.zeros((2, 4))}, "weight 'W_f' has shape (2, 4), expected (2, 3)"),
    ({"b_o": np.zeros((2, 1))}, "weight 'b_o' has shape (2, 1), expected (2,)"),
    ({"weight_ih": np.zeros((8, 3))}, "unexpected weight 'weight_ih' for cell 'lstm'"),
    ({"U_i": np.full((2, 2), np.nan)}, "weight 'U_i' holds nan at index (0, 0)"),
    ({"b_g": np.array([0.0, np.inf])}, "weight 'b_g' holds inf at index 1"),
    ({"W_o": np.zeros((2, 3), np.float32)}, "mixed dtypes: weight 'W_o' is float32 but 'W_f' "
                                            "is float64"),
    ({"W_o": np.zeros((2, 3), np.int64)}, "weight 'W_o' has dtype int64; weights must be "
                                          "float64 or float32"),
    ({"W_o": np.zeros((2, 3), np.longdouble)}, f"weight 'W_o' has dtype "
                                               f"{np.dtype(np.longdouble)}; weights must be "
                                               "float64 or float32"),
], ids=["missing", "matrix-shape", "bias-shape", "unexpected", "nan-matrix", "inf-bias",
        "mixed-dtypes", "integer", "longdouble"])
def test_bad_weights(lstm: tuple[cellviz.Cell, dict[str, Any]], change: dict[str, Any],
                     message: str) -> None:
    cell, weights = lstm
    weights = {k: v for k, v in {**weights, **change}.items() if v is not None}
    assert message in _error(cell, weights, np.zeros(3))
    with pytest.raises(EvaluationError, match="^" + message.replace("(", r"\(")
                       .replace(")", r"\)")):
        cell.run(weights, np.zeros((2, 3)))


def test_weights_must_be_a_dict(lstm: tuple[cellviz.Cell, dict[str, Any]]) -> None:
    cell, weights = lstm
    assert "weights must be a dict of parameter name to array, not list" in _error(
        cell, list(weights.values()), np.zeros(3))


def test_bad_sequence(lstm: tuple[cellviz.Cell, dict[str, Any]]) -> None:
    cell, weights = lstm
    with pytest.raises(EvaluationError,
                       match=r"input 'x' has shape \(3,\), expected \(T, 3\) or \(T, B, 3\)"):
        cell.run(weights, np.zeros(3))
    with pytest.raises(EvaluationError, match=r"input 'x' holds nan at index \(4, 1, 0\)"):
        xs = np.zeros((5, 2, 3))
        xs[4, 1, 0] = np.nan
        cell.run(weights, xs)


def test_several_inputs_need_a_dict(tmp_path: Any) -> None:
    path = tmp_path / "two.cell"
    path.write_text("input x: i\ninput u: i\nstate h: n\n"
                    "h[t] = tanh(W @ x[t] + V @ u[t] + U @ h[t-1])\n", encoding="utf-8")
    cell = cellviz.load(path, input_size=3, hidden_size=2)
    weights = cellviz.init_weights(cell)
    assert "has inputs x, u: pass a dict by name" in _error(cell, weights, np.zeros(3))
    assert "takes inputs x, u, not x" in _error(cell, weights, {"x": np.zeros(3)})
    message = _error(cell, weights, {"x": np.zeros((2, 3)), "u": np.zeros((4, 3))})
    assert message.startswith("input 'u' has shape (4, 3) but input 'x' has shape (2, 3)")
