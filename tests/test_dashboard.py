"""The organisers' dashboard over HTTP, without a browser: sign-in links, sessions, the
protective headers, the pages and their CSV, and user text shown inert."""

from __future__ import annotations

import asyncio
import csv
import io
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.adapters.console import Console
from bot.dashboard.app import make_app
from bot.dashboard.base import COOKIE, HEADERS
from bot.dashboard.server import serve_dashboard
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from bot.runtime.signin import new_link, signing_key
from tests.conftest import CAMPAIGN, sqlite_url
from tests.dashboard_data import HOSTILE_NAME, HOSTILE_QUESTION, link_from_console, say, seed

PAGES = ("/tally", "/branches", "/branches/DWP-LEEDS", "/questions", "/turnout", "/reminders")


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return Settings(database_url=sqlite_url(db_path), campaign=CAMPAIGN, dashboard_port=8765)


@pytest.fixture
async def client(services: Services, dispatcher: Dispatcher) -> AsyncIterator[TestClient]:
    await seed(services, dispatcher)
    key = await signing_key(services.settings, services.store)
    async with TestClient(TestServer(make_app(services, key))) as client:
        yield client


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]


async def press_sign_in(client: TestClient, link: str) -> ClientResponse:
    """Open the link's page, then press its Sign in button (a form posting the token)."""
    page = await client.get(path_of(link), allow_redirects=False)
    assert page.status == 200
    html = await page.text()
    assert '<form method="post" action="/signin">' in html
    assert f'name="token" value="{token_of(link)}"' in html
    return await client.post("/signin", data={"token": token_of(link)}, allow_redirects=False)


async def sign_in(client: TestClient, organiser: Console) -> None:
    link = await link_from_console(organiser)
    assert link.startswith("http://localhost:8765/signin?token=")
    response = await press_sign_in(client, link)
    assert response.status == 303
    assert response.headers["Location"] == "/"


