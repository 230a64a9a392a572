"""The `kg` command line.

    kg ingest [PATH ...] [--store DIR]       build the store (default: the bundled notes)
    kg ingest --add PATH ... [--store DIR]   add notes files to a store (same names replace)
    kg remove SOURCE ... [--store DIR]        remove notes files from a store
    kg ask QUESTION|- [--json] [--store DIR]  answer from the notes, citing lines
    kg facts --json [--store DIR]             services, limits, relations, comparisons
    kg conflicts [--json] [--store DIR]       facts the notes state two ways, each statement cited
    kg sparql QUERY|- [--format table|json|csv]
    kg serve [--host 127.0.0.1] [--port N]    SPARQL 1.1 Protocol endpoint, read-only
    kg export --format turtle|nt|nq|jsonld
    kg stats                                  counts per class and per source
    kg app [--port 8501]                      the Streamlit app
    kg settings                               the settings table

Every command but `settings` takes ``--graph URL``: the graph on a SPARQL 1.1 server (see kg/store/graphs.py).

Errors print one line on stderr and exit non-zero; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kg import __version__, settings
from kg.errors import KGError, StoreError

log = logging.getLogger("kg")

EXIT_ERROR = 1
EXIT_INTERNAL = 2


def _store_path(args: argparse.Namespace) -> Path:
    return Path(args.store or settings.get("store"))


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", metavar="DIR", help="store folder (default: $KG_STORE, else .kg-store/)", default=None
    )
    parser.add_argument(
        "--graph",
        metavar="URL",
        default=None,
        help="SPARQL query endpoint of the graph server keeping the graph (default: $KG_GRAPH, else where the "
        "store keeps it; `embedded`: in the store folder); credentials only from KG_GRAPH_USER/_PASSWORD/_TOKEN",
    )


def _open_store(args: argparse.Namespace) -> Any:
    from kg.store import KnowledgeStore

    return KnowledgeStore(_store_path(args), args.graph)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg", description="Turn study notes into a knowledge graph you can question, citing note lines."
    )
    parser.add_argument("--version", action="version", version=f"notes-kg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ingest = sub.add_parser("ingest", help="parse notes, extract facts, build the graph and indexes")
    ingest.add_argument("paths", nargs="*", metavar="PATH", help="notes files or folders (default: bundled notes)")
    _add_store(ingest)
    ingest.add_argument("--if-changed", action="store_true", help="skip when the store was built from these files")
    ingest.add_argument(
        "--add", action="store_true", help="add PATH files to the store's notes (or replace the ones of their name)"
    )
    ingest.add_argument("--quiet", action="store_true", help="no progress bars")

    remove = sub.add_parser("remove", help="remove notes files from a store (the rest rebuilt as ingested)")
    remove.add_argument("sources", nargs="+", metavar="SOURCE", help="a notes file as the store names it")
    _add_store(remove)
    remove.add_argument("--quiet", action="store_true", help="no progress bars")

    ask = sub.add_parser("ask", help="answer a question from the notes, citing lines")
    ask.add_argument("question", help="the question, or - to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print the JSON object of the contract")
    _add_store(ask)

    facts = sub.add_parser("facts", help="services, limits, relations and comparisons, read back by SPARQL")
    facts.add_argument("--json", action="store_true", help="print JSON (the default prints a summary)")
    _add_store(facts)

    conflicts = sub.add_parser("conflicts", help="facts the notes state two ways, with both citations")
    conflicts.add_argument("--json", action="store_true", help="print the JSON list of the contract")
    _add_store(conflicts)

    sparql = sub.add_parser("sparql", help="run a read-only SPARQL query")
    sparql.add_argument("query", help="the query, or - to read it from stdin")
    sparql.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _add_store(sparql)

    serve = sub.add_parser("serve", help="serve the graph over the SPARQL 1.1 Protocol (read-only)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=7878)
    serve.add_argument("--cors", default="", metavar="ORIGIN", help="let browsers on ORIGIN read answers (e.g. *)")
    _add_store(serve)

    export = sub.add_parser("export", help="write the whole graph in an RDF format")
    export.add_argument("--format", choices=("turtle", "nt", "nq", "jsonld"), default="turtle")
    export.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    _add_store(export)

    stats = sub.add_parser("stats", help="counts per class and per source")
    stats.add_argument("--json", action="store_true")
    _add_store(stats)

    app = sub.add_parser("app", help="open the Streamlit app on 127.0.0.1")
    app.add_argument("--port", type=int, default=None, help="port (default: $STREAMLIT_SERVER_PORT, else 8501)")
    _add_store(app)

    sub.add_parser("settings", help="list the settings and their environment variables")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if args.command is None:
        parser.print_help()
        return 0
    handler = COMMANDS[args.command]
    try:
        return handler(args) or 0
    except KGError as exc:
        if args.debug:
            raise
        print(f"kg: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"kg: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    def wrap(items: Iterable[Any], total: int, label: str) -> Iterable[Any]:
        if quiet:
            return items
        from tqdm import tqdm

        return tqdm(
            items,
            total=total,
            desc=f"{label:<8}",
            unit=" items",
            file=sys.stderr,
            leave=False,
            mininterval=0.5,
            disable=not sys.stderr.isatty(),
        )

    return wrap


def cmd_ingest(args: argparse.Namespace) -> int:
    from kg.store.freshness import default_paths, is_up_to_date
    from kg.store.graphs import check_graph_server

    store = _store_path(args)
    check_graph_server(args.graph, store)  # a bad URL or a server down: said before the models load
    if args.add:
        from kg.store.edits import edit_store

        if not args.paths:
            raise StoreError("`kg ingest --add` needs the notes files or folders to add")
        return _built(store, edit_store(store, add=args.paths, progress=_progress(args.quiet), graph=args.graph), args)
    paths = args.paths or default_paths()
    if args.if_changed and is_up_to_date(paths, store, args.graph):
        print(f"{store}: up to date")
        return 0
    from kg.builder import build_store  # spaCy and the model load only when something is built

    return _built(store, build_store(paths, store, progress=_progress(args.quiet), graph=args.graph), args)


def cmd_remove(args: argparse.Namespace) -> int:
    from kg.store.edits import edit_store

    store = _store_path(args)
    return _built(store, edit_store(store, remove=args.sources, progress=_progress(args.quiet), graph=args.graph), args)


def _built(store: Path, manifest: Any, args: argparse.Namespace) -> int:
    """Say what an ingest built."""
    counts = manifest.counts
    if not args.quiet:
        print(
            f"parsed {counts['documents']} file(s): {counts['lines']} lines, "
            f"{counts['sections']} sections, {counts['blocks']} blocks",
            file=sys.stderr,
        )
    timing = ", ".join(f"{k} {v:.1f}s" for k, v in manifest.timings.items())
    print(
        f"{store}: {counts['documents']} document(s), {counts['services']} services, "
        f"{counts['components']} components, "
        f"{counts['limits']} limits, {counts['relations']} relations, {counts['comparisons']} comparisons, "
        f"{counts['passages']} passages, {counts['triples']} triples{_where(manifest.graph, counts)} ({timing})"
    )
    return 0


def _where(graph: dict[str, Any], counts: dict[str, int]) -> str:
    if not graph:
        return ""
    return (
        f" on {graph['server']['query']} ({counts.get('graphs_written', 0)} of {len(graph['graphs'])} graphs written)"
    )


def cmd_ask(args: argparse.Namespace) -> int:
    from kg.errors import QueryError
    from kg.qa.engine import Engine

    limit = int(settings.get("max_question_chars"))
    if args.question != "-" and len(args.question) > limit:
        raise QueryError(
            f"the question is {len(args.question)} characters, over the {limit} allowed (KG_MAX_QUESTION_CHARS)"
        )
    engine = Engine(_open_store(args))
    if args.question == "-":
        _ask_stream(engine, limit)
        return 0
    answer = engine.ask(args.question)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        print(terminal_safe(answer.to_text()))
    return 0


def _ask_stream(engine: Any, limit: int, batch: int = 16) -> None:
    """One JSON object per question line of stdin, written as answers come, in constant memory.

    A line that is not UTF-8 or is too long gets ``{"line": n, "error": ...}`` in its place.
    """
    pending: list[tuple[int, str]] = []

    def flush() -> None:
        if pending:
            for answer in engine.ask_many([q for _, q in pending]):
                print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
            pending.clear()

    for number, raw in enumerate(sys.stdin.buffer, 1):
        try:
            question = raw.decode("utf-8").strip()
        except UnicodeDecodeError as exc:
            flush()
            error = f"line {number} is not valid UTF-8 (byte {exc.start + 1}): re-save the questions as UTF-8"
            print(json.dumps({"line": number, "error": error}), flush=True)
            continue
        if not question:
            continue
        if len(question) > limit:
            flush()
            error = f"line {number} is {len(question)} characters, over the {limit} allowed (KG_MAX_QUESTION_CHARS)"
            print(json.dumps({"line": number, "error": error}), flush=True)
            continue
        pending.append((number, question))
        if len(pending) >= batch:
            flush()
    flush()


CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters (terminal escapes from notes: ESC ]0;, ESC [2J) shown as ``^[``-style marks.

    >>> terminal_safe("a\x1b[2Jb")
    'a^[[2Jb'
    """
    return CONTROL_RE.sub(lambda m: "^" + chr((ord(m.group(0)) + 64) % 128) if ord(m.group(0)) < 128 else "?", text)


