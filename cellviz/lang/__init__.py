"""The cell-file language: tokens and syntax tree, lowering to a graph, the built-in cells."""
