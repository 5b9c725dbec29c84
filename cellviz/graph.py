"""The cell graph: dense and pointwise nodes, vectors, parameters, activations on the edges.

The model is pure data (frozen dataclasses, no numpy, graphviz or jinja2): the evaluator and the
renderer are separate walks over it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

__all__ = [
    "ACTIVATIONS",
    "POINTWISE_OPS",
    "CellGraph",
    "Edge",
    "Gate",
    "Node",
    "Operand",
    "Param",
    "format_formula",
]

NodeKind = Literal["input", "state", "output", "vector", "dense", "pointwise"]
ParamRole = Literal["matrix", "diag", "bias"]
OperandRole = Literal["matrix", "diag", "bias", "operand"]

#: Activation name -> the short label a figure puts on an edge.
ACTIVATIONS: dict[str, str] = {
    "identity": "",
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "ReLU",
    "hard_sigmoid": "hσ",
    "softsign": "softsign",
}

#: Pointwise operation -> its symbol, and how many operands it takes.
POINTWISE_OPS: dict[str, tuple[str, int]] = {
    "mul": ("⊙", 2),
    "add": ("+", 2),
    "sub": ("−", 2),
    "neg": ("−", 1),
    "one_minus": ("1−", 1),
}


@dataclass(frozen=True)
class Param:
    """A trainable tensor owned by a dense node: a matrix (W @ v), a diagonal weight (p * v) or a
    bias. ``dims`` are size symbols: ``("n", "i")`` for a matrix with n rows and i columns."""

    name: str
    role: ParamRole
    dims: tuple[str, ...]
    node: str


@dataclass(frozen=True)
class Operand:
    """One input of a node. ``source`` is the node read (None for a bias), ``activation`` is applied
    to it on the way in, and for dense nodes ``param`` is the parameter of the term."""

    source: str | None
    activation: str = "identity"
    param: str | None = None
    role: OperandRole = "operand"


@dataclass(frozen=True)
class Node:
    """A vector-valued node. ``size`` is a size symbol (every value is a size×1 column).

    - input, state (the value at t-1), output (a state or declared output at t), vector (a named
      intermediate such as a gate): one vector each, ``name`` is the vector's name;
    - dense: the sum of its operands' terms (W @ v, p * v, b);
    - pointwise: ``op`` (one of POINTWISE_OPS) applied element-wise to its operands in order.
    """

    id: str
    kind: NodeKind
    size: str
    label: str
    operands: tuple[Operand, ...] = ()
    op: str | None = None
    name: str | None = None
    gate: str | None = None
    equation: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Edge:
    """A connection derived from a node's operand; it carries a size×1 vector and an activation.
    ``style`` is "dense" for connections into or out of a dense node, except through an
    element-wise weight (p ⊙ v), else "pointwise"."""

    source: str
    target: str
    activation: str
    size: str
    style: Literal["dense", "pointwise"]
    port: int
    param: str | None


@dataclass(frozen=True)
class Gate:
    """A labelled group of nodes: the nodes one equation made, named by its trailing comment."""

    label: str
    equation: str
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class CellGraph:
    """A checked cell: nodes in topological order, parameters in order of first use."""

    name: str
    nodes: tuple[Node, ...]
    params: tuple[Param, ...]
    inputs: tuple[str, ...]
    states: tuple[str, ...]
    outputs: tuple[str, ...]
    sizes: tuple[str, ...]
    gates: tuple[Gate, ...]
    description: str | None = None
    source: str = ""
    path: str = ""

    @cached_property
    def _by_id(self) -> dict[str, Node]:
        return {node.id: node for node in self.nodes}

    def node(self, node_id: str) -> Node:
        """The node with this id (KeyError if there is none)."""
        return self._by_id[node_id]

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)

    @cached_property
    def edges(self) -> tuple[Edge, ...]:
        """Every connection, in node order, then operand order."""
        edges = []
        for node in self.nodes:
            for port, operand in enumerate(node.operands):
                if operand.source is None:
                    continue
                source = self.node(operand.source)
                # An element-wise weight (p ⊙ c[t-1]) is a pointwise connection into its node.
                dense = (node.kind == "dense" and operand.role != "diag") or source.kind == "dense"
                edges.append(
                    Edge(
                        operand.source,
                        node.id,
                        operand.activation,
                        source.size,
                        "dense" if dense else "pointwise",
                        port,
                        operand.param,
                    )
                )
        return tuple(edges)

    @staticmethod
    def prev_id(state: str) -> str:
        """The id of the node that holds a state's value at t-1."""
        return f"{state}_prev"

    def formula(self) -> str:
        """The parameter count as a polynomial in the size symbols.

        >>> from cellviz.lang.library import load_graph
        >>> load_graph("gru").formula()
        '3·n·i + 3·n² + 3·n'
        """
        terms: Counter[tuple[str, ...]] = Counter(
            tuple(sorted(param.dims, key=_dim_key)) for param in self.params
        )
        return format_formula(terms)


def format_formula(terms: Counter[tuple[str, ...]]) -> str:
    """Write a sum of monomials (dims -> coefficient) the way a paper would: ``4·n·i + 4·n²``."""
    parts = []
    for dims, coefficient in sorted(terms.items(), key=lambda item: (-len(item[0]), item[0][::-1])):
        powers: Counter[str] = Counter(dims)
        factors = [
            s if k == 1 else f"{s}{str(k).translate(_SUPERSCRIPT)}" for s, k in _ordered(powers)
        ]
        parts.append("·".join(([str(coefficient)] if coefficient != 1 else []) + factors))
    return " + ".join(parts) if parts else "0"


def _dim_key(dim: str) -> tuple[int, str]:
    # n before p before i, as papers write n·i, then any other symbol by name.
    return ({"n": 0, "p": 1, "i": 2}.get(dim, 3), dim)


def _ordered(powers: Counter[str]) -> list[tuple[str, int]]:
    return sorted(powers.items(), key=lambda kv: _dim_key(kv[0]))


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
