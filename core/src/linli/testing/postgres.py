"""Throwaway PostgreSQL clusters for tests and benchmarks.

``temporary_postgres()`` finds the server binaries (``/usr/lib/postgresql/*/bin``,
highest version first, then ``PATH``), runs ``initdb`` into a fresh temporary
directory, starts the server bound to ``127.0.0.1`` only on a free port (unix
socket inside the temporary directory, ``fsync=off``, ``max_connections=200``,
``trust`` authentication), creates the ``linli_test`` database and yields a
:class:`PostgresServer` whose ``url`` is ``postgresql://postgres@127.0.0.1:PORT/linli_test``.
On exit the server is stopped with ``pg_ctl stop -m immediate`` and the
directory deleted.

PostgreSQL refuses to run as root, so as root every server command runs as the
``postgres`` system user (``linli-pg`` is created when that user is missing)
through ``runuser -u USER --``, and the temporary directory is handed to it.

This module imports neither pytest nor (until a database is created) asyncpg.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from linli.testing.databases import create_database

__all__ = [
    "PostgresBinaries",
    "PostgresNotFoundError",
    "PostgresServer",
    "find_binaries",
    "temporary_postgres",
]

SUPERUSER = "postgres"
DEFAULT_DATABASE = "linli_test"
DEBIAN_SYSTEM_USER = "postgres"  # created by the Debian package
FALLBACK_SYSTEM_USER = "linli-pg"  # created here (useradd) when the Debian user is absent
DEBIAN_GLOB = "/usr/lib/postgresql/*/bin"
START_TIMEOUT_SECONDS = 60
MAX_IDENTIFIER_LENGTH = 63


class PostgresNotFoundError(RuntimeError):
    """No PostgreSQL server binaries (``initdb`` and ``pg_ctl``) could be found."""


@dataclass(frozen=True)
class PostgresBinaries:
    """A directory holding ``initdb``, ``pg_ctl`` and ``postgres``."""

    bindir: Path

    def tool(self, name: str) -> str:
        """Return the absolute path of one of the server programs."""
        return str(self.bindir / name)

    @property
    def version(self) -> str:
        """Return the server version, e.g. ``"15.18"``."""
        out = subprocess.run(
            [self.tool("pg_ctl"), "--version"], capture_output=True, text=True, check=True
        ).stdout
        match = re.search(r"(\d+(?:\.\d+)*)", out)
        return match.group(1) if match else out.strip()


def _version_key(bindir: str) -> tuple[int, ...]:
    name = Path(bindir).parent.name  # /usr/lib/postgresql/<version>/bin
    try:
        return tuple(int(part) for part in name.split("."))
    except ValueError:
        return (-1,)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_binaries() -> PostgresBinaries | None:
    """Find the PostgreSQL server programs, or return ``None``.

    Debian's versioned directories come first, newest version first; then
    ``initdb`` on ``PATH`` (resolving symlinks, so a ``/usr/local/bin/initdb``
    link to a Debian directory is fine as long as ``pg_ctl`` sits beside it).
    """
    for bindir in sorted(glob.glob(DEBIAN_GLOB), key=_version_key, reverse=True):
        path = Path(bindir)
        if all(_is_executable(path / tool) for tool in ("initdb", "pg_ctl", "postgres")):
            return PostgresBinaries(path)
    initdb = shutil.which("initdb")
    if initdb is not None:
        path = Path(initdb).resolve().parent
        if _is_executable(path / "pg_ctl") and _is_executable(path / "postgres"):
            return PostgresBinaries(path)
    return None


# -- running commands as the right user ------------------------------------------------------


def _server_user() -> pwd.struct_passwd | None:
    """Return the user the server must run as, or ``None`` to run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in (DEBIAN_SYSTEM_USER, FALLBACK_SYSTEM_USER):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    subprocess.run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            FALLBACK_SYSTEM_USER,
        ],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(FALLBACK_SYSTEM_USER)


def _as_user(user: pwd.struct_passwd | None, argv: list[str]) -> list[str]:
    if user is None:
        return argv
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", user.pw_name, "--", *argv]


