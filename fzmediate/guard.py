"""The top-level guard of every entry point: one clear line for the user, never a traceback on the screen.

:func:`run_guarded` runs a command and turns whatever escapes it into an exit code:

- :class:`~fzmediate.errors.FzError`: its localized message on one line, the error's exit code (1 refused,
  2 usage);
- ``SystemExit`` (argparse's ``--help`` and usage errors): its code;
- ``BrokenPipeError`` (the output went into ``| head``, which stopped reading): standard output is pointed at
  the null device, as the Python documentation advises ("Note on SIGPIPE"), so that the interpreter's final
  flush does not complain either; exit 1 without a word (the reader is gone, and the output was cut short);
- ``KeyboardInterrupt``: one short line, exit 130 (128 + SIGINT, as shells report it);
- anything else: one localized line, exit 1. The log file gets the exception's type and the stack frames,
  not the exception's text (it may quote the input, and so a person's name), and the log handler masks
  ID numbers and phones in what remains (:class:`~fzmediate.security.masking.PiiRedactingFilter`).

Every line printed goes through :func:`one_line`: line breaks become spaces and non-printable characters
(ANSI escapes, direction controls, lone surrogates) are shown as ``\\uXXXX``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from fzmediate.errors import FzError
from fzmediate.i18n import _
from fzmediate.jsonsafe import escape_text

log = logging.getLogger(__name__)

EXIT_REFUSED = 1
EXIT_INTERRUPTED = 130
#: Longest error line printed (a longer one is cut with "…").
MAX_LINE = 2_000


def one_line(text: str) -> str:
    """``text`` as one printable line."""
    return escape_text(" ".join(text.splitlines()), limit=MAX_LINE)


def say(text: str) -> None:
    """Print one line on standard error; a closed standard error is not an error of ours."""
    with contextlib.suppress(OSError, ValueError):
        print(one_line(text), file=sys.stderr, flush=True)


def silence_stdout() -> None:
    """Point standard output at the null device (after a broken pipe), so nothing more fails on it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (a test's capture): nothing will flush into a closed pipe


def log_unexpected(exc: BaseException, log_dir: Path | None, *, level: int = logging.ERROR) -> None:
    """Log ``exc``'s type and stack frames, without its text, to the log file of ``log_dir``.

    The record carries ``exc_info`` (handlers and tests see what happened) with its ``exc_text`` set in
    advance to the frames alone, so no formatter ever writes the exception's message. Nothing is logged
    when no log handler exists: the root logger's last-resort handler would print it on the screen.
    """
    if log_dir is not None:
        from fzmediate.logsetup import configure_logging

        with contextlib.suppress(OSError):
            configure_logging(log_dir)
    if not logging.getLogger().handlers:
        return
    frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
    name = type(exc).__qualname__
    record = log.makeRecord(log.name, level, __file__, 0, "unexpected %s", (name,), (type(exc), exc, exc.__traceback__))
    record.exc_text = "Traceback (most recent call last):\n{0}\n{1} (message not logged)".format(frames, name)
    log.handle(record)


def run_guarded(
    command: Callable[[], int],
    *,
    log_dir: Callable[[], Path | None],
    on_unexpected: Callable[[], None] | None = None,
) -> int:
    """Run ``command`` and return its exit code, whatever it raises (see the module docstring).

    ``log_dir`` is asked for the log folder only when an unexpected error must be logged;
    ``on_unexpected`` (the desk's crash dialog) runs after the line was printed.
    """
    try:
        code = command()
        sys.stdout.flush()  # a broken pipe shows here, inside the guard
        return code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_REFUSED)
    except FzError as exc:
        say(_("fzmediate: {message}").format(message=exc.message))
        return exc.exit_code
    except BrokenPipeError:
        silence_stdout()
        return EXIT_REFUSED
    except KeyboardInterrupt:
        say(_("fzmediate: interrupted; nothing more was changed."))
        return EXIT_INTERRUPTED
    except Exception as exc:
        with contextlib.suppress(Exception):  # the line below must be printed whatever logging does
            log_unexpected(exc, _safe(log_dir))
        say(_("fzmediate: unexpected internal error; the details were logged without personal data."))
        if on_unexpected is not None:
            with contextlib.suppress(Exception):  # a failing dialog must not end in a traceback
                on_unexpected()
        return EXIT_REFUSED


def _safe(log_dir: Callable[[], Path | None]) -> Path | None:
    try:
        return log_dir()
    except Exception:  # no log folder is better than a traceback
        return None
