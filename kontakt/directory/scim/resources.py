"""Employees as SCIM Users and units as SCIM Groups, both ways, and PATCH on a document.

A PATCH is applied to the resource's document as it stands, and the result is read like
the body of a PUT: one reading of a User whatever way it arrives.
"""

import re
from copy import deepcopy
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from scim2_models.exceptions import SCIMException
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Path,
    Present,
    ValuePath,
)

from ..hr_import import e164
from ..models import Employee, Unit
from .errors import ScimError, bad

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

# The attributes of a User the directory keeps, by their lower-case name.
USER_ATTRIBUTES = {
    name.lower(): name
    for name in (
        "schemas",
        "id",
        "externalId",
        "userName",
        "name",
        "displayName",
        "title",
        "emails",
        "phoneNumbers",
        "active",
        "meta",
    )
}
NAME_ATTRIBUTES = {name.lower(): name for name in ("givenName", "familyName", "formatted")}
MULTI_VALUED = {"emails", "phoneNumbers", "members"}
# Attributes of the core User and the enterprise extension that the directory does not keep:
# accepted and dropped (Entra ID sends several of them), not refused.
IGNORED_USER_ATTRIBUTES = {
    name.lower()
    for name in (
        "nickName",
        "profileUrl",
        "userType",
        "preferredLanguage",
        "locale",
        "timezone",
        "password",
        "addresses",
        "ims",
        "photos",
        "roles",
        "entitlements",
        "x509Certificates",
        "groups",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
    )
}
# The enterprise extension is not kept: the unit (and so the department) is set by the HR
# import or by a Group's members, so what an identity system sends of it is dropped.
ENTERPRISE_ATTRIBUTES = {
    name.lower()
    for name in (
        "department",
        "organization",
        "employeeNumber",
        "costCenter",
        "division",
        "manager",
    )
}
GROUP_ATTRIBUTES = {
    name.lower(): name for name in ("schemas", "id", "externalId", "displayName", "members", "meta")
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _version(moment: Any) -> str:
    return f'W/"{int(moment.timestamp() * 1_000_000)}"' if moment else 'W/"0"'


def user_document(employee: Employee, base: str) -> dict[str, Any]:
    """An employee as a SCIM User; `base` is the endpoint's absolute URL (…/scim/v2)."""
    document: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "id": str(employee.scim_id),
        "userName": employee.user_name or employee.external_id or str(employee.scim_id),
        "displayName": employee.display_name,
        "active": employee.active,
    }
    if employee.external_id:
        document["externalId"] = employee.external_id
    name = {
        key: value
        for key, value in (
            ("givenName", employee.given_name),
            ("familyName", employee.family_name),
        )
        if value
    }
    if name:
        document["name"] = name
    if employee.title:
        document["title"] = employee.title
    if employee.email:
        document["emails"] = [{"value": employee.email, "type": "work"}]
    phones = [
        {"value": number, "type": kind}
        for number, kind in ((employee.direct_number, "work"), (employee.mobile, "mobile"))
        if number
    ]
    if phones:
        document["phoneNumbers"] = phones
    document["meta"] = {
        "resourceType": "User",
        "created": employee.created_at.isoformat(),
        "lastModified": employee.updated_at.isoformat(),
        "location": f"{base}/Users/{employee.scim_id}",
        "version": _version(employee.updated_at),
    }
    return document


def group_document(unit: Unit, base: str, *, members: bool = True) -> dict[str, Any]:
    """A unit as a SCIM Group; its members are its employees (active or not)."""
    document: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": str(unit.pk),
        "displayName": unit.name,
    }
    if unit.external_id:
        document["externalId"] = unit.external_id
    if members:
        document["members"] = [
            {
                "value": str(employee.scim_id),
                "display": employee.display_name,
                "type": "User",
                "$ref": f"{base}/Users/{employee.scim_id}",
            }
            for employee in unit.employees.all()
        ]
    document["meta"] = {
        "resourceType": "Group",
        "location": f"{base}/Groups/{unit.pk}",
    }
    return document


def _canonical(document: dict[str, Any]) -> dict[str, Any]:
    """The document with attribute names in their canonical case, the core schema's URN
    prefix taken off and unknown attributes left out (as SCIM allows for a body)."""
    result: dict[str, Any] = {}
    for key, value in document.items():
        if not isinstance(key, str):
            continue
        lower = key.lower()
        if lower.startswith(USER_SCHEMA.lower() + ":"):
            lower = lower[len(USER_SCHEMA) + 1 :]
        if lower == ENTERPRISE_SCHEMA.lower():
            result[ENTERPRISE_SCHEMA] = value
        elif lower in USER_ATTRIBUTES:
            result[USER_ATTRIBUTES[lower]] = value
        elif lower.startswith(ENTERPRISE_SCHEMA.lower() + ":"):
            result.setdefault(ENTERPRISE_SCHEMA, {})
    return result


