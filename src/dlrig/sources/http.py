"""Fetching from the network: http(s) only, bounded in time and size, one line on failure.

Shared by every command that downloads (``catalog update`` through
``dlrig.catalog.download``, ``rates update`` through ``get_json``):

- the URL must be ``http://`` or ``https://`` with a host (``check_url``);
- ``timeout`` is the longest wait for the server to connect or send more data, a finite
  number of seconds above 0 (``check_timeout``); ``retries`` a whole number 0-10;
- a failed connection, a timeout, a cut-off body or an HTTP 408/429/5xx answer is tried
  again ``retries`` times (0.5 s, 1 s, 2 s ... apart); other HTTP errors, an HTML page
  (an error page or a login wall served with 200) and a body over the cap are not.

``get_json`` reads a JSON answer into memory (a rates service answers a few hundred KB):
numbers with a fraction come back as ``Decimal`` (an exchange rate of 1445.5 stays
1445.5, not a binary approximation), and NaN or Infinity, which JSON does not have, are
refused. Every failure is one ``NetworkError`` line (exit code 1); a bad URL, timeout or
retry count is an ``InputError`` (exit code 2).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from ..errors import InputError, NetworkError
from ..files import MB
from ..text import clean

BACKOFF_S = 0.5
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
NOT_CHANGED = "the database was not changed"
_URL_HINT = ("dlrig downloads over http:// or https:// only; to import a file you have, use "
             "'dlrig catalog import open-db FILE'")


def _shown(value: str, limit: int) -> str:
    """A URL or server text as a message quotes it (escaped, one line, short)."""
    from ..catalog.records import shown

    return shown(value, limit)


class _Retry(Exception):  # noqa: N818 - an outcome: this try failed, the next may not
    def __init__(self, error: NetworkError):
        self.error = error


def check_url(url: str, hint: str = _URL_HINT) -> str:
    """``url`` if it is an http(s) address with a host; else one line (field ``url``)."""
    text = (url or "").strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InputError(f"URL '{_shown(text, 120)}' holds control characters",
                         hint="give an http:// or https:// address", field="url")
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise InputError(f"'{_shown(text, 120)}' is not a URL",
                         hint="give an http:// or https:// address", field="url") from None
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"a {parts.scheme}:// address" if parts.scheme else "no http(s) address"
        raise InputError(f"'{_shown(text, 120)}' is {scheme}", hint=hint, field="url")
    if not host:
        raise InputError(f"'{_shown(text, 120)}' names no host",
                         hint="e.g. https://github.com/...", field="url")
    return text


def check_timeout(timeout: float) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) \
            or not math.isfinite(timeout) or timeout <= 0:
        raise InputError(f"timeout must be a finite number of seconds above 0 (got {timeout})",
                         hint="e.g. 60", field="timeout")
    return float(timeout)


def check_retries(retries: int) -> int:
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 10:
        raise InputError(f"retries must be a whole number from 0 to 10 (got {retries})",
                         field="retries")
    return retries


def _httpx(what: str):
    try:
        import httpx
    except ImportError:
        raise NetworkError(f"{what}: downloading needs the httpx package",
                           hint="pip install httpx; " + NOT_CHANGED) from None
    return httpx


def with_retries(retries: int, attempt: Callable[[], Any]) -> Any:
    """``attempt()``, tried again after a ``_Retry`` (0.5 s, 1 s, 2 s ... apart) at most
    ``retries`` times; the last failure is raised with how many tries it took."""
    last: NetworkError | None = None
    for n in range(retries + 1):
        if n:
            time.sleep(BACKOFF_S * 2 ** (n - 1))
        try:
            return attempt()
        except _Retry as e:
            last = e.error
    assert last is not None
    tries = f" (after {retries + 1} tries)" if retries else ""
    raise NetworkError(last.message + tries, hint=last.hint)


def stream(httpx, url: str, timeout: float, cap: int, what: str, expect: str,
           write: Callable[[bytes], Any], page_hint: str) -> None:
    """One try: the body of ``url`` handed to ``write`` chunk by chunk, at most ``cap``
    bytes; a failure is ``_Retry`` (worth another try) or one ``NetworkError`` line.
    ``expect`` names what was wanted ("JSON", "an archive") for the web-page refusal."""
    shown_url = _shown(url, 120)

    def fail(why: str, hint: str = "check the address or the connection", retry: bool = False):
        err = NetworkError(f"{what}: {shown_url}: {why}", hint=f"{hint}; {NOT_CHANGED}")
        return _Retry(err) if retry else err

    try:
        with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True,
                          max_redirects=5) as client, client.stream("GET", url) as r:
            if r.status_code != 200:
                reason = f"HTTP {r.status_code} {_shown(r.reason_phrase or '', 60)}".strip()
                raise fail(reason, retry=r.status_code in RETRY_STATUS)
            ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype in ("text/html", "application/xhtml+xml"):
                raise fail(f"the server sent a web page, not {expect}", hint=page_hint)
            size = r.headers.get("content-length", "")
            if size.isdigit() and int(size) > cap:
                raise fail(f"the answer is {int(size) / MB:,.1f} MB, more than the "
                           f"{cap / MB:,.0f} MB dlrig reads", hint="check the address")
            got = 0
            for chunk in r.iter_bytes(1 << 16):
                got += len(chunk)
                if got > cap:
                    raise fail(f"more than the {cap / MB:,.0f} MB dlrig reads",
                               hint="check the address")
                write(chunk)
    except httpx.TimeoutException:
        raise fail(f"no answer within {timeout:g} s", hint="try a larger timeout",
                   retry=True) from None
    except httpx.UnsupportedProtocol as e:  # a redirect to ftp:// or file://
        raise fail(_why(e)) from None
    except (httpx.TransportError, httpx.DecodingError) as e:  # refused, reset, cut off
        raise fail(_why(e), retry=True) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as e:
        raise fail(_why(e)) from None


def get_json(url: str, timeout: float, *, retries: int = 2, limit: int = 16 * MB,
             what: str = "download") -> Any:
    """The JSON value at ``url`` (see the module docstring); ``what`` starts every error
    line ("rates update: dolarapi")."""
    url, timeout, retries = check_url(url), check_timeout(timeout), check_retries(retries)
    httpx = _httpx(what)

    def attempt() -> bytes:
        chunks: list[bytes] = []
        stream(httpx, url, timeout, limit, what, "JSON", chunks.append,
               "check the address: it must name the API's address")
        return b"".join(chunks)

    body = with_retries(retries, attempt)
    return parse_json(body, f"{what}: {_shown(url, 120)}")


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def parse_json(body: bytes, where: str) -> Any:
    """``body`` as JSON (UTF-8), fractions as ``Decimal``; else one ``NetworkError`` line
    that says what came instead (a web page, a cut-off answer)."""
    head = body[:200].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        raise NetworkError(f"{where}: the server sent a web page, not JSON",
                           hint=f"check the address: it must name the API's address; {NOT_CHANGED}")
    try:
        text = body.decode("utf-8-sig")
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except UnicodeDecodeError:
        why = "the answer is not UTF-8 text"
    except RecursionError:
        why = "the answer nests too deep to be an API's answer"
    except ValueError as e:  # json.JSONDecodeError, NaN/Infinity
        msg = getattr(e, "msg", None) or str(e)
        pos = getattr(e, "pos", None)
        end = text.rstrip()
        cut = (pos is not None and pos >= len(end)) or not end.endswith(("]", "}"))
        why = ("the answer is cut off (incomplete JSON)" if cut
               else f"the answer is not valid JSON ({clean(msg, limit=80)}"
                    + (f" at character {pos}" if pos is not None else "") + ")")
    raise NetworkError(f"{where}: {why}", hint=f"try again later or check the address; {NOT_CHANGED}")


def _why(e: Exception) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return _shown(text, 160)
