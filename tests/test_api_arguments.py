"""The public Python API checks its arguments: junk is a cellviz error naming the argument (a
TypeError or ValueError too, as Python's convention has it), and numpy integers are sizes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import cellviz
from cellviz import CellvizError, CellvizTypeError, CellvizValueError
from cellviz.draw.values import values_of

CELL = cellviz.load("gru", input_size=3, hidden_size=2)
WEIGHTS = cellviz.init_weights(CELL)

JUNK: dict[str, tuple[Callable[[], Any], type[Exception], str]] = {
    "render-a-name": (lambda: cellviz.render("gru"), TypeError, "cell must be a Cell"),
    "render-none": (lambda: cellviz.render(None), TypeError, "cell must be a Cell"),
    "options-junk": (lambda: cellviz.render(CELL, options="x"), TypeError, "options must be"),
    "values-str": (lambda: cellviz.RenderOptions(values="junk"), TypeError, "values must be"),
    "values-list": (lambda: cellviz.RenderOptions(values=[1, 2]), TypeError, "values must be"),
    "unroll-str": (lambda: cellviz.RenderOptions(unroll="3"), TypeError, "unroll must be"),
    "unroll-big": (lambda: cellviz.RenderOptions(unroll=99), ValueError, "unroll must be"),
    "values_of-none": (lambda: values_of(None), TypeError, "trace must be"),
    "values_of-list": (lambda: values_of([1, 2]), TypeError, "trace must be"),
    "values_of-weights": (lambda: values_of({}, [1]), TypeError, "weights must be"),
    "save-none": (lambda: cellviz.save(CELL, None), TypeError, "path must be"),
    "save-int": (lambda: cellviz.save(CELL, 3), TypeError, "path must be"),
    "save-nul": (lambda: cellviz.save(CELL, "a\x00b.svg"), ValueError, "NUL"),
    "save-a-name": (lambda: cellviz.save("gru", "x.svg"), TypeError, "cell must be"),
    "load-none": (lambda: cellviz.load(None, input_size=3, hidden_size=2), TypeError,
                  "a cell is a built-in name or a path"),
    "load-float": (lambda: cellviz.load("gru", input_size=3.0, hidden_size=2), TypeError,
                   "size i must be"),
    "load-bool": (lambda: cellviz.load("gru", input_size=True, hidden_size=2), TypeError,
                  "size i must be"),
    "load-zero": (lambda: cellviz.load("gru", input_size=np.int64(0), hidden_size=2),
                  ValueError, "size i must be"),
    "steps-huge": (lambda: cellviz.example_inputs(CELL, steps=10**12), ValueError,
                   "steps must be a whole number from 1 to 200,000,000"),
    "steps-many": (lambda: cellviz.example_inputs(CELL, steps=10**8), ValueError,
                   "would draw 300,000,000 input numbers"),
    "steps-many-stack": (lambda: cellviz.example_inputs(
        cellviz.stack("gru", input_size=1000, hidden_size=2), steps=10**6), ValueError,
        "would draw 1,000,000,000 input numbers"),
    "stack-np-int": (lambda: cellviz.stack("gru", input_size=3, hidden_size=2,
                                           num_layers=np.int64(0)), ValueError,
                     "num_layers must be a whole number from 1 to 1,000, not 0"),
    "steps-str": (lambda: cellviz.example_inputs(CELL, steps="3"), TypeError, "steps must be"),
    "seed-negative": (lambda: cellviz.example_inputs(CELL, seed=-1), ValueError,
                      "seed must be"),
    "init-a-name": (lambda: cellviz.init_weights("gru"), TypeError, "cell must be a Cell"),
    "import-none-cell": (lambda: cellviz.import_weights(None, {}), TypeError,
                         "cell must be a Cell"),
    "export-a-name": (lambda: cellviz.export_weights("gru", WEIGHTS), TypeError,
                      "cell must be a Cell"),
}


@pytest.mark.parametrize("name", list(JUNK))
def test_junk_is_a_cellviz_error_naming_the_argument(name: str) -> None:
    call, kind, message = JUNK[name]
    with pytest.raises(CellvizError, match=message.replace("(", r"\(")) as info:
        call()
    assert isinstance(info.value, kind)
    assert isinstance(info.value, CellvizTypeError if kind is TypeError else CellvizValueError)
    assert "\n" not in str(info.value)


def test_numpy_integers_are_sizes_seeds_and_steps() -> None:
    cell = cellviz.load("gru", input_size=np.int64(3), hidden_size=np.int32(2))
    assert cell.sizes == (("i", 3), ("n", 2)) and type(cell.size("i")) is int
    weights, xs = cellviz.example_inputs(cell, seed=np.int64(3), steps=np.int64(2))
    plain, plain_xs = cellviz.example_inputs(cell, seed=3, steps=2)
    assert np.array_equal(xs["x"], plain_xs["x"])
    assert all(np.array_equal(weights[k], plain[k]) for k in plain)
    assert cellviz.RenderOptions(unroll=np.int64(1)).unroll == 1
