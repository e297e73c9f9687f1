"""The web pages in a real browser (Debian's Chromium driven by Playwright) against a real
`reflector serve`: two people in a room, presence, an upload processed to a transcript,
search, download and deletion; a Jitsi room against a stand-in for Jitsi's IFrame API.

Every page is checked with axe-core and photographed at desktop and phone sizes into
REFLECTOR_SCREENSHOTS (default: the test's temporary directory)."""

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright

from tests import daily_fake, llm_fake, whereby_fake
from tests.daily_fake import DailyFake
from tests.servers import free_port, wait_for_port
from tests.support import MOCK_SECRET
from tests.test_platform_daily import WEBHOOK_SECRET as DAILY_SECRET
from tests.test_platform_whereby import WEBHOOK_SECRET as WHEREBY_SECRET
from tests.web import PASSWORD
from tests.whereby_fake import WherebyFake

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
JITSI_DOMAIN = "meet.test"
JITSI_SECRET = "browser-test-jitsi-secret-0123456789abcdef"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
# Stands in for https://meet.test/external_api.js: records what the page gives Jitsi's API.
JITSI_STAND_IN = """
window.__jitsi = [];
window.__jitsiCommands = [];
window.JitsiMeetExternalAPI = function (domain, options) {
  const copy = Object.assign({}, options);
  delete copy.parentNode;
  window.__jitsi.push({ domain: domain, options: copy });
  const stage = document.createElement("p");
  stage.textContent = "Jitsi stand-in: " + options.roomName;
  options.parentNode.append(stage);
  this.executeCommand = function () { window.__jitsiCommands.push(Array.from(arguments)); };
  this.addListener = function () {};
  this.dispose = function () { stage.remove(); };
};
"""
# Stands in for daily-js: records the call frame's join.
DAILY_STAND_IN = """
window.__daily = [];
window.DailyIframe = {
  createFrame: function (parent, options) {
    const stage = document.createElement("p");
    parent.append(stage);
    return {
      join: function (properties) {
        window.__daily.push(properties);
        stage.textContent = "Daily stand-in: " + properties.url;
      },
      leave: function () { stage.remove(); },
    };
  },
};
"""
# Stands in for Whereby's embed module: a <whereby-embed> that shows the room it was given.
WHEREBY_STAND_IN = """
customElements.define("whereby-embed", class extends HTMLElement {
  connectedCallback() { this.textContent = "Whereby stand-in: " + this.getAttribute("room"); }
});
"""


class Served:
    """`reflector serve` with its embedded worker, users ann and bob, on a free port; Daily and
    Whereby are their fakes' APIs on loopback."""

    def __init__(self, directory: Path, daily_url: str, whereby_url: str, llm_url: str) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ["PATH"],
            "REFLECTOR_DATA_DIR": str(directory / "data"),
            "LOG_LEVEL": "WARNING",
            "DEFAULT_VIDEO_PLATFORM": "mock",
            "MOCK_WEBHOOK_SECRET": MOCK_SECRET,
            "MOCK_BASE_URL": f"{self.url}/mock",
            "JITSI_DOMAIN": JITSI_DOMAIN,
            "JITSI_JWT_SECRET": JITSI_SECRET,
            # Jibri's recordings reach us (finalize.sh signs with it): cloud recording is on.
            "JITSI_WEBHOOK_SECRET": "browser-test-jitsi-webhook-secret-0123456789",
            "DAILY_API_KEY": daily_fake.API_KEY,
            "DAILY_API_URL": daily_url,
            "DAILY_SUBDOMAIN": daily_fake.SUBDOMAIN,
            "DAILY_WEBHOOK_SECRET": DAILY_SECRET,
            "WHEREBY_API_KEY": whereby_fake.API_KEY,
            "WHEREBY_API_URL": whereby_url,
            "WHEREBY_WEBHOOK_SECRET": WHEREBY_SECRET,
            "REFLECTOR_PASSWORD": PASSWORD,
            "LLM_API_URL": llm_url,
            "LLM_MODEL": "llama3.1",
            # Every browser here signs in from 127.0.0.1, several times a minute.
            "SIGNIN_RATE_LIMIT_PER_ADDRESS": "100",
            "SIGNIN_RATE_LIMIT_PER_USER": "100",
        }
        reflector = str(Path(sys.executable).parent / "reflector")
        for name in ("ann", "bob"):
            subprocess.run(
                [reflector, "users", "create", name], env=self.env, check=True, capture_output=True
            )
        self.process = subprocess.Popen(
            [reflector, "serve", "--port", str(self.port)],
            cwd=directory,
            env=self.env,
            stdout=(directory / "serve.out").open("wb"),
            stderr=(directory / "serve.log").open("wb"),
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def daily() -> DailyFake:
    return DailyFake()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, daily: DailyFake) -> Iterator[Served]:
    with (
        daily_fake.served(daily) as daily_url,
        whereby_fake.served(WherebyFake()) as whereby_url,
        llm_fake.serving() as llm,
    ):
        server = Served(tmp_path_factory.mktemp("browser"), daily_url, whereby_url, llm.url)
        yield server
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "install Debian's chromium (scripts/test does)"
    with sync_playwright() as playwright:
        # Root in a container has no user namespaces for Chromium's sandbox.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("REFLECTOR_SCREENSHOTS")
    directory = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def signed_in(browser: Browser, served: Served, name: str, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, base_url=served.url, accept_downloads=True)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Rooms", exact=True)).to_be_visible()
    return page


