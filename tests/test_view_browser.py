"""``sim view`` in a real browser: the server started as a user would start it, driven by
headless Chromium through Playwright.

The browser is a system Chromium (Playwright's own download is not needed): the path in
``$CHROMIUM``, else ``chromium``, ``chromium-browser``, ``google-chrome`` on the PATH,
else Playwright's own build if it was installed. Without any, the test is skipped and
says why (pytest -ra prints the reason).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "scenarios/istanbul_2025_06_02.yaml"
CONTROL = "parties.russia.fighting_cost"  # declared range [0.05, 0.15]
LABEL = "Russia: fighting cost per round"
STARTUP = 90  # seconds for the server to answer (imports are slow on a busy machine)
WAIT = 60_000  # milliseconds for a page update


def _browser() -> str | None:
    """A Chromium executable (module docstring), or None."""
    given = os.environ.get("CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:  # Playwright's own build, if `playwright install` ran
        own = p.chromium.executable_path
    return own if Path(own).is_file() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"sim view exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"sim view did not answer at {url} within {STARTUP} s:\n{log.read_text()}")


@pytest.fixture
def chromium() -> str:
    """The browser's executable; skips (saying why) without Playwright, Solara or a
    Chromium."""
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    pytest.importorskip("solara", reason="the view's packages are not installed ('.[view]')")
    executable = _browser()
    if executable is None:
        pytest.skip(
            "no Chromium found (set $CHROMIUM or install one, e.g. apt-get install chromium); "
            "the sim view browser test needs a real browser"
        )
    return executable


@pytest.fixture
def view_url(chromium, tmp_path):
    """``sim view SCENARIO --port P`` running in a subprocess; its URL."""
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim", "view", SCENARIO, "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for_server(proc, url, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _expected_round_one(values: list[float]) -> list[list[str]]:
    """Russia's utility, threshold and reservation in round 1 with the control at each
    of ``values``, computed here with the view's own model (the page must show these,
    to 3 decimals)."""
    from sim.view.controls import ViewSetup
    from sim.view.model import ViewModel

    setup = ViewSetup.from_file(ROOT / SCENARIO)
    out = []
    for value in values:
        model = ViewModel(setup, **{CONTROL: value})
        model.step()
        rec, i = model.negotiation.records[-1], model.base_game.index("russia")
        out.append([f"{x[i]:.3f}" for x in (rec.utilities, rec.thresholds, rec.reservation)])
    return out


def _russia_row(page) -> list[str]:
    """The cells of Russia's row in the parties' table of the Round panel."""
    row = page.locator("table.sim-table tr", has_text="Russia").first
    return [c.strip() for c in row.locator("td").all_inner_texts()]


@pytest.mark.slow
def test_moving_a_control_and_stepping_changes_what_the_page_draws(chromium, view_url):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(view_url)
            page.get_by_text("Round 0 of 12").wait_for(timeout=WAIT)
            step = page.get_by_role("button", name="Step")

            step.click()
            page.get_by_text("Round 1 of 12").wait_for(timeout=WAIT)
            before = _russia_row(page)

            slider = page.locator(".v-input", has_text=LABEL).get_by_role("slider")
            slider.focus()
            page.keyboard.press("End")  # the top of the declared range, 0.15
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Round 0 of 12").wait_for(timeout=WAIT)
            page.get_by_text(f"{LABEL}: 0.1 → 0.15").wait_for(timeout=WAIT)
            step.click()
            page.get_by_text("Round 1 of 12").wait_for(timeout=WAIT)
            after = _russia_row(page)

            page.get_by_role("tab", name="Utilities and the plane").click()
            image = page.locator(".sim-figure img").first
            image.wait_for(timeout=WAIT)
            drawn = image.get_attribute("src")
            step.click()
            page.wait_for_function(
                "src => document.querySelector('.sim-figure img').src !== src",
                arg=drawn,
                timeout=WAIT,
            )
        finally:
            browser.close()

    base, moved = _expected_round_one([0.10, 0.15])
    assert before[1:4] == base
    assert after[1:4] == moved
    assert float(after[3]) < float(before[3])  # a costlier war is worth less to Russia
    assert errors == [], f"browser console errors: {errors}"
