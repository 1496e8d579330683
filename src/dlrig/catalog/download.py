"""Downloading an archive for ``dlrig catalog update``: http(s) only, bounded in time and
size, to a file that exists only if the whole download succeeded.

Before this module ``urllib`` fetched whatever ``--url`` named (``file://`` included,
with a five-line error when it failed), had no size limit, and a ``--timeout`` of -1 or
NaN ended in a traceback. Now:

- the URL must be ``http://`` or ``https://`` with a host (``check_url``);
- ``timeout`` is the longest wait for the server to connect or send more data, a finite
  number of seconds above 0;
- a failed connection, a timeout, a cut-off body or an HTTP 408/429/5xx answer is tried
  again ``retries`` times (0.5 s, 1 s, 2 s ... apart); other HTTP errors, an HTML page
  (a login wall or an error page served with 200) and a body over
  ``LIMITS['archive']`` are not;
- the body goes to a temporary file beside the target, renamed over it only when
  complete: a failed download leaves no file.

Every failure is one ``NetworkError`` line (``InputError`` for a bad URL or timeout).
The URL, timeout and retry checks are ``dlrig.sources.http``'s, shared with the other
commands that download.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from ..errors import NetworkError
from ..files import LIMITS, MB
from ..sources.http import NOT_CHANGED as _NOT_CHANGED
from ..sources.http import RETRY_STATUS as _RETRY_STATUS
from ..sources.http import check_retries, check_timeout, check_url
from .records import shown

BACKOFF_S = 0.5


class _Retry(Exception):  # noqa: N818 - an outcome: this try failed, the next may not
    def __init__(self, error: NetworkError):
        self.error = error


def download(url: str, target: str | Path, timeout: float, *, retries: int = 2,
             limit: int | None = None) -> Path:
    """Fetch ``url`` to ``target`` (see the module docstring); returns ``target``."""
    url, timeout, retries = check_url(url), check_timeout(timeout), check_retries(retries)
    try:
        import httpx
    except ImportError:  # a dev dependency today; see pyproject.toml
        raise NetworkError("downloading needs the httpx package",
                           hint="pip install httpx; " + _NOT_CHANGED) from None
    cap = LIMITS["archive"] if limit is None else limit
    target = Path(target)
    last: NetworkError | None = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(BACKOFF_S * 2 ** (attempt - 1))
        try:
            _fetch(httpx, url, target, timeout, cap)
            return target
        except _Retry as e:
            last = e.error
    assert last is not None
    tries = f" (after {retries + 1} tries)" if retries else ""
    raise NetworkError(last.message + tries, hint=last.hint)


def _fetch(httpx, url: str, target: Path, timeout: float, cap: int) -> None:
    """One try: the body to a temporary file renamed over ``target`` when complete."""
    shown_url = shown(url, 120)

    def fail(why: str, hint: str = "check the address or the connection", retry: bool = False):
        err = NetworkError(f"download failed: {shown_url}: {why}", hint=f"{hint}; {_NOT_CHANGED}")
        return _Retry(err) if retry else err

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f, httpx.Client(
                timeout=httpx.Timeout(timeout), follow_redirects=True, max_redirects=5) as client, \
                client.stream("GET", url) as r:
            if r.status_code != 200:
                reason = f"HTTP {r.status_code} {shown(r.reason_phrase or '', 60)}".strip()
                raise fail(reason, retry=r.status_code in _RETRY_STATUS)
            ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype in ("text/html", "application/xhtml+xml"):
                raise fail("the server sent a web page, not an archive",
                           hint="check the address: it must name the .tar.gz itself")
            size = r.headers.get("content-length", "")
            if size.isdigit() and int(size) > cap:
                raise fail(f"the archive is {int(size) / MB:,.0f} MB, more than the "
                           f"{cap / MB:,.0f} MB dlrig reads", hint="check the address")
            got = 0
            for chunk in r.iter_bytes(1 << 20):
                got += len(chunk)
                if got > cap:
                    raise fail(f"more than the {cap / MB:,.0f} MB dlrig reads",
                               hint="check the address")
                f.write(chunk)
        os.replace(tmp, target)
    except httpx.TimeoutException:
        raise fail(f"no answer within {timeout:g} s", hint="try a larger --timeout",
                   retry=True) from None
    except httpx.UnsupportedProtocol as e:  # a redirect to ftp:// or file://
        raise fail(_why(e)) from None
    except (httpx.TransportError, httpx.DecodingError) as e:
        raise fail(_why(e), retry=True) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as e:
        raise fail(_why(e)) from None
    except OSError as e:
        raise fail(f"cannot write the download: {e.strerror or e}",
                   hint="check free space in the temporary folder") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def _why(e: Exception) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return shown(text, 160)
