"""Where a graph server listens: its query, update and Graph Store endpoints, and how to log in.

``KG_GRAPH`` (or ``--graph``) names the SPARQL query endpoint; the others are derived from it
unless ``KG_GRAPH_UPDATE`` / ``KG_GRAPH_STORE`` say otherwise:

    .../query        -> .../update and .../store                      (Oxigraph server, Fuseki's /ds/query)
    .../sparql-auth  -> .../sparql-auth and .../sparql-graph-crud-auth (Virtuoso, with a user)
    .../sparql       -> .../sparql and .../sparql-graph-crud            (Virtuoso)
    anything else    -> the same URL for updates, no Graph Store (writes go through SPARQL Update)

Credentials come from the environment only (``KG_GRAPH_USER`` and ``KG_GRAPH_PASSWORD``, or
``KG_GRAPH_TOKEN``), never from a command line or the manifest.

>>> Endpoints.derive("http://127.0.0.1:7878/query").store
'http://127.0.0.1:7878/store'
>>> Endpoints.derive("http://localhost:8890/sparql").update
'http://localhost:8890/sparql'
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from kg import settings
from kg.errors import StoreError

NO_STORE = "none"  # KG_GRAPH_STORE=none: the server has no Graph Store endpoint


def check_url(url: str, what: str) -> str:
    """``url`` when it is an http(s) URL with a host.

    Raises:
        StoreError: It is not.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise StoreError(
            f"{what}={url!r} is not an http(s) URL: give the SPARQL endpoint, e.g. http://127.0.0.1:7878/query"
        )
    if parts.username or parts.password:
        raise StoreError(f"{what} carries a user or password: give them in KG_GRAPH_USER and KG_GRAPH_PASSWORD instead")
    return url


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The three endpoints of one graph server ("" for ``store``: writes go through ``update``)."""

    query: str
    update: str
    store: str

    @classmethod
    def derive(cls, query: str, update: str = "", store: str = "") -> Endpoints:
        """The endpoints of the server whose query endpoint is ``query`` (explicit ones win).

        Raises:
            StoreError: A URL is not http(s).
        """
        check_url(query, "KG_GRAPH")
        base, _, last = query.rstrip("/").rpartition("/")
        if last == "query":
            update_default, store_default = f"{base}/update", f"{base}/store"
        elif last in {"sparql", "sparql-auth"}:
            suffix = "-auth" if last.endswith("-auth") else ""
            update_default, store_default = query, f"{base}/sparql-graph-crud{suffix}"
        else:
            update_default, store_default = query, ""
        update = check_url(update, "KG_GRAPH_UPDATE") if update else update_default
        if store == NO_STORE:
            store = ""
        elif store:
            check_url(store, "KG_GRAPH_STORE")
        else:
            store = store_default
        return cls(query, update, store)

    @classmethod
    def from_settings(cls, query: str) -> Endpoints:
        """The endpoints for ``query`` with ``KG_GRAPH_UPDATE`` and ``KG_GRAPH_STORE`` applied."""
        return cls.derive(query, str(settings.get("graph_update")), str(settings.get("graph_store")))

    def to_dict(self) -> dict[str, str]:
        return {"query": self.query, "update": self.update, "store": self.store}


@dataclass(frozen=True, slots=True)
class Credentials:
    """How to log in to the graph server: a user and password, a bearer token, or nothing."""

    user: str = ""
    password: str = ""
    token: str = ""

    @classmethod
    def from_environment(cls) -> Credentials:
        """The credentials in ``KG_GRAPH_USER``/``KG_GRAPH_PASSWORD`` or ``KG_GRAPH_TOKEN``.

        Raises:
            StoreError: Both a token and a user are given, or a password without a user.
        """
        user, password = str(settings.get("graph_user")), str(settings.get("graph_password"))
        token = str(settings.get("graph_token"))
        if token and user:
            raise StoreError("both KG_GRAPH_TOKEN and KG_GRAPH_USER are set: keep the one the graph server uses")
        if password and not user:
            raise StoreError("KG_GRAPH_PASSWORD is set without KG_GRAPH_USER: set the user name too")
        return cls(user, password, token)

    def __repr__(self) -> str:  # never show a secret in a log or a traceback
        return f"Credentials(user={self.user!r}, password={'***' if self.password else ''!r}, token=...)"
