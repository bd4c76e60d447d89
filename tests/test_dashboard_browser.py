"""The dashboard in a real headless browser (Debian's chromium and chromium-driver, driven
by selenium): signing in with a link from the console, filtering the branch table,
opening a branch, downloading a CSV, refused links, pages without a session, screenshots
at 1280 and 360 px, axe-core's accessibility check, and a page that reloads itself.

The bot runs in a thread of its own (its event loop, its store, the dashboard on a free
port); the browser, one for the module, talks to it over HTTP as a person's would.
Skipped where chromium, chromium-driver or selenium is missing.
"""

from __future__ import annotations

import asyncio
import csv
import shutil
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from datetime import timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.adapters.console import Console
from bot.app import open_services
from bot.dashboard.server import serve_dashboard
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from tests.conftest import CAMPAIGN, LONDON, SEPT_20, sqlite_url
from tests.dashboard_data import HOSTILE_NAME, HOSTILE_QUESTION, link_from_console, say, seed

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)

from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as expected  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

T = TypeVar("T")
PAGES = ("tally", "branches", "branches/DWP-LEEDS", "questions", "turnout", "reminders")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Bot:
    """The bot, with its dashboard, running in a thread with its own event loop."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.settings = Settings(
            database_url=sqlite_url(folder / "store.db"),
            campaign=CAMPAIGN,
            dashboard_port=self.port,
        )
        self.clock = Clock(LONDON, start=SEPT_20, frozen=True)
        self.loop = asyncio.new_event_loop()
        self.ready: Future[None] = Future()
        self.stopping = asyncio.Event()
        self.thread = threading.Thread(target=self._main, name="dashboard-bot", daemon=True)
        self.services: Services
        self.organiser: Console
        self.dispatcher: Dispatcher

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        try:
            async with open_services(self.settings, clock=self.clock, answers=False) as services:
                self.services = services
                self.dispatcher = Dispatcher(services)
                self.organiser = Console(self.dispatcher, "olive", organiser=True)
                await seed(services, self.dispatcher)
                async with serve_dashboard(services):
                    self.ready.set_result(None)
                    await self.stopping.wait()
        except BaseException as error:
            if not self.ready.done():
                self.ready.set_exception(error)
            raise

    def start(self) -> None:
        self.thread.start()
        self.ready.result(timeout=60)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(timeout=30)

    def run(self, make: Callable[[], Awaitable[T]]) -> T:
        async def call() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout=30)

    def link(self) -> str:
        return self.run(lambda: link_from_console(self.organiser))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dashboard")


@pytest.fixture(scope="module")
def bot(folder: Path) -> Iterator[Bot]:
    running = Bot(folder)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def downloads(folder: Path) -> Path:
    path = folder / "downloads"
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,900",
        "--lang=en-GB",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    yield driver
    driver.quit()


def sign_in(browser: WebDriver, bot: Bot) -> None:
    browser.delete_all_cookies()
    browser.get(bot.link())
    assert heading(browser) == "Sign in to the dashboard"
    follow(browser, By.CSS_SELECTOR, "main form button[type=submit]")
    assert browser.find_element(By.TAG_NAME, "footer").text.startswith("Signed in as olive")


def follow(browser: WebDriver, by: str, what: str) -> None:
    """Click a link or button and wait for the next page to load."""
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(by, what).click()
    WebDriverWait(browser, 10, poll_frequency=0.05).until(expected.staleness_of(old))
    WebDriverWait(browser, 10, poll_frequency=0.05).until(
        lambda driver: driver.execute_script("return document.readyState") == "complete"
    )


def heading(browser: WebDriver) -> str:
    return str(browser.find_element(By.TAG_NAME, "h1").text)


def test_no_page_without_a_session(browser: WebDriver, bot: Bot) -> None:
    browser.get(bot.url + "/tally")  # the site, so that its cookies can be cleared
    browser.delete_all_cookies()
    for page in ("", *PAGES):
        browser.get(f"{bot.url}/{page}")
        assert heading(browser) == "Please sign in"
        assert "Run /dashboard in chat" in browser.page_source
        assert "DWP Leeds" not in browser.page_source
        assert not browser.find_elements(By.TAG_NAME, "table")


def test_sign_in_filter_open_a_branch_and_download(
    browser: WebDriver, bot: Bot, downloads: Path
) -> None:
    sign_in(browser, bot)
    assert urlsplit(browser.current_url).path == "/tally"  # before the ballot: the tally
    cookie = browser.get_cookie("mobilise_dashboard")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert browser.execute_script("return document.cookie") == ""  # scripts cannot read it

    follow(browser, By.LINK_TEXT, "Branches")
    assert heading(browser) == "Branches"
    Select(browser.find_element(By.ID, "filter-region")).select_by_visible_text(
        "Yorkshire & Humberside"
    )
    follow(browser, By.CSS_SELECTOR, ".filters button[type=submit]")
    query = parse_qs(urlsplit(browser.current_url).query)
    assert query == {"region": ["Yorkshire & Humberside"]}
    rows = browser.find_elements(By.CSS_SELECTOR, "#table-branches tbody tr")
    assert len(rows) >= 2
    assert {r.find_elements(By.TAG_NAME, "td")[0].text for r in rows} == {"Yorkshire & Humberside"}
    # Sorting keeps the filter, works without script, and says which way in aria-sort.
    sort_by_volunteers = "//thead//a[starts-with(normalize-space(.), 'Volunteers')]"
    follow(browser, By.XPATH, sort_by_volunteers)  # fewest first
    follow(browser, By.XPATH, sort_by_volunteers)  # then most first
    query = parse_qs(urlsplit(browser.current_url).query)
    assert query["region"] == ["Yorkshire & Humberside"] and query["dir"] == ["desc"]
    sorted_header = browser.find_element(By.CSS_SELECTOR, "th[aria-sort]")
    assert sorted_header.get_attribute("aria-sort") == "descending"
    first = browser.find_element(By.CSS_SELECTOR, "#table-branches tbody tr th")
    assert first.text == "DWP Leeds"  # the branch with the most volunteers

    title = browser.title
    follow(browser, By.LINK_TEXT, "DWP Leeds")
    assert heading(browser) == "DWP Leeds"
    volunteers = browser.find_element(By.ID, "table-volunteers").text
    assert "alice" in volunteers and HOSTILE_NAME in volunteers  # shown as typed
    assert browser.title == title.replace("Branches", "DWP Leeds")  # no script ran
    assert not browser.find_elements(By.CSS_SELECTOR, "main img[src=x]")

    browser.find_element(By.PARTIAL_LINK_TEXT, "“Volunteers” as CSV").click()
    saved = wait_for_file(downloads, "DWP-LEEDS-volunteers-")
    with saved.open(newline="") as handle:
        rows_read = list(csv.reader(handle))
    assert rows_read[0] == ["name", "platform", "signed_up", "reminders"]
    assert {r[0] for r in rows_read[1:]} == {"alice", HOSTILE_NAME}


def wait_for_file(folder: Path, prefix: str, within: float = 15.0) -> Path:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"{prefix}*.csv") if p.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {prefix}*.csv downloaded: {sorted(folder.iterdir())}")


def test_questions_show_inert(browser: WebDriver, bot: Bot) -> None:
    sign_in(browser, bot)
    browser.get(bot.url + "/questions")
    cell = browser.find_element(By.CSS_SELECTOR, "#table-questions tbody td")
    assert cell.text == HOSTILE_QUESTION
    assert browser.title.startswith("Unanswered questions")  # the script did not run
    assert not browser.find_elements(By.CSS_SELECTOR, "main script")


def test_expired_reused_and_forged_links_are_refused(browser: WebDriver, bot: Bot) -> None:
    browser.get(bot.url + "/tally")
    browser.delete_all_cookies()
    link = bot.link()
    browser.get(link)
    follow(browser, By.CSS_SELECTOR, "main form button[type=submit]")
    browser.delete_all_cookies()
    browser.get(link)
    assert heading(browser) == "This link has been used already"
    assert browser.get_cookie("mobilise_dashboard") is None

    stale = bot.link()
    bot.clock.set(SEPT_20 + timedelta(minutes=11))
    try:
        browser.get(stale)
        assert heading(browser) == "This link has expired"
    finally:
        bot.clock.set(SEPT_20)
    assert browser.get_cookie("mobilise_dashboard") is None

    fresh = bot.link()
    browser.get(fresh[:-3] + ("AAA" if not fresh.endswith("AAA") else "BBB"))
    assert heading(browser) == "This link is not valid"
    browser.get(f"{bot.url}/tally")
    assert heading(browser) == "Please sign in"


def test_a_link_clicked_on_another_site_signs_in(browser: WebDriver, bot: Bot) -> None:
    """A link clicked in chat in a browser tab (another site): the session cookie is
    SameSite=Strict, so the first page must be reached from the dashboard's own page."""
    browser.get(bot.url + "/tally")
    browser.delete_all_cookies()
    browser.get(f"data:text/html,<a id=chat href='{bot.link()}'>your link</a>")
    follow(browser, By.ID, "chat")
    assert heading(browser) == "Sign in to the dashboard"
    follow(browser, By.CSS_SELECTOR, "main form button[type=submit]")
    assert urlsplit(browser.current_url).path == "/tally"
    assert heading(browser) == "Tally"
    assert browser.find_element(By.TAG_NAME, "footer").text.startswith("Signed in as olive")


