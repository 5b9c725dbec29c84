"""HTML outputs built from figures: the step-through page and the gallery."""
