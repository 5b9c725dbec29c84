"""The compiled plan of a cell: stacked matrix groups and one instruction per node, in order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import EvaluationError
from ..graph import CellGraph, Node
from ..record import record
from .checks import Array, all_finite, check_finite, check_weights
from .ops import (
    ACTIVATION_FUNCTIONS,
    Op,
    Prepared,
    Slot,
    block_op,
    dense_op,
    fused_activation_op,
    pointwise_op,
    project_op,
    vector_op,
)

if TYPE_CHECKING:
    from ..cell import Cell

__all__ = ["EvalPlan", "Group", "compile_plan"]


@record
class Group:
    """Matrix terms that read the same vector through the same activation, stacked row-wise
    into one matrix so that one product serves them all. ``offsets`` bound each term's rows;
    ``carried`` are the dense nodes whose biases this product adds, with their rows."""

    source: str
    activation: str
    params: tuple[str, ...]
    offsets: tuple[int, ...]
    from_input: bool
    carried: tuple[tuple[str, int, int], ...]

    @property
    def tiled(self) -> bool:
        """Whether the carried biases cover the rows in order, so they are just concatenated."""
        return tuple((a, b) for _, a, b in self.carried) == tuple(
            zip(self.offsets, self.offsets[1:], strict=False))


@record
class EvalPlan:
    """A cell compiled for evaluation: groups of stacked matrix terms and one instruction per
    node in topological order. Built once per cell (``Cell.plan``), used for every call.
    ``slots`` gives each dense node's matrix terms as (group, first row, row after the last);
    ``biases`` names each dense node's bias parameters; ``uncarried`` the dense nodes whose
    biases no group product adds; ``diags`` the element-wise weights the instructions read;
    ``products`` how many products (groups, block sums, shared activations) a step holds."""

    cell: Cell
    groups: tuple[Group, ...]
    ops: tuple[Op, ...]
    hidden: str
    shapes: dict[str, tuple[int, ...]]
    biases: dict[str, tuple[str, ...]]
    uncarried: tuple[str, ...]
    diags: tuple[str, ...]
    products: int
    node_ids: tuple[str, ...]
    inputs: tuple[tuple[str, int], ...]  # name, size
    states: tuple[tuple[str, str, int], ...]  # name, id of the value at t-1, size
    slots: dict[str, tuple[Slot, ...]]  # each dense node's matrix terms as group rows

    @property
    def graph(self) -> CellGraph:
        return self.cell.graph

    def bind(self, weights: Mapping[str, Any]) -> Prepared:
        """Check the weights (names, shapes, one dtype, finite) and lay them out for the plan."""
        arrays = check_weights(self.shapes, weights, self.graph.name)
        dtype = next(iter(arrays.values())).dtype if arrays else np.dtype(np.float64)
        matrices: list[Array] = []
        biases: list[Array | None] = []
        for group in self.groups:
            parts = [arrays[p] for p in group.params]
            matrices.append(parts[0] if len(parts) == 1 else np.concatenate(parts))
            bias: Array | None = None
            if group.carried:
                totals = [self._bias_sum(arrays, node) for node, _, _ in group.carried]
                if group.tiled:
                    bias = totals[0] if len(totals) == 1 else np.concatenate(totals)
                else:
                    bias = np.zeros(group.offsets[-1], dtype)
                    for (_, start, stop), total in zip(group.carried, totals, strict=True):
                        bias[start:stop] = total
            biases.append(bias)
        direct = {p: arrays[p] for p in self.diags}
        for node in self.uncarried:
            direct[f"{node}.bias"] = self._bias_sum(arrays, node)
        # Every weight is in one of these, so they are finite exactly when the weights are
        # (barring an overflowing bias sum, which the exact test below lets through).
        laid_out = [*matrices, *(b for b in biases if b is not None), *direct.values()]
        if not all(all_finite(a) for a in laid_out):
            for name, array in arrays.items():
                check_finite(f"weight {name!r}", array)
        return Prepared(self.cell, dtype, tuple(matrices), tuple(biases), direct)

    def _bias_sum(self, arrays: Mapping[str, Array], node: str) -> Array:
        first, *rest = self.biases[node]
        total = arrays[first]
        for p in rest:
            total = total + arrays[p]
        return total

    def read(self, group: Group, values: Mapping[str, Array]) -> Array:
        """A group's source vector through the group's activation."""
        fn = ACTIVATION_FUNCTIONS[group.activation]
        value = values[group.source]
        return value if fn is None else fn(value)


def compile_plan(cell: Cell) -> EvalPlan:
    """Compile a cell: group the matrix terms by the vector they read, fold each dense node's
    biases into one group's product (an input group's when it can, so that ``run`` adds them
    for all time steps at once), sum runs of dense nodes once (``_blocks``), share activations
    over neighbouring rows (``_shared``), and make one instruction per node in order."""
    graph = cell.graph
    for node in graph.nodes:
        for operand in node.operands:
            if operand.activation not in ACTIVATION_FUNCTIONS:
                raise EvaluationError(
                    f"node {node.id!r} uses activation {operand.activation!r}, which the "
                    f"evaluator does not know ({', '.join(ACTIVATION_FUNCTIONS)})"
                )
    shapes = cell.param_shapes()
    groups, where = _groups(graph, shapes)
    dense = [n for n in graph.nodes if n.kind == "dense"]
    carried = {node for g in groups for node, _, _ in g.carried}
    biases = {n.id: tuple(o.param for o in n.operands if o.role == "bias" and o.param)
              for n in dense}
    uncarried = tuple(n for n, b in biases.items() if b and n not in carried)
    blocks, member = _blocks(dense, where, len(groups))
    plain = {n.id for n in dense if n.id not in uncarried
             and all(o.role != "diag" for o in n.operands)}
    shared = _shared(graph, member, plain, len(groups) + len(blocks))
    ops: list[Op] = []
    projected = {k for k, g in enumerate(groups) if g.from_input}
    started: set[int] = set()
    for node in graph.nodes:
        if node.kind == "dense":
            for k, _, _ in where[node.id]:
                if k not in projected:
                    projected.add(k)
                    ops.append(project_op(k, groups[k].source, groups[k].activation))
            slots = where[node.id]
            if node.id in member:
                slots = [member[node.id]]
                if member[node.id][1] == 0:
                    ops.append(block_op(member[node.id][0], blocks[member[node.id][0]]))
            bias_key = f"{node.id}.bias" if node.id in uncarried else None
            ops.append(dense_op(node, slots, bias_key, graph.nodes[0].id,
                                cell.size(node.size)))
        elif node.kind == "pointwise":
            ops.append(pointwise_op(node))
        elif node.id in shared:
            index, block, part = shared[node.id]
            ops.append(fused_activation_op(node, index, block, part, index not in started))
            started.add(index)
        elif node.kind in ("vector", "output"):
            ops.append(vector_op(node))
    states = graph.states or graph.outputs
    return EvalPlan(
        cell, groups, tuple(ops), "h" if "h" in graph.states else states[0], shapes, biases,
        uncarried, tuple(p.name for p in graph.params if p.role == "diag"),
        len(groups) + len(blocks) + len({index for index, _, _ in shared.values()}),
        tuple(node.id for node in graph.nodes),
        tuple((name, cell.size(graph.node(name).size)) for name in graph.inputs),
        tuple((s, graph.prev_id(s), cell.size(graph.node(graph.prev_id(s)).size))
              for s in graph.states),
        {node: tuple(slots) for node, slots in where.items()},
    )


def _groups(
    graph: CellGraph, shapes: Mapping[str, tuple[int, ...]]
) -> tuple[tuple[Group, ...], dict[str, list[Slot]]]:
    """The groups, and each dense node's matrix terms as slots of the group products."""
    terms: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (source, act) -> (param, node)
    for node in graph.nodes:
        for o in node.operands:
            if node.kind == "dense" and o.role == "matrix" and o.source and o.param:
                terms.setdefault((o.source, o.activation), []).append((o.param, node.id))
    where: dict[str, list[Slot]] = {n.id: [] for n in graph.nodes if n.kind == "dense"}
    offsets_of: list[tuple[int, ...]] = []
    for k, key in enumerate(terms):
        offsets = [0]
        for param, node_id in terms[key]:
            where[node_id].append((k, offsets[-1], offsets[-1] + shapes[param][0]))
            offsets.append(offsets[-1] + shapes[param][0])
        offsets_of.append(tuple(offsets))
    keys = list(terms)
    inputs = set(graph.inputs)
    carried: list[list[tuple[str, int, int]]] = [[] for _ in keys]
    for node in graph.nodes:
        has_bias = any(o.role == "bias" for o in node.operands)
        if node.kind == "dense" and has_bias and where[node.id]:
            k, a, b = min(where[node.id], key=lambda s: keys[s[0]][0] not in inputs)
            carried[k].append((node.id, a, b))
    groups = tuple(
        Group(src, act, tuple(p for p, _ in terms[(src, act)]), offsets_of[k], src in inputs,
              tuple(carried[k]))
        for k, (src, act) in enumerate(keys)
    )
    return groups, where


