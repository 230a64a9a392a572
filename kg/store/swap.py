"""Build a store beside the old one, then swap it in atomically.

On Linux the two folders are exchanged in one ``renameat2(RENAME_EXCHANGE)`` call, so a reader sees
either the old store or the new one. Elsewhere two renames are used, and ``recover`` puts the old
store back if a crash fell between them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_dir(target: Path) -> Path:
    """A fresh empty folder beside ``target`` to build the new store in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False when the platform cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def swap_in(staged: Path, target: Path) -> None:
    """Make ``staged`` the store at ``target``; the previous store (if any) is removed afterwards."""
    recover(target)
    if not target.exists():
        os.replace(staged, target)
        return
    if _exchange(staged, target):
        shutil.rmtree(staged, ignore_errors=True)  # `staged` now holds the old store
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    os.replace(staged, target)
    shutil.rmtree(old, ignore_errors=True)


def recover(target: Path) -> None:
    """Put the previous store back if a crash left only its ``.old`` copy."""
    old = target.with_name(f".{target.name}.old")
    if not target.exists() and old.exists():
        log.warning("restoring the previous store from %s", old)
        os.replace(old, target)


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)
