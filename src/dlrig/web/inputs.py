"""Turning what a person pastes or uploads into the library's objects.

Uploaded file names are only ever shown, never used as paths: ``safe_name``
keeps the last component, printable characters only. Text is decoded as
UTF-8 or refused with a message; builds are read by ``dlrig.build``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# One reader for uploads and ``dlrig check``: wrong types, deep nesting, control characters
# and row limits give the same one-line message here as there, never a 500.
from ..build import Build, build_from_text
from ..catalog import Catalog
from ..errors import BuildFileError

MAX_NAME = 100


def safe_name(filename: str | None, default: str = "upload") -> str:
    """The base name of an uploaded file, for messages only ('../../etc/passwd' -> 'passwd')."""
    if not filename:
        return default
    base = PurePosixPath(filename.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ()+]", "_", base).strip(" .")
    return base[:MAX_NAME] or default


def decode_text(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise BuildFileError(f"{name}: this is a binary file, not text",
                             hint="upload a TOML build file or a PCPartPicker list saved as text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BuildFileError(f"{name}: not a UTF-8 text file", hint="save it as UTF-8") from None


async def build_from_form(raw, form, catalog: Catalog) -> tuple[Build | None, str]:
    """The build in a submitted form: an uploaded ``build_file`` or pasted ``parts``.

    Problems go into ``form.errors`` beside the field that held them; the
    pasted text is returned so the form can show it again.
    """
    from starlette.datastructures import UploadFile

    from ..errors import DlrigError
    from .forms import MAX_TEXT

    text = form.text("parts", "", MAX_TEXT)
    upload = raw.get("build_file")
    has_file = isinstance(upload, UploadFile) and bool(upload.filename)
    try:
        if has_file:
            name = safe_name(upload.filename, "build file")
            data = await upload.read()
            if not data:
                form.errors["build_file"] = f"{name} is empty"
                return None, text
            return build_from_text(decode_text(data, name), catalog, name, paths=False), text
        if text:
            return build_from_text(text, catalog, "part list", paths=False), text
        form.errors["parts"] = "paste a part list, or choose a build file below"
    except DlrigError as e:
        form.errors["build_file" if has_file else "parts"] = e.one_line()
    return None, text
