"""Editors and flake8 hand us decoded text; init-lint's API wants the file's bytes.

Encoding the text as UTF-8 is wrong for a file that declares another encoding
(`# -*- coding: latin-1 -*-`): check_source honors the cookie, decodes the UTF-8 bytes as
latin-1, and every column after a non-ASCII character shifts.  So the text goes back into the
encoding it declares.
"""

from __future__ import annotations

import io
import re
import tokenize

#: Python's line ends (str.splitlines also splits at form feeds and other separators, which
#: would shift line numbers against the parser's)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def encode_as_declared(text: str) -> tuple[bytes, str]:
    """The text's bytes in its declared encoding (UTF-8 when none, or when it cannot be honored), and that encoding."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        if encoding in ("utf-8", "utf-8-sig"):
            return data, "utf-8"
        return text.encode(encoding), encoding
    except (SyntaxError, LookupError, UnicodeError):
        return data, "utf-8"


def split_lines(text: str) -> list:
    """Lines with their ends kept, split where Python's tokenizer splits them; "".join() gives the text back."""
    return _LINE.findall(text)
