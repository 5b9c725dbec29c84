"""The command line, run in-process: output, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cellviz import BUILTIN_CELLS
from cellviz.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_every_builtin_with_its_formula(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == list(BUILTIN_CELLS)
    assert "3·n·i + 3·n² + 3·n" in lines[1] and "paper, pytorch, keras, flax" in lines[1]
    code, out, _ = run(capsys, "list", "--convention", "pytorch")
    assert "4·n·i + 4·n² + 8·n" in out.splitlines()[2]


def test_params_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "params", "gru", "--input-size", "3", "--hidden-size", "2")
    assert (code, err) == (0, "")
    assert out.startswith("gru (paper convention), i=3, n=2\n")
    assert out.endswith("36 parameters: 6 weight matrices, 3 bias vectors\n")


@pytest.mark.parametrize(("convention", "total"), [("paper", 48), ("pytorch", 56), ("keras", 48)])
def test_params_json(capsys: pytest.CaptureFixture[str], convention: str, total: int) -> None:
    code, out, _ = run(capsys, "params", "lstm", "-i", "3", "-n", "2", "--json",
                       "--convention", convention)
    data = json.loads(out)
    assert code == 0 and data["total"] == total
    assert sum(t["count"] for t in data["tensors"]) == total
    assert all(set(t) >= {"name", "shape", "count"} for t in data["tensors"])


def test_params_projection_and_custom_sizes(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    code, out, _ = run(capsys, "params", "lstm-proj", "-i", "3", "-n", "4", "-p", "2", "--json",
                       "--convention", "pytorch")
    assert code == 0 and json.loads(out)["total"] == 4 * (4 * 3 + 4 * 2 + 8) + 2 * 4
    cell = tmp_path / "k.cell"
    cell.write_text("state h: k\nh[t] = tanh(W @ x[t] + U @ h[t-1])\n")
    code, out, _ = run(capsys, "params", str(cell), "--size", "k=5", "--json")
    assert code == 0 and json.loads(out)["total"] == 5 * 3 + 5 * 5


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["params", "lstmm"], 1, "no built-in cell or cell file named 'lstmm' (did you mean"),
        (["params", "gru", "-n", "0"], 2,
         "argument -n/--hidden-size: not a whole number from 1 to 1,000,000,000,000: '0'"),
        (["params", "gru", "-i", "three"], 2, "not a whole number from 1 to"),
        (["params", "gru", "-i", "٣"], 2, "not a whole number from 1 to"),
        (["params", "gru", "-n", "9" * 5000], 2,
         "not a whole number from 1 to 1,000,000,000,000: '" + "9" * 37 + "...'"),
        (["params", "gru", "-n", "3", "--size", "n=4"], 2,
         "size n is given twice: --hidden-size 3 and --size n=4"),
        (["params", "gru", "--size", "k=4", "--size", "k=5"], 2, "size k is given twice"),
        (["params", "gru", "-i", "-3"], 2, "argument -i/--input-size"),
        (["params", "gru", "--convention", "torch"], 2, "invalid choice: 'torch'"),
        (["params", "gru", "--size", "k"], 2, "expected NAME=INT such as k=4, not 'k'"),
        (["params", "gru", "-p", "2"], 2, "cell 'gru' has no size p"),
        (["params", "lstm-proj"], 2, "needs a value for size p (--proj-size"),
        (["frobnicate"], 2, "invalid choice: 'frobnicate'"),
    ],
)
def test_errors_are_one_line_with_an_exit_code(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    got, out, err = run(capsys, *argv)
    assert got == code
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("cellviz: error: ")
    assert message in err


def test_cell_file_errors_name_file_line_and_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.cell"
    bad.write_text("# a cell\nh[t] = tanh(W @ x[t] + U @ h[t-1]) * x[t-1]\n")
    code, _, err = run(capsys, "params", str(bad))
    assert code == 1
    assert err == (f"cellviz: error: {bad}:2:38: state 'x' is read at [t-1] but never written: "
                   "add 'x[t] = ...'\n")


def test_a_convention_is_for_builtin_cells(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    cell = tmp_path / "mine.cell"
    cell.write_text("h[t] = tanh(W @ x[t] + U @ h[t-1])\n")
    code, _, err = run(capsys, "params", str(cell), "--convention", "pytorch")
    assert code == 2
    assert "a cell file such as" in err and "is taken as written" in err


def test_output_that_cannot_be_written_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    result = subprocess.run(f"{sys.executable} -m cellviz params lstm --json > /dev/full",
                            shell=True, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr == ("cellviz: error: cannot write to standard output: "
                             "No space left on device\n")


def test_python_dash_m_runs_the_same_command_line() -> None:
    result = subprocess.run([sys.executable, "-m", "cellviz", "params", "rnn", "--json"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == 12
    result = subprocess.run([sys.executable, "-m", "cellviz", "params", "rnn", "-i", "0"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.dot
def test_drawing_a_figure_does_not_import_numpy() -> None:
    # numpy takes longer to import than the rest of `cellviz render` together; only the
    # evaluator needs it.
    code = ("import sys, cellviz; from cellviz.cli import main; "
            "cellviz.render(cellviz.load('lstm', input_size=3, hidden_size=2)); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'torch')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_a_name_too_long_for_a_file_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "params", "a" * 5000)
    assert (code, out) == (1, "")
    assert err == f"cellviz: error: cannot read cell file '{'a' * 57}...': File name too long\n"


def test_the_graph_model_imports_no_numpy_graphviz_or_jinja2() -> None:
    code = ("import sys; from cellviz.lang import library; "
            "library.load('lstm-proj', input_size=3, hidden_size=2, proj_size=1).params(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'graphviz', "
            "'jinja2', 'torch'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(("argv", "code"),
                         [(["params", "rnn"], 0), (["params", "rnn", "-n", "0"], 2)],
                         ids=["ok", "usage-error"])
def test_the_program_is_main_with_the_collector_out_of_the_way(
        argv: list[str], code: int, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import gc

    from cellviz.cli import entry

    monkeypatch.setattr(sys, "argv", ["cellviz", *argv])
    frozen = gc.get_freeze_count()
    try:
        assert entry() == code
        assert gc.isenabled()  # on again for whatever runs after
        assert gc.get_freeze_count() > frozen  # what was alive is left out of shutdown's walk
    finally:
        gc.unfreeze()
    out, err = capsys.readouterr()
    assert ("12 parameters" in out) if code == 0 else ("-n/--hidden-size" in err)
