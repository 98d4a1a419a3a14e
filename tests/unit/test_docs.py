"""The README and docs/*.md: short on top, every link inside the repository, every linked file there.

A reader of a clone (or of the image's source) has the repository and a running hiremix, not
the internet: links go to files of the repository, and URLs only to placeholder hosts.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
README_BUDGET_BYTES = 8_000

# Hosts a URL may name: this machine, and the names reserved for examples (RFC 2606, RFC 6761).
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1"}
PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net")
PLACEHOLDER_SUFFIXES = (".example", ".test", ".invalid", ".localhost")

URL = re.compile(r"""\b[a-z][a-z0-9+.-]*://[^\s<>()"'`\]]*""", re.IGNORECASE)
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
HTML_LINK = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text without code blocks and inline code, where brackets and # are not markdown."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def link_targets(text: str) -> list[str]:
    """Every link and image target of a markdown text: inline, reference-style and HTML."""
    text = prose(text)
    return [*INLINE_LINK.findall(text), *REFERENCE_LINK.findall(text), *HTML_LINK.findall(text)]


def is_placeholder_host(host: str) -> bool:
    """True for this machine and the reserved example domains."""
    host = host.lower().strip("[]").rstrip(".")
    return (host in LOCAL_HOSTS or host.endswith(PLACEHOLDER_SUFFIXES)
            or any(host == domain or host.endswith("." + domain) for domain in PLACEHOLDER_DOMAINS))


def external_urls(text: str) -> list[str]:
    """http(s) URLs in the text, code blocks included, whose host is a real site."""
    found = []
    for url in URL.findall(text):
        parts = urlsplit(url)
        if parts.scheme.lower() in ("http", "https") and parts.hostname and not is_placeholder_host(parts.hostname):
            found.append(url)
    return found


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor a markdown page has, with GitHub's -1, -2... for repeated headings."""
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def broken_links(page: Path) -> list[str]:
    """The page's links that leave the repository or name a file or anchor that is not there."""
    problems = []
    for target in link_targets(page.read_text(encoding="utf-8")):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            if parts.scheme.lower() not in ("http", "https") or not is_placeholder_host(parts.hostname or ""):
                problems.append(f"{target}: outside the repository")
            continue
        path = unquote(parts.path)
        file = (page.parent / path).resolve() if path else page
        if not file.is_relative_to(ROOT):
            problems.append(f"{target}: outside the repository")
        elif not file.exists():
            problems.append(f"{target}: no such file")
        elif parts.fragment and file.suffix == ".md" and parts.fragment not in anchors(file):
            problems.append(f"{target}: no such heading in {file.relative_to(ROOT)}")
    return problems


def test_the_checks_see_what_they_should():
    page = "[a](https://example.com/x) [b](https://pypi.org/project/x) `[c](https://github.com)`\n" \
           "```sh\ncurl https://api.github.com/x\n```\n![d](img.png) <a href='e.md#f'>e</a>\n"
    assert link_targets(page) == ["https://example.com/x", "https://pypi.org/project/x", "img.png", "e.md#f"]
    assert external_urls(page) == ["https://pypi.org/project/x", "https://github.com", "https://api.github.com/x"]
    assert external_urls("http://127.0.0.1:8000/docs https://ats.example.com/hooks an origin without `https://`") == []
    assert slug("Idempotent retries: `Idempotency-Key`") == "idempotent-retries-idempotency-key"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_no_page_names_a_site_outside_the_repository(page):
    found = external_urls(page.read_text(encoding="utf-8"))
    assert not found, "name the site in words instead: " + ", ".join(found)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_link_reaches_a_file_of_the_repository(page):
    problems = broken_links(page)
    assert not problems, "; ".join(problems)


def test_the_readme_stays_short():
    size = len(README.read_bytes())
    assert size <= README_BUDGET_BYTES, f"README.md is {size} bytes; move detail into docs/"


def test_the_readme_gives_the_commands_ci_and_newcomers_run():
    text = README.read_text(encoding="utf-8")
    assert "make run" in text
    assert "make test" in text


def test_the_docs_index_lists_every_doc():
    listed = {Path(target.split("#")[0]).name for target in link_targets((ROOT / "docs" / "README.md").read_text())}
    assert {page.name for page in DOCS} - {"README.md"} <= listed