def test_every_page_at_1280_and_360_pixels_and_accessible(
    browser: WebDriver, bot: Bot, folder: Path
) -> None:
    from axe_selenium_python import Axe

    sign_in(browser, bot)
    shots = folder / "screenshots"
    shots.mkdir(exist_ok=True)
    axe = Axe(browser)
    problems: dict[str, list[str]] = {}
    try:
        for width in (1280, 360):
            browser.set_window_size(width, 900)
            for page in PAGES:
                browser.get(f"{bot.url}/{page}")
                assert browser.find_element(By.TAG_NAME, "h1").text
                name = page.replace("/", "-")
                browser.save_screenshot(str(shots / f"{name}-{width}.png"))
                # Readable at 360 px: the page does not scroll sideways (tables do, inside).
                overflow = browser.execute_script(
                    "return document.documentElement.scrollWidth - window.innerWidth"
                )
                assert overflow <= 0, (page, width, overflow)
                if width == 360:  # nor is a column of text (a question, say) squeezed to
                    # a few letters a line to make room for headers: they wrap instead.
                    narrowest = browser.execute_script(
                        "return Math.min(...Array.from(document.querySelectorAll("
                        "'td:not(.num)'), cell => cell.getBoundingClientRect().width))"
                    )
                    assert narrowest >= 140, (page, width, narrowest)
                if width == 1280:
                    axe.inject()
                    found = axe.run()
                    assert found["passes"], page  # axe ran, and checked something
                    serious = [
                        f"{v['id']}: {v['help']}"
                        for v in found["violations"]
                        if v["impact"] in ("serious", "critical")
                    ]
                    if serious:
                        problems[page] = serious
    finally:
        browser.set_window_size(1280, 900)
    assert problems == {}
    assert sorted(p.name for p in shots.iterdir()) == sorted(
        f"{p.replace('/', '-')}-{w}.png" for p in PAGES for w in (1280, 360)
    )


