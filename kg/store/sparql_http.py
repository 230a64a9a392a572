"""HTTP to a graph server: one keep-alive client per process, retries with back-off, clear errors.

Every failure becomes one line that names the server and what to do:

    GraphServerError  the server does not answer (after the retries), refuses the credentials, or fails (5xx)
    GraphTimeout      it took longer than the time allowed
    QueryError        it rejected a query (4xx: a syntax error, a query it does not support)

Every request notes-kg sends may be repeated safely (queries, PUT of a graph, POST of triples into
a graph, which is a set, and DROP SILENT), so a connection error is retried with back-off.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from typing import Any

import httpx

from kg import settings
from kg.errors import GraphServerError, GraphTimeout, QueryError
from kg.store.endpoints import Credentials

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 0.25  # the first retry's wait; each next one waits twice as long
RETRY_STATUSES = frozenset({502, 503, 504})


class _UserAuth(httpx.Auth):
    """HTTP basic, moving to digest once the server asks for it (Virtuoso's ``-auth`` endpoints)."""

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._use_digest = False

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._use_digest:
            yield from self._digest.auth_flow(request)
            return
        response = yield next(self._basic.auth_flow(request))
        if response.status_code != 401:
            return
        challenges = " ".join(response.headers.get_list("www-authenticate")).lower()
        if "digest" in challenges or not challenges:  # Virtuoso answers basic with a bare 401
            del request.headers["Authorization"]
            self._use_digest = True
            yield from self._digest.auth_flow(request)


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def _auth(credentials: Credentials) -> httpx.Auth | None:
    if credentials.token:
        return _BearerAuth(credentials.token)
    if credentials.user:
        return _UserAuth(credentials.user, credentials.password)
    return None


class SparqlHttp:
    """Requests to one graph server, shared by the threads of a process.

    Args:
        label: How errors name the server (its query endpoint).
        credentials: Who to log in as (default: from the environment).
        timeout: Seconds one request may take (default: the ``graph_timeout`` setting).
        retries: Retries after a connection error (default: the ``graph_retries`` setting).
    """

    def __init__(
        self,
        label: str,
        credentials: Credentials | None = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
    ) -> None:
        self.label = label
        self.timeout = float(settings.get("graph_timeout")) if timeout is None else timeout
        self.retries = int(settings.get("graph_retries")) if retries is None else retries
        credentials = Credentials.from_environment() if credentials is None else credentials
        self.software: str | None = None  # the server's ``Server`` header, once it has answered
        self._client = httpx.Client(
            auth=_auth(credentials),
            timeout=self.timeout,
            headers={"User-Agent": "notes-kg"},
            trust_env=False,  # a proxy from the environment must not see the graph server's credentials
        )

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, url: str, *, timeout: float | None = None, **kwargs: Any) -> httpx.Response:
        """Send one request; retry it after connection errors; turn failures into one-line errors.

        Raises:
            GraphServerError: No answer after the retries, credentials refused (401/403), or a 5xx.
            GraphTimeout: No answer within ``timeout`` seconds (default: the client's).
            QueryError: The server rejected the request (another 4xx), with its first line.
        """
        limit = self.timeout if timeout is None else timeout
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._client.request(method, url, timeout=limit, **kwargs)
            except httpx.ConnectTimeout as exc:
                if last:
                    raise self._down(url, exc) from None
            except httpx.TimeoutException:
                raise GraphTimeout(
                    f"the graph server at {url} did not answer within {limit:g} s: "
                    "check the server, or allow more time (KG_GRAPH_TIMEOUT, KG_SPARQL_TIMEOUT for queries)"
                ) from None
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                if last:
                    raise self._down(url, exc) from None
            except httpx.HTTPError as exc:
                raise GraphServerError(f"the graph server at {url} failed ({type(exc).__name__}: {exc})") from None
            else:
                if response.status_code not in RETRY_STATUSES or last:
                    return self._checked(url, response)
            wait = BACKOFF_SECONDS * 2**attempt
            log.info("retrying %s %s in %.2f s (attempt %d)", method, url, wait, attempt + 1)
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _down(self, url: str, exc: Exception) -> GraphServerError:
        reason = str(exc).split("\n")[0] or type(exc).__name__
        return GraphServerError(
            f"the graph server at {url} does not answer ({reason}): start it, or fix KG_GRAPH / --graph"
        )

    def _checked(self, url: str, response: httpx.Response) -> httpx.Response:
        self.software = response.headers.get("server", "")
        status = response.status_code
        if status < 400:
            return response
        detail = _first_line(response.text)
        if status in {401, 407}:
            raise GraphServerError(
                f"the graph server at {url} refused the credentials (HTTP {status}): "
                "check KG_GRAPH_USER and KG_GRAPH_PASSWORD, or KG_GRAPH_TOKEN"
            )
        if status == 403:
            raise GraphServerError(
                f"the graph server at {url} refused access (HTTP 403{': ' + detail if detail else ''}): "
                "give credentials allowed to read and write graphs (KG_GRAPH_USER/KG_GRAPH_PASSWORD or KG_GRAPH_TOKEN)"
            )
        if status >= 500:
            raise GraphServerError(
                f"the graph server at {url} failed (HTTP {status}{': ' + detail if detail else ''}): check its log"
            )
        raise QueryError(f"the graph server at {url} rejected the request (HTTP {status}): {detail}")


def _first_line(text: str, width: int = 200) -> str:
    """The first non-blank line of an error body (an HTML page's text is cut short)."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("<"):
            return line[:width]
    return ""
