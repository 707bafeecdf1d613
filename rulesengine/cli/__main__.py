"""``python -m rulesengine.cli``: the command line, as the console script runs it."""

from . import main

main()
