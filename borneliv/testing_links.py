"""A small crawler for tests: does any link or GET form a user is shown answer 403?

``crawl(client)`` starts at the landing page, follows every link and GET form on it (the
navigation included) and every link and GET form on the pages those lead to, ``depth`` steps
deep. Each answer is recorded with the page that showed the link. A button that leads to 403 is
a page offering something its user may not do; the tests assert there is none. With
``press_buttons`` the first button of each kind of POST form is pressed as well, inside a
transaction that is rolled back (and with the session cookie put back), so nothing is kept.

To keep a crawl of a large demo short, at most ``per_route`` URLs of one route (URL name) are
followed (e.g. three children's records, not three hundred); links to the same route with other
ids behave alike, because the page decides what to show with the same rule for each.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

#: Never followed: leaving the session, switching language, static and media files.
SKIPPED_PREFIXES = ("/logout/", "/admin/logout/", "/i18n/", "/static/", "/media/")


@dataclass
class PostForm:
    """A form that POSTs, with what it would send as it stands (its first submit button)."""

    action: str
    data: dict[str, str] = field(default_factory=dict)
    button: tuple[str, str] | None = None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.post_forms: list[PostForm] = []
        self._form: PostForm | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "form":
            if (values.get("method") or "get").lower() == "get":
                self.links.append(values.get("action", ""))
            else:
                self._form = PostForm(action=values.get("action", ""))
                self.post_forms.append(self._form)
        elif self._form is not None:
            self._field(tag, values)

    def _field(self, tag: str, values: dict[str, str]) -> None:
        assert self._form is not None
        name = values.get("name", "")
        kind = values.get("type", "text" if tag == "input" else "submit").lower()
        if tag == "button" or (tag == "input" and kind == "submit"):
            if self._form.button is None and kind == "submit":
                self._form.button = (name, values.get("value", ""))
        elif tag == "input" and name and kind not in ("checkbox", "radio", "file"):
            self._form.data.setdefault(name, values.get("value", ""))
        elif tag == "input" and name and "checked" in values:
            self._form.data.setdefault(name, values.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in values:
            self._form.data[self._select] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _same_site(base: str, href: str) -> str | None:
    url, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path or path.startswith(SKIPPED_PREFIXES):
        return None
    return path


def links_in(html: str, base: str) -> list[str]:
    """Same-site paths of the links and GET-form actions in ``html`` (relative to ``base``)."""
    parser = _Links()
    parser.feed(html)
    return [path for href in parser.links if (path := _same_site(base, href))]


def post_forms_in(html: str, base: str) -> list[PostForm]:
    """The same-site forms in ``html`` that POST, with their actions made absolute paths."""
    parser = _Links()
    parser.feed(html)
    forms = []
    for form in parser.post_forms:
        path = _same_site(base, form.action or base)
        if path:
            form.action = path
            forms.append(form)
    return forms


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
    posts: list[Visit] = field(default_factory=list)  # buttons of POST forms, pressed

    def with_status(self, *statuses: int) -> list[Visit]:
        return [visit for visit in self.visits if visit.status in statuses]

    @property
    def urls(self) -> set[str]:
        return {visit.url for visit in self.visits}


def crawl(
    client: Client,
    *,
    start: str = "/",
    depth: int = 2,
    per_route: int = 3,
    press_buttons: bool = False,
    on_page: Callable[[str, Any], None] | None = None,
) -> Crawl:
    """Visit ``start`` and what it links to, ``depth`` steps deep; see the module docstring.

    With ``press_buttons`` every POST form's button met on the way (one per route) is pressed
    too, as the form stands, inside a transaction that is rolled back — so nothing it does is
    kept — and its answer is recorded in ``posts``: a 400 (the form wants more) is fine, a 403
    is a button the user should not have been shown. ``on_page(url, response)`` is called with
    every HTML page that answers 200 (e.g. to check its words, ``borneliv.testing_words``).
    """
    result = Crawl()
    seen: set[str] = {start}
    pressed: set[str] = set()
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
            if status != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            if on_page is not None:
                on_page(url, response)
            if step == depth:
                continue
            html = response.content.decode()
            for link in _new_links(html, url, seen, per, per_route):
                following.append((link, url))
            if press_buttons:
                for form in post_forms_in(html, url):
                    if form.button is None:
                        continue  # no button shown (e.g. the admin's read-only form)
                    route = _route(form.action)
                    if route in pressed:
                        continue
                    pressed.add(route)
                    result.posts.append(Visit(form.action, _press(client, form), url))
        frontier = following
    return result


def _press(client: Client, form: PostForm) -> int:
    data = dict(form.data)
    if form.button and form.button[0]:
        data[form.button[0]] = form.button[1]
    cookies = copy.deepcopy(client.cookies)  # a rolled-back session must not be kept
    with transaction.atomic():
        status = client.post(form.action, data).status_code
        transaction.set_rollback(True)
    client.cookies = cookies
    return status


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
