"""Test helpers for words on pages: English left in a Danish page, and a form's error summary.

``english_left_in(html, catalogue)`` lists the text of a Danish page that is an English message of
the project's own catalogue (``borneliv/locale/da/LC_MESSAGES/django.po``) which has a different
Danish translation — a string that was not put through gettext, or was translated too early (at
import time, outside the request's language), or has no Danish at all. Whole text nodes are
compared (and the attributes a reader meets: ``alt``, ``title``, ``aria-label``,
``placeholder``), so a short word that happens to occur inside a Danish sentence is no finding;
messages whose Danish is the same as the English ("SFO", "Status") are left out, and so is
anything inside an element marked with another language (the language switch's "English").
Messages with placeholders match with any text in the placeholder's place.

``error_summary_problems(html)`` checks the GOV.UK-style error summary of a page re-rendered with
form errors (``templates/includes/form_errors.html``): first in ``<main>``, ``role="alert"``,
``tabindex="-1"``, a heading, and a link to each field marked ``aria-invalid="true"``.
``blank_forms(html, base)`` lists a page's POST forms with their fields left empty, and
``submit_rolled_back`` sends one inside a rolled-back transaction, so a crawl can see every
form's answer to a careless submit (``borneliv.testing_links.crawl(on_page=…)``).
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

#: Elements whose text is not UI text: code, scripts, styles, and data the user typed or imported.
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "textarea", "option"}
#: Attributes whose values a reader meets (screen readers read these, browsers show titles).
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
_SPACE = re.compile(r"\s+")
#: The admin's columns of the English half of bilingual data (``name_en``, ``label_en``).
_OTHER_LANGUAGE_FIELD = re.compile(r"\bfield-\w+_en\b")


@dataclass
class Message:
    """One message of a .po catalogue: its English text(s) and Danish translation(s)."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstrs: dict[int | None, str] = field(default_factory=dict)
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstrs) and all(self.msgstrs.values()) and not self.fuzzy

    @property
    def english(self) -> list[str]:
        return [self.msgid] + ([self.msgid_plural] if self.msgid_plural else [])

    @property
    def danish(self) -> list[str]:
        return list(self.msgstrs.values())


def read_catalogue(path: Path) -> list[Message]:
    """The messages of a .po file (the header and obsolete entries left out)."""
    messages: list[Message] = []
    current: Message | None = None
    target: tuple[str, int | None] | None = None
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = Message()
            messages.append(current)
        if line.startswith("#,"):
            current.fuzzy = current.fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif match := keyword.match(line):
            name, index, value = match.groups()
            text = ast.literal_eval(value)
            if name == "msgstr" or name.startswith("msgstr["):
                key = int(index) if index is not None else None
                current.msgstrs[key] = text
                target = ("msgstr", key)
            else:
                setattr(current, name, text)
                target = (name, None)
        elif line.startswith('"') and target is not None:
            text = ast.literal_eval(line)
            name, key = target
            if name == "msgstr":
                current.msgstrs[key] += text
            else:
                setattr(current, name, (getattr(current, name) or "") + text)
    return [m for m in messages if m.msgid]


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@dataclass
class EnglishFinder:
    """Matches whole texts against the English messages whose Danish differs."""

    exact: dict[str, str]  # normalised English text -> msgid
    patterns: list[tuple[re.Pattern[str], str]]

    def find(self, text: str) -> str | None:
        text = _normal(text)
        if not text:
            return None
        if text in self.exact:
            return self.exact[text]
        for pattern, msgid in self.patterns:
            if pattern.fullmatch(text):
                return msgid
        return None


def english_finder(messages: Iterable[Message]) -> EnglishFinder:
    """The English texts to look for: every message whose Danish differs from its English.

    A message without a Danish translation is looked for too (the catalogue test fails on it
    anyway). Messages containing markup are left out (their text spans several nodes), and so
    are messages whose words are too few to tell languages apart once placeholders are removed.
    """
    messages = list(messages)
    # A word that is also the Danish of some message is Danish too ("By": city, not "by").
    all_danish = {_normal(text).lower() for message in messages for text in message.danish}
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    for message in messages:
        for english in message.english:
            text = _normal(english)
            if not text or "<" in text or text.lower() in all_danish:
                continue
            if not _PLACEHOLDER.search(text):
                exact.setdefault(text, message.msgid)
                exact.setdefault(text[0].upper() + text[1:], message.msgid)  # capfirst labels
                continue
            literal = _PLACEHOLDER.sub("", text)
            if not re.search(r"[A-Za-z]{4,}", literal):
                continue  # "%(name)s (%(code)s)", "%(n)s min": nothing English to recognise
            parts = [re.escape(part) for part in _PLACEHOLDER.split(text)]
            patterns.append((re.compile(r".+?".join(parts), re.DOTALL), message.msgid))
    return EnglishFinder(exact=exact, patterns=patterns)


