"""A figure keeps only the numbers it can show: memory within a small multiple of the arrays,
and the numbers it prints still the trace's."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import load
from test_values import expected, numbers

import cellviz
from cellviz.draw.render import RenderOptions
from cellviz.draw.sampled import KEPT, Sampled, sample
from cellviz.draw.values import values_of


def kept_numbers(value: object) -> int:
    if isinstance(value, Sampled):
        return sum(kept_numbers(v) for _, v in value.entries)
    if isinstance(value, tuple):
        return sum(kept_numbers(v) for v in value)
    return 1


def test_values_of_a_large_cell_keep_a_few_numbers_a_side() -> None:
    cell = load("lstm", i=1000, n=1000)
    weights = cellviz.init_weights(cell)
    trace = {node.id: np.zeros(cell.size(node.size)) for node in cell.graph.nodes}
    values = values_of(trace, weights)
    total = sum(kept_numbers(w) for _, w in values.weights)
    total += sum(kept_numbers(v) for _, v in values.vectors)
    side = 2 * KEPT
    assert total <= len(weights) * side * side + len(trace) * side
    # What is kept is the arrays' own numbers at their own indices.
    w = dict(values.weights)["W_i"]
    assert isinstance(w, Sampled) and len(w) == 1000
    row = w[999]
    assert isinstance(row, Sampled) and len(row) == 1000
    assert row[-1] == float(weights["W_i"][999, 999]) and row[3] == float(weights["W_i"][999, 3])


def test_an_index_not_kept_is_an_error_naming_it() -> None:
    sampled = sample(np.arange(100.0))
    assert isinstance(sampled, Sampled)
    assert sampled[0] == 0.0 and sampled[99] == 99.0 and len(sampled) == 100
    with pytest.raises(IndexError, match="number 50 of 100 was not kept"):
        sampled[50]
    assert sample(np.arange(3.0)) == (0.0, 1.0, 2.0)  # a short side is kept whole
    assert sample([[1.0, 2.0], [3.0, 4.0]]) == ((1.0, 2.0), (3.0, 4.0))


@pytest.mark.dot
def test_a_large_figure_prints_the_traces_numbers() -> None:
    cell = load("gru", i=40, n=30)
    weights, xs = cellviz.example_inputs(cell, seed=2)
    _, trace = cell.step(weights, xs["x"][0])
    svg = cellviz.render(cell, options=RenderOptions(values=values_of(trace, weights)))
    assert numbers(svg) == expected(cell, trace, weights)
    assert "h/29" in numbers(svg)
