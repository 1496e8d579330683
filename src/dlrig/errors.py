"""Every exception dlrig raises on purpose.

Each message names what is wrong and how to fix it, in one line, so the CLI
and the web layer can show it as is (no traceback). Expected outcomes such as
"no build fits the budget" are *statuses*, not exceptions.

Messages speak the library's language (``budget``, ``power limit``), never a
front end's (``--budget``, a form field): ``field`` names the request
parameter an error is about, so the CLI can name its option and the web can
put the message beside its input; ``code`` names the kind of failure where a
caller must tell kinds apart. Nothing branches on message text.

Messages echo what the user gave (a part name, a file's value), so the message and hint are
cleaned here (``dlrig.text.clean``): one line, control characters shown as escapes (an
escape sequence in a build's part name cannot reach the terminal through an error), and
at most ``MAX_MESSAGE`` characters (a 10 MB name is not echoed whole).
"""

from __future__ import annotations

from .text import clean

MAX_MESSAGE = 2000  # characters of a message (a list of every bad row fits), and of a hint


class DlrigError(Exception):
    """Base class: a one-line, user-facing message; ``exit_code`` for the CLI."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None, field: str | None = None,
                 code: str | None = None):
        self.message = clean(str(message), limit=MAX_MESSAGE)
        self.hint = None if hint is None else clean(str(hint), limit=MAX_MESSAGE)
        self.field = field  # the request parameter at fault ("budget", "power_limit", ...)
        self.code = code  # the kind of failure, where callers tell kinds apart
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(DlrigError):
    """Bad user input: a file, a value, an option."""


class BuildFileError(InputError):
    """A build file that cannot be read or validated."""


class UnknownPartError(InputError):
    """A part reference that matches no catalog part, or several."""

    def __init__(self, ref: str, candidates: list[str], *, ambiguous: bool = False, where: str = "",
                 field: str | None = None):
        self.ref = ref
        self.candidates = candidates
        self.ambiguous = ambiguous
        prefix = f"{where}: " if where else ""
        if ambiguous:
            msg = f"{prefix}part '{ref}' is ambiguous"
            hint = "use one of the ids: " + ", ".join(candidates[:5])
        else:
            msg = f"{prefix}unknown part '{ref}'"
            hint = (
                "closest matches: " + ", ".join(candidates[:5])
                if candidates
                else "no catalog part has a similar name"
            )
        super().__init__(msg, hint=hint, field=field,
                         code="ambiguous_part" if ambiguous else "unknown_part")


class CatalogError(InputError):
    """Catalog data that does not validate (built-in or imported)."""


class MarketError(InputError):
    """Unknown market, currency or missing exchange rate."""


class PriceListError(InputError):
    """A store price list that cannot be imported."""


class DatabaseError(DlrigError):
    """The local SQLite database cannot be opened or migrated."""


class NetworkError(DlrigError):
    """A download failed; nothing was changed (the network or the server failed, not the
    input: exit code 1)."""

    exit_code = 1


class BenchError(DlrigError):
    """A measurement failed."""

    exit_code = 1
