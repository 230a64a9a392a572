"""The SPARQL worker process: `python -m kg.query_worker GRAPH FD` answers queries sent on the socket FD.

Started by :class:`kg.query.Worker` as a plain child process (not by multiprocessing's spawn, which
re-runs the parent's main script, e.g. the Streamlit app, in the child). It imports only pyoxigraph,
asks the kernel to kill it when its parent dies, and streams each result in batches; the parent kills
it at the time limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import sys
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

BATCH = 256  # rows sent at a time
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the closed socket still ends the loop
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def serve(path: str, conn: Connection) -> None:
    """Answer (query, row cap) messages from ``conn`` over the graph at ``path`` until it closes."""
    store = ox.Store.read_only(path)
    while True:
        try:
            query, row_cap = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = store.query(query, use_default_graph_as_union=True)
            if isinstance(result, ox.QueryBoolean):
                conn.send(("ask", bool(result)))
                continue
            solutions = isinstance(result, ox.QuerySolutions)
            names = [v.value for v in result.variables] if isinstance(result, ox.QuerySolutions) else []
            conn.send(("select" if solutions else "graph", names))
            batch: list[Any] = []
            capped = False
            for count, item in enumerate(result):
                if count >= row_cap:
                    capped = True
                    break
                batch.append([item[n] for n in names] if solutions else item)
                if len(batch) >= BATCH:
                    conn.send(("rows", batch))
                    batch = []
            conn.send(("rows", batch))
            conn.send(("end", capped))
        except SyntaxError as exc:
            conn.send(("error", f"SPARQL syntax error: {exc}"))
        except (OSError, ValueError) as exc:
            conn.send(("error", f"the query failed: {exc}"))


if __name__ == "__main__":
    _die_with_parent()
    serve(sys.argv[1], Connection(int(sys.argv[2])))
