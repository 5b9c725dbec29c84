"""The flax convention against flax.linen's cells, through the committed fixture that
tests/fixtures/make_flax_reference.py writes (jax and flax are too large to install here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cellviz

FIXTURE = Path(__file__).parent.parent / "fixtures" / "flax_reference.npz"
CELLS = {"SimpleCell": "rnn", "GRUCell": "gru", "LSTMCell": "lstm"}


def _cases() -> list[tuple[str, dict[str, np.ndarray]]]:
    with np.load(FIXTURE) as data:
        keys = sorted({k.split("/")[0] for k in data.files if "/" in k}, key=int)
        return [(str(data[f"{k}/cell"]), {name.removeprefix(f"{k}/"): data[name]
                                          for name in data.files if name.startswith(f"{k}/")})
                for k in keys]


CASES = _cases()


@pytest.mark.parametrize(("flax_cell", "case"), CASES,
                         ids=[f"{c}-{k}" for k, (c, _) in enumerate(CASES)])
def test_flax_cells_compute_as_flax(flax_cell: str, case: dict[str, np.ndarray]) -> None:
    i, n = (int(v) for v in case["sizes"])
    cell = cellviz.load(CELLS[flax_cell], input_size=i, hidden_size=n, convention="flax")
    params = {k.removeprefix("params/"): v for k, v in case.items() if k.startswith("params/")}
    weights = cellviz.import_weights(cell, {"params": _nest(params)}, "flax")
    assert cell.params().total == sum(v.size for v in params.values())
    hs, final = cell.run(weights, case["xs"])
    np.testing.assert_allclose(hs, case["hs"], rtol=0, atol=1e-10)
    if "c" in case:
        np.testing.assert_allclose(final["c"], case["c"], rtol=0, atol=1e-10)
    back = cellviz.export_weights(cell, weights, "flax")
    assert isinstance(back, dict)
    assert set(back) == set(params) and all(np.array_equal(back[k], params[k]) for k in back)


def _nest(flat: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """flax's own nesting, {"ii": {"kernel": ...}}, as flax's params hold them."""
    nested: dict[str, dict[str, np.ndarray]] = {}
    for key, value in flat.items():
        dense, leaf = key.split("/")
        nested.setdefault(dense, {})[leaf] = value
    return nested


def test_flax_gru_form_and_count() -> None:
    cell = cellviz.load("gru", input_size=3, hidden_size=2, convention="flax")
    assert cell.graph.formula() == "3·n·i + 3·n² + 4·n"
    assert cell.params().total == 3 * 6 + 3 * 4 + 4 * 2
    with pytest.raises(cellviz.EvaluationError, match="always has them"):
        nobias = cellviz.lang.forms.derive("lstm", "flax", bias=False)
        cellviz.export_weights(cellviz.Cell(nobias, (("i", 3), ("n", 2)), "flax"),
                               {}, "flax")
