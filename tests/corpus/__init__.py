"""A fast subset of the corpus (corpus/README.md): real npm apps traced, answers and verdicts."""
