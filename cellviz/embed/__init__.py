"""Figures and tables embedded in documents: what Sphinx, Markdown and Jupyter share."""
