"""A small crawler for tests: does any link or GET form a user is shown answer 403?

``crawl(client)`` starts at the landing page, follows every link and GET form on it (the
navigation included) and every link and GET form on the pages those lead to: two steps, GET
only, never a POST. Each answer is recorded with the page that showed the link. A button that
leads to 403 is a page offering something its user may not do; the test asserts there is none.

To keep a crawl of a large demo short, at most ``per_route`` URLs of one route (URL name) are
followed (e.g. three children's records, not three hundred); links to the same route with other
ids behave alike, because the page decides what to show with the same rule for each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

#: Never followed: leaving the session, switching language, static and media files.
SKIPPED_PREFIXES = ("/logout/", "/i18n/", "/static/", "/media/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        elif tag == "form" and (values.get("method") or "get").lower() == "get":
            self.links.append(values.get("action") or "")


def links_in(html: str, base: str) -> list[str]:
    """Same-site paths of the links and GET-form actions in ``html`` (relative to ``base``)."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        url, _fragment = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path and not path.startswith(SKIPPED_PREFIXES):
            found.append(path)
    return found


def _route(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.view_name or match.route


@dataclass
class Visit:
    url: str
    status: int
    found_on: str


@dataclass
class Crawl:
    visits: list[Visit] = field(default_factory=list)

    def with_status(self, *statuses: int) -> list[Visit]:
        return [visit for visit in self.visits if visit.status in statuses]

    @property
    def urls(self) -> set[str]:
        return {visit.url for visit in self.visits}


def crawl(client: Client, *, start: str = "/", depth: int = 2, per_route: int = 3) -> Crawl:
    """Visit ``start`` and what it links to, ``depth`` steps deep; see the module docstring."""
    result = Crawl()
    seen: set[str] = {start}
    per: dict[str, int] = {}
    frontier: list[tuple[str, str]] = [(start, "")]
    for step in range(depth + 1):
        following: list[tuple[str, str]] = []
        for url, found_on in frontier:
            response = client.get(url)
            status = response.status_code
            if status in (301, 302) and response.get("Location"):
                # Where it leads is what the user meets (e.g. a 403 behind a redirect).
                target = urljoin(url, response["Location"])
                response = client.get(target)
                status = response.status_code
            result.visits.append(Visit(url, status, found_on))
            if step == depth or status != 200:
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            for link in _new_links(response.content.decode(), url, seen, per, per_route):
                following.append((link, url))
        frontier = following
    return result


def _new_links(
    html: str, base: str, seen: set[str], per: dict[str, int], per_route: int
) -> Iterable[str]:
    for link in links_in(html, base):
        if link in seen:
            continue
        route = _route(link)
        if per.get(route, 0) >= per_route:
            continue
        seen.add(link)
        per[route] = per.get(route, 0) + 1
        yield link