async def test_every_response_is_protected(client: TestClient, organiser: Console) -> None:
    for path in ("/", "/tally", "/nowhere", "/static/dashboard.css", "/signin?token=x"):
        response = await client.get(path, allow_redirects=False)
        for name, value in HEADERS.items():
            assert response.headers[name] == value, (path, name)
    csp = HEADERS["Content-Security-Policy"]
    for part in (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "script-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ):
        assert part in csp
    await sign_in(client, organiser)
    for path in PAGES:
        response = await client.get(path)
        assert response.status == 200, path
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
        html = await response.text()
        assert '<html lang="en-GB">' in html
        assert "<style" not in html and " style=" not in html  # the CSP forbids inline styles
        assert "<script>" not in html and "onclick" not in html


async def test_no_page_without_a_session(client: TestClient) -> None:
    for path in ("/", *PAGES, "/branches/branches.csv", "/chart.png", "/version.json"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 401, path
        text = await response.text()
        assert "DWP Leeds" not in text and "alice" not in text
    page = await (await client.get("/tally")).text()
    assert "Run /dashboard in chat" in page
    client.session.cookie_jar.update_cookies({COOKIE: "not.a-session"})
    assert (await client.get("/tally")).status == 401


async def test_a_link_signs_in_once_and_sets_a_strict_cookie(
    client: TestClient, organiser: Console, services: Services
) -> None:
    link = await link_from_console(organiser)
    response = await press_sign_in(client, link)
    assert response.status == 303
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Max-Age=36000" in cookie  # a working day
    assert "Secure" not in cookie  # served over plain HTTP here
    first = await client.get("/")
    assert first.url.path == "/tally"  # before the ballot, the tally comes first
    assert "Signed in as olive" in await first.text()

    again = await client.get(path_of(link), allow_redirects=False)
    assert again.status == 403
    assert "This link has been used already" in await again.text()
    pressed = await client.post("/signin", data={"token": token_of(link)}, allow_redirects=False)
    assert pressed.status == 403 and "Set-Cookie" not in pressed.headers
    assert "This link has been used already" in await pressed.text()
    audit = await services.store.audit.latest(10)
    actions = [(e.action, e.detail) for e in audit]
    assert ("dashboard sign-in", None) in actions
    assert ("refused", "dashboard link used") in actions
    assert ("dashboard", None) in actions or any(a == "dashboard" for a, _ in actions)


async def test_expired_and_forged_links_are_refused(
    client: TestClient, organiser: Console, clock: Clock, services: Services
) -> None:
    link = await link_from_console(organiser)
    clock.set(clock.now() + timedelta(minutes=10, seconds=1))
    expired = await client.get(path_of(link), allow_redirects=False)
    assert expired.status == 403
    assert "This link has expired" in await expired.text()
    assert "Set-Cookie" not in expired.headers

    fresh = path_of(await link_from_console(organiser))
    payload, signature = fresh.split("token=")[1].split(".")
    other_key = new_link(b"someone else's key", organiser.user, clock.now())
    for token in (f"{payload}.{signature[:-2]}xx", other_key, payload, "", "a.b.c", "%ff" * 50):
        forged = await client.get(f"/signin?token={token}", allow_redirects=False)
        assert forged.status == 403, token
        assert "This link is not valid" in await forged.text()
        assert "Set-Cookie" not in forged.headers
        pressed = await client.post("/signin", data={"token": token}, allow_redirects=False)
        assert pressed.status == 403, token
        assert "This link is not valid" in await pressed.text()
        assert "Set-Cookie" not in pressed.headers
    no_token = await client.post("/signin", data={"other": "x"}, allow_redirects=False)
    assert no_token.status == 403 and "Set-Cookie" not in no_token.headers
    # A session cookie is not a link, nor a link a session.
    client.session.cookie_jar.update_cookies({COOKIE: fresh.split("token=")[1]})
    assert (await client.get("/tally")).status == 401
    assert (await press_sign_in(client, fresh)).status == 303  # still unused


async def test_opening_a_link_uses_nothing(client: TestClient, organiser: Console) -> None:
    """A chat app's link preview fetches the link before the organiser clicks it: that
    signs nobody in and leaves the link working."""
    link = await link_from_console(organiser)
    for _ in range(3):
        preview = await client.get(path_of(link), allow_redirects=False)
        assert preview.status == 200 and "Set-Cookie" not in preview.headers
        assert "This link signs you in as olive" in await preview.text()
    assert (await client.get("/tally")).status == 401
    assert (await press_sign_in(client, link)).status == 303
    assert (await client.get("/tally")).status == 200


async def test_supporters_get_no_link(alice: Console, services: Services) -> None:
    reply = await say(alice, "/dashboard")
    assert "for campaign organisers only" in reply
    assert "token=" not in reply


async def test_the_command_says_when_the_dashboard_is_off(
    dispatcher: Dispatcher, services: Services
) -> None:
    services.settings = services.settings.model_copy(update={"dashboard_port": None})
    reply = await say(Console(dispatcher, "olive", organiser=True), "/dashboard")
    assert "The dashboard is off" in reply and "MOBILISE_DASHBOARD_PORT" in reply
    assert "token=" not in reply


async def test_pages_show_the_campaign_and_user_text_inert(
    client: TestClient, organiser: Console
) -> None:
    await sign_in(client, organiser)
    branch = await (await client.get("/branches/DWP-LEEDS")).text()
    assert "alice" in branch  # organisers see names
    assert "<img src=x" not in branch and "&lt;img src=x onerror=" in branch
    assert "@everyone &lt;!channel&gt;" in branch
    questions = await (await client.get("/questions")).text()
    assert "<script>document" not in questions
    assert "&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt;" in questions
    assert "&lt;@U012AB&gt;" in questions
    tally = await (await client.get("/tally")).text()
    assert "0 of the 15 branches needed count so far" in tally
    assert 'src="/chart.png?v=' in tally
    chart = await client.get("/chart.png")
    assert chart.content_type == "image/png"
    assert (await chart.read()).startswith(b"\x89PNG")
    assert "No unanswered" not in questions
    for missing in ("/branches/NOT-A-BRANCH", "/nowhere"):
        gone = await client.get(missing)
        assert gone.status == 404
        text = await gone.text()
        assert "Page not found" in text and "<nav" not in text  # no menu: a way back instead
        assert '<a href="/">Go to the dashboard\'s first page</a>' in text


async def test_the_branch_table_filters_and_sorts_by_query(
    client: TestClient, organiser: Console
) -> None:
    await sign_in(client, organiser)
    everything = await (await client.get("/branches")).text()
    assert "38 branches." in everything  # the pack's sample list
    listed = list(
        csv.DictReader(
            line for line in (CAMPAIGN / "branches.csv").open() if not line.startswith("#")
        )
    )
    in_wales = sorted(b["name"] for b in listed if b["region"] == "Wales")
    wales = await (await client.get("/branches?region=Wales")).text()
    assert f"Showing {len(in_wales)} of {len(listed)} branches." in wales
    assert "DWP Cardiff" in wales and "DWP Leeds" not in wales
    rows = await csv_rows(client, "/branches/branches.csv?region=Wales")
    assert [r[0] for r in rows[1:]] == in_wales
    nominated = await (await client.get("/branches?stage=nominated+us")).text()
    assert "DWP Leeds" in nominated and "HMRC Cardiff" not in nominated
    rows = await csv_rows(client, "/branches/branches.csv?sort=volunteers&dir=desc")
    assert rows[0] == [
        "branch",
        "region",
        "group",
        "stage",
        "counts",
        "volunteers",
        "last_step",
        "days_since",
    ]
    assert rows[1][0] == "DWP Leeds" and rows[1][5] == "2"
    assert rows[2][0] == "HMRC Cardiff" and rows[2][5] == "1"
    filtered = await csv_rows(client, "/branches/branches.csv?group=HMRC")
    assert {r[2] for r in filtered[1:]} == {"HMRC"}


async def test_bad_filters_and_sorts_get_a_page_that_says_so(
    client: TestClient, organiser: Console
) -> None:
    await sign_in(client, organiser)
    unknown = await client.get("/branches?region=Atlantis&group=%3Cb%3EDWP%3C/b%3E")
    assert unknown.status == 200
    page = await unknown.text()
    assert "Showing 0 of 38 branches." in page
    assert "There is no region called “Atlantis”: choose one from the list." in page
    assert "There is no group called “&lt;b&gt;DWP&lt;/b&gt;”" in page
    # A stage no branch has reached yet is a real stage: no complaint, just no rows.
    sent = await (await client.get("/branches?stage=form+sent")).text()
    assert "There is no stage" not in sent and "No branch matches these filters." in sent
    huge = await (await client.get("/branches?region=" + "A" * 5000)).text()
    assert "There is no region called “" + "A" * 40 + "…”" in huge
    assert "“" + "A" * 41 not in huge
    for query in ("region=%FF%FE", "stage=%00", "sort=;%20DROP%20TABLE%20branches", "dir=up"):
        response = await client.get(f"/branches?{query}")
        assert response.status == 200, query
        assert "Every branch" in await response.text()
    everything = await (await client.get("/branches?sort=;%20DROP")).text()
    assert "38 branches." in everything and 'aria-sort="ascending"' in everything


async def csv_rows(client: TestClient, path: str) -> list[list[str]]:
    response = await client.get(path)
    assert response.status == 200, path
    assert response.content_type == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(await response.text())))