def cmd_facts(args: argparse.Namespace) -> int:
    from kg import facts

    store = _open_store(args)
    document = facts.all_facts(store.graph)
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=2, default=str))
    else:
        for kind, rows in document.items():
            print(f"{kind}: {len(rows)}")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from kg.conflicts import conflicts_json, find_conflicts, store_view
    from kg.store import KnowledgeStore

    store = KnowledgeStore(_store_path(args))
    found = find_conflicts(store_view(store))
    if args.json:
        print(json.dumps(conflicts_json(found), ensure_ascii=False, indent=2))
    elif not found:
        print("No contradictions found: no two statements of the notes give one fact two ways.")
    else:
        print(terminal_safe("\n\n".join(conflict.to_text() for conflict in found)))
        print(f"\n{len(found)} contradiction(s), surest first.")
    return 0


def cmd_sparql(args: argparse.Namespace) -> int:
    from kg.query import run_query

    query = sys.stdin.read() if args.query == "-" else args.query
    store = _open_store(args)
    print(run_query(store.graph, query, args.format))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.server import serve

    store = _open_store(args)
    serve(store, host=args.host, port=args.port, cors=args.cors)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kg.export import export_graph

    store = _open_store(args)
    data = export_graph(store.graph, args.format)
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from kg.stats import graph_stats, render_stats

    store = _open_store(args)
    stats = graph_stats(store)
    print(json.dumps(stats, indent=2) if args.json else render_stats(stats))
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    import subprocess

    from kg.store import KnowledgeStore

    store = _store_path(args)
    KnowledgeStore(store, args.graph)  # fail early, with a clear message, when there is no store
    serve = Path(__file__).resolve().parent.parent / "app" / "serve.py"  # loads the model while the server starts
    env = dict(os.environ, KG_STORE=str(store.resolve()))
    if args.graph is not None:
        env["KG_GRAPH"] = args.graph
    command = [sys.executable, str(serve)]
    env.setdefault("STREAMLIT_SERVER_ADDRESS", "127.0.0.1")
    env.setdefault("STREAMLIT_SERVER_HEADLESS", "true")
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    if args.port is not None:
        env["STREAMLIT_SERVER_PORT"] = str(args.port)
    env.setdefault("STREAMLIT_SERVER_PORT", "8501")
    print(
        f"notes-kg app on http://{env['STREAMLIT_SERVER_ADDRESS']}:{env['STREAMLIT_SERVER_PORT']} (store {store})",
        file=sys.stderr,
    )
    return subprocess.call(command, env=env)


def cmd_settings(args: argparse.Namespace) -> int:
    width = max(len(s.name) for s in settings.SETTINGS)
    for setting in settings.SETTINGS:
        raw = os.environ.get(setting.env, "")
        now = "" if not raw else " (set)" if setting.name in settings.SECRETS else f" (set: {raw})"
        print(f"{setting.name:<{width}}  {setting.env:<{width + 3}}  default {setting.default!r}{now}: {setting.help}")
    return 0


COMMANDS = {
    "ingest": cmd_ingest,
    "ask": cmd_ask,
    "facts": cmd_facts,
    "conflicts": cmd_conflicts,
    "remove": cmd_remove,
    "sparql": cmd_sparql,
    "serve": cmd_serve,
    "export": cmd_export,
    "stats": cmd_stats,
    "app": cmd_app,
    "settings": cmd_settings,
}


if __name__ == "__main__":
    raise SystemExit(main())