def accessible(page: Page) -> None:
    """No axe-core violations on the page as it is now."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def shoot(page: Page, screenshots: Path, name: str) -> None:
    size = "phone" if page.viewport_size == PHONE else "desktop"
    page.screenshot(path=screenshots / f"{name}-{size}.png", full_page=True)


def join_the_mock_meeting(page: Page, name: str) -> None:
    """Join on the mock platform's meeting page, in the room page's frame, under the name
    the room page filled in."""
    meeting = page.frame_locator("#meeting-frame iframe")
    expect(meeting.get_by_label("Your name")).to_have_value(name)
    meeting.get_by_role("button", name="Join").click()
    expect(meeting.get_by_text("(you)")).to_be_visible()


def same_origin_bodies(context: BrowserContext, served: Served) -> list[str]:
    """Everything this service sends the context from now on (pages, scripts, API answers)."""
    bodies: list[str] = []

    def keep(route: Route) -> None:
        response = route.fetch()
        bodies.append(response.text())
        route.fulfill(response=response)

    context.route(f"{served.url}/**", keep)
    return bodies


def test_two_people_meet_upload_and_read_the_transcript(
    served: Served, browser: Browser, screenshots: Path, spoken_video: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=served.url, accept_downloads=True)
    ann = context.new_page()
    ann.goto("/")
    expect(ann.get_by_role("heading", name="Sign in")).to_be_visible()
    accessible(ann)
    shoot(ann, screenshots, "signin")
    ann.get_by_label("Name").fill("ann")
    ann.get_by_label("Password").fill("not the password")
    ann.get_by_role("button", name="Sign in").click()
    expect(ann.get_by_role("alert")).to_have_text("Wrong name or password.")
    ann.get_by_label("Name").fill("ann")
    ann.get_by_label("Password").fill(PASSWORD)
    ann.get_by_role("button", name="Sign in").click()
    expect(ann.get_by_role("heading", name="Rooms", exact=True)).to_be_visible()
    accessible(ann)

    ann.get_by_role("link", name="New room").click()
    accessible(ann)
    shoot(ann, screenshots, "room-form")
    ann.get_by_label("Name in the link").fill("standup")
    ann.get_by_label("Title").fill("Morning standup")
    ann.get_by_label("Video platform").select_option("mock")
    ann.get_by_label("Shared: every user can see and join it").check()
    ann.get_by_role("button", name="Create room").click()
    expect(ann).to_have_url(f"{served.url}/r/standup")
    expect(ann.locator("#history-empty")).to_have_text(re.compile("^This is the room's first"))
    expect(ann.get_by_role("button", name="End meeting")).to_be_visible()
    meeting = ann.evaluate(
        "fetch('/v1/rooms/standup/meetings/active').then(answer => answer.json())"
    )[0]
    assert "roomKey=" in meeting["host_room_url"]

    bob_context = browser.new_context(viewport=DESKTOP, base_url=served.url)
    seen_by_bob = same_origin_bodies(bob_context, served)
    bob = bob_context.new_page()
    bob.goto("/")
    bob.get_by_label("Name").fill("bob")
    bob.get_by_label("Password").fill(PASSWORD)
    bob.get_by_role("button", name="Sign in").click()
    bob.get_by_role("link", name="Morning standup").click()
    expect(bob.get_by_role("button", name="End meeting")).to_have_count(0)

    join_the_mock_meeting(ann, "ann")
    join_the_mock_meeting(bob, "bob")
    for page in (ann, bob):
        expect(page.locator("#presence-list li")).to_have_text(["ann", "bob"], timeout=15_000)
        expect(page.locator("#presence-count")).to_have_text("2")
    accessible(bob)
    shoot(bob, screenshots, "room-participant")
    assert seen_by_bob, "nothing was fetched"
    for body in seen_by_bob:
        assert meeting["host_room_url"] not in body
        assert "roomKey" not in body

    upload = ann.locator("form.upload").first
    upload.get_by_label("Add a recording of this meeting").set_input_files(spoken_video)
    upload.get_by_role("button", name="Upload").click()
    expect(upload.locator(".upload-status")).to_have_text("Uploaded.")
    recording = ann.locator("li.recording").first
    shoot(ann, screenshots, "room-processing")
    expect(recording.get_by_role("link", name="Transcript")).to_be_visible(timeout=180_000)
    expect(recording.locator("[data-status-text]")).to_have_text("done")
    expect(recording.locator(".label")).to_have_text(re.compile(r"^Recording of 0:0\d:$"))
    accessible(ann)
    shoot(ann, screenshots, "room-owner")

    ann.goto("/rooms")
    expect(ann.locator("[data-count]")).to_have_text("2")
    shoot(ann, screenshots, "rooms")

    ann.goto("/r/standup")
    ann.locator("li.recording").get_by_role("link", name="Transcript").click()
    expect(ann.get_by_role("heading", name="Budget review", level=1)).to_be_visible()
    record = ann.locator("section.record")
    expect(record.get_by_role("listitem").filter(has_text="Send the meeting notes")).to_have_text(
        "Send the meeting notes Speaker 1"
    )
    expect(record).to_contain_text("Book a room for the next review")
    accessible(ann)
    shoot(ann, screenshots, "transcript")
    record.get_by_role("link", name=re.compile("The budget")).click()
    expect(ann).to_have_url(re.compile(r"#at-0$"))
    ann.get_by_text("Name the speakers").click()
    ann.get_by_label("Speaker 1").fill("Ann")
    ann.get_by_role("button", name="Save names").click()
    expect(ann.locator(".segments .speaker").first).to_have_text("Ann")
    expect(record.locator(".owner")).to_have_text("Ann")
    ann.get_by_role("button", name="Regenerate summary").click()
    expect(record).to_contain_text("being written")
    said = ann.locator(".segments .text").all_inner_texts()
    word = max(" ".join(said).split(), key=len)
    transcript_url = ann.url

    ann.get_by_role("link", name="Transcripts", exact=True).click()
    ann.get_by_label("Search all your transcripts").fill(word)
    ann.get_by_role("button", name="Search").click()
    expect(ann.get_by_role("status")).to_contain_text(f"1 transcript with “{word}”")
    accessible(ann)
    shoot(ann, screenshots, "search")
    ann.get_by_label("Search all your transcripts").fill("zebra")
    ann.get_by_role("button", name="Search").click()
    expect(ann.get_by_role("status")).to_contain_text("No transcript has “zebra”")
    shoot(ann, screenshots, "search-empty")
    ann.get_by_role("link", name="show all transcripts").click()
    expect(ann.get_by_label("Search all your transcripts")).to_have_value("")

    ann.goto(transcript_url)
    with ann.expect_download() as download:
        ann.get_by_role("link", name="VTT").click()
    vtt = Path(download.value.path()).read_text()
    assert vtt.startswith("WEBVTT\n\n00:00:")
    assert word in vtt
    assert download.value.suggested_filename.endswith(".vtt")

    ann.get_by_role("link", name="Delete").click()
    accessible(ann)
    shoot(ann, screenshots, "confirm")
    ann.get_by_role("button", name="Delete the transcript").click()
    expect(ann).to_have_url(f"{served.url}/r/standup")
    expect(ann.locator("li.recording").get_by_role("link", name="Transcript")).to_have_count(0)
    assert ann.goto(transcript_url).status == 404
    ann.get_by_role("link", name="Back to the start").click()

    ann.get_by_role("link", name="API keys").click()
    ann.get_by_label("Name of a new key").fill("laptop")
    ann.get_by_role("button", name="Create key").click()
    expect(ann.locator("#new-key")).to_have_text(re.compile(r"^rfl_"))
    accessible(ann)
    shoot(ann, screenshots, "keys")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    ann.get_by_role("button", name="Copy").click()
    expect(ann.locator("#copy-status")).to_have_text("Copied.")
    assert ann.evaluate("navigator.clipboard.readText()") == ann.locator("#new-key").inner_text()
    ann.get_by_role("link", name="Revoke the key laptop").click()
    ann.get_by_role("button", name="Revoke the key").click()
    expect(ann.locator("td[data-label=State]")).to_contain_text("revoked ")

    ann.get_by_role("button", name="Sign out").click()
    expect(ann.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(ann.get_by_role("status")).to_have_text("You are signed out.")
    shoot(ann, screenshots, "signed-out")
    assert ann.goto("/rooms").url.startswith(f"{served.url}/signin")
    context.close()
    # Bob's page still polls; a fetch in flight when his context closes must not fail.
    bob_context.unroute_all(behavior="ignoreErrors")
    bob_context.close()


def test_a_taken_room_name_is_explained_next_to_the_field(
    served: Served, browser: Browser, screenshots: Path
) -> None:
    page = signed_in(browser, served, "bob", DESKTOP)
    for _ in range(2):
        page.goto("/rooms/new")
        page.get_by_label("Name in the link").fill("taken")
        page.get_by_role("button", name="Create room").click()
    name = page.get_by_label("Name in the link")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(re.compile("a room named 'taken' already exists"))
    accessible(page)
    shoot(page, screenshots, "room-form-error")
    # Nothing recorded, nothing to start: the trigger goes away and comes back.
    page.get_by_label("Recording", exact=True).select_option("none")
    expect(page.get_by_label("Recording starts")).to_be_hidden()
    page.get_by_label("Recording", exact=True).select_option("cloud")
    expect(page.get_by_label("Recording starts")).to_be_visible()
    # A name the browser refuses says what a name may be, not only that it does not match.
    name.fill("Team Standup")
    said = name.evaluate("field => field.validationMessage")
    assert "lowercase letters a-z, digits 0-9 and hyphens" in said
    page.context.close()


def test_pages_fit_a_phone(
    served: Served, browser: Browser, screenshots: Path, spoken_video: Path
) -> None:
    stranger = browser.new_page(viewport=PHONE, base_url=served.url)
    stranger.goto("/")
    shoot(stranger, screenshots, "signin")
    stranger.context.close()
    page = signed_in(browser, served, "ann", PHONE)
    page.goto("/rooms/new")
    page.get_by_label("Name in the link").fill("phone-room")
    page.get_by_role("button", name="Create room").click()
    meeting_page = str(page.locator("#meeting-frame iframe").get_attribute("src"))
    status = page.locator(".upload-status")
    too_large = {"detail": "the file is larger than the 2 GiB this service accepts"}
    page.route("**/recordings", lambda route: route.fulfill(status=413, json=too_large))
    page.get_by_label("Add a recording of this meeting").set_input_files(spoken_video)
    page.get_by_role("button", name="Upload").click()
    expect(status).to_have_text(f"Not uploaded: {too_large['detail']}")
    expect(status).to_have_class(re.compile(r"\berror\b"))
    shoot(page, screenshots, "upload-refused")
    page.unroute("**/recordings")
    page.get_by_role("button", name="Upload").click()
    expect(status).to_have_text("Uploaded.")
    expect(status).not_to_have_class(re.compile(r"\berror\b"))
    transcript = page.locator("li.recording").get_by_role("link", name="Transcript")
    expect(transcript).to_be_visible(timeout=180_000)
    expect(status).to_have_text("")
    transcript_path = str(transcript.get_attribute("href"))
    for path, name in [
        ("/r/phone-room", "room"),
        ("/rooms", "rooms"),
        ("/rooms/new", "room-form"),
        ("/transcripts", "search"),
        ("/keys", "keys"),
        (meeting_page, "mock-meeting"),
        (transcript_path, "transcript"),
        (f"{transcript_path}/delete", "confirm"),
    ]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"{path} scrolls sideways on a phone ({wide} px)"
        accessible(page)
        shoot(page, screenshots, name)
    page.context.close()


def test_keyboard_reaches_the_main_content_first(served: Served, browser: Browser) -> None:
    page = signed_in(browser, served, "ann", DESKTOP)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.context.close()


def test_everyone_joining_an_asking_room_is_asked_first(
    served: Served, browser: Browser, screenshots: Path
) -> None:
    ann = signed_in(browser, served, "ann", DESKTOP)
    ann.goto("/rooms/new")
    ann.get_by_label("Name in the link").fill("asks-first")
    ann.get_by_label("Video platform").select_option("mock")
    ann.get_by_label("Shared: every user can see and join it").check()
    ann.get_by_label("Before anyone is recorded").select_option("ask")
    ann.get_by_role("button", name="Create room").click()
    asked = ann.get_by_role("dialog", name="This meeting is recorded and transcribed.")
    expect(asked).to_be_visible()
    expect(ann.locator("#meeting-frame iframe")).to_have_count(0)
    accessible(ann)
    shoot(ann, screenshots, "consent")
    ann.get_by_role("button", name="Continue and agree").click()
    join_the_mock_meeting(ann, "ann")

    bob = signed_in(browser, served, "bob", PHONE)
    bob.goto("/r/asks-first")
    expect(bob.get_by_role("dialog")).to_be_visible()
    shoot(bob, screenshots, "consent")
    bob.get_by_role("button", name="Join without being recorded").click()
    join_the_mock_meeting(bob, "bob")

    again = signed_in(browser, served, "bob", DESKTOP)
    again.goto("/r/asks-first")
    again.get_by_role("button", name="Leave").click()
    expect(again).to_have_url(f"{served.url}/rooms")
    meeting = ann.evaluate(
        "fetch('/v1/rooms/asks-first/meetings/active').then(answer => answer.json())"
        ".then(([meeting]) => fetch('/v1/meetings/' + meeting.id)).then(answer => answer.json())"
    )
    answers = [(answer["name"], answer["answer"]) for answer in meeting["consent"]]
    assert answers == [("ann", "agree"), ("bob", "refuse")]
    for page in (ann, bob, again):
        page.context.close()


def new_room(
    page: Page, name: str, platform: str, recording: str | None = None, shared: bool = False
) -> None:
    """Creates a room through the form; its page opens."""
    page.goto("/rooms/new")
    page.get_by_label("Name in the link").fill(name)
    page.get_by_label("Video platform").select_option(platform)
    if recording:
        page.get_by_label("Recording", exact=True).select_option(recording)
    if shared:
        page.get_by_label("Shared: every user can see and join it").check()
    page.get_by_role("button", name="Create room").click()


def jitsi_page(browser: Browser, served: Served, name: str) -> Page:
    page = signed_in(browser, served, name, DESKTOP)
    page.context.route(
        f"https://{JITSI_DOMAIN}/external_api.js",
        lambda route: route.fulfill(body=JITSI_STAND_IN, content_type="text/javascript"),
    )
    return page


def given_to_jitsi(page: Page) -> dict[str, Any]:
    expect(page.locator("#meeting-frame")).to_contain_text("Jitsi stand-in")
    calls: list[dict[str, Any]] = page.evaluate("window.__jitsi")
    assert len(calls) == 1
    return calls[0]


def test_a_jitsi_room_gives_each_person_their_own_token(
    served: Served, browser: Browser, screenshots: Path
) -> None:
    ann = jitsi_page(browser, served, "ann")
    new_room(ann, "jitsi-room", "jitsi", recording="cloud", shared=True)
    host = given_to_jitsi(ann)
    assert host["domain"] == JITSI_DOMAIN
    assert host["options"]["roomName"].startswith("jitsi-room")
    host_claims = jwt.decode(
        host["options"]["jwt"], JITSI_SECRET, algorithms=["HS256"], audience="reflector"
    )
    assert host_claims["context"]["user"]["id"] == "ann"
    assert host_claims["context"]["user"]["moderator"] == "true"
    assert host_claims["context"]["features"]["recording"] is True
    policy = ann.evaluate("document.querySelector('script[src$=\"external_api.js\"]').src")
    assert policy == f"https://{JITSI_DOMAIN}/external_api.js"
    accessible(ann)
    shoot(ann, screenshots, "room-jitsi")

    ann.get_by_role("button", name="Start recording").click()
    meeting_id = ann.evaluate(
        "fetch('/v1/rooms/jitsi-room/meetings/active').then(answer => answer.json())"
    )[0]["id"]
    commands = ann.evaluate("window.__jitsiCommands")
    assert commands == [
        ["startRecording", {"mode": "file", "extraMetadata": {"reflector_meeting_id": meeting_id}}]
    ]

    bob = jitsi_page(browser, served, "bob")
    bob.goto("/r/jitsi-room")
    guest = given_to_jitsi(bob)
    guest_claims = jwt.decode(
        guest["options"]["jwt"], JITSI_SECRET, algorithms=["HS256"], audience="reflector"
    )
    assert guest_claims["context"]["user"]["id"] == "bob"
    assert guest_claims["context"]["user"]["moderator"] == "false"
    assert guest_claims["context"]["features"]["recording"] is False
    assert guest["options"]["jwt"] != host["options"]["jwt"]
    assert host["options"]["jwt"] not in bob.content()
    expect(bob.get_by_role("button", name="Start recording")).to_have_count(0)
    assert json.dumps(guest).count("moderator") == 0

    ann.once("dialog", lambda dialog: dialog.accept())
    ann.get_by_role("button", name="End meeting").click()
    expect(ann.locator("#meeting-status")).to_have_text("The meeting has ended.")
    expect(ann.locator("#meeting-frame")).not_to_contain_text("Jitsi stand-in")
    expect(bob.locator("#meeting-status")).to_have_text("The meeting has ended.", timeout=10_000)
    ann.context.close()
    bob.context.close()


def test_a_jitsi_room_not_recorded_in_the_cloud_offers_no_recording(
    served: Served, browser: Browser
) -> None:
    ann = jitsi_page(browser, served, "ann")
    new_room(ann, "unrecorded-jitsi", "jitsi", recording="local")
    host = given_to_jitsi(ann)
    claims = jwt.decode(
        host["options"]["jwt"], JITSI_SECRET, algorithms=["HS256"], audience="reflector"
    )
    assert claims["context"]["user"]["moderator"] == "true"
    assert claims["context"]["features"]["recording"] is False
    expect(ann.get_by_role("button", name="End meeting")).to_be_visible()
    expect(ann.get_by_role("button", name="Start recording")).to_have_count(0)
    ann.context.close()


def test_a_meeting_whose_platform_script_does_not_load_is_offered_as_a_link(
    served: Served, browser: Browser, screenshots: Path
) -> None:
    ann = signed_in(browser, served, "ann", DESKTOP)
    ann.context.route(f"https://{JITSI_DOMAIN}/external_api.js", lambda route: route.abort())
    new_room(ann, "unreachable-jitsi", "jitsi", recording="local")
    frame = ann.locator("#meeting-frame")
    expect(frame).to_contain_text(
        f"The meeting could not be shown here: Jitsi's external_api.js did not load from "
        f"{JITSI_DOMAIN}."
    )
    link = frame.get_by_role("link", name="Open the meeting")
    assert str(link.get_attribute("href")).startswith(f"https://{JITSI_DOMAIN}/unreachable-jitsi")
    expect(ann.get_by_role("button", name="End meeting")).to_be_visible()
    accessible(ann)
    shoot(ann, screenshots, "room-unembedded")
    ann.context.close()


def with_stand_in(page: Page, url: str, script: str) -> Page:
    page.context.route(
        url, lambda route: route.fulfill(body=script, content_type="text/javascript")
    )
    return page


def test_a_daily_room_joins_with_each_persons_own_meeting_token(
    served: Served, browser: Browser, daily: DailyFake, screenshots: Path
) -> None:
    script = "https://unpkg.com/@daily-co/daily-js"
    ann = with_stand_in(signed_in(browser, served, "ann", DESKTOP), script, DAILY_STAND_IN)
    new_room(ann, "daily-room", "daily", shared=True)
    expect(ann.locator("#meeting-frame")).to_contain_text("Daily stand-in")
    [host] = ann.evaluate("window.__daily")
    assert host["url"].startswith(f"https://{daily_fake.SUBDOMAIN}.daily.co/")
    assert "?t=" not in host["url"]
    assert daily.tokens[host["token"]]["is_owner"] is True
    assert daily.tokens[host["token"]]["user_name"] == "ann"
    accessible(ann)
    shoot(ann, screenshots, "room-daily")

    bob = with_stand_in(signed_in(browser, served, "bob", DESKTOP), script, DAILY_STAND_IN)
    bob.goto("/r/daily-room")
    expect(bob.locator("#meeting-frame")).to_contain_text("Daily stand-in")
    [guest] = bob.evaluate("window.__daily")
    assert guest["url"] == host["url"]
    assert daily.tokens[guest["token"]]["is_owner"] is False
    assert host["token"] not in bob.content()
    ann.context.close()
    bob.context.close()


def test_a_whereby_room_gives_the_host_link_to_the_owner_only(
    served: Served, browser: Browser, screenshots: Path
) -> None:
    script = "https://cdn.srv.whereby.com/embed/v3-embed.js"
    ann = with_stand_in(signed_in(browser, served, "ann", DESKTOP), script, WHEREBY_STAND_IN)
    new_room(ann, "whereby-room", "whereby", shared=True)
    embedded = ann.locator("whereby-embed")
    expect(embedded).to_contain_text("Whereby stand-in")
    assert "roomKey=" in str(embedded.get_attribute("room"))
    assert embedded.get_attribute("displayName") == "ann"
    shoot(ann, screenshots, "room-whereby")

    bob = with_stand_in(signed_in(browser, served, "bob", DESKTOP), script, WHEREBY_STAND_IN)
    bob.goto("/r/whereby-room")
    guest = bob.locator("whereby-embed")
    expect(guest).to_contain_text("Whereby stand-in")
    assert "roomKey" not in str(guest.get_attribute("room"))
    assert "roomKey" not in bob.content()
    ann.context.close()
    bob.context.close()


def test_a_whereby_meeting_whose_element_never_loads_is_offered_as_a_link(
    served: Served, browser: Browser
) -> None:
    ann = signed_in(browser, served, "ann", DESKTOP)
    ann.context.route("https://cdn.srv.whereby.com/**", lambda route: route.abort())
    new_room(ann, "unreachable-whereby", "whereby", shared=True)
    frame = ann.locator("#meeting-frame")
    expect(frame).to_contain_text(
        "The meeting could not be shown here: Whereby's embed script did not load.",
        timeout=20_000,
    )
    expect(frame.get_by_role("link", name="Open the meeting")).to_be_visible()
    ann.context.close()


def test_the_api_docs_render_the_operations(
    served: Served, browser: Browser, screenshots: Path
) -> None:
    page = browser.new_page(viewport=DESKTOP, base_url=served.url)
    page.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
    page.goto("/docs")
    operation = page.locator(".opblock-summary-path", has_text=re.compile(r"^/v1/rooms$")).first
    expect(operation).to_be_visible()
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    shoot(page, screenshots, "api-docs")
    page.context.close()
