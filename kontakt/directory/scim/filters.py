"""SCIM filters (RFC 7644 §3.4.2.2) as Django queries: scim2-models parses the filter into
its syntax tree, and a visitor turns each node into a `Q` over the directory's columns."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from scim2_models.exceptions import SCIMException
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ScimFilter,
    ValuePath,
)

from .errors import bad

MAX_FILTER_LENGTH = 2000


@dataclass(frozen=True)
class Column:
    """Where a SCIM attribute lives: its model field(s), its kind, whether case matters."""

    fields: tuple[str, ...]
    kind: str = "string"  # string, boolean, datetime, uuid, reference
    case_exact: bool = False


USER_COLUMNS: dict[str, Column] = {
    "id": Column(("scim_id",), "uuid", case_exact=True),
    "externalid": Column(("external_id",), case_exact=True),
    "username": Column(("user_name",)),
    "displayname": Column(("display_name",)),
    "name.givenname": Column(("given_name",)),
    "name.familyname": Column(("family_name",)),
    "name.formatted": Column(("display_name",)),
    "title": Column(("title",)),
    "emails": Column(("email",)),
    "emails.value": Column(("email",)),
    "phonenumbers": Column(("direct_number", "mobile")),
    "phonenumbers.value": Column(("direct_number", "mobile")),
    "active": Column(("active",), "boolean"),
    "meta.lastmodified": Column(("updated_at",), "datetime"),
    "meta.created": Column(("created_at",), "datetime"),
}

GROUP_COLUMNS: dict[str, Column] = {
    "id": Column(("pk",), "reference", case_exact=True),
    "externalid": Column(("external_id",), case_exact=True),
    "displayname": Column(("name",)),
    "members": Column(("employees__scim_id",), "uuid", case_exact=True),
    "members.value": Column(("employees__scim_id",), "uuid", case_exact=True),
}

_STRING_LOOKUPS = {
    CompareOperator.eq: "exact",
    CompareOperator.co: "contains",
    CompareOperator.sw: "startswith",
    CompareOperator.ew: "endswith",
}
_ORDER_LOOKUPS = {
    CompareOperator.gt: "gt",
    CompareOperator.ge: "gte",
    CompareOperator.lt: "lt",
    CompareOperator.le: "lte",
}


def _key(path: AttrPath) -> str:
    key = path.attr if path.sub_attr is None else f"{path.attr}.{path.sub_attr}"
    return key.lower()


class _ToQ(FilterVisitor[Q]):
    def __init__(self, columns: dict[str, Column], prefix: str = "") -> None:
        self.columns = columns
        self.prefix = prefix

    def _column(self, path: AttrPath) -> Column:
        key = _key(path)
        if self.prefix:
            key = f"{self.prefix}.{key}"
        column = self.columns.get(key)
        if column is None:
            raise bad(f"No attribute {key} to filter on.", "invalidFilter")
        return column

    def visit_comparison(self, node: Comparison) -> Q:
        if self.prefix and _key(node.attr_path) in ("type", "primary"):
            return Q()  # one e-mail and phone numbers by kind: any type or primary matches
        column = self._column(node.attr_path)
        value = _value(column, node.value)
        if node.op == CompareOperator.ne:
            return ~self._compare(column, CompareOperator.eq, value)
        return self._compare(column, node.op, value)

    def _compare(self, column: Column, op: CompareOperator, value: Any) -> Q:
        if column.kind in ("boolean", "uuid", "reference") and op != CompareOperator.eq:
            raise bad(f"The operator {op} does not apply to this attribute.", "invalidFilter")
        if op in _ORDER_LOOKUPS:
            if column.kind == "boolean":
                raise bad(f"The operator {op} does not apply to this attribute.", "invalidFilter")
            lookup = _ORDER_LOOKUPS[op]
        elif column.kind == "string" and not column.case_exact:
            lookup = "i" + _STRING_LOOKUPS[op]
        else:
            lookup = _STRING_LOOKUPS[op]
        query = Q()
        for name in column.fields:
            query |= Q(**{f"{name}__{lookup}": value})
        return query

    def visit_present(self, node: Present) -> Q:
        if self.prefix and _key(node.attr_path) in ("type", "primary"):
            return Q()
        column = self._column(node.attr_path)
        query = Q()
        for name in column.fields:
            present = Q(**{f"{name}__isnull": False})
            if column.kind == "string":
                present &= ~Q(**{name: ""})
            query |= present
        return query

    def visit_not(self, node: Not) -> Q:
        return ~self.visit(node.expr)

    def visit_logical_expr(self, node: LogicalExpr) -> Q:
        parts = [self.visit(term) for term in node.terms]
        query = parts[0]
        for part in parts[1:]:
            query = query & part if node.op == LogicalOperator.and_ else query | part
        return query

    def visit_value_path(self, node: ValuePath) -> Q:
        if self.prefix:
            raise bad("Value filters do not nest.", "invalidFilter")
        return _ToQ(self.columns, prefix=_key(node.attr_path)).visit(node.val_filter)


def _value(column: Column, raw: Any) -> Any:
    if column.kind == "boolean":
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        if not isinstance(raw, bool):
            raise bad("Compare this attribute with true or false.", "invalidFilter")
        return raw
    if raw is None or isinstance(raw, bool | dict | list):
        raise bad("Compare this attribute with a string.", "invalidFilter")
    text = str(raw)
    if column.kind == "datetime":
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise bad(f"Not a date and time: {text}", "invalidFilter") from None
        if moment.tzinfo is None:
            raise bad("Give the time with its zone (Z or +01:00).", "invalidFilter")
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError):
            raise bad(f"Not a date and time a clock can hold: {text}", "invalidFilter") from None
    if column.kind == "uuid":
        try:
            return uuid.UUID(text)
        except ValueError:
            return uuid.UUID(int=0)  # no resource has it: the filter matches nothing
    if column.kind == "reference":
        return text if text.isdigit() and len(text) < 18 else "-1"
    return text


def filter_q(text: str, columns: dict[str, Column]) -> Q:
    """The query of a SCIM filter, or ScimError 400 invalidFilter."""
    if len(text) > MAX_FILTER_LENGTH:
        raise bad(f"A filter has at most {MAX_FILTER_LENGTH} characters.", "invalidFilter")
    if "\x00" in text:
        raise bad("A filter holds no NUL character.", "invalidFilter")
    try:
        tree = ScimFilter(text).ast
    except (SCIMException, ValueError, TypeError) as error:
        raise bad(f"The filter cannot be read: {error}", "invalidFilter") from None
    except RecursionError:
        raise bad("The filter nests too deep.", "invalidFilter") from None
    return _ToQ(columns).visit(tree)
