"""`camera count FILE...` and `camera qr FILE...` (../shared/CONTRACT.md, Cameras): one JSON
line per file, an error line for a file that cannot be read, a non-zero exit at the end if
any could not."""
import json
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from . import qr
from .detect import DEFAULT, count_in_area, detector


def count_files(paths: list[str], out: TextIO) -> int:
    """`{"file", "people"}` per picture: the people the default detector finds in all of it."""
    people = detector(DEFAULT)
    return _each(paths, out, "people", lambda data: count_in_area(people, qr.read_picture(data), None))


def qr_files(paths: list[str], out: TextIO) -> int:
    """`{"file", "payload"}` per picture: the QR code's text, or null if it holds none."""
    return _each(paths, out, "payload", qr.decode_bytes)


def _each(paths: list[str], out: TextIO, key: str, result: Callable[[bytes], object]) -> int:
    """Write one line per file; 0 if every file was read, else 1."""
    failed = False
    for path in paths:
        try:
            line = {"file": path, key: result(Path(path).read_bytes())}
        except OSError as exc:
            failed, line = True, {"file": path, "error": exc.strerror or str(exc)}
        except qr.NotAnImage as exc:
            failed, line = True, {"file": path, "error": str(exc)}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if failed else 0
