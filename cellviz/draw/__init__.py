"""Figures: layout by Graphviz dot, glyphs, the positioned scene, themes, and the SVG writer."""