def _blocks(
    dense: list[Node], where: Mapping[str, list[Slot]], first_index: int
) -> tuple[dict[int, tuple[Slot, ...]], dict[str, Slot]]:
    """Runs of dense nodes that add the same group products over rows that follow on in every
    group (an LSTM's four gates): each run is summed once, as one block, and its nodes read
    slices of it. Returns the blocks (product index -> the group slices summed) and, for each
    node in a block, its slice of the block."""
    blocks: dict[int, tuple[Slot, ...]] = {}
    member: dict[str, Slot] = {}
    run: list[tuple[str, list[Slot]]] = []

    def close() -> None:
        if run:
            index = first_index + len(blocks)
            first, last = run[0][1], run[-1][1]
            blocks[index] = tuple((k, a, b) for (k, a, _), (_, _, b) in zip(first, last,
                                                                            strict=True))
            start = first[0][1]
            for nid, slots in run:
                member[nid] = (index, slots[0][1] - start, slots[0][2] - start)
            run.clear()

    for node in dense:
        slots = sorted(where[node.id])
        groups = [k for k, _, _ in slots]
        if len(slots) < 2 or len(set(groups)) != len(groups):
            close()
            continue
        if not (run and [k for k, _, _ in run[-1][1]] == groups and all(
            a == prev_b for (_, a, _), (_, _, prev_b) in zip(slots, run[-1][1], strict=True)
        )):
            close()
        run.append((node.id, slots))
    close()
    return blocks, member


