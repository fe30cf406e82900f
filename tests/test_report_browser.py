"""The HTML report of `simulate`, opened in a real browser.

Headless Chromium (Debian's `chromium`; .ci/run installs it) is driven over
the DevTools protocol (`websocket-client`): the report of a replay of the
example project is opened from disk, every chart must have drawn its bars
(each `rect.bar` a box of positive width and height, as the browser laid it
out), the console must show no error, and a screenshot is saved. Without
Chromium the test skips on a laptop and fails under CI=true, like an engine.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from conftest import unavailable

EXAMPLE = Path(__file__).parent.parent / "policies"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--window-size=1100,1400")
GEOMETRY = """JSON.stringify([...document.querySelectorAll('svg.chart')].map(svg => ({
  id: svg.id,
  bars: [...svg.querySelectorAll('rect.bar')].map(r => { const b = r.getBBox(); return [b.width, b.height]; }),
  box: (b => [b.width, b.height])(svg.getBBox()),
})))"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One headless Chromium with a fresh profile, and its page's DevTools connection."""

    def __init__(self, binary: str, profile: str):
        import websocket

        self.process = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        endpoint = self._endpoint()
        port = endpoint.split(":")[2].split("/")[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as answer:
            page = next(t for t in json.load(answer) if t["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def _endpoint(self) -> str:
        """The browser's DevTools address, from its standard error, which is then drained in a thread
        (a full pipe would stall the browser)."""
        for line in self.process.stderr:
            if "DevTools listening on" in line:
                threading.Thread(target=self.process.stderr.read, daemon=True).start()
                return line.split("DevTools listening on", 1)[1].strip()
        raise RuntimeError("chromium exited without opening its DevTools endpoint")

    def call(self, method: str, **params) -> dict:
        """Send a command; its result (events that arrive meanwhile are kept in `events`)."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            self.events.append(message)

    def wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(json.loads(self.socket.recv()))

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"]["value"]

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors seen so far."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"])
        return found

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def browser(tmp_path):
    binary = chromium()
    if binary is None:
        unavailable("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        opened = Browser(binary, profile)
        try:
            yield opened
        finally:
            opened.close()


def example_report(path: Path, start: date, end: date) -> None:
    """Replay the example project over `start`..`end` and write its report to `path`."""
    from policylang.project import load_project
    from policylang.simulate.report import write_report
    from policylang.simulate.replay import replay
    from policylang.simulate.figures import figures

    write_report(figures(replay(load_project(EXAMPLE), start, end)), path)


def test_every_chart_of_the_report_renders_in_chromium_without_console_errors(browser, tmp_path):
    report = tmp_path / "report.html"
    example_report(report, date(2025, 6, 16), date(2025, 6, 29))
    browser.open(report.as_uri())
    charts = json.loads(browser.evaluate(GEOMETRY))
    ids = sorted(chart["id"] for chart in charts)
    assert ids == sorted(f"chart-{k}" for k in ("spend", "rules", "units", "channels", "weeks",
                                                "distribution", "top"))
    for chart in charts:
        assert chart["bars"], f"{chart['id']} drew no bar"
        assert all(w > 0 and h > 0 for w, h in chart["bars"]), chart
        assert chart["box"][0] > 0 and chart["box"][1] > 0, chart
    assert browser.evaluate("document.querySelectorAll('table').length") == 8
    assert browser.console_errors() == []
    shot = Path(os.environ.get("POLICYLANG_REPORT_SCREENSHOT", tmp_path / "report.png"))
    browser.screenshot(shot)
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_the_browser_check_sees_a_console_error_and_a_bar_of_no_width(browser, tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><svg class="chart" id="chart-x" width="10" height="10">'
                    '<rect class="bar" x="0" y="0" width="0" height="5"/></svg>'
                    '<script>console.error("boom")</script></body></html>', encoding="utf-8")
    browser.open(page.as_uri())
    (chart,) = json.loads(browser.evaluate(GEOMETRY))
    assert chart["bars"] == [[0, 5]]
    assert browser.console_errors() == ["boom"]
