"""Small database helpers shared by the selectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, F, Func, Lookup, Q, QuerySet

# Above this many ids a subquery is cheaper than shipping the ids back as one parameter.
MAX_ARRAY_IDS = 50_000


class AnyOf(Lookup):
    """``lhs = ANY(%s::int8[])`` with the values as one PostgreSQL array literal.

    An ``IN (%s, %s, …)`` list with thousands of parameters costs tens of milliseconds to build and
    plan; one array parameter costs almost nothing and plans the same index scan. The array goes as
    its text literal (``{1,2,3}``), built once by ``among``: psycopg's list adapter would otherwise
    re-dump thousands of ints for every query.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::int8[])", (*lhs_params, self.rhs)


def id_array(ids: Sequence[int]) -> str:
    """The PostgreSQL array literal of integer ids."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"


def among(
    field: str,
    ids: Sequence[int],
    queryset: QuerySet[Any],
    *,
    literal: str | None = None,
    column: str = "pk",
) -> Q | AnyOf:
    """Rows whose ``field`` is one of ``ids``, the ``column`` values already read from ``queryset``.

    On PostgreSQL the ids go back as one array parameter (the query need not re-run ``queryset``
    as a subquery; pass ``literal=id_array(ids)`` to build it once for several queries);
    elsewhere, or for very many ids, ``queryset`` is used as a subquery.
    """
    if connection.vendor == "postgresql" and len(ids) <= MAX_ARRAY_IDS:
        return AnyOf(F(field), literal if literal is not None else id_array(ids))
    return Q(**{f"{field}__in": queryset.order_by().values(column)})


class DayNumber(Func):
    """Days since 1970-01-01 of a date column, computed by the database; ``missing`` for NULL.

    Reading day numbers instead of dates spares the driver a ``date`` object per value and the
    caller the conversion back to numbers (the schedule engine works in day numbers). Both
    databases return Python ints already, so no per-row converter is applied.
    """

    output_field = BigIntegerField()

    def __init__(self, expression: Any, *, missing: int | None = None) -> None:
        super().__init__(expression)
        self.missing = missing

    def get_db_converters(self, connection: Any) -> list[Any]:
        return []

    def _wrap(self, days: str) -> str:
        return days if self.missing is None else f"COALESCE({days}, {int(self.missing)})"

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:  # type: ignore[override]
        # PostgreSQL: date − date is a number of days.
        template = self._wrap("(%(expressions)s - DATE '1970-01-01')")
        return super().as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        template = self._wrap("CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)")
        return super().as_sql(compiler, connection, template=template, **extra_context)


def days_since_epoch(field: str, *, missing: int | None = None) -> DayNumber:
    """``DayNumber(field)``, with ``missing`` in place of NULL when given."""
    return DayNumber(F(field), missing=missing)
