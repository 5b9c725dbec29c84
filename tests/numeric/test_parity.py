"""Parity with PyTorch: the committed reference values everywhere, torch itself where it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fixtures.make_reference import SIZES, cases

import cellviz

REFERENCE = Path(__file__).parents[1] / "fixtures" / "reference.npz"
TOLERANCE = {"rtol": 1e-10, "atol": 1e-10}

Arrays = dict[str, Any]


def _load_reference() -> Arrays:
    with np.load(REFERENCE) as data:
        return {k: data[k] for k in data.files}


def _cell(name: str) -> cellviz.Cell:
    i, n, p = SIZES[name]
    return cellviz.load(name, input_size=i, hidden_size=n, proj_size=p, convention="pytorch")


def _tensors(ref: Arrays, name: str, module: str) -> Arrays:
    prefix = f"{name}/{module}/"
    return {k[len(prefix):]: v for k, v in ref.items() if k.startswith(prefix)}


def _state(ref: Arrays, name: str, case: str) -> dict[str, Any] | None:
    if f"{name}/{case}/h0" not in ref:
        return None
    state = {"h": ref[f"{name}/{case}/h0"]}
    if f"{name}/{case}/c0" in ref:
        state["c"] = ref[f"{name}/{case}/c0"]
    return state


def check_against(ref: Arrays, name: str) -> None:
    """Every case of one cell in ``ref`` (as cases() makes them) against the evaluator."""
    cell = _cell(name)
    states = cell.graph.states
    if f"{name}/cell/weight_ih" in ref:
        weights = cellviz.import_weights(cell, _tensors(ref, name, "cell"))
        for case in ("step", "batch"):
            outputs, _ = cell.step(weights, ref[f"{name}/{case}/x"], _state(ref, name, case))
            for s in states:
                np.testing.assert_allclose(outputs[s], ref[f"{name}/{case}/{s}"], **TOLERANCE)
    weights = cellviz.import_weights(cell, _tensors(ref, name, "layer"))
    for case in ("seq", "seq1"):
        hs, final = cell.run(weights, ref[f"{name}/{case}/x"], _state(ref, name, case))
        np.testing.assert_allclose(hs, ref[f"{name}/{case}/hs"], **TOLERANCE)
        for s in states:
            np.testing.assert_allclose(final[s], ref[f"{name}/{case}/{s}"], **TOLERANCE)


@pytest.mark.parametrize("name", list(SIZES))
def test_matches_committed_reference(name: str) -> None:
    check_against(_load_reference(), name)


def test_reference_covers_every_case() -> None:
    ref = _load_reference()
    assert str(ref["torch_version"]).startswith("2.13.0")
    for name in SIZES:
        assert f"{name}/seq/hs" in ref and f"{name}/seq1/hs" in ref
    for name in ("rnn", "gru", "lstm"):
        assert f"{name}/step/h" in ref and f"{name}/batch/h" in ref


@pytest.mark.torch
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", list(SIZES))
def test_matches_torch_live(name: str, seed: int) -> None:
    torch = pytest.importorskip("torch")
    check_against(cases(torch, seed), name)


@pytest.mark.torch
def test_committed_reference_is_what_torch_computes() -> None:
    torch = pytest.importorskip("torch")
    ref = _load_reference()
    live = cases(torch, 0)
    for key, value in live.items():
        np.testing.assert_allclose(ref[key], value, rtol=1e-12, atol=1e-12, err_msg=key)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["rnn", "gru", "lstm"])
def test_float32_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    module = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[name](3, 2)
    cell = _cell(name)
    weights = cellviz.import_weights(cell, module.state_dict())
    assert all(w.dtype == np.float32 for w in weights.values())
    xs = np.random.default_rng(0).standard_normal((6, 4, 3)).astype(np.float32)
    hs, _ = cell.run(weights, xs)
    with torch.no_grad():
        expected = module(torch.from_numpy(xs))[0].numpy()
    assert hs.dtype == np.float32
    np.testing.assert_allclose(hs, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["rnn", "gru", "lstm", "lstm-proj"])
def test_parameter_counts_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    i, n, p = SIZES[name]
    kind = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU}.get(name, torch.nn.LSTM)
    module = kind(i, n, **({"proj_size": p} if p else {}))
    assert _cell(name).params().total == sum(t.numel() for t in module.parameters())


def test_rnn_cell_has_14_parameters_at_3_2() -> None:
    # PyTorch's RNNCell(3, 2): weight_ih 6, weight_hh 4, bias_ih 2, bias_hh 2.
    assert _cell("rnn").params().total == 14