def _text(value: Any, attribute: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad(f"{attribute} must be a string.")
    value = value.strip()
    if _CONTROL.search(value):
        raise bad(f"{attribute} holds control characters.")
    if len(value) > limit:
        raise bad(f"{attribute} has at most {limit} characters.")
    return value


def _boolean(value: Any, attribute: str) -> bool:
    # Entra ID sends booleans as the strings "True" and "False".
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise bad(f"{attribute} must be true or false.")
    return value


def _items(value: Any, attribute: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise bad(f"{attribute} must be a list of objects.")
    return [{key.lower(): item_value for key, item_value in item.items()} for item in value]


def _chosen(items: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    for item in items:
        if item.get("primary") in (True, "true", "True"):
            return item
    for item in items:
        if str(item.get("type") or "").lower() == kind:
            return item
    return items[0] if items else None


def user_values(document: Any) -> dict[str, Any]:
    """What a User document (a POST's or PUT's body) sets of an employee's entry."""
    if not isinstance(document, dict):
        raise bad("The body must be a JSON object.", "invalidSyntax")
    attributes = _canonical(document)
    user_name = _text(attributes.get("userName"), "userName", 200)
    if not user_name:
        raise bad("userName is required.", "invalidValue")
    name = attributes.get("name") or {}
    if not isinstance(name, dict):
        raise bad("name must be an object.")
    name = {
        NAME_ATTRIBUTES[key.lower()]: value
        for key, value in name.items()
        if isinstance(key, str) and key.lower() in NAME_ATTRIBUTES
    }
    given = _text(name.get("givenName"), "name.givenName", 100)
    family = _text(name.get("familyName"), "name.familyName", 100)
    display = (
        _text(attributes.get("displayName"), "displayName", 200)
        or _text(name.get("formatted"), "name.formatted", 200)
        or " ".join(part for part in (given, family) if part)
        or user_name
    )
    values: dict[str, Any] = {
        "user_name": user_name,
        "external_id": _text(attributes.get("externalId"), "externalId", 200) or None,
        "given_name": given,
        "family_name": family,
        "display_name": display,
        "title": _text(attributes.get("title"), "title", 200),
        "active": True
        if attributes.get("active") is None
        else _boolean(attributes["active"], "active"),
    }
    email = _chosen(_items(attributes.get("emails"), "emails"), "work")
    address = _text(email.get("value") if email else "", "emails.value", 254)
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise bad(f"Not an e-mail address: {address}") from None
    values["email"] = address
    direct, mobile = "", ""
    for item in _items(attributes.get("phoneNumbers"), "phoneNumbers"):
        raw = _text(item.get("value"), "phoneNumbers.value", 40)
        if not raw:
            continue
        number = e164(raw, region=settings.KONTAKT.get("HOLIDAY_COUNTRY", "SE"))
        if number is None:
            raise bad(f"Not a valid phone number: {raw}")
        kind = str(item.get("type") or "").lower()
        if kind == "mobile" and not mobile:
            mobile = number
        elif kind in ("work", "") and not direct:
            direct = number
    values["direct_number"] = direct
    values["mobile"] = mobile
    return values


# PATCH (RFC 7644 §3.5.2) on a document.


def _path(text: Any) -> AttrPath | ValuePath:
    if not isinstance(text, str) or not text or len(text) > 500 or "\x00" in text:
        raise bad("A path must be a short string.", "invalidPath")
    try:
        node = Path(text).ast
    except (SCIMException, ValueError, TypeError):
        raise bad(f"Not a path: {text}", "invalidPath") from None
    if not isinstance(node, AttrPath | ValuePath):
        raise bad(f"Not a path: {text}", "invalidPath")
    return node


def _matches(node: FilterNode, item: dict[str, Any]) -> bool:
    if isinstance(node, LogicalExpr):
        results = (_matches(term, item) for term in node.terms)
        return all(results) if node.op == LogicalOperator.and_ else any(results)
    if isinstance(node, Not):
        return not _matches(node.expr, item)
    if isinstance(node, Present):
        return item.get(node.attr_path.attr.lower()) not in (None, "", [])
    if isinstance(node, Comparison):
        have = item.get(node.attr_path.attr.lower())
        want = node.value
        if isinstance(have, str) and isinstance(want, str):
            have, want = have.lower(), want.lower()
        if node.op == CompareOperator.eq:
            return have == want
        if node.op == CompareOperator.ne:
            return have != want
        if isinstance(have, str) and isinstance(want, str):
            if node.op == CompareOperator.co:
                return want in have
            if node.op == CompareOperator.sw:
                return have.startswith(want)
            if node.op == CompareOperator.ew:
                return have.endswith(want)
        return False
    raise bad("This filter cannot select values.", "invalidFilter")


def _equalities(node: FilterNode) -> dict[str, Any]:
    """The `attr eq value` parts of a value filter: what a new value it selects holds."""
    if isinstance(node, Comparison) and node.op == CompareOperator.eq:
        return {node.attr_path.attr.lower(): node.value}
    if isinstance(node, LogicalExpr) and node.op == LogicalOperator.and_:
        found: dict[str, Any] = {}
        for term in node.terms:
            found.update(_equalities(term))
        return found
    return {}


class Patcher:
    """Applies PATCH operations to a resource's document (attribute names canonical)."""

    def __init__(
        self,
        document: dict[str, Any],
        *,
        attributes: dict[str, str],
        schema: str,
        ignored: set[str],
        read_only: set[str],
    ) -> None:
        self.document = deepcopy(document)
        self.attributes = attributes
        self.schema = schema
        self.ignored = ignored
        self.read_only = read_only

    def apply(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise bad("The body must be a JSON object.", "invalidSyntax")
        schemas = body.get("schemas")
        if not isinstance(schemas, list) or PATCH_SCHEMA not in schemas:
            raise bad(f"A PATCH names the schema {PATCH_SCHEMA}.", "invalidSyntax")
        operations = body.get("Operations", body.get("operations"))
        if not isinstance(operations, list) or not operations:
            raise bad("A PATCH has a list of Operations.", "invalidSyntax")
        if len(operations) > 1000:
            raise bad("At most 1000 operations in one PATCH.", "tooMany")
        for operation in operations:
            if not isinstance(operation, dict):
                raise bad("Each operation is an object.", "invalidSyntax")
            op = operation.get("op")
            if not isinstance(op, str) or op.lower() not in ("add", "replace", "remove"):
                raise bad("op is add, replace or remove.", "invalidSyntax")
            self.operation(op.lower(), operation.get("path"), operation.get("value"))
        return self.document

    def operation(self, op: str, path: Any, value: Any) -> None:
        if path is None:
            if op == "remove":
                raise bad("remove needs a path.", "noTarget")
            if not isinstance(value, dict):
                raise bad("Without a path, value is an object of attributes.", "invalidValue")
            for key, item in value.items():
                if not isinstance(key, str):
                    continue
                if key.lower() == self.schema.lower():
                    continue
                if key.lower() == ENTERPRISE_SCHEMA.lower():
                    continue  # read from the unit
                self.operation(op, key, item)
            return
        if isinstance(path, str) and path.lower() == ENTERPRISE_SCHEMA.lower():
            return  # the unit comes from HR or the Groups: dropped
        node = _path(path)
        attr_path = node.attr_path if isinstance(node, ValuePath) else node
        uri = (attr_path.uri or "").lower()
        if uri == ENTERPRISE_SCHEMA.lower():
            if attr_path.attr.lower() in ENTERPRISE_ATTRIBUTES:
                return  # the unit comes from HR or the Groups: dropped
            raise bad(f"No attribute {path}.", "invalidPath")
        if uri and uri != self.schema.lower():
            raise bad(f"No attribute {path}.", "invalidPath")
        lower = attr_path.attr.lower()
        if lower in self.ignored:
            return
        if lower not in self.attributes:
            raise bad(f"No attribute {path}.", "invalidPath")
        attribute = self.attributes[lower]
        if attribute in self.read_only:
            raise bad(f"{attribute} cannot be changed.", "mutability")
        if isinstance(node, ValuePath):
            self._value_path(op, attribute, node, value)
        elif attr_path.sub_attr is not None:
            self._sub_attribute(op, attribute, attr_path.sub_attr, value)
        else:
            self._attribute(op, attribute, value)

    def _attribute(self, op: str, attribute: str, value: Any) -> None:
        if op == "remove":
            if attribute in MULTI_VALUED and value is not None:
                # {"op": "remove", "path": "members", "value": [{"value": id}]}
                gone = {str(item.get("value")).lower() for item in _items(value, attribute)}
                self.document[attribute] = [
                    item
                    for item in self.document.get(attribute, [])
                    if str(item.get("value")).lower() not in gone
                ]
            else:
                self.document.pop(attribute, None)
            return
        if attribute in MULTI_VALUED:
            items = _items(value, attribute)
            if op == "replace":
                self.document[attribute] = items
                return
            have = self.document.setdefault(attribute, [])
            for item in items:
                same = [old for old in have if _same_value(old, item)]
                if same:
                    same[0].update(item)
                else:
                    have.append(item)
            return
        if attribute == "name":
            if not isinstance(value, dict):
                raise bad("name is an object.")
            self.document.setdefault("name", {}).update(value)
            return
        self.document[attribute] = value

    def _sub_attribute(self, op: str, attribute: str, sub: str, value: Any) -> None:
        if attribute in MULTI_VALUED:
            items = self.document.setdefault(attribute, [])
            if not items and op != "remove":
                items.append({})
            for item in items:
                if op == "remove":
                    _pop(item, sub)
                else:
                    item[sub.lower()] = value
            return
        target = self.document.get(attribute)
        if attribute != "name" or (target is not None and not isinstance(target, dict)):
            raise bad(f"{attribute} has no sub-attributes.", "invalidPath")
        target = self.document.setdefault("name", {})
        if op == "remove":
            _pop(target, sub)
        else:
            _pop(target, sub)
            target[sub] = value

    def _value_path(self, op: str, attribute: str, node: ValuePath, value: Any) -> None:
        if attribute not in MULTI_VALUED:
            raise bad(f"{attribute} is not multi-valued.", "invalidPath")
        items = [
            {key.lower(): item_value for key, item_value in item.items()}
            for item in self.document.get(attribute, [])
        ]
        selected = [item for item in items if _matches(node.val_filter, item)]
        sub = node.sub_attr.lower() if node.sub_attr else None
        if op == "remove":
            if sub:
                for item in selected:
                    item.pop(sub, None)
            else:
                items = [item for item in items if item not in selected]
        elif not selected:
            if op == "replace" and not _equalities(node.val_filter):
                raise bad(f"No value of {attribute} matches the filter.", "noTarget")
            new = dict(_equalities(node.val_filter))
            if sub:
                new[sub] = value
            elif isinstance(value, dict):
                new.update({key.lower(): item for key, item in value.items()})
            else:
                raise bad("The value is an object.", "invalidValue")
            items.append(new)
        else:
            for item in selected:
                if sub:
                    item[sub] = value
                elif isinstance(value, dict):
                    item.update({key.lower(): new for key, new in value.items()})
                else:
                    raise bad("The value is an object.", "invalidValue")
        self.document[attribute] = items


def _pop(target: dict[str, Any], key: str) -> None:
    for existing in [name for name in target if name.lower() == key.lower()]:
        target.pop(existing)


def _same_value(old: dict[str, Any], new: dict[str, Any]) -> bool:
    def value(item: dict[str, Any]) -> str:
        return next((str(v).lower() for k, v in item.items() if k.lower() == "value"), "")

    return bool(value(new)) and value(old) == value(new)


def user_patched(employee: Employee, body: Any, base: str) -> dict[str, Any]:
    """The values a PATCH leaves an employee's entry with."""
    document = _canonical(user_document(employee, base))
    document.pop(ENTERPRISE_SCHEMA, None)
    patched = Patcher(
        document,
        attributes=USER_ATTRIBUTES,
        schema=USER_SCHEMA,
        ignored=IGNORED_USER_ATTRIBUTES,
        read_only={"id", "meta", "schemas"},
    ).apply(body)
    return user_values(patched)


def group_members_patched(unit: Unit, body: Any, base: str) -> list[Any]:
    """The members (values as given) a PATCH leaves a group with."""
    patched = Patcher(
        group_document(unit, base),
        attributes=GROUP_ATTRIBUTES,
        schema=GROUP_SCHEMA,
        ignored=set(),
        read_only={"id", "meta", "schemas", "displayName", "externalId"},
    ).apply(body)
    return member_ids(patched.get("members"))


def member_ids(members: Any) -> list[Any]:
    return [item.get("value") for item in _items(members, "members")]


def check_group_body(unit: Unit, document: Any) -> None:
    """A PUT of a group may change its members only."""
    if not isinstance(document, dict):
        raise bad("The body must be a JSON object.", "invalidSyntax")
    attributes = {key.lower(): value for key, value in document.items() if isinstance(key, str)}
    name = attributes.get("displayname")
    if name is not None and name != unit.name:
        raise bad("A unit's name is kept in Kontakt, not by the identity system.", "mutability")


__all__ = ["ScimError"]
