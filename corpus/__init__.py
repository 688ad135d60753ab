"""The corpus of real npm apps: transparency and verdict checks (see corpus/README.md)."""
