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
The checks, the retries and the streaming are ``dlrig.sources.http``'s, shared with the
other commands that download (this module adds the temporary file and the rename).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import NetworkError
from ..files import LIMITS
from ..sources import http
from ..sources.http import check_retries, check_timeout, check_url
from .records import shown


def download(url: str, target: str | Path, timeout: float, *, retries: int = 2,
             limit: int | None = None) -> Path:
    """Fetch ``url`` to ``target`` (see the module docstring); returns ``target``."""
    url, timeout, retries = check_url(url), check_timeout(timeout), check_retries(retries)
    what = "download failed"
    httpx = http._httpx(what)
    cap = LIMITS["archive"] if limit is None else limit
    target = Path(target)

    def attempt() -> Path:
        """One try: the body to a temporary file renamed over ``target`` when complete."""
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                   dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                http.stream(httpx, url, timeout, cap, what, "an archive", f.write,
                            "check the address: it must name the .tar.gz itself")
            os.replace(tmp, target)
            return target
        except OSError as e:
            raise NetworkError(f"{what}: {shown(url, 120)}: cannot write the download: "
                               f"{e.strerror or e}",
                               hint=f"check free space in the temporary folder; "
                                    f"{http.NOT_CHANGED}") from None
        finally:
            Path(tmp).unlink(missing_ok=True)

    return http.with_retries(retries, attempt)


def _why(e: Exception) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return shown(text, 160)
