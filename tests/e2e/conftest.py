import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.servers import create_key, gunicorn, scratch_postgres, sqlite_env

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root, in a sandbox with no network but the registries: no sandbox, no background traffic.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def backend_env(request, tmp_path):
    """A fresh, migrated database of each backend; PostgreSQL gets a database of its own."""
    if request.param == "sqlite":
        yield sqlite_env(tmp_path)
        return
    with scratch_postgres() as env:
        yield env


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium under Playwright (apt-get install chromium; CI installs it): without it the
    browser tests are skipped outside CI and fail in CI."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs Chromium for the browser tests: apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def screenshot(page, name: str) -> None:
    """With HIREMIX_SCREENSHOTS=docs (`make screenshots`), save the page as docs/<name>."""
    folder = os.environ.get("HIREMIX_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(ROOT / folder / name), full_page=name.endswith("-full.png"))


def _short_name(request) -> str:
    """tests.e2e.test_console_browser -> console_browser."""
    return request.module.__name__.rpartition(".")[2].removeprefix("test_")


@pytest.fixture(scope="module")
def env(tmp_path_factory, request):
    """A fresh, migrated SQLite database for one test module (a module may define its own)."""
    return sqlite_env(tmp_path_factory.mktemp(_short_name(request)))


@pytest.fixture(scope="module")
def server(env, request):
    """gunicorn on `env`, with a key of its own, for one test module (a module may define its own)."""
    with gunicorn(env, create_key(env, _short_name(request))) as running:
        yield running