class _Texts(HTMLParser):
    """Text nodes and read attributes of a page, outside skipped and other-language elements."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.texts: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, skipped)

    @property
    def _skipped(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        lang = values.get("lang", "")
        skipped = (
            self._skipped
            or tag in SKIPPED_ELEMENTS
            or bool(lang and not lang.startswith(self.language))
            or bool(_OTHER_LANGUAGE_FIELD.search(values.get("class", "")))
        )
        if not skipped:
            for name in READ_ATTRIBUTES:
                if values.get(name):
                    self.texts.append(values[name])
            if (
                tag == "input"
                and values.get("type") in ("submit", "button")
                and values.get("value")
            ):
                self.texts.append(values["value"])
        if tag not in VOID_ELEMENTS:
            self._stack.append((tag, skipped))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self._stack:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        # Pop to the matching element (tolerates omitted end tags such as </li> and </p>).
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipped and data.strip():
            self.texts.append(data)


def page_texts(html: str, language: str = "da") -> list[str]:
    """The whole text nodes and read attributes of ``html`` in ``language``, normalised."""
    parser = _Texts(language)
    parser.feed(html)
    parser.close()
    return [_normal(text) for text in parser.texts]


def english_left_in(html: str, finder: EnglishFinder) -> list[str]:
    """The texts of a Danish page that are English messages of the catalogue (see module doc)."""
    found = []
    for text in page_texts(html):
        msgid = finder.find(text)
        if msgid is not None:
            found.append(text)
    return found


# --- error summary ------------------------------------------------------------------------------


class _Summary(HTMLParser):
    """Where the error summary is, what it says, and which fields are marked invalid."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_main = False
        self.main_children: list[dict[str, str]] = []  # start tags inside <main>, in order
        self.summary: dict[str, str] | None = None
        self.summary_links: list[str] = []
        self.summary_heading = ""
        self.invalid_ids: list[str] = []
        self._depth_in_summary = 0
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        values["<tag>"] = tag
        if tag == "main":
            self.in_main = True
        elif self.in_main:
            self.main_children.append(values)
        if "data-error-summary" in values and self.summary is None:
            self.summary = values
            self._depth_in_summary = 1
        elif self._depth_in_summary and tag not in VOID_ELEMENTS:
            self._depth_in_summary += 1
            if tag in ("h2", "h3") and not self.summary_heading:
                self._in_heading = True
            if tag == "a" and values.get("href", "").startswith("#"):
                self.summary_links.append(values["href"][1:])
        if values.get("aria-invalid") == "true" and values.get("id"):
            self.invalid_ids.append(values["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False
        if self._depth_in_summary and tag not in VOID_ELEMENTS:
            self._depth_in_summary -= 1
            if tag in ("h2", "h3"):
                self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.summary_heading += data


def error_summary_problems(html: str, *, heading: str = "Der er et problem") -> list[str]:
    """What is wrong with the error summary of a page that shows form errors ([] when fine)."""
    parser = _Summary()
    parser.feed(html)
    summary = parser.summary
    if summary is None:
        return ["no error summary"]
    problems = []
    first = next(
        (tag for tag in parser.main_children if tag["<tag>"] not in ("div",) or tag is summary),
        None,
    )
    if first is not summary:
        problems.append("the summary is not the first thing in <main>")
    if summary.get("role") != "alert":
        problems.append('no role="alert"')
    if summary.get("tabindex") != "-1":
        problems.append('no tabindex="-1"')
    if _normal(parser.summary_heading) != heading:
        problems.append(f"heading {parser.summary_heading!r}")
    links = parser.summary_links
    # A group of radio buttons or checkboxes is linked by its container's id ("id_family" for
    # "id_family_0", "id_family_1").
    missing = [
        i for i in parser.invalid_ids if not any(i == n or i.startswith(f"{n}_") for n in links)
    ]
    if missing:
        problems.append(f"no link to {missing}")
    return problems


# --- forms submitted empty ----------------------------------------------------------------------


@dataclass
class BlankForm:
    """A POST form of a page as a user would send it with every field she can fill left empty."""

    action: str
    data: dict[str, str] = field(default_factory=dict)  # hidden values kept, the rest empty
    fields: list[str] = field(default_factory=list)  # the names of the fields left empty


class _PostForms(HTMLParser):
    TEXT_KINDS = {"text", "email", "number", "date", "tel", "url", "search", "password"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[BlankForm] = []
        self._form: BlankForm | None = None
        self._button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            if values.get("method", "get").lower() == "post":
                self._form = BlankForm(action=values.get("action", ""))
                self.forms.append(self._form)
                self._button = False
            return
        form = self._form
        name = values.get("name", "")
        if form is None or not name:
            return
        kind = values.get("type", "text" if tag == "input" else "submit").lower()
        if tag == "input" and kind == "hidden":
            form.data.setdefault(name, values.get("value", ""))
        elif (tag == "input" and kind in self.TEXT_KINDS) or tag in ("textarea", "select"):
            form.data[name] = ""
            form.fields.append(name)
        elif tag == "input" and kind in ("checkbox", "radio", "file"):
            form.fields.append(name)  # left unticked, no file
        elif tag == "button" or (tag == "input" and kind == "submit"):
            if not self._button and kind == "submit":
                form.data.setdefault(name, values.get("value", ""))
            self._button = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def blank_forms(html: str, base: str) -> list[BlankForm]:
    """The POST forms of ``html`` that have fields to fill, each with those fields left empty.

    Forms of buttons alone (publish, deactivate, the language switch) are left out: there is
    nothing to get wrong in them. Actions are made absolute paths (relative to ``base``).
    """
    parser = _PostForms()
    parser.feed(html)
    found = []
    for form in parser.forms:
        if not form.fields:
            continue
        url, _fragment = urldefrag(urljoin(base, form.action or base))
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        form.action = parts.path + (f"?{parts.query}" if parts.query else "")
        found.append(form)
    return found


def submit_rolled_back(client: Client, form: BlankForm) -> Any:
    """POST ``form`` inside a transaction that is rolled back, keeping the client's session."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = client.post(form.action, form.data)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def shows_form_errors(response: Any) -> bool:
    """Whether ``response`` is a page re-rendered with form errors (a field marked invalid, an
    error list or an error summary)."""
    if response.status_code not in (200, 400, 409):
        return False
    if "text/html" not in response.get("Content-Type", ""):
        return False
    html = response.content.decode()
    return (
        'aria-invalid="true"' in html or "data-error-summary" in html or 'class="errorlist' in html
    )


def _route(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.view_name or match.route


class WordsCheck:
    """An ``on_page`` for ``testing_links.crawl``: English left on Danish pages, and the forms
    whose errors were not summed up.

    Each POST form met is sent once per route with its fields left empty (rolled back). The
    routes (URL names) whose answer showed form errors are in ``forms_with_errors``; those whose
    error summary has a problem, with the problems, in ``summaries``; English found, with the
    pages it was on, in ``english``. The Django admin's forms are Django's own and keep its way
    of showing errors; their pages are read for English like every other.
    """

    #: Routes whose forms keep their own error display (the Django admin's).
    OWN_ERRORS = ("admin:",)

    def __init__(self, client: Client, finder: EnglishFinder) -> None:
        self.client = client
        self.finder = finder
        self.english: dict[str, set[str]] = {}
        self.summaries: dict[str, list[str]] = {}
        self.forms_with_errors: set[str] = set()
        self._sent: set[str] = set()

    def __call__(self, url: str, response: Any) -> None:
        html = response.content.decode()
        for text in english_left_in(html, self.finder):
            self.english.setdefault(text, set()).add(url)
        for form in blank_forms(html, url):
            route = _route(form.action)
            if route in self._sent or route.startswith(self.OWN_ERRORS):
                continue
            self._sent.add(route)
            answer = submit_rolled_back(self.client, form)
            if shows_form_errors(answer):
                self.forms_with_errors.add(route)
                for text in english_left_in(answer.content.decode(), self.finder):
                    self.english.setdefault(text, set()).add(f"{form.action} (sent empty)")
                problems = error_summary_problems(answer.content.decode())
                if problems:
                    self.summaries[route] = problems
