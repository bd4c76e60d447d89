"""Slack's HTTP endpoint (`mobilise run --slack-http`), built to survive hostile traffic.

The socket side is granian, a production HTTP server, embedded in the bot's own event
loop. It gives what a public endpoint needs and the asyncio servers do not:

- a cap on connections open at once (`backpressure`): past it, new connections wait in
  the kernel's accept queue, costing no file descriptor and writing no error;
- a deadline for each request's headers (hyper's `header_read_timeout`), which also closes
  an idle keep-alive connection, so slow or half-sent requests cannot hold a slot;
- header and buffer size limits, and no HTTP/2 or WebSockets, which Slack never uses.

The ASGI application below is what runs per request: it reads the body within a deadline
and the 1 MiB cap, checks Slack's signature, refuses a body bolt could not read (not
UTF-8, not a JSON object, nested too deep, a field of the wrong shape, a form's private
metadata that is not ours) with 400 and one log line, and only then hands it to bolt.

Nothing here logs a request body: problems are logged by kind, at most once a minute each
(`bot.runtime.logs`), because under attack every log line is the attacker's to multiply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack_checks import Malformed, check_body
from bot.errors import StartupError
from bot.runtime.settings import Settings

log = logging.getLogger(__name__)

PATH = "/slack/events"
MAX_BODY = 1024 * 1024  # Slack's own requests are a few kilobytes
MAX_HEADER_BYTES = 64 * 1024
BACKLOG = 1024
FD_RESERVE = 256  # descriptors kept for the store, the platform clients and the logs
SHUTDOWN_SECONDS = 3.0  # requests in flight finish in milliseconds; slow ones are not waited for

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Limits:
    max_connections: int = 2048
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    max_body: int = MAX_BODY

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_connections=settings.http_max_connections,
            header_timeout=settings.http_header_timeout,
            body_timeout=settings.http_body_timeout,
        )


# --- file descriptors -----------------------------------------------------------------


def descriptor_plan(soft: int, hard: int, connections: int) -> tuple[int, int]:
    """The soft RLIMIT_NOFILE to ask for, and the connection cap it leaves room for.

    `soft` and `hard` are the current limits (-1 for unlimited). The soft limit is raised
    towards the hard one as far as the cap needs; if the hard limit is lower, the cap
    shrinks to fit, keeping `FD_RESERVE` descriptors for everything else.
    """
    unlimited = -1
    wanted = connections + FD_RESERVE
    if soft == unlimited or soft >= wanted:
        return soft, connections
    new_soft = wanted if hard == unlimited else min(wanted, hard)
    new_soft = max(new_soft, soft)
    return new_soft, max(1, min(connections, new_soft - FD_RESERVE))


def ensure_descriptors(connections: int) -> int:
    """Raise this process's soft descriptor limit for `connections`; the cap that fits."""
    try:
        import resource
    except ImportError:  # not a POSIX system: nothing to raise
        return connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    infinity = resource.RLIM_INFINITY
    new_soft, cap = descriptor_plan(
        -1 if soft == infinity else soft, -1 if hard == infinity else hard, connections
    )
    if new_soft not in (-1, soft):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
        except (ValueError, OSError):
            cap = max(1, min(connections, soft - FD_RESERVE))
    if cap < connections:
        log.warning(
            "only %d descriptors may be open, so --slack-http takes at most %d connections "
            "at once (MOBILISE_HTTP_MAX_CONNECTIONS is %d); raise the hard limit "
            "(ulimit -Hn, LimitNOFILE) to take more",
            cap + FD_RESERVE,
            cap,
            connections,
        )
    return cap


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


