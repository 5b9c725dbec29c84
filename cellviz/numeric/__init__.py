"""The evaluator: a compiled plan of numpy operations, weight checks, weight files and layouts."""
