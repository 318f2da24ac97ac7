"""Where wordvec writes: output targets, atomic writes, output locks, working folders.

Output targets (:func:`resolve_output`). A path to write is one of

* a regular file, or a path that does not exist yet: written atomically
  (:func:`atomic_write`). A symbolic link is followed and its *target* is
  replaced, so the link survives; the temporary file lies in the target's
  folder, so the final rename never crosses file systems.
* a character device (``/dev/null``, a terminal) or a FIFO: written straight
  through, as a stream (nothing to rename, nothing left behind).
* the process's own file descriptors: ``/dev/stdout``, ``/dev/stderr``,
  ``/dev/fd/N``, ``/proc/self/fd/N`` write to the open descriptor itself
  (``>> log`` keeps appending; nothing is truncated or replaced).

Anything else (a folder, a socket, a block device, a symlink loop) is refused
with a :class:`~wordvec.errors.ConfigError`. Streams are not seekable; writers
that need the position (the native zip format) get it from a byte counter.

Atomic writes go to ``.NAME.<pid>-<hex>.tmp`` beside the target, are flushed,
fsynced and renamed over it. On any exception the temporary file is removed,
even when closing it fails again (a full disk fails both the write and the
flush in ``close``). A process killed with SIGKILL cannot clean up; the next
write of the same target removes temporary files of dead processes.

Locks (:class:`OutputLock`): ``TARGET.lock`` holds the PID of the process
writing TARGET and an ``flock`` on it; a second process is refused, naming
the PID. The kernel drops the flock when a process dies, however it dies, so
a lock file left by a killed process is taken over (and the take-over logged).

Working folders (:func:`make_work_folder`): an encoded corpus lives in
``wordvec-work-<pid>-<random>`` under ``tmp_dir``, else ``$TMPDIR``, else the
system's temporary folder. It is removed when the corpus object goes away, on
exceptions (including SIGTERM turned into one by the CLI) and at interpreter
exit; a folder whose process died without cleaning up (SIGKILL, power loss) is
removed by the next process that makes a working folder in the same place.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import logging
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar

from wordvec.errors import ConfigError

logger = logging.getLogger("wordvec")

__all__ = [
    "OutputBusyError",
    "OutputLock",
    "lock_unless_held",
    "OutputTarget",
    "WORK_PREFIX",
    "atomic_write",
    "make_work_folder",
    "remove_work_folder",
    "resolve_output",
    "sweep_work_folders",
    "work_base",
]

_MAX_LINKS = 40  # as the kernel's limit on symbolic links followed in one lookup
_FD_PATH = re.compile(r"^/(?:dev/fd|proc/(?:self|thread-self|(\d+))/fd)/(\d+)$")
_STD_PATHS = {"/dev/stdout": 1, "/dev/stderr": 2}


# --------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class OutputTarget:
    """What writing to a path means.

    Attributes:
        kind: ``"file"`` (atomic write), ``"stream"`` (a character device or
            a FIFO, opened and written straight through) or ``"fd"`` (one of
            this process's open descriptors, written through a duplicate).
        path: the file to write: for ``"file"`` the symlink-resolved target,
            otherwise the path as given.
        fd: the descriptor for ``"fd"``, else None.
    """

    kind: str
    path: Path
    fd: int | None = None

    @property
    def is_file(self) -> bool:
        """True for a regular (or not yet existing) file, written atomically."""
        return self.kind == "file"


def _own_fd(path: str) -> int | None:
    """The descriptor a path names when it is one of this process's fd aliases."""
    if path in _STD_PATHS:
        return _STD_PATHS[path]
    m = _FD_PATH.match(path)
    if m is None or (m.group(1) is not None and int(m.group(1)) != os.getpid()):
        return None
    return int(m.group(2))


def _describe_mode(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def resolve_output(path: str | os.PathLike) -> OutputTarget:
    """Classify an output path (see the module doc); refuse what cannot be written.

    Raises:
        ConfigError: a folder, a socket, a block device, a symlink loop, or a
            path whose folder part is not a folder.
    """
    given = os.fspath(path)
    if not given:
        raise ConfigError("the output path is empty")
    # follow the link chain by hand: /dev/stdout -> /proc/self/fd/1 -> "pipe:[123]"
    # only means something as a descriptor, never as the path the kernel reports
    cur = os.path.abspath(given)
    for _ in range(_MAX_LINKS):
        fd = _own_fd(cur)
        if fd is not None:
            return OutputTarget("fd", Path(given), fd)
        try:
            link = os.readlink(cur)
        except OSError:
            break
        cur = os.path.normpath(os.path.join(os.path.dirname(cur), link))
    else:
        raise ConfigError(f"cannot write {given}: too many levels of symbolic links (a loop?)")
    try:
        st = os.stat(given)
    except FileNotFoundError:
        # a new file, or a dangling symlink: create its target
        return OutputTarget("file", Path(os.path.realpath(given)))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(f"cannot write {given}: symbolic link loop") from None
        if exc.errno == errno.ENOTDIR:
            raise ConfigError(f"cannot write {given}: part of the path is not a folder") from None
        raise ConfigError(f"cannot write {given}: {exc.strerror or exc}") from None
    mode = st.st_mode
    if stat.S_ISREG(mode):
        real = os.path.realpath(given)
        if real.startswith("/proc/"):  # a kernel file; renaming over it is meaningless
            return OutputTarget("stream", Path(given))
        return OutputTarget("file", Path(real))
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return OutputTarget("stream", Path(given))
    raise ConfigError(
        f"cannot write {given}: it is {_describe_mode(mode)}; wordvec writes regular files, "
        "character devices (/dev/null), FIFOs and standard output"
    )


# --------------------------------------------------------------------------- streams
class _Stream:
    """A write-only, non-seekable stream that counts the bytes written (for ``tell``).

    The native format's zip writer needs the position to align its arrays;
    a pipe or a device has none, and must not be seeked.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._pos = 0
        self.name = getattr(raw, "name", None)

    def write(self, data: Any) -> int:
        n = memoryview(data).nbytes
        self._raw.write(data)
        self._pos += n
        return n

    def tell(self) -> int:
        return self._pos

    def seek(self, *args: Any) -> int:
        raise io.UnsupportedOperation("this output is a stream and cannot seek")

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def flush(self) -> None:
        self._raw.flush()

    def fileno(self) -> int:
        return self._raw.fileno()

    @property
    def closed(self) -> bool:
        return self._raw.closed

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def _stream_write(target: OutputTarget, mode: str, encoding: str | None) -> Iterator[IO]:
    if target.fd is not None:
        if target.fd in (1, 2):  # keep the order of what Python already printed
            with contextlib.suppress(Exception):
                (sys.stdout if target.fd == 1 else sys.stderr).flush()
        fd = os.dup(target.fd)
    else:
        fd = os.open(target.path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    raw = os.fdopen(fd, "wb", buffering=1 << 20)
    f: Any = _Stream(raw) if mode == "wb" else io.TextIOWrapper(
        raw, encoding=encoding or "utf-8", newline="")
    try:
        yield f
        f.flush()
    except BaseException as exc:
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename is None:
            exc.filename = os.fspath(target.path)
        with contextlib.suppress(Exception):
            f.close()
        raise
    f.close()


# --------------------------------------------------------------------------- atomic writes
def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OSError:
        return True
    return True


def _sweep_temps(target: Path) -> None:
    """Remove ``.NAME.<pid>-<hex>.tmp`` files of dead processes beside ``target``."""
    pattern = re.compile(r"^\." + re.escape(target.name) + r"\.(\d+)-[0-9a-f]+\.tmp$")
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        m = pattern.match(entry.name)
        if m is None or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            size = entry.stat(follow_symlinks=False).st_size
            os.unlink(entry.path)
            logger.info("removed %s (%s), left by process %s, which is no longer running",
                        entry.path, _fmt_bytes(size), m.group(1))


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); silently skipped where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb",
                 encoding: str | None = None) -> Iterator[IO]:
    """Open ``path`` for writing so that it appears complete or not at all.

    For a regular file (or a new one) writes go to a temporary file in the
    target's folder; on leaving the block without an exception it is
    flushed, fsynced and renamed over the target (``os.replace``), keeping
    the old file's permission bits. A symbolic link is followed: its target
    is replaced and the link kept. On an exception the temporary file is
    removed and the target is untouched. Character devices, FIFOs and the
    process's own descriptors (``/dev/stdout``) are written straight through
    (see :func:`resolve_output`); other kinds of file are refused.
    ``mode`` is ``"wb"`` or ``"w"`` (text, UTF-8 by default).

    Example::

        with atomic_write("counts.json", "w") as f:
            json.dump(data, f)
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write mode must be 'wb' or 'w', got {mode!r}")
    target = resolve_output(path)
    if not target.is_file:
        with _stream_write(target, mode, encoding) as f:
            yield f
        return
    dest = target.path
    directory = dest.parent
    _sweep_temps(dest)
    tmp = directory / f".{dest.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        try:
            os.fchmod(fd, stat.S_IMODE(os.stat(dest).st_mode))
        except OSError:  # no old file (or a file system without modes)
            pass
        if mode == "wb":
            f: IO = os.fdopen(fd, "wb", buffering=1 << 20)
        else:
            f = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline="")
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    try:
        yield f
        f.flush()
        os.fsync(f.fileno())
        f.close()
        os.replace(tmp, dest)
    except BaseException as exc:
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename is None:
            exc.filename = os.fspath(path)  # "No space left on device" alone names no file
        try:
            # closing flushes what is buffered, which fails again on a full disk;
            # the descriptor is closed all the same, and the file must go either way
            f.close()
        except Exception:
            pass
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    _fsync_dir(directory)


# --------------------------------------------------------------------------- locks
class OutputBusyError(ConfigError):
    """Another process is writing the same output (it holds the lock file)."""


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class OutputLock:
    """An exclusive lock on an output file: ``TARGET.lock`` with the PID and an flock.

    Use as a context manager (or :meth:`acquire` / :meth:`release`). Paths
    that are not regular files (``/dev/null``, FIFOs, stdout) are not locked.
    Symbolic links are resolved first, so two runs writing one file through
    different links exclude each other.

    Raises:
        OutputBusyError: from :meth:`acquire`, when another live process holds it.
    """

    #: the lock files held by OutputLock objects of this process
    _mine: ClassVar[set[Path]] = set()

    def __init__(self, path: str | os.PathLike, what: str = "output") -> None:
        self.given = os.fspath(path)
        self.what = what
        target = resolve_output(path)
        self.path: Path | None = (target.path.with_name(target.path.name + ".lock")
                                  if target.is_file else None)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    @classmethod
    def held_here(cls, path: str | os.PathLike) -> bool:
        """True if an OutputLock of this process holds ``path``'s lock (the CLI's, when
        the API it calls would lock the same checkpoint)."""
        target = resolve_output(path)
        return target.is_file and target.path.with_name(target.path.name + ".lock") in cls._mine

    def acquire(self) -> OutputLock:
        """Take the lock, or raise :class:`OutputBusyError` naming the holder's PID."""
        if self.path is None or self._fd is not None:
            return self
        for _ in range(10):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = _read_pid(fd)
                os.close(fd)
                holder = f"process {pid}" if pid else "another process"
                raise OutputBusyError(
                    f"{self.given} is being written by another wordvec run ({holder}, lock "
                    f"file {self.path}); wait for it to finish or choose another {self.what}"
                ) from None
            except BaseException:
                os.close(fd)
                raise
            # the holder may have removed the file between our open and our flock:
            # then we hold a lock on a file nobody else will open; start again
            try:
                same = os.path.samestat(os.stat(self.path), os.fstat(fd))
            except OSError:
                same = False
            if not same:
                os.close(fd)
                continue
            old = _read_pid(fd)
            if old is not None and old != os.getpid():
                logger.info("took over the lock %s left by process %d, which no longer "
                            "holds it", self.path, old)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            self._fd = fd
            OutputLock._mine.add(self.path)
            return self
        raise OutputBusyError(f"cannot lock {self.path}: it keeps being replaced")

    def release(self) -> None:
        """Remove the lock file and drop the lock (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is None or self.path is None:
            return
        OutputLock._mine.discard(self.path)
        try:
            if os.path.samestat(os.stat(self.path), os.fstat(fd)):
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_unless_held(path: str | os.PathLike, what: str) -> OutputLock | None:
    """Lock ``path`` for a run that writes it again and again (a checkpoint).

    Returns the held lock, or None when this process holds it already (the
    CLI's lock around the API) or when no lock file can be made there (an
    unwritable folder: the writes themselves will say so).

    Raises:
        OutputBusyError: another live process holds it.
    """
    if OutputLock.held_here(path):
        return None
    try:
        return OutputLock(path, what).acquire()
    except OSError:
        return None


# --------------------------------------------------------------------------- working folders
#: Working folders are named ``WORK_PREFIX + "<pid>-<random>"``.
WORK_PREFIX = "wordvec-work-"
_WORK_NAME = re.compile(r"^" + re.escape(WORK_PREFIX) + r"(\d+)-[A-Za-z0-9_]+$")
_OWNER = ".owner"  # in each working folder: the PID, flocked while the folder is in use
_held_work: dict[str, int] = {}  # working folder -> the descriptor holding its flock


def _fmt_bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


def _folder_size(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def work_base(tmp_dir: str | os.PathLike | None = None) -> Path:
    """The folder working folders go in: ``tmp_dir``, else ``$TMPDIR``, else the system's.

    Raises:
        ConfigError: the folder does not exist or is not a folder.
    """
    if tmp_dir is not None and os.fspath(tmp_dir):
        base, origin = Path(tmp_dir), "tmp_dir"
    elif os.environ.get("TMPDIR"):
        base, origin = Path(os.environ["TMPDIR"]), "TMPDIR"
    else:
        return Path(tempfile.gettempdir())
    if not base.exists():
        raise ConfigError(f"the folder for working files ({origin}={base}) does not exist")
    if not base.is_dir():
        raise ConfigError(f"the folder for working files ({origin}={base}) is not a folder")
    return base


def sweep_work_folders(base: str | os.PathLike) -> list[Path]:
    """Remove working folders in ``base`` left by processes that are no longer running.

    A folder is removed only when its PID is not a live process *and* no
    process holds the flock on its ``.owner`` file. Each removal is logged.
    Returns the folders removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    me = os.getpid()
    for entry in entries:
        m = _WORK_NAME.match(entry.name)
        if m is None or not entry.is_dir(follow_symlinks=False):
            continue
        pid = int(m.group(1))
        if pid == me or _pid_alive(pid):
            continue
        fd = None
        try:
            fd = os.open(os.path.join(entry.path, _OWNER), os.O_RDONLY)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # alive after all (in another PID namespace, say)
            os.close(fd)  # type: ignore[arg-type]
            continue
        except OSError:
            pass  # no owner file: the process died before making it
        try:
            size = _folder_size(entry.path)
            shutil.rmtree(entry.path)
        except OSError as exc:
            logger.warning("cannot remove the stale working folder %s: %s", entry.path,
                           exc.strerror or exc)
            continue
        finally:
            if fd is not None:
                os.close(fd)
        logger.info("removed the stale working folder %s (%s), left by process %d, which "
                    "is no longer running", entry.path, _fmt_bytes(size), pid)
        removed.append(Path(entry.path))
    return removed


def make_work_folder(tmp_dir: str | os.PathLike | None = None) -> Path:
    """Create this process's working folder under :func:`work_base` and say where it is.

    Stale folders of dead processes in the same place are swept first. The
    folder is marked as in use (an flock on its ``.owner`` file) until
    :func:`remove_work_folder`.
    """
    base = work_base(tmp_dir)
    sweep_work_folders(base)
    try:
        path = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=base))
    except OSError as exc:
        raise ConfigError(f"cannot create a working folder in {base}: "
                          f"{exc.strerror or exc}") from None
    fd = os.open(path / _OWNER, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, f"{os.getpid()}\n".encode())
    _held_work[str(path)] = fd
    logger.info("working files in %s (removed at the end; set TMPDIR or tmp_dir= "
                "to put them elsewhere)", path)
    return path


def remove_work_folder(path: str | os.PathLike) -> None:
    """Delete a working folder made by :func:`make_work_folder` (errors ignored)."""
    shutil.rmtree(path, ignore_errors=True)
    fd = _held_work.pop(os.fspath(path), None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
