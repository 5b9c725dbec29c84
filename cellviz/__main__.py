"""``python -m cellviz``: the same command line as ``cellviz``."""

import sys

from .cli.app import entry

sys.exit(entry())
