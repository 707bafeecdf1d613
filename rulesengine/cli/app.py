"""The ``rulesengine`` command line: a thin shell over the library.

Each command parses its arguments, calls the library, prints and exits with the
contract's code: 0 clean, 1 findings at or above ``--fail-on``, 2 invalid
configuration, unreadable input or usage error; :mod:`.runtime` adds 3 for an
internal error and 130 for Ctrl-C, whatever happens inside.
"""

from __future__ import annotations

import gc
import sys
from typing import Annotated

from . import runtime

runtime.guard_startup()  # Ctrl-C while the imports below run still exits 130

import typer  # noqa: E402

app = typer.Typer(
    name="rulesengine",
    help="Responsibility and workflow rules for customer-service centres: validate, check, simulate, explain, draw.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        sys.stdout.write(f"rulesengine {__version__}\n")
        raise typer.Exit(0)


_DEBUG = {"on": False}


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the traceback of an internal error (also: RULESENGINE_DEBUG=1)."),
    ] = False,
) -> None:
    """Responsibility and workflow rules for customer-service centres."""
    _DEBUG["on"] = debug


from .audit import audit_command  # noqa: E402
from .check import check, validate  # noqa: E402
from .diff import diff  # noqa: E402
from .log import verify_log_command  # noqa: E402
from .render import render  # noqa: E402
from .rules import rules  # noqa: E402
from .scenarios import test_  # noqa: E402
from .schema import schema  # noqa: E402
from .views import explain, matrix, simulate  # noqa: E402

# Registered in the order ``--help`` lists them.
app.command()(validate)
app.command()(schema)
app.command()(check)
app.command()(simulate)
app.command()(explain)
app.command("test")(test_)
app.command()(rules)
app.command()(render)
app.command()(matrix)
app.command()(diff)
app.command("verify-log")(verify_log_command)
app.command("audit")(audit_command)


def main() -> None:
    """Console-script entry point."""
    # A command is one short batch job that builds a large, long-lived and acyclic
    # model; the cyclic garbage collector would only rescan it again and again (a
    # third of the run time on large organisations).  The process ends right after.
    gc.disable()
    # exit codes 0/1/2, 3 for an internal error, 130 on Ctrl-C: see runtime.py
    runtime.run(app, lambda: _DEBUG["on"])

