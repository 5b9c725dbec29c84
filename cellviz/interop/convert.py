"""Weights from one framework's form of a cell to another's, exactly or not at all.

The frameworks compute the same cells with their parameters named, split and ordered in their
own ways: PyTorch's GRU and Keras' (reset_after=True) and flax's are one cell, with two biases a
gate, two, or one (and two for the candidate). A conversion maps every gate's input matrix,
recurrent matrix, input bias and recurrent bias across; a bias the target does not keep apart
is added into the other one, which computes the same sums. What cannot be exact (the reset gate
applied before the product against after it; an activation the target does not compute) is
refused with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

import numpy as np

from ..cell import Cell
from ..errors import EvaluationError, UsageError
from ..lang.forms import Form, derive, form_of
from ..numeric.checks import Array, check_weights
from ..numeric.layouts import FRAMEWORK_NAMES, FRAMEWORKS, resolve
from ..stack import Stack
from .torch_io import bind

__all__ = ["TARGETS", "convert_stack", "convert_weights", "target_form"]

#: What each framework can be converted to: the frameworks and cellviz's own names.
TARGETS = (*FRAMEWORKS, "cellviz")

Roles = dict[str, tuple[str, str, str | None, str | None]]

#: The convention each framework computes a cell in (the GRU by where its reset gate acts).
_CONVENTIONS = {
    "pytorch": {"rnn": "pytorch", "gru-after": "pytorch", "lstm": "pytorch",
                "lstm-proj": "pytorch"},
    "keras": {"rnn": "keras", "gru-after": "keras", "gru-before": "paper", "lstm": "keras"},
    "onnx": {"rnn": "pytorch", "gru-after": "pytorch", "gru-before": "paper", "lstm": "pytorch",
             "lstm-peephole": "paper", "cifg": "paper"},
    "flax": {"rnn": "flax", "gru-after": "flax", "lstm": "flax"},
}


def _roles(cell: str, convention: str) -> Roles | None:
    """Each gate's (input matrix, recurrent matrix, input bias, recurrent bias) names, for the
    cells whose conventions differ; None for a cell with one form only."""
    if cell == "rnn":
        return {"h": ("W_ih", "W_hh", "b_ih", "b_hh")} if convention == "pytorch" else {
            "h": ("W_h", "U_h", "b_h", None)}
    if cell in ("lstm", "lstm-proj"):
        if convention == "pytorch":
            return {g: (f"W_i{g}", f"W_h{g}", f"b_i{g}", f"b_h{g}") for g in "ifgo"}
        return {g: (f"W_{g}", f"U_{g}", f"b_{g}", None) for g in "ifgo"}
    if cell == "gru":
        if convention == "pytorch":
            return {g: (f"W_i{g}", f"W_h{g}", f"b_i{g}", f"b_h{g}") for g in "zrn"}
        if convention == "keras":
            return {g: (f"W_{k}", f"U_{k}", f"b_x{k}", f"b_h{k}") for g, k in
                    (("z", "z"), ("r", "r"), ("n", "h"))}
        if convention == "flax":
            return {g: (f"W_i{g}", f"W_h{g}", f"b_i{g}", "b_hn" if g == "n" else None)
                    for g in "zrn"}
        return {g: (f"W_{g}", f"U_{g}", f"b_{g}", None) for g in "zrn"}
    return None


def _kind(form: Form) -> str:
    if form.cell == "gru":
        return "gru-before" if form.convention == "paper" else "gru-after"
    return form.cell


def target_form(form: Form, to: str) -> tuple[str, str]:
    """The built-in cell and convention that ``to`` computes ``form``'s cell in, or an error
    saying why no exact conversion exists."""
    if to not in TARGETS:
        raise UsageError(f"unknown target: {to!r} (must be one of {', '.join(TARGETS)})")
    if to == "cellviz":
        return form.cell, form.convention
    kind = _kind(form)
    convention = _CONVENTIONS[to].get(kind)
    if convention is None:
        fw = FRAMEWORK_NAMES[to]
        if kind == "gru-before":
            raise EvaluationError(
                f"{fw}'s GRU applies the reset gate after the recurrent product; this GRU "
                "applies it before (the paper's form, Keras' reset_after=False, ONNX's "
                "linear_before_reset=0), which no weights of the other form compute exactly")
        raise EvaluationError(f"{fw} has no {form.cell} cell (its cells: "
                              f"{', '.join(sorted({k.split('-')[0] for k in _CONVENTIONS[to]}))})")
    return form.cell, convention


def _move(source: Cell, form: Form, weights: dict[str, Array], target: Cell,
          convention: str) -> dict[str, Array]:
    """The source's weights in the target's parameters: gate by gate, biases added where the
    target keeps one bias and the source two."""
    have, want = source.param_shapes(), target.param_shapes()
    src, dst = _roles(form.cell, form.convention), _roles(form.cell, convention)
    out: dict[str, Array] = {}
    if src is not None and dst is not None:
        dtype = next(iter(weights.values())).dtype
        for gate, (wx, wh, bx, bh) in dst.items():
            s_wx, s_wh, s_bx, s_bh = src[gate]
            out[wx], out[wh] = weights[s_wx], weights[s_wh]
            n = have[s_wx][0]
            given = [weights[b] if b is not None and b in have else np.zeros(n, dtype)
                     for b in (s_bx, s_bh)]
            if bh is not None and bh in want:
                out[bh] = given[1]
                if bx is not None and bx in want:
                    out[bx] = given[0]
            elif bx is not None and bx in want:
                out[bx] = given[0] + given[1]
            elif any(np.any(b) for b in given):
                raise EvaluationError(f"the {gate} gate has biases, but the target form has none")
    for name in want:
        if name not in out:
            out[name] = weights[name]  # peepholes, the projection: the same in every form
    return {name: out[name] for name in want}


def convert_stack(stack: Stack, weights: Mapping[str, Any], to: str
                  ) -> tuple[Stack, dict[str, Array]]:
    """``convert_weights`` for every layer and direction of a stack: the stack of the target
    cells and its weights by their suffixed names."""
    arrays = check_weights(stack.param_shapes(), weights, stack.name)
    converted = [convert_weights(cell, own, to) for (_, _, cell), own in
                 zip(stack.members(), stack.split(arrays), strict=True)]
    cells = iter(target for target, _ in converted)
    target = Stack(tuple(tuple(next(cells) for _ in layer) for layer in stack.cells))
    out = {name + stack.suffix(k, d): a for (k, d, _), (_, own) in
           zip(stack.members(), converted, strict=True) for name, a in own.items()}
    return target, out


@overload
def convert_weights(cell: Cell, weights: Mapping[str, Any], to: str
                    ) -> tuple[Cell, dict[str, Array]]: ...


@overload
def convert_weights(cell: Stack, weights: Mapping[str, Any], to: str
                    ) -> tuple[Stack, dict[str, Array]]: ...


def convert_weights(cell: Cell | Stack, weights: Mapping[str, Any], to: str
                    ) -> tuple[Cell | Stack, dict[str, Array]]:
    """The cell and weights that framework ``to`` (pytorch, keras, onnx, flax, or cellviz for
    the same cell) computes the same numbers with: ``export_weights(target, converted, to)``
    gives its tensors. Refused with the reason where no exact conversion exists.

    >>> import cellviz
    >>> gru = cellviz.load("gru", input_size=3, hidden_size=2, convention="pytorch")
    >>> keras_gru, w = convert_weights(gru, cellviz.init_weights(gru), "keras")
    >>> keras_gru.convention, sorted(w)[:3]
    ('keras', ['U_h', 'U_r', 'U_z'])

    A ``Stack`` is converted layer by layer and direction by direction (``convert_stack``).
    """
    if isinstance(cell, Stack):
        return convert_stack(cell, weights, to)
    arrays = check_weights(cell.param_shapes(), weights, cell.name)
    form = form_of(cell.graph, cell.convention)
    if form is None:
        raise EvaluationError(f"cell {cell.name!r} is no form of a built-in cell, so no "
                              "framework computes it")
    name, convention = target_form(form, to)
    acts = dict(form.activations)
    graph = derive(name, convention, acts, bias=form.bias)
    target = bind(graph, convention, **dict(cell.sizes))
    if to != "cellviz":
        try:
            resolve(target, to)
        except EvaluationError as exc:
            if form.bias or "always has them" not in str(exc):
                raise
            # flax has no cell without biases: zero biases compute the same.
            target = bind(derive(name, convention, acts), convention, **dict(cell.sizes))
            resolve(target, to)
    return target, _move(cell, form, arrays, target, convention)