def _shared(
    graph: CellGraph, member: Mapping[str, Slot], plain: set[str], first_index: int
) -> dict[str, tuple[int, Slot, tuple[int, int]]]:
    """Vector nodes that apply one activation to neighbouring rows of a block (an LSTM's i and
    f gates in PyTorch's order): the activation is taken once over those rows. ``plain`` are
    the dense nodes whose value is their block slice and nothing more. Returns, for each such
    vector node, the product index of the shared activation, the block rows it is taken over,
    and the node's rows within it."""
    readers: dict[str, tuple[str, str]] = {}  # dense node -> (vector node, activation)
    for node in graph.nodes:
        if node.kind in ("vector", "output"):
            (o,) = node.operands
            if o.source in member and o.source in plain and o.activation != "identity":
                readers[o.source] = (node.id, o.activation)
    by_block: dict[int, list[tuple[int, int, str, str]]] = {}
    for dense_id, (vector_id, activation) in readers.items():
        index, a, b = member[dense_id]
        by_block.setdefault(index, []).append((a, b, vector_id, activation))
    shared: dict[str, tuple[int, Slot, tuple[int, int]]] = {}
    runs: list[list[tuple[int, int, str, str]]] = []
    for items in by_block.values():
        items.sort()
        run = [items[0]]
        for item in items[1:]:
            if item[0] == run[-1][1] and item[3] == run[-1][3]:
                run.append(item)
            else:
                runs.append(run)
                run = [item]
        runs.append(run)
    for run in (r for r in runs if len(r) > 1):
        index = first_index + len({i for i, _, _ in shared.values()})
        start, stop = run[0][0], run[-1][1]
        block = member[next(d for d, (v, _) in readers.items() if v == run[0][2])][0]
        for a, b, vector_id, _ in run:
            shared[vector_id] = (index, (block, start, stop), (a - start, b - start))
    return shared
