"""Run the rulesengine command line from a checkout: ``python cli.py validate``.

The same Typer app as the installed ``rulesengine`` console script.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rulesengine.cli import main

if __name__ == "__main__":
    main()
