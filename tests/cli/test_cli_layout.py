"""``cellviz layout``: each framework tensor's slices by parameter and gate, as text, JSON and
an SVG figure, checked against the tensors export_weights makes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import cellviz
from cellviz.cli import main
from cellviz.numeric.layouts import LAYOUTS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["layout", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _cell_of(index: int) -> tuple[cellviz.Cell, list[str]]:
    lay = LAYOUTS[index]
    for convention in cellviz.CONVENTIONS:
        cell = cellviz.load(lay.cell, input_size=3, hidden_size=4, convention=convention,
                            proj_size=2 if lay.cell == "lstm-proj" else None)
        if lay.params == set(cell.param_shapes()):
            argv = [lay.cell, "-i", "3", "-n", "4", "--convention", convention,
                    "--framework", lay.framework]
            return cell, argv + (["-p", "2"] if lay.cell == "lstm-proj" else [])
    raise AssertionError(lay)


@pytest.mark.parametrize("index", range(len(LAYOUTS)),
                         ids=[f"{lay.cell}-{lay.framework}-{k}" for k, lay in enumerate(LAYOUTS)])
def test_every_band_is_the_slice_export_writes(capsys: pytest.CaptureFixture[str],
                                               index: int) -> None:
    cell, argv = _cell_of(index)
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    # Weights numbered so that every entry names its parameter: a slice holds exactly one.
    weights = {p: np.full(shape, float(k + 1)) for k, (p, shape)
               in enumerate(cell.param_shapes().items())}
    exported = cellviz.export_weights(cell, weights, LAYOUTS[index].framework)
    tensors = exported if isinstance(exported, dict) else dict(
        zip([t["name"] for t in data["tensors"]], exported, strict=True))
    seen = set()
    for tensor in data["tensors"]:
        array = tensors[tensor["name"]]
        assert list(array.shape) == tensor["shape"]
        for band in tensor["bands"]:
            where: list[int | slice] = [*band["index"]] + [slice(None)] * (
                array.ndim - len(band["index"]))
            where[band["axis"]] = slice(band["start"], band["stop"])
            values = set(np.unique(array[tuple(where)]))
            if band["note"] in ("sum", "unused"):
                assert values == {0.0}
            else:
                number = list(cell.param_shapes()).index(band["parameter"]) + 1
                assert values == {float(number)}
                seen.add(band["parameter"])
            assert band["gate"]
    assert seen == set(cell.param_shapes())


def test_text_names_the_module_and_the_gate_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lstm", "--convention", "pytorch", "--framework", "onnx")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "lstm (pytorch convention), i=3, n=2, in ONNX: ONNX LSTM, hidden_size=2"
    # ONNX stacks i, o, f, c.
    assert [re.findall(r" (W_\w+) ", line) for line in lines[2:6]] == [
        ["W_ii"], ["W_io"], ["W_if"], ["W_ig"]]
    assert lines[2].endswith("input gate (learn)") and lines[4].endswith("forget gate")


def test_figure_has_a_labelled_band_per_slice(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    path = tmp_path / "gru.svg"
    code, _, err = run(capsys, "gru", "--convention", "keras", "--framework", "keras", "-o",
                       str(path))
    assert code == 0 and err == f"wrote {path}\n"
    svg = path.read_text()
    keys = re.findall(r'data-key="([^"]+)"', svg)
    assert keys == [f"kernel/[:, {s}]" for s in ("0:2", "2:4", "4:6")] + [
        f"recurrent_kernel/[:, {s}]" for s in ("0:2", "2:4", "4:6")] + [
        f"bias/[{r}, {s}]" for r in (0, 1) for s in ("0:2", "2:4", "4:6")]
    for name in ("update gate", "reset gate", "candidate state"):
        assert f">{name}<" in svg
    # Parameter names are drawn with subscripts; the description spells each band out.
    assert "[:, 0:2] W_z (update gate)" in svg and "[1, 4:6] b_hh (candidate state)" in svg
    assert "hidden state" not in svg  # no tensor holds it: not in the legend
    again = tmp_path / "again.svg"
    run(capsys, "gru", "--convention", "keras", "--framework", "keras", "-o", str(again))
    assert again.read_bytes() == path.read_bytes()


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["mgu", "--framework", "pytorch"], 1, "cell 'mgu' has no PyTorch counterpart"),
    (["gru", "--framework", "pytorch"], 1, "load it with convention='pytorch'"),
    (["gru", "--framework", "jax"], 2, "invalid choice: 'jax'"),
    (["gru", "--framework", "keras", "-o", "x.png"], 2, "the layout figure is SVG"),
])
def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], code: int,
                             message: str) -> None:
    got, out, err = run(capsys, *argv)
    assert got == code and out == "" and message in err and err.count("\n") == 1


def test_a_gate_has_one_colour_in_every_framework(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    colours = []
    for convention, framework in (("pytorch", "pytorch"), ("keras", "keras"),
                                  ("flax", "flax")):
        path = tmp_path / f"{framework}.svg"
        run(capsys, "gru", "--convention", convention, "--framework", framework, "-o", str(path))
        svg = path.read_text()
        # The legend: a swatch (rect) then its gate's name, for every gate.
        found = re.findall(r'<rect [^>]*fill="(#[0-9a-f]+)"[^>]*/>\s*<text[^>]*>([a-z ]+)</text>',
                           svg)
        colours.append({name: fill for fill, name in found if name.endswith(("gate", "state"))})
    assert colours[0] == colours[1] == colours[2] and len(colours[0]) == 3
