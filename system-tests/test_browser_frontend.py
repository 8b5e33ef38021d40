"""Issue 20's browser check: a page on another origin, in Debian's headless Chromium, logs in
with an API key, uploads the CTR CSV with fetch(…, {credentials: "include"}), starts training,
follows WS /ws/training/{run_id} with the session cookie to training_complete, fetches the AI
report, and generates and downloads the PDF. The final screenshot is saved (its path printed)."""

import functools
import http.server
import shutil
import threading
from pathlib import Path

from headless_chromium import HeadlessChromium
from kiln_process import KilnProcess, free_port
from test_ctr_app import make_csv

PAGE = Path(__file__).resolve().parent / "browser" / "ctr_dashboard.html"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_a_page_on_another_origin_runs_the_seed_flow_with_a_session_cookie(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "data.csv").write_bytes(make_csv())
    page_port = free_port()
    page_origin = f"http://127.0.0.1:{page_port}"
    pages = http.server.ThreadingHTTPServer(("127.0.0.1", page_port), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    server = KilnProcess(tmp_path / "data", extra_args=["--cors-origins", page_origin]).start()
    (site / "index.html").write_text(PAGE.read_text().replace("__KILN_URL__", server.url))
    browser = HeadlessChromium()
    try:
        browser.open(f"{page_origin}/index.html")
        browser.wait_for("document.readyState === 'complete' ? true : null", timeout=30)
        browser.evaluate(f"document.getElementById('key').value = {server.admin_key!r}; document.getElementById('login').click()")
        result = browser.wait_for("window.__result ?? null", timeout=180)
        screenshot = tmp_path / "ctr-dashboard.png"
        browser.screenshot(screenshot)
        shutil.copy(screenshot, Path(__file__).resolve().parent / "browser" / "last-run.png")
        print(f"screenshot: {screenshot}")
        assert "error" not in result, result["error"]
        assert result["role"] == "admin" and result["cookieVisibleToScript"] is False  # HttpOnly
        assert result["messages"][0] == "state" and result["messages"][-1] == "training_complete"
        assert "epoch_update" in result["messages"] and "log" in result["messages"]
        assert result["reportSummary"]
        assert result["pdfStatus"] == "generated" and result["pdfMagic"] == "%PDF-" and result["pdfBytes"] > 10_000
        assert result["withoutToken"] == 403
    finally:
        browser.close()
        server.stop()
        pages.shutdown()
