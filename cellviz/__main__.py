"""``python -m cellviz``: the same command line as ``cellviz``."""

import sys

from .cli import entry

sys.exit(entry())
