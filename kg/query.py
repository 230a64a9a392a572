"""Running user SPARQL (CLI, app, endpoint): read-only, formatted, with a row cap and a time limit.

A user's query over an embedded graph runs in a worker process (``kg/query_worker.py``) that opens the store's graph
read-only, and streams rows back in batches. At the time limit (or when the caller gives up:
Ctrl-C, a client gone) the worker is killed, so a query with no early rows cannot run on, hold a
CPU or pile up memory; the rows read until then are kept. Workers are reused between queries and
started again after a kill. Over a graph server the query runs there: this process waits for its
answer up to the time limit (the HTTP read timeout), then reports it stopped.
"""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg import settings
from kg.errors import GraphTimeout, QueryError
from kg.sparql import check_read_only, format_rows
from kg.store.oxigraph import OxigraphStore

if TYPE_CHECKING:
    from kg.store.remote import RemoteGraph

IDLE_WORKERS = 8  # workers kept for reuse per graph (as many as clients a server meets at once)


@dataclass
class QueryResult:
    """A query's outcome: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Any] = field(default_factory=list)
    capped: bool = False
    timed_out: bool = False


class _Spawner:
    """Starts worker processes from one long-lived thread.

    A worker asks the kernel to kill it when its parent dies; Linux counts the *thread* that started
    it as the parent, so workers are never started by a request's short-lived thread.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[list[str], int, queue.Queue[Any]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self, command: list[str], fd: int) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kg-query-spawner", daemon=True)
                self._thread.start()
        reply: queue.Queue[Any] = queue.Queue()
        self._jobs.put((command, fd, reply))
        started = reply.get()
        if isinstance(started, BaseException):
            raise started
        return started

    def _run(self) -> None:
        while True:
            command, fd, reply = self._jobs.get()
            try:
                reply.put(
                    subprocess.Popen(
                        command,
                        pass_fds=(fd,),
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            except BaseException as exc:  # handed to the caller
                reply.put(exc)


_SPAWNER = _Spawner()


class Worker:
    """One worker process over one graph folder."""

    def __init__(self, path: Path) -> None:
        mine, theirs = socket.socketpair()
        with theirs:
            self.process = _SPAWNER.start(
                [sys.executable, "-m", "kg.query_worker", str(path), str(theirs.fileno())], theirs.fileno()
            )
        self.conn = Connection(mine.detach())

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)
        self.conn.close()

    def run(
        self, query: str, timeout: float, row_cap: int, cancelled: Callable[[], bool] | None = None
    ) -> tuple[QueryResult, bool]:
        """The result, and whether the worker can be reused (False when it was killed)."""
        deadline = time.monotonic() + timeout
        self.conn.send((query, row_cap))
        result = QueryResult(kind="select")
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or (cancelled is not None and cancelled()):
                result.timed_out = True
                self.kill()
                return result, False
            try:
                if not self.conn.poll(min(left, 0.2)):
                    continue
                kind, payload = self.conn.recv()
            except (EOFError, OSError):
                raise WorkerGone("the query stopped its worker process (out of memory?): narrow the query") from None
            if kind == "error":
                raise QueryError(payload)
            if kind == "ask":
                return QueryResult(kind="ask", boolean=payload), True
            if kind in {"select", "graph"}:
                result.kind, result.variables = kind, payload
            elif kind == "rows":
                (result.rows if result.kind == "select" else result.triples).extend(payload)
            elif kind == "end":
                result.capped = payload
                return result, True


class WorkerGone(QueryError):
    """The worker process died under a query."""


class WorkerPool:
    """Idle workers per graph folder, shared by the threads of a process."""

    def __init__(self) -> None:
        self._idle: dict[Path, list[Worker]] = {}
        self._lock = threading.Lock()

    def take(self, path: Path) -> Worker:
        with self._lock:
            idle = self._idle.get(path, [])
            while idle:
                worker = idle.pop()
                if worker.alive():
                    return worker
        return Worker(path)

    def give(self, path: Path, worker: Worker) -> None:
        with self._lock:
            idle = self._idle.setdefault(path, [])
            if len(idle) < IDLE_WORKERS:
                idle.append(worker)
                return
        worker.kill()


POOL = WorkerPool()


def execute(
    graph: OxigraphStore | RemoteGraph,
    query: str,
    *,
    timeout: float | None = None,
    row_cap: int | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> QueryResult:
    """Run a read-only query with a row cap and a time limit that holds.

    Args:
        graph: The store's graph.
        query: SPARQL (SELECT, ASK, CONSTRUCT or DESCRIBE).
        timeout: Seconds before the query is stopped (default: the ``sparql_timeout`` setting).
        row_cap: Most rows or triples returned (default: the ``sparql_row_cap`` setting).
        cancelled: Polled while waiting; True stops the query (a client that went away).

    Raises:
        QueryError: Malformed (with the parser's position), refused (not read-only), or failed.
    """
    timeout = float(settings.get("sparql_timeout")) if timeout is None else timeout
    row_cap = int(settings.get("sparql_row_cap")) if row_cap is None else row_cap
    check_read_only(query)
    if graph.path is None:  # an in-memory graph (tests) or a graph server
        try:
            return _in_process(graph, query, timeout, row_cap)
        except GraphTimeout:
            return QueryResult(kind="select", timed_out=True)
    worker = POOL.take(graph.path)
    try:
        result, reusable = worker.run(query, timeout, row_cap, cancelled)
    except WorkerGone:
        worker.kill()
        raise
    except QueryError:
        POOL.give(graph.path, worker)  # it answered with an error and waits for the next query
        raise
    except BaseException:
        worker.kill()  # Ctrl-C, or any other stop: the query must not run on
        raise
    if reusable:
        POOL.give(graph.path, worker)
    return result


def _in_process(graph: OxigraphStore | RemoteGraph, query: str, timeout: float, row_cap: int) -> QueryResult:
    """An in-memory graph (tests) or a graph server: the deadline is checked as rows arrive."""
    result = graph.query(query, timeout=timeout)
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(result))
    deadline = time.monotonic() + timeout
    solutions = isinstance(result, ox.QuerySolutions)
    out = QueryResult(
        kind="select" if solutions else "graph", variables=[v.value for v in result.variables] if solutions else []
    )
    for item in result:
        if len(out.rows) + len(out.triples) >= row_cap:
            out.capped = True
            break
        if time.monotonic() > deadline:
            out.timed_out = True
            break
        if solutions:
            out.rows.append([item[name] for name in out.variables])
        else:
            out.triples.append(item)
    return out


def run_query(graph: OxigraphStore | RemoteGraph, query: str, fmt: str = "table") -> str:
    """Execute and format a query for the terminal (`kg sparql`), under the same time limit.

    Raises:
        QueryError: The query is empty, malformed, refused, or ran past the time limit.
    """
    if not query.strip():
        raise QueryError("the query is empty: give a SPARQL query or - to read one from stdin")
    result = execute(graph, query, row_cap=10**9)
    if result.timed_out:
        limit = float(settings.get("sparql_timeout"))
        raise QueryError(
            f"the query ran past the {limit:g} s time limit and was stopped: narrow it or raise KG_SPARQL_TIMEOUT"
        )
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        return (ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8").rstrip("\n")
    return format_rows(result.variables, result.rows, fmt)
