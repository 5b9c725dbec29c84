"""Stacks against Keras 3 (torch backend): layers of SimpleRNN, GRU and LSTM, alone and wrapped
in Bidirectional, with the weights moved by ``export_weights(stack, ..., "keras")``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import cellviz

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

LAYERS = {"rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


def numpy_of(tensor: Any) -> Any:
    return np.asarray(tensor.detach().cpu()) if hasattr(tensor, "detach") else np.asarray(tensor)


@pytest.mark.torch
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one-way", "bidirectional"])
@pytest.mark.parametrize("layers", [1, 3])
@pytest.mark.parametrize("cell", list(LAYERS))
def test_stack_equals_keras(keras: Any, cell: str, layers: int, bidirectional: bool) -> None:
    i, n = 4, 3
    stack = cellviz.stack(cell, input_size=i, hidden_size=n, num_layers=layers,
                          bidirectional=bidirectional, convention="keras")
    weights = cellviz.init_weights(stack, seed=layers, dtype=np.float32)
    lists = cellviz.export_weights(stack, weights, "keras")
    xs = np.random.default_rng(0).standard_normal((6, 2, i)).astype(np.float32)
    seq: Any = xs.transpose(1, 0, 2)  # Keras is batch first
    finals: list[Any] = []
    built = []
    for k in range(layers):
        layer = getattr(keras.layers, LAYERS[cell])(n, return_sequences=True,
                                                    return_state=True)
        if bidirectional:
            layer = keras.layers.Bidirectional(layer)
        layer(seq)
        layer.set_weights(lists[k])
        result = [numpy_of(r) for r in layer(seq)]
        seq = result[0]
        # [output, states of the forward layer..., states of the backward layer...]
        per = (len(result) - 1) // stack.directions
        finals += [result[1 + d * per:1 + (d + 1) * per] for d in range(stack.directions)]
        built.append(layer)
    out, final = stack.run({k: v.astype(np.float64) for k, v in weights.items()},
                           xs.astype(np.float64))
    np.testing.assert_allclose(out, seq.transpose(1, 0, 2), rtol=0, atol=1e-6)
    for s, name in enumerate(stack.graph.states):
        expected = np.stack([states[s] for states in finals])
        np.testing.assert_allclose(final[name], expected, rtol=0, atol=1e-6)
    back = cellviz.import_weights(stack, [layer.get_weights() for layer in built], "keras")
    for name, w in weights.items():
        np.testing.assert_array_equal(back[name], w)


def test_keras_lists_of_the_wrong_form_are_refused() -> None:
    stack = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=2, bidirectional=True,
                          convention="keras")
    with pytest.raises(cellviz.EvaluationError, match=r"a list of 2 lists, each the "
                       r"Bidirectional layer's get_weights\(\) \(6 arrays\)"):
        cellviz.import_weights(stack, [[np.ones(1)] * 6], "keras")
