"""The command line: ``cellviz render | params | eval | list | gallery | walkthrough``."""

from .app import entry, main

__all__ = ["entry", "main"]
