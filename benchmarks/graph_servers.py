"""Real SPARQL servers on free 127.0.0.1 ports, for the remote-graph tests and `make bench`.

``oxigraph serve`` (the ``oxigraph`` test dependency, found beside the Python running) and OpenLink
Virtuoso (``virtuoso-t`` from the Debian package ``virtuoso-opensource``; ``make virtuoso-deps``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 60.0) -> None:
    """Wait until ``url`` answers HTTP (any status)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start within {seconds:g} s")


@dataclass
class GraphServer:
    """A SPARQL server started by a test."""

    query: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
CaseMode = 2
StopCompilerWhenXOverRunTime = 1
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def start_oxigraph(location: Path) -> GraphServer:
    """``oxigraph serve`` over the database folder ``location`` on a free port."""
    port = free_port()
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = GraphServer(f"http://127.0.0.1:{port}/query", process)
    try:
        wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", 30)
    except RuntimeError:
        server.stop()
        raise
    return server


def start_virtuoso(folder: Path, seconds: float = 120.0) -> GraphServer:
    """Virtuoso with a new database in ``folder`` on free ports (user ``dba``, password ``dba``).

    Its query endpoint is ``/sparql-auth`` (digest login), so notes-kg may write.

    Raises:
        FileNotFoundError: ``virtuoso-t`` is not installed.
        RuntimeError: It did not start within ``seconds``.
    """
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise FileNotFoundError("virtuoso-t is not installed (Debian package virtuoso-opensource: make virtuoso-deps)")
    folder.mkdir(parents=True, exist_ok=True)
    http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=folder, sql_port=free_port(), http_port=http_port), encoding="utf-8")
    process = subprocess.Popen(
        [binary, "+configfile", str(ini), "+foreground"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = GraphServer(f"http://127.0.0.1:{http_port}/sparql-auth", process)
    try:
        wait_for(f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D", seconds)
    except RuntimeError:
        server.stop()
        raise
    return server
