"""The kiosk's thermal printer (ESC/POS): the serial printer, its simulated twin, the ticket.

python-escpos reads its printer database when it is imported: from a pickle in
$ESCPOS_CAPABILITIES_PICKLE_DIR, or else from the database itself, pickled into a temporary
folder it makes at every import (even with the variable set) and leaves behind: a folder and
70 KB a process, for every print worker the server starts. So escpos is imported here once,
its temporary folder made inside one that is removed afterwards, and the pickle kept in one
folder per user, published whole, so that workers starting together never read half of one.
"""
import getpass
import hashlib
import importlib.util
import os
import platform
import shutil
import tempfile
from pathlib import Path

PICKLE_DIR = "ESCPOS_CAPABILITIES_PICKLE_DIR"
PICKLE = f"{platform.python_version()}.capabilities.pickle"


def _shared_dir() -> Path:
    """The pickle's folder, one per installed printer database: escpos rewrites a pickle older
    than its database in place, which a process reading it meanwhile would see half written."""
    database = Path(importlib.util.find_spec("escpos").origin).with_name("capabilities.json")
    stamp = hashlib.sha256(f"{database}:{database.stat().st_mtime_ns}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"hall-escpos-{getpass.getuser()}-{stamp}"


def _import_escpos() -> None:
    shared = _shared_dir()
    given = PICKLE_DIR in os.environ
    if not given and (shared / PICKLE).exists():
        os.environ[PICKLE_DIR] = str(shared)
    with tempfile.TemporaryDirectory(prefix="hall-escpos-") as scratch:
        saved, tempfile.tempdir = tempfile.tempdir, scratch
        try:
            import escpos.capabilities  # noqa: F401
        finally:
            tempfile.tempdir = saved
        if PICKLE_DIR in os.environ:
            return
        try:  # the first import: publish the pickle it made
            shared.mkdir(exist_ok=True)
            partial = shared / f"{PICKLE}.{os.getpid()}"
            shutil.copyfile(next(Path(scratch).glob(f"*/{PICKLE}")), partial)
            partial.replace(shared / PICKLE)
        except (OSError, StopIteration):  # not ours to write: later imports read the database
            pass


_import_escpos()