def test_keyboard_order_starts_with_the_skip_link_then_the_menu(
    browser: WebDriver, bot: Bot
) -> None:
    sign_in(browser, bot)
    browser.get(bot.url + "/branches")
    order: list[str] = []
    for _ in range(3):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        order.append(str(browser.switch_to.active_element.text))
    assert order == ["Skip to the content", "Tally", "Branches"]


def test_a_page_reloads_itself_when_the_campaign_changes(browser: WebDriver, bot: Bot) -> None:
    sign_in(browser, bot)
    browser.get(bot.url + "/branches?region=Wales")
    browser.execute_script("window.notReloaded = true")
    before = browser.find_element(By.TAG_NAME, "body").get_attribute("data-version")
    carol = Console(bot.dispatcher, "carol")
    bot.run(lambda: say(carol, "/volunteer branch:DWP-CARD consent:yes"))
    WebDriverWait(browser, 15, poll_frequency=0.25).until(
        lambda driver: driver.execute_script("return window.notReloaded !== true")
    )
    after = browser.find_element(By.TAG_NAME, "body").get_attribute("data-version")
    assert after != before
    row = browser.find_element(By.XPATH, "//tbody/tr[th/a[text()='DWP Cardiff & Vale']]")
    assert row.find_elements(By.TAG_NAME, "td")[4].text == "1"  # its volunteer, shown
    assert urlsplit(browser.current_url).query == "region=Wales"


def test_a_page_says_so_when_its_session_ends(browser: WebDriver, bot: Bot) -> None:
    """Left open past the session's end, a page does not go on showing figures that no
    longer change: it reloads, and asks for a new sign-in."""
    sign_in(browser, bot)
    browser.get(bot.url + "/tally")
    browser.execute_script("window.notReloaded = true")
    browser.delete_all_cookies()  # as when the cookie expires
    WebDriverWait(browser, 15, poll_frequency=0.25).until(
        lambda driver: driver.execute_script("return window.notReloaded !== true")
    )
    assert heading(browser) == "Please sign in"
    assert not browser.find_elements(By.TAG_NAME, "table")
