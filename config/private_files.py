"""Private files and directories: everything e-surat keeps under its data directory (the SQLite
database, uploaded KTP/KK images, issued letters, seal keys, the CA) holds personal data or secrets,
so it is written 0600 in 0700 directories whatever the process umask (a umask only removes bits;
an explicit chmod sets them exactly, also on files and directories left by an older version)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """`path` as a directory with mode 0700; the directories created on the way get 0700 too.

    Existing ancestors are left as they are (the data directory may live in /srv or /tmp)."""
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):  # created meanwhile by another process
            os.mkdir(d, DIR_MODE)
        os.chmod(d, DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def make_private(path: Path) -> None:
    """Set an existing file to 0600 (nothing when it does not exist)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, FILE_MODE)


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (its directory must exist); either way it
    ends 0600 (e.g. the SQLite file before SQLite opens it: its -wal and -shm files then take its mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    os.chmod(path, FILE_MODE)


def write_private(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `path` atomically (a temporary file renamed over it) with mode 0600 in a 0700 directory;
    `durable`: flushed to the disk before the rename."""
    private_dir(path.parent)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.part")  # named like the file: a leftover is found with it
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), FILE_MODE)
            f.write(data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