async def test_csv_escapes_like_the_exports(client: TestClient, organiser: Console) -> None:
    await sign_in(client, organiser)
    volunteers = await csv_rows(client, "/branches/DWP-LEEDS/volunteers.csv")
    assert volunteers[0] == ["name", "platform", "signed_up", "reminders"]
    names = {r[0] for r in volunteers[1:]}
    assert names == {"alice", HOSTILE_NAME}
    questions = await csv_rows(client, "/questions/questions.csv")
    assert questions[1][1] == HOSTILE_QUESTION
    for path in (
        "/tally/waiting.csv",
        "/tally/regions.csv",
        "/turnout/regions.csv",
        "/turnout/groups.csv",
        "/reminders/reminders.csv",
        "/branches/DWP-LEEDS/history.csv",
    ):
        await csv_rows(client, path)
    assert (await client.get("/questions/nothing.csv")).status == 404


async def test_a_formula_in_a_name_is_defused(
    services: Services, dispatcher: Dispatcher, client: TestClient, organiser: Console
) -> None:
    await say(Console(dispatcher, "=HYPERLINK(1)"), "/volunteer branch:DWP-LEEDS consent:yes")
    await sign_in(client, organiser)
    volunteers = await csv_rows(client, "/branches/DWP-LEEDS/volunteers.csv")
    assert "'=HYPERLINK(1)" in {r[0] for r in volunteers}


async def test_the_version_changes_with_the_store(
    client: TestClient, organiser: Console, dispatcher: Dispatcher
) -> None:
    await sign_in(client, organiser)
    before = (await (await client.get("/version.json")).json())["version"]
    page = await (await client.get("/tally")).text()
    assert f'data-version="{before}"' in page
    await say(Console(dispatcher, "carol"), "/progress")  # shows only: no change
    assert (await (await client.get("/version.json")).json())["version"] == before
    await say(Console(dispatcher, "carol"), "/volunteer branch:DWP-SHEFF consent:yes")
    after = (await (await client.get("/version.json")).json())["version"]
    assert after != before


