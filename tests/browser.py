"""Headless Chromium for the tests: the DOM of a page after its scripts ran, and the JSON a
checking script leaves in it. A test that needs Chromium skips, saying why, where it is
missing."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def dump_dom(page: Path | str, tmp_path: Path, *, dark: bool = False) -> str:
    """The DOM of a page (a file or a URL) after its scripts ran, from headless Chromium, with
    the system's colour scheme light or dark (skip without Chromium)."""
    browser = chromium()
    if browser is None:
        pytest.skip("no headless Chromium (Debian: apt-get install chromium)")
    profile = tmp_path / ("profile-dark" if dark else "profile")
    url = page.as_uri() if isinstance(page, Path) else page
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-extensions", "--mute-audio",
         *(["--force-dark-mode"] if dark else []),
         f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.stdout, f"chromium gave no page: {result.stderr[-500:]}"
    return result.stdout


def result_of(dom: str) -> object:
    """The JSON a checking script left in ``<pre id="result">``."""
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert found, "the checking script left no result"
    return json.loads(html.unescape(found.group(1)))
