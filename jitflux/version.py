"""The version of jitflux, here so that any module can read it without importing the whole
library (`jitflux/__init__.py` imports everything)."""

__version__ = "0.1.0"
