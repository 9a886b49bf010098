"""Test helpers for lost updates: parallel calls, and the data of an admin change form.

Parallel calls: for the tests of lost updates and state transitions on PostgreSQL: ``together(calls)`` starts
one thread per call, lets them all wait at a barrier and releases them at once, so the database
sees the writes side by side, as it would from parallel requests. Django gives every thread its
own connection; each thread closes it when done. Use it with ``transactional_db`` (or a live
server): the threads only see committed data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django import forms
from django.db import connection, connections

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel writes need PostgreSQL's row locks (SQLite serialises every write)",
)


def together(calls: Sequence[Callable[[], Any]], *, timeout: float = 60) -> list[Any]:
    """The result (or the exception raised) of each call, in order, all started at once."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout)
            results[index] = call()
        except BaseException as exc:  # reported to the test as the result
            results[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError("a parallel call did not finish")
    return results


def form_data(form: Any) -> dict[str, Any]:
    """What a browser would submit for an unchanged form: every field's current value."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):  # e.g. the admin's split date and time
            parts: Any = value if isinstance(value, list | tuple) else widget.decompress(value)
            for index, (sub, part) in enumerate(zip(widget.widgets, parts, strict=False)):
                data[f"{name}_{index}"] = sub.format_value(part) or ""
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = (
                field.widget.format_value(value) if hasattr(field.widget, "format_value") else value
            )
            if data[name] is None:
                data[name] = value
    return data


def admin_change_data(response: Any) -> dict[str, Any]:
    """The POST data of an admin change page as loaded (``response`` of its GET)."""
    data = form_data(response.context["adminform"].form)
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in form_data(management).items()})
        for form in formset.formset.forms:
            data.update({form.add_prefix(k): v for k, v in form_data(form).items()})
    return data
