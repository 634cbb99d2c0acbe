"""The real thing: `qa serve` in a subprocess, the chat page in headless Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.serve import serving
from qa.config import Settings
from tests.conftest import MARKUP_QUESTION, ROOT, SEED_QUESTION

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
START_TIMEOUT_S = 180  # loading the model on a busy 2-core machine
STEP_TIMEOUT_MS = 60_000  # one answer, or one page load

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing: install Debian's chromium (`make browser` does)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def server(markup_index: Settings) -> Iterator[str]:
    """`qa serve` over the markup index (seeds/ plus an article full of markup)."""
    with serving(markup_index.index_dir, timeout=START_TIMEOUT_S) as running:
        yield running.base + "/"


def screenshot(page: sync_api.Page, name: str) -> None:
    """Keep a screenshot in artifacts/ (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
            timeout=STEP_TIMEOUT_MS,
        )
        yield chromium
        chromium.close()


class Watched:
    """A page plus everything it said: console messages, dialogs and uncaught errors."""

    def __init__(self, browser: sync_api.Browser, width: int = 1280, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.set_default_timeout(STEP_TIMEOUT_MS)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: sync_api.Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def ask(self, question: str) -> sync_api.Locator:
        """Type the question, press Enter, wait for its answer; the newest turn."""
        turns = self.page.locator(".turn")
        count = turns.count()
        self.page.locator("#question").fill(question)
        self.page.locator("#question").press("Enter")
        turn = turns.nth(count)
        turn.locator(".reply[aria-busy=false]").wait_for()
        return turn

    def assert_nothing_ran(self) -> None:
        assert self.page.evaluate("typeof window.__pwned") == "undefined"
        assert self.dialogs == []
        assert self.errors == []
        assert not [m for m in self.console if "pwned" in m or "Content Security Policy" in m]


@pytest.fixture
def watched(browser: sync_api.Browser) -> Iterator[Watched]:
    watched = Watched(browser)
    yield watched
    watched.context.close()


def test_the_chat_answers_with_a_cited_source_card(server: str, watched: Watched):
    page = watched.page
    page.goto(server)
    expect = sync_api.expect
    expect(page.locator("#question")).to_be_focused()
    turn = watched.ask(SEED_QUESTION)
    expect(turn.locator(".question")).to_have_text(SEED_QUESTION)
    answer = turn.locator(".answer")
    expect(answer).to_contain_text("SANA")
    short = turn.locator(".short-answer strong")  # the short answer first, bold, then the sentence
    expect(short).to_have_text("SANA")
    assert int(short.evaluate("e => getComputedStyle(e).fontWeight")) >= 700
    assert turn.locator(".short-answer + .answer").count() == 1
    marker = answer.locator("a.cite")
    expect(marker).to_have_text(re.compile(r"\[\d\]"))
    card = turn.locator(f"li.source{marker.get_attribute('href')}")
    expect(card).to_have_class(re.compile(r"\bcited\b"))
    expect(card.locator("mark")).to_contain_text("SANA reported")
    # The short answer is marked where it stands, in the sentence and in the passage it cites.
    expect(answer.locator("strong.short-span")).to_have_text("SANA")
    expect(card.locator("mark strong.short-span")).to_have_text("SANA")
    source = turn.locator(".short-answer a.cite")
    assert source.get_attribute("href") == marker.get_attribute("href")
    expect(card.locator(".source-meta")).to_contain_text("paragraph")
    expect(page.locator("#announcer")).to_contain_text("Answer: SANA. ")
    expect(page.locator("#question")).to_be_focused()
    screenshot(page, "chat.png")

    card.locator("a.source-link").click()
    page.wait_for_url(re.compile(r"/articles/.+\?start=\d+&end=\d+.*#cited$"))
    cited = page.locator("#cited")
    expect(cited).to_be_in_viewport()
    expect(page.locator("mark.answer").first).to_contain_text("Separately on Thursday")
    expect(page.locator("mark.answer.short")).to_have_text("SANA")
    screenshot(page, "article.png")
    watched.assert_nothing_ran()

    for back in (page.go_back, page.reload):  # the conversation is kept for the visit
        back()
        expect(page.locator(".turn")).to_have_count(1)
        expect(page.locator(".turn .answer")).to_contain_text("SANA")
    page.locator("#clear").click()
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.locator("#intro")).to_be_visible()


