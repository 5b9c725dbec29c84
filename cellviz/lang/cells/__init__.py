"""The built-in cells, a file each in the cell-file language: NAME.cell, NAME.CONVENTION.cell."""
