"""The Sphinx extension: ``extensions = ["cellviz.sphinx"]`` adds the ``cellviz`` and
``cellviz-params`` directives (``pip install cellviz[sphinx]``)."""

from .extension import setup

__all__ = ["setup"]