def test_earlier_answers_stay_and_a_miss_says_so(server: str, watched: Watched):
    watched.page.goto(server)
    first = watched.ask(SEED_QUESTION)
    second = watched.ask("What is the recipe for sourdough bread?")
    watched.page.locator("#mode").select_option("bm25")
    third = watched.ask("What is the recipe for sourdough bread?")
    expect = sync_api.expect
    expect(second.locator(".no-answer")).to_contain_text("These are the closest passages")
    expect(second.locator(".no-answer")).to_contain_text("No article mentions “recipe”")
    expect(second.locator(".source").first).to_be_visible()
    expect(third.locator(".reply-meta")).to_contain_text("bm25 search")
    expect(third.locator(".no-answer")).to_contain_text("do not answer")
    expect(first.locator(".answer")).to_contain_text("SANA")
    expect(watched.page.locator(".turn")).to_have_count(3)


def test_article_markup_is_shown_as_text_and_never_runs(server: str, watched: Watched):
    page = watched.page
    page.goto(server)
    turn = watched.ask(MARKUP_QUESTION)
    card = turn.locator(".source", has_text="Port Lumen").first
    expect = sync_api.expect
    expect(card.locator(".source-title")).to_contain_text("<script>window.__pwned")
    expect(card.locator(".passage-text")).to_contain_text("<img src=x onerror=")
    assert turn.locator("img, script").count() == 0
    card.locator("a.source-link").click()
    page.wait_for_url(re.compile(r"/articles/port-lumen"))
    expect(page.locator("h1")).to_contain_text("<script>")
    expect(page.locator(".article-text")).to_contain_text('<script>alert("pwned")</script>')
    assert page.locator(".article-text img, .article-text script").count() == 0
    watched.assert_nothing_ran()


def test_an_unreachable_server_is_a_readable_message(server: str, watched: Watched):
    page = watched.page
    page.goto(server)
    page.route("**/api/ask", lambda route: route.abort())  # as if the server had gone away
    turn = watched.ask(SEED_QUESTION)
    sync_api.expect(turn.locator(".error[role=alert]")).to_contain_text("cannot be reached")
    sync_api.expect(page.locator("#question")).to_have_value(SEED_QUESTION)


def test_a_refused_question_is_a_readable_message(server: str, watched: Watched):
    page = watched.page
    page.goto(server)
    page.locator("#question").evaluate("input => input.removeAttribute('maxlength')")
    turn = watched.ask("why? " * 500)
    sync_api.expect(turn.locator(".error")).to_contain_text("the limit is 2,000")


def test_the_page_fits_a_phone(server: str, browser: sync_api.Browser):
    watched = Watched(browser, width=390, height=844)
    try:
        watched.page.goto(server)
        watched.ask(SEED_QUESTION)
        width = watched.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        sync_api.expect(watched.page.locator("#ask-button")).to_be_in_viewport()
        screenshot(watched.page, "chat-phone.png")
        watched.assert_nothing_ran()
    finally:
        watched.context.close()