def _run(
    user: pwd.struct_passwd | None, argv: list[str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_user(user, argv),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _temp_parent(user: pwd.struct_passwd | None) -> str | None:
    """Pick a parent for the cluster directory that the server user can reach."""
    parent = Path(tempfile.gettempdir()).resolve()
    if user is None:
        return None
    for directory in (parent, *parent.parents):
        if not directory.stat().st_mode & 0o001:  # not traversable by "others"
            return "/tmp"
    return str(parent)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# -- the server --------------------------------------------------------------------------------


@dataclass
class PostgresServer:
    """A running throwaway cluster."""

    host: str
    port: int
    database: str
    version: str
    directory: Path
    startup_seconds: float
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    @property
    def url(self) -> str:
        """URL of the database created at startup (``linli_test``)."""
        return self.database_url(self.database)

    @property
    def admin_url(self) -> str:
        """URL of the maintenance database ``postgres``."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        """URL of database ``name`` on this server."""
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{name}"

    def new_database(self, hint: str = "db") -> str:
        """Create a fresh, empty database and return its URL.

        ``hint`` (a test name, say) is folded into the database name so a
        leftover database can be traced back to its test.
        """
        slug = re.sub(r"[^a-z0-9]+", "_", hint.lower()).strip("_") or "db"
        name = f"t{next(self._names):04d}_{slug}"[:MAX_IDENTIFIER_LENGTH]
        return create_database(self.admin_url, name)


def _initdb(binaries: PostgresBinaries, user: pwd.struct_passwd | None, tmp: Path) -> None:
    data = tmp / "data"
    failures = []
    # C.UTF-8 keeps sorting byte-wise but makes lower()/upper()/ILIKE work beyond ASCII.
    for locale_args in (["--locale=C.UTF-8"], ["--no-locale"]):
        argv = [
            binaries.tool("initdb"),
            "--pgdata",
            str(data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            *locale_args,
            "--no-sync",
        ]
        result = _run(user, argv, cwd=tmp)
        if result.returncode == 0:
            return
        failures.append(f"$ {' '.join(argv)}\n{result.stdout}{result.stderr}")
        shutil.rmtree(data, ignore_errors=True)
    raise RuntimeError("initdb failed:\n" + "\n".join(failures))


def _configure(tmp: Path, extra: Mapping[str, str] | None = None) -> None:
    settings = {
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{tmp / 'socket'}'",
        "max_connections": "200",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "wal_level": "minimal",
        "max_wal_senders": "0",
        "timezone": "'UTC'",
        "log_timezone": "'UTC'",
        "logging_collector": "off",
        "log_min_messages": "warning",
        **(extra or {}),
    }
    lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
    with (tmp / "data" / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n# linli test cluster\n" + lines)


def _start(binaries: PostgresBinaries, user: pwd.struct_passwd | None, tmp: Path) -> int:
    """Start the server on a free port; retry if another process grabs the port first."""
    errors = []
    for _attempt in range(5):
        port = _free_port()
        log = tmp / f"postgres-{port}.log"
        argv = [
            binaries.tool("pg_ctl"),
            "--pgdata",
            str(tmp / "data"),
            "--log",
            str(log),
            "--wait",
            "--timeout",
            str(START_TIMEOUT_SECONDS),
            "--options",
            f"-p {port}",
            "start",
        ]
        result = _run(user, argv, cwd=tmp, timeout=START_TIMEOUT_SECONDS + 30)
        if result.returncode == 0:
            return port
        errors.append(f"port {port}: {result.stdout}{result.stderr}\n{_tail(log)}")
        if "already in use" not in _tail(log):
            break
    raise RuntimeError("could not start PostgreSQL:\n" + "\n".join(errors))


def _stop(binaries: PostgresBinaries, user: pwd.struct_passwd | None, tmp: Path) -> None:
    data = tmp / "data"
    result = _run(
        user,
        [binaries.tool("pg_ctl"), "--pgdata", str(data), "--mode", "immediate", "--wait", "stop"],
        cwd=tmp,
        timeout=60,
    )
    if result.returncode == 0:
        return
    # pg_ctl could not stop it (or it was never running): kill the postmaster if it exists.
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGQUIT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def temporary_postgres(
    database: str = DEFAULT_DATABASE, settings: Mapping[str, str] | None = None
) -> Iterator[PostgresServer]:
    """Run a throwaway PostgreSQL cluster for the duration of the ``with`` block.

    ``settings`` are more ``postgresql.conf`` lines, values written as the file wants them
    (``{"shared_preload_libraries": "'pg_stat_statements'"}``); they win over the defaults.

    Raises :class:`PostgresNotFoundError` when no server binaries are installed.
    """
    binaries = find_binaries()
    if binaries is None:
        raise PostgresNotFoundError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found in "
            f"{DEBIAN_GLOB} or on PATH; run `bash scripts/install-test-deps.sh`"
        )
    started = time.monotonic()
    user = _server_user()
    tmp = Path(tempfile.mkdtemp(prefix="linli-pg-", dir=_temp_parent(user)))
    running = False
    try:
        (tmp / "socket").mkdir()
        if user is not None:
            for path in (tmp, tmp / "socket"):
                os.chown(path, user.pw_uid, user.pw_gid)
        _initdb(binaries, user, tmp)
        _configure(tmp, settings)
        running = True  # from here on, always try to stop it
        port = _start(binaries, user, tmp)
        server = PostgresServer(
            host="127.0.0.1",
            port=port,
            database=database,
            version=binaries.version,
            directory=tmp,
            startup_seconds=0.0,
        )
        create_database(server.admin_url, database)
        server.startup_seconds = time.monotonic() - started
        yield server
    finally:
        if running:
            _stop(binaries, user, tmp)
        shutil.rmtree(tmp, ignore_errors=True)