async def test_only_reads(client: TestClient, organiser: Console) -> None:
    await sign_in(client, organiser)
    for method in ("PUT", "DELETE", "PATCH"):
        response = await client.request(method, "/tally")
        assert response.status == 405
        assert response.headers["X-Frame-Options"] == "DENY"
    big = await client.post("/signout", data=b"x" * 10_000)
    assert big.status == 413
    big = await client.post("/signin", data={"token": "x" * 10_000})
    assert big.status == 413
    out = await client.post("/signout")
    assert out.status == 200
    assert (await client.get("/tally")).status == 401


async def test_signing_out_ends_the_session_for_a_copy_of_the_cookie_too(
    client: TestClient, organiser: Console
) -> None:
    link = await link_from_console(organiser)
    response = await press_sign_in(client, link)
    session = response.cookies[COOKIE].value
    assert (await client.get("/tally")).status == 200
    out = await client.post("/signout")
    assert out.status == 200 and "Signed out" in await out.text()
    # The cookie is gone from this browser; a copy of it, sent again, is refused as well.
    copied = await client.get("/tally", cookies={COOKIE: session})
    assert copied.status == 401 and "Please sign in" in await copied.text()
    version = await client.get("/version.json", cookies={COOKIE: session})
    assert version.status == 401
    # A fresh link signs in again, into a new session.
    again = await press_sign_in(client, await link_from_console(organiser))
    assert again.status == 303 and again.cookies[COOKIE].value != session
    assert (await client.get("/tally")).status == 200


async def test_in_the_ballot_turnout_comes_first(
    client: TestClient, organiser: Console, clock: Clock, services: Services
) -> None:
    clock.set(services.campaign.ballot_open + timedelta(days=1))
    await say(Console(organiser.services, "alice"), "/voted")
    await sign_in(client, organiser)
    landing = await client.get("/")
    assert landing.url.path == "/turnout"
    page = await landing.text()
    nav = page[page.index("<nav") : page.index("</nav>")]
    assert nav.index("Ballot turnout") < nav.index("Tally")
    assert "The ballot is open" in page
    assert "Volunteers who have voted: 1 of 3; colleagues they have asked to vote: 0." in page
    tally = await (await client.get("/tally")).text()  # as /progress says it after the close
    assert "0 of the 15 branches needed counted (0 verified). Nominations have closed" in tally
    assert "more to go" not in tally
    regions = await csv_rows(client, "/turnout/regions.csv")
    yorkshire = next(r for r in regions if r[0] == "Yorkshire & Humberside")
    assert yorkshire[1:5] == ["1", "2", "1", "50%"]  # DWP Leeds: alice voted, of two


async def test_the_cookie_is_secure_behind_tls(services: Services, organiser: Console) -> None:
    key = await signing_key(services.settings, services.store)
    app = make_app(services, key, secure_cookie=True)  # MOBILISE_DASHBOARD_URL=https://...
    async with TestClient(TestServer(app)) as tls:
        link = await link_from_console(organiser)
        response = await press_sign_in(tls, link)
        assert response.status == 303
        assert "Secure" in response.headers["Set-Cookie"]


async def test_the_key_is_made_once_and_kept(services: Services, settings: Settings) -> None:
    first = await signing_key(settings, services.store)
    assert len(first) >= 32
    assert await signing_key(settings, services.store) == first
    given = settings.model_copy(update={"dashboard_secret": SecretStr("a key of our own")})
    assert await signing_key(given, services.store) == b"a key of our own"


async def test_served_under_the_slack_endpoints_limits(
    services: Services, settings: Settings
) -> None:
    """Slow or half-sent requests lose their connection after the header timeout; past
    the connection cap a newcomer is told the dashboard is busy; a real request still
    gets through once the slow ones are gone."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    services.settings = settings.model_copy(
        update={"dashboard_port": port, "http_max_connections": 3, "http_header_timeout": 0.5}
    )
    async with serve_dashboard(services) as address:
        assert address == f"http://localhost:{port}"
        slow = []
        for _ in range(3):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /tally HTTP/1.1\r\nHost: x\r\n")  # never finished
            await writer.drain()
            slow.append((reader, writer))
        await asyncio.sleep(0.05)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        busy = await asyncio.wait_for(reader.read(), 5)
        assert busy.startswith(b"HTTP/1.1 503")
        writer.close()
        for reader, writer in slow:  # closed by the server within the header timeout
            assert await asyncio.wait_for(reader.read(), 5) == b""
            writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /tally HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 401")
        assert b"X-Frame-Options: DENY" in answer
