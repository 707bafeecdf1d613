"""The ``rulesengine`` command line: a thin shell over the library, on top of everything.

``main`` is the console script; ``app`` is the Typer application the tests drive.
"""

from .app import app, main

__all__ = ["app", "main"]