def test_a_conversation_a_filter_a_shared_link_and_a_copied_citation(
    server: str, browser: sync_api.Browser
):
    watched = Watched(browser)
    watched.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page, expect = watched.page, sync_api.expect
    sent: list[dict] = []
    page.on(
        "request",
        lambda r: sent.append(r.post_data_json) if r.url.endswith("/api/ask") else None,
    )
    try:
        page.goto(server)
        opener = watched.ask(PESKOV_QUESTION)
        expect(opener.locator(".answer")).to_contain_text("Dmitry Peskov said")
        # A follow-up with a pronoun, sent with the visible conversation and resolved against it.
        follow = watched.ask("where did he say the attacks came from?")
        expect(follow.locator(".searched")).to_contain_text("Dmitry Peskov")
        expect(follow.locator(".answer")).to_contain_text("Turkish-controlled zone")
        assert sent[-1]["history"] == [{"question": PESKOV_QUESTION, "answer": sent_answer(opener)}]
        first = watched.ask(SEED_QUESTION)
        expect(first.locator(".answer")).to_contain_text("SANA")

        # The filter bar offers the archive's sources; a filtered question keeps to one.
        source = page.get_by_label("source", exact=True)
        seed_source = first.locator(".source-meta").first.inner_text().split(" · ")[0]
        source.select_option(seed_source)
        third = watched.ask(MARKUP_QUESTION)
        expect(third.locator(".filtered")).to_contain_text(f"source = {seed_source}")
        assert sent[-1]["filters"] == {"source": seed_source}
        for meta in third.locator(".source-meta").all():
            assert meta.inner_text().startswith(seed_source)

        # Copy citation puts title, source, paragraph and the article link on the clipboard.
        first.locator(".copy-citation").first.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert seed_source in copied and "paragraph" in copied and "/articles/" in copied

        # The first answer's link reproduces it for a colleague: asked on load, in a new tab.
        href = first.locator("a.share-link").get_attribute("href")
        colleague = Watched(browser)
        try:
            colleague.page.goto(server.rstrip("/") + href)
            shared = colleague.page.locator(".turn").first
            shared.locator(".reply[aria-busy=false]").wait_for()
            expect(shared.locator(".answer")).to_contain_text("SANA")
            colleague.assert_nothing_ran()
        finally:
            colleague.context.close()
        screenshot(page, "chat-conversation.png")
        watched.assert_nothing_ran()
    finally:
        watched.context.close()


PESKOV_QUESTION = "What did Kremlin spokesman Dmitry Peskov say?"


def sent_answer(turn: sync_api.Locator) -> str:
    """The answer text a turn shows, as the page sends it back as history."""
    text = turn.locator(".answer").inner_text()
    return text.rsplit(" [", 1)[0]


TOKEN = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def token_server(seed_index: Settings) -> Iterator[str]:
    """`qa serve` with QA_API_TOKEN set: the page needs a login, the API a Bearer token."""
    with serving(seed_index.index_dir, env={"QA_API_TOKEN": TOKEN}, timeout=START_TIMEOUT_S) as up:
        yield up.base + "/"


def test_the_token_login_by_keyboard_then_a_question(token_server: str, watched: Watched):
    page, expect = watched.page, sync_api.expect
    page.goto(token_server)
    page.wait_for_url(re.compile(r"/login\?next=/$"))
    token = page.get_by_label("Access token")
    expect(token).to_be_focused()
    expect(token).to_have_attribute("type", "password")

    token.press_sequentially("wrong-token")
    token.press("Enter")
    problem = page.get_by_role("alert")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("That token is not right")
    expect(token).to_be_focused()  # ready for another try, and says why it failed
    expect(token).to_have_attribute("aria-invalid", "true")
    assert "token-problem" in (token.get_attribute("aria-describedby") or "")
    assert not [c for c in watched.context.cookies() if c["name"] == "qa_session"]
    screenshot(page, "login-refused.png")

    token.fill(f" {TOKEN}\n")  # pasted from a terminal, with a space and a line end
    page.keyboard.press("Enter")
    page.wait_for_url(token_server)
    expect(page.locator("#question")).to_be_focused()
    turn = watched.ask(SEED_QUESTION)
    expect(turn.locator(".answer")).to_contain_text("SANA")

    (cookie,) = [c for c in watched.context.cookies() if c["name"] == "qa_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert TOKEN not in cookie["value"]
    assert "qa_session" not in page.evaluate("document.cookie")  # out of the page's scripts' reach
    watched.assert_nothing_ran()

    watched.context.clear_cookies()  # as when the server's token changes
    lost = watched.ask(SEED_QUESTION)
    expect(lost.locator(".error[role=alert]")).to_contain_text("log in again")
    page.reload()
    page.wait_for_url(re.compile(r"/login\?next=/$"))


def test_a_shared_link_survives_the_login(token_server: str, watched: Watched):
    page = watched.page
    page.goto(token_server + "?q=who+reported+the+Turkish+convoy%3F")
    page.get_by_label("Access token").fill(TOKEN)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/\?q=who"))
    shared = page.locator(".turn").first
    shared.locator(".reply[aria-busy=false]").wait_for()
    sync_api.expect(shared.locator(".answer")).to_contain_text("SANA")
    watched.assert_nothing_ran()