async def _answer(
    send: Send, status: int, body: str = "", headers: Iterable[tuple[str, str]] = ()
) -> None:
    encoded = body.encode("utf-8")
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    if not any(k == b"content-type" for k, _ in raw):
        raw.append((b"content-type", b"text/plain; charset=utf-8"))
    raw.append((b"content-length", str(len(encoded)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": encoded})


class TooLarge(Exception):
    pass


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, refusing more than `limit` bytes."""
    chunks = bytearray()
    while True:
        message = await receive()
        if message.get("type") != "http.request":
            raise ConnectionError("client went away")
        chunks.extend(message.get("body") or b"")
        if len(chunks) > limit:
            raise TooLarge
        if not message.get("more_body"):
            return bytes(chunks)


def where_raised(error: BaseException) -> str:
    """Where an exception was raised, as `file:line`, without its message (which may
    hold a person's words)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return type(error).__name__
    last = frames[-1]
    return f"{type(error).__name__} at {last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


class SlackEndpoint:
    """ASGI: POST /slack/events for bolt, GET /health for load balancers and tests."""

    def __init__(self, app: AsyncApp, signing_secret: str, limits: Limits):
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            return
        path, method = scope.get("path"), scope.get("method")
        if path == "/health":
            await _answer(send, 200 if method in ("GET", "HEAD") else 405, "ok")
        elif path != PATH:
            await _answer(send, 404, "not found")
        elif method != "POST":
            await _answer(send, 405, "use POST", [("allow", "POST")])
        else:
            try:
                answer = await self._slack(scope, receive)
            except Exception as error:  # a bug of ours: one line, no request data
                log.error("a Slack request failed (%s)", where_raised(error))
                answer = 500, "", []
            if answer is not None:
                with contextlib.suppress(Exception):  # the client may be gone by now
                    await _answer(send, *answer)

    async def _slack(
        self, scope: Scope, receive: Receive
    ) -> tuple[int, str, list[tuple[str, str]]] | None:
        """The answer to a request at /slack/events; None if there is no one to answer."""
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.limits.max_body:
            log.warning("refused a Slack request: body larger than %d bytes", self.limits.max_body)
            return 413, "too large", []
        try:
            async with asyncio.timeout(self.limits.body_timeout):
                raw = await read_body(receive, self.limits.max_body)
        except TimeoutError:
            log.warning(
                "refused a Slack request: body not sent within %ss", self.limits.body_timeout
            )
            return 408, "body too slow", [("connection", "close")]
        except TooLarge:
            log.warning("refused a Slack request: body larger than %d bytes", self.limits.max_body)
            return 413, "too large", [("connection", "close")]
        except (ConnectionError, asyncio.CancelledError):
            # The client went away, or the server is stopping and dropped the request.
            return None
        try:  # Slack's signature is over text: slack_sdk's verifier reads it as UTF-8
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("refused a Slack request: body is not UTF-8")
            return 400, "malformed request", []
        stamp = _header(scope, b"x-slack-request-timestamp")
        signature = _header(scope, b"x-slack-signature")
        if not (stamp.isdigit() and signature) or not self.verifier.is_valid(
            body=text, timestamp=stamp, signature=signature
        ):
            log.info("refused a Slack request: not signed with the signing secret")
            return 401, "", []
        content_type = _header(scope, b"content-type")
        try:
            check_body(raw, content_type)
        except Malformed as problem:
            log.warning("refused a signed Slack request: %s", problem)
            return 400, "malformed request", []
        return await self._dispatch(scope, text)

    async def _dispatch(self, scope: Scope, body: str) -> tuple[int, str, list[tuple[str, str]]]:
        collected: dict[str, list[str]] = {}
        for key, value in scope.get("headers") or ():
            collected.setdefault(bytes(key).decode("latin-1").lower(), []).append(
                bytes(value).decode("latin-1")
            )
        headers: dict[str, str | Sequence[str]] = dict(collected)
        query = bytes(scope.get("query_string") or b"").decode("latin-1")
        try:
            request = AsyncBoltRequest(body=body, query=query, headers=headers)
        except Exception as error:  # bolt could not read a body that passed our checks
            log.warning(
                "refused a signed Slack request bolt could not read (%s)", where_raised(error)
            )
            return 400, "malformed request", []
        try:
            response: BoltResponse = await self.app.async_dispatch(request)
        except Exception as error:
            log.error("a Slack request failed (%s)", where_raised(error))
            return 500, "", []
        flat = [(k, v) for k, values in response.headers.items() for v in values]
        return response.status, str(response.body or ""), flat


async def listener_failed(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
    """Bolt's error handler: one line (where it failed, never the message, which may hold
    a person's words), and, if Slack is still waiting, 400 for data that a listener could
    not read and 500 for anything else."""
    log.error("a Slack listener failed (%s)", where_raised(error))
    if response is None:  # already acknowledged: nothing more to tell Slack
        return None
    readable = isinstance(error, ValueError | TypeError | LookupError | AttributeError)
    return BoltResponse(status=400 if readable else 500, body="")


# --- serving --------------------------------------------------------------------------


class _NoEmbeddedNotice(logging.Filter):
    """Granian says its embedded server is experimental at every start; we know, and
    pin the version (pyproject.toml)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Embedded server is experimental" not in record.getMessage()


async def _listening(host: str, port: int, server: asyncio.Task[None], within: float) -> None:
    probe_host = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host  # noqa: S104
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if server.done():
            error = server.exception()
            raise StartupError(
                f"could not serve Slack on {host}:{port} ({error or 'the server stopped'}): "
                "choose another --port"
            )
        try:
            _, writer = await asyncio.open_connection(probe_host, port)
        except OSError:
            if loop.time() > deadline:
                raise StartupError(
                    f"Slack's endpoint did not start on {host}:{port}: choose another --port"
                ) from None
            await asyncio.sleep(0.05)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As a server binds: a port whose old connections linger in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@contextlib.asynccontextmanager
async def serve(app: AsyncApp, settings: Settings, host: str, port: int) -> AsyncIterator[Limits]:
    """Serve `app` at http://host:port/slack/events until the context ends."""
    secret = settings.slack_signing_secret
    if secret is None or not secret.get_secret_value():
        raise StartupError("--slack-http needs SLACK_SIGNING_SECRET, to check Slack's requests")
    if not port_free(host, port):
        raise StartupError(f"port {port} on {host} is in use: choose another --port")
    wanted = Limits.from_settings(settings)
    cap = ensure_descriptors(wanted.max_connections)
    limits = Limits(cap, wanted.header_timeout, wanted.body_timeout, wanted.max_body)

    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server.embed import Server

    logging.getLogger("_granian").addFilter(_NoEmbeddedNotice())
    server = Server(
        SlackEndpoint(app, secret.get_secret_value(), limits),
        address=host,
        port=port,
        interface=Interfaces.ASGINL,
        http=HTTPModes.http1,
        websockets=False,
        backlog=BACKLOG,
        backpressure=limits.max_connections,
        http1_settings=HTTP1Settings(
            header_read_timeout=int(limits.header_timeout * 1000),
            keep_alive=True,
            max_buffer_size=MAX_HEADER_BYTES,
        ),
        # Granian's records go through the bot's own handler (redacted, rate-limited):
        # an incremental configuration sets their level and nothing else.
        log_level=LogLevels.warning,
        log_dictconfig={"version": 1, "incremental": True, "handlers": {}, "loggers": {}},
    )
    task = asyncio.create_task(server.serve(), name="slack-http")
    try:
        await _listening(host, port, task, within=15.0)
        log.info(
            "Slack events served on http://%s:%s%s (at most %d connections; headers within "
            "%ss, bodies within %ss)",
            host,
            port,
            PATH,
            limits.max_connections,
            limits.header_timeout,
            limits.body_timeout,
        )
        yield limits
    finally:
        server.stop()  # type: ignore[no-untyped-call]
        try:
            await asyncio.wait_for(asyncio.shield(task), SHUTDOWN_SECONDS)
        except (TimeoutError, Exception):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
