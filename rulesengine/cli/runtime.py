"""The exit-code contract at the edge of the command line, whatever happens inside.

Every command exits with one of:

* 0 clean, 1 findings at or above ``--fail-on``, 2 invalid input or usage, or an
  input or output path that cannot be read or written (standard output included);
* 3 an internal error: a short message asks for a bug report, and the traceback is
  shown only with ``--debug`` or ``RULESENGINE_DEBUG=1``;
* 130 interrupted (Ctrl-C at any moment, imports included), without a traceback;
* 141 quietly, when the reader of standard output went away (``rulesengine … | head``),
  as for any program stopped by a closed pipe.

Standard output that cannot encode a character (``PYTHONIOENCODING=ascii``) gets a
backslash escape instead of an error; standard output that is closed (``>&-``) or
full (``>/dev/full``) is an error on standard error, exit 2.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

DEBUG_ENV = "RULESENGINE_DEBUG"


def _say(text: str) -> None:
    """Write a line to standard error if at all possible; never raises."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


def _interrupted_now(signum: int, frame: Any) -> None:
    """Ctrl-C when unwinding is not wanted (start-up, a second Ctrl-C, exiting)."""
    try:
        os.write(2, b"interrupted\n")
    except OSError:
        pass
    os._exit(EXIT_INTERRUPTED)


def _interrupt(signum: int, frame: Any) -> None:
    """The first Ctrl-C unwinds (temporary files are removed); a second one ends at once."""
    signal.signal(signal.SIGINT, _interrupted_now)
    raise KeyboardInterrupt


def guard_startup() -> None:
    """End the process with 130 on Ctrl-C while the command line is still importing.

    Only when this process is the command line itself, so that importing the module
    elsewhere (tests, notebooks) leaves their Ctrl-C alone.
    """
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if name.startswith("rulesengine") or name == "cli.py":
        try:
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                signal.signal(signal.SIGINT, _interrupted_now)
        except ValueError:  # not the main thread
            pass


class OutputError(Exception):
    """Writing to standard output failed; carries the OS error."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _ClosedStream:
    """Standard output when the process started with it closed."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


class _GuardedStream:
    """Standard output whose write errors are told apart from every other OSError."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except OSError as exc:
            raise OutputError(exc) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise OutputError(exc) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _QuietStream:
    """Standard error that drops what it cannot write: there is nowhere left to report it."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except OSError:
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError:
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _plug(fd: int) -> None:
    """Point ``fd`` at the null device (a closed descriptor is not reused by accident)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    except OSError:
        pass


def prepare_streams() -> None:
    """Escape what the terminal cannot encode; guard standard output."""
    if sys.stderr is None:
        _plug(2)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            try:
                reconfigure(errors="backslashreplace")
            except (OSError, ValueError):
                pass
    if sys.stderr is not None and not isinstance(sys.stderr, _QuietStream):
        sys.stderr = _QuietStream(sys.stderr)  # type: ignore[assignment]
    if sys.stdout is None:
        _plug(1)
        sys.stdout = _GuardedStream(_ClosedStream())  # type: ignore[assignment]
    elif not isinstance(sys.stdout, _GuardedStream):
        sys.stdout = _GuardedStream(sys.stdout)  # type: ignore[assignment]


def _output_failed(exc: OutputError) -> int:
    _plug(1)  # nothing buffered may fail again when the interpreter exits
    if exc.error.errno == errno.EPIPE:
        return EXIT_BROKEN_PIPE
    reason = exc.error.strerror or str(exc.error)
    _say(f"error: cannot write to standard output: {reason}")
    return EXIT_INVALID


def debug_wanted(flag: bool) -> bool:
    return flag or os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _internal_error(exc: BaseException, debug: bool) -> int:
    if debug:
        try:
            traceback.print_exception(exc, file=sys.stderr)
        except (OSError, ValueError):
            pass
    detail = str(exc).splitlines()[0] if str(exc) else ""
    _say(f"error: internal error: {type(exc).__name__}" + (f": {detail}" if detail else ""))
    _say(
        "  help: this is a bug in rulesengine; please report it with the command you ran"
        + ("" if debug else f" and the traceback that `--debug` (or {DEBUG_ENV}=1) shows")
    )
    return EXIT_INTERNAL


def _usage_error(exc: Any) -> int:
    try:
        from typer import rich_utils

        rich_utils.rich_format_error(exc)  # as typer itself shows it (the help is already out)
    except Exception:
        _say(f"error: {exc}")
    return EXIT_INVALID


def _is_usage_error(exc: BaseException) -> bool:
    return hasattr(exc, "format_message") and hasattr(exc, "show") and hasattr(exc, "exit_code")


def _invoke(app: Callable[..., Any], debug: Callable[[], bool]) -> int:
    import typer

    try:
        rv = app(standalone_mode=False)
        code = rv if isinstance(rv, int) and not isinstance(rv, bool) else 0
    except OutputError as exc:
        return _output_failed(exc)
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        code = EXIT_INTERRUPTED
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            _say(f"error: {exc.code}")
            code = EXIT_INVALID
    except Exception as exc:
        if _is_usage_error(exc):
            return _usage_error(exc)
        diagnostic = getattr(exc, "diagnostic", None)
        if diagnostic is not None:  # the rules ask more than the analysis budget: say where
            _say(f"{diagnostic.location}: error[{diagnostic.code}] {diagnostic.message}")
            _say(f"  help: {diagnostic.help}")
            return EXIT_INVALID
        if isinstance(exc.__context__, OutputError):
            return _output_failed(exc.__context__)
        return _internal_error(exc, debug_wanted(debug()))
    try:
        sys.stdout.flush()
    except OutputError as exc:
        return _output_failed(exc)
    return code


def run(app: Callable[..., Any], debug: Callable[[], bool]) -> NoReturn:
    """Run the command line and end the process with the contract's code; never a traceback."""
    code = EXIT_INTERRUPTED
    try:
        try:
            signal.signal(signal.SIGINT, _interrupt)
        except ValueError:  # not the main thread
            pass
        prepare_streams()
        code = _invoke(app, debug)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except OutputError as exc:
        code = _output_failed(exc)
    try:
        signal.signal(signal.SIGINT, _interrupted_now)
    except ValueError:
        pass
    if code == EXIT_INTERRUPTED:
        _say("interrupted")
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OutputError, OSError, ValueError):
            pass
    # End here: the interpreter's teardown would only free the model object by object,
    # and it resets Ctrl-C to the default, which would end the process without a code.
    os._exit(code)
