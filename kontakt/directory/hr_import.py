"""Import of HR and Active Directory exports (CSV or JSON) into the directory.

Every row is read and checked first; when any row is bad, nothing is applied and the
report names each bad row with its line and field. A good file is applied in one
transaction through `employee_save` (source "hr"), which writes nothing for an unchanged
entry: importing the same file twice changes nothing the second time.

Only the columns a file has are set: a file without a `mobile` column leaves the mobile
numbers as they are, while an empty cell in a `mobile` column clears that person's number.
"""

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from kontakt.accounts.models import User

from .models import Employee, EmployeeChangeSource, Unit
from .services import employee_save

# The fields a row may set, and the names HR and AD exports give them (compared in lower
# case without spaces, dashes and underscores).
ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("externalid", "employeeid", "employeenumber", "objectguid", "hrid"),
    "user_name": ("username", "userprincipalname", "upn", "login"),
    "given_name": ("givenname", "firstname", "fornamn"),
    "family_name": ("familyname", "surname", "sn", "lastname", "efternamn"),
    "display_name": ("displayname", "name", "cn", "namn"),
    "title": ("title", "jobtitle", "befattning", "tittel"),
    "unit_external_id": ("unitid", "unitexternalid", "orgunitid", "enhetsid"),
    "department": ("department", "forvaltning", "avdeling"),
    "unit": ("unit", "orgunit", "enhet", "enhetsnamn"),
    "direct_number": ("directnumber", "telephonenumber", "phone", "workphone", "telefon"),
    "mobile": ("mobile", "mobilephone", "mobil"),
    "email": ("email", "mail", "epost"),
    "languages": ("languages", "language", "sprak"),
    "keywords": ("keywords", "askmeabout", "fragamigom"),
    "active": ("active", "accountenabled", "enabled", "aktiv"),
}
_BY_ALIAS = {alias: name for name, aliases in ALIASES.items() for alias in aliases}

# The longest value each text field takes (the model's columns).
MAX_LENGTHS = {
    "external_id": 200,
    "user_name": 200,
    "given_name": 100,
    "family_name": 100,
    "display_name": 200,
    "title": 200,
    "unit_external_id": 200,
    "department": 200,
    "unit": 200,
    "direct_number": 40,
    "mobile": 40,
    "email": 254,
    "languages": 200,
    "keywords": 2000,
    "active": 10,
}
MAX_ROWS = 200_000
_TRUE = {"1", "true", "yes", "ja", "y", "j", "enabled", "active", "aktiv"}
_FALSE = {"0", "false", "no", "nej", "nei", "n", "disabled", "inactive", "inaktiv"}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Format:
    CSV = "csv"
    JSON = "json"


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row: its line (CSV) or entry number (JSON), the field."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = _("line %(line)s") % {"line": self.line}
        return (
            f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass
class ImportReport:
    """What an import did, or (with problems, or a dry run) would have done."""

    created: list[str] = field(default_factory=list)
    # (name, the fields that changed)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = False

    @property
    def changes(self) -> int:
        return len(self.created) + len(self.changed) + len(self.deactivated)


class HrFileError(ValueError):
    """The file as a whole cannot be read (not CSV/JSON, not UTF-8, too many rows)."""


@dataclass
class _Row:
    line: int
    values: dict[str, Any]  # employee fields → cleaned values
    external_id: str


def read_rows(data: bytes | str, *, format: str) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a file as (line, {field: raw value}) with the export's column names
    mapped to ours; unknown columns are left out."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise HrFileError(_("The file is not UTF-8 text.")) from None
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text:
        raise HrFileError(_("The file holds NUL bytes; it is no text export."))
    if format == Format.JSON:
        rows = _json_rows(text)
    elif format == Format.CSV:
        rows = _csv_rows(text)
    else:
        raise HrFileError(_("Unknown format %(format)s: csv or json.") % {"format": format})
    if len(rows) > MAX_ROWS:
        raise HrFileError(_("At most %(n)s rows in one file.") % {"n": MAX_ROWS})
    return rows


def _key(name: str) -> str | None:
    return _BY_ALIAS.get(re.sub(r"[\s_\-.]", "", str(name)).lower())


def _csv_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return []
    except csv.Error as error:
        raise HrFileError(_("The CSV header cannot be read: %(e)s") % {"e": error}) from None
    columns = [_key(name) for name in header]
    if "external_id" not in columns:
        raise HrFileError(_("The file has no column of external ids (externalId, employeeId)."))
    rows: list[tuple[int, dict[str, Any]]] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise HrFileError(
                _("Line %(line)s cannot be read: %(e)s") % {"line": reader.line_num, "e": error}
            ) from None
        if not any(cell.strip() for cell in cells):
            continue
        row: dict[str, Any] = {
            name: cell for name, cell in zip(columns, cells, strict=False) if name
        }
        if len(cells) > len(columns):
            row["_extra"] = True
        rows.append((reader.line_num, row))
    return rows


def _json_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise HrFileError(_("The file is not valid JSON.")) from None
    if isinstance(document, dict):
        # {"employees": [...]}, {"users": [...]} or {"value": [...]} (Microsoft Graph)
        for name in ("employees", "users", "value", "Resources"):
            if isinstance(document.get(name), list):
                document = document[name]
                break
    if not isinstance(document, list):
        raise HrFileError(_("The JSON file must hold a list of employees."))
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, entry in enumerate(document, start=1):
        if not isinstance(entry, dict):
            rows.append((number, {"_not_object": True}))
            continue
        row: dict[str, Any] = {}
        for key, value in entry.items():
            column = _key(key)
            if column is not None:
                row[column] = value
        rows.append((number, row))
    return rows


def e164(raw: str, *, region: str) -> str | None:
    """A phone number in E.164, read in the municipality's country when it has no country
    code; None when it is no valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class _Units:
    """Units by external id and by (department, unit) name, read once."""

    def __init__(self) -> None:
        self.by_external_id: dict[str, int] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        self.names: dict[str, list[int]] = {}
        for unit in Unit.objects.select_related("department"):
            if unit.external_id:
                self.by_external_id[unit.external_id] = unit.pk
            for department in (unit.department.name, unit.department.code):
                self.by_name[(department.casefold(), unit.name.casefold())] = unit.pk
            self.names.setdefault(unit.name.casefold(), []).append(unit.pk)


def _text(raw: Any, name: str, problems: list[tuple[str, str]]) -> str | None:
    if raw is None:
        return ""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        problems.append((name, _("Must be text.")))
        return None
    value = str(raw).strip()
    if _CONTROL.search(value):
        problems.append((name, _("Control characters are not allowed.")))
        return None
    if len(value) > MAX_LENGTHS[name]:
        problems.append(
            (
                name,
                _("At most %(n)s characters (it has %(m)s).")
                % {"n": MAX_LENGTHS[name], "m": len(value)},
            )
        )
        return None
    return value


def _clean_row(
    raw: dict[str, Any], *, units: _Units, region: str, problems: list[tuple[str, str]]
) -> dict[str, Any]:
    if raw.get("_not_object"):
        problems.append(("", _("Each entry must be an object.")))
        return {}
    if raw.get("_extra"):
        problems.append(("", _("The row has more cells than the header has columns.")))
    values: dict[str, Any] = {}
    text: dict[str, str] = {}
    for name, value in raw.items():
        if name.startswith("_"):
            continue
        if name == "languages" and isinstance(value, list):
            value = ",".join(str(item) for item in value if isinstance(item, str | int))
        if name == "active" and isinstance(value, bool):
            value = "true" if value else "false"
        cleaned = _text(value, name, problems)
        if cleaned is not None:
            text[name] = cleaned
    if not text.get("external_id") and not any(p[0] == "external_id" for p in problems):
        problems.append(("external_id", _("Every row needs an external id.")))
    for name in ("external_id", "given_name", "family_name", "title", "keywords"):
        if name in text:
            values[name] = text[name]
    if "user_name" in text:
        values["user_name"] = text["user_name"] or None
    if "display_name" in text or "given_name" in text or "family_name" in text:
        display = text.get("display_name") or " ".join(
            part for part in (text.get("given_name", ""), text.get("family_name", "")) if part
        )
        if not display:
            problems.append(
                ("display_name", _("A name is needed (displayName or given and family name)."))
            )
        values["display_name"] = display
    if "email" in text:
        if text["email"]:
            try:
                validate_email(text["email"])
            except ValidationError:
                problems.append(("email", _("Not an e-mail address.")))
        values["email"] = text["email"]
    for name in ("direct_number", "mobile"):
        if name in text:
            if not text[name]:
                values[name] = ""
                continue
            number = e164(text[name], region=region)
            if number is None:
                problems.append((name, _("Not a valid phone number: %(n)s") % {"n": text[name]}))
            values[name] = number or ""
    if "languages" in text:
        codes: list[str] = []
        for code in re.split(r"[\s,;|]+", text["languages"].lower()):
            if not code or code in codes:
                continue
            if not _LANGUAGE.match(code):
                problems.append(("languages", _("Not a language code: %(c)s") % {"c": code}))
            codes.append(code)
        values["languages"] = codes
    if "active" in text:
        flag = text["active"].lower()
        if flag in _TRUE or flag == "":
            values["active"] = True
        elif flag in _FALSE:
            values["active"] = False
        else:
            problems.append(("active", _("Not yes or no: %(v)s") % {"v": text["active"]}))
    if "unit_external_id" in text or "unit" in text:
        unit_id: int | None = None
        if text.get("unit_external_id"):
            unit_id = units.by_external_id.get(text["unit_external_id"])
            if unit_id is None:
                problems.append(
                    (
                        "unit",
                        _("No unit has the external id %(id)s.") % {"id": text["unit_external_id"]},
                    )
                )
        elif text.get("unit"):
            unit_name = text["unit"].casefold()
            if text.get("department"):
                unit_id = units.by_name.get((text["department"].casefold(), unit_name))
            elif len(units.names.get(unit_name, [])) == 1:
                unit_id = units.names[unit_name][0]
            if unit_id is None:
                problems.append(
                    (
                        "unit",
                        _("No unit %(unit)s in the department %(department)s.")
                        % {"unit": text["unit"], "department": text.get("department") or "?"},
                    )
                )
        values["unit_id"] = unit_id
    return values


def hr_import(
    *,
    data: bytes | str,
    format: str,
    by: User | None,
    deactivate_missing: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Check every row of an HR export, then (when all are good) apply it.

    With `deactivate_missing` the file is a full export: people who came from HR and are
    not in it are deactivated (never deleted). Raises HrFileError when the file as a whole
    cannot be read.
    """
    report = ImportReport(dry_run=dry_run)
    rows = read_rows(data, format=format)
    units = _Units()
    region = settings.KONTAKT.get("HOLIDAY_COUNTRY", "SE")
    checked: list[_Row] = []
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for line, raw in rows:
        problems: list[tuple[str, str]] = []
        values = _clean_row(raw, units=units, region=region, problems=problems)
        external_id = values.get("external_id", "")
        if external_id:
            if external_id in seen_ids:
                problems.append(
                    ("external_id", _("Also on line %(line)s.") % {"line": seen_ids[external_id]})
                )
            seen_ids.setdefault(external_id, line)
        user_name = values.get("user_name")
        if user_name:
            if user_name.casefold() in seen_names:
                problems.append(
                    (
                        "user_name",
                        _("Also on line %(line)s.") % {"line": seen_names[user_name.casefold()]},
                    )
                )
            seen_names.setdefault(user_name.casefold(), line)
        report.problems.extend(RowProblem(line, name, message) for name, message in problems)
        if not problems:
            checked.append(_Row(line=line, values=values, external_id=external_id))
    existing = _existing(checked)
    taken = _user_names_taken({r.values["user_name"] for r in checked if r.values.get("user_name")})
    for row in checked:
        employee = existing.get(row.external_id)
        user_name = row.values.get("user_name")
        owner = taken.get(user_name.casefold()) if user_name else None
        if owner is not None and (employee is None or owner != employee.pk):
            report.problems.append(
                RowProblem(row.line, "user_name", _("Another entry has this user name."))
            )
        if employee is None and "display_name" not in row.values:
            report.problems.append(
                RowProblem(
                    row.line,
                    "display_name",
                    _("A name is needed (displayName or given and family name)."),
                )
            )
    report.problems.sort(key=lambda problem: problem.line)
    if report.problems:
        return report
    with transaction.atomic():
        for row in checked:
            employee = existing.get(row.external_id)
            saved, changes = employee_save(
                employee=employee, values=row.values, by=by, source=EmployeeChangeSource.HR_IMPORT
            )
            if employee is None:
                report.created.append(saved.display_name)
            elif changes.get("active") == [True, False]:
                report.deactivated.append(saved.display_name)
            elif changes:
                report.changed.append((saved.display_name, sorted(changes)))
            else:
                report.unchanged += 1
            if progress is not None:
                progress(1)
        if deactivate_missing:
            leavers = (
                Employee.objects.filter(
                    active=True, versions__source=EmployeeChangeSource.HR_IMPORT
                )
                .exclude(external_id__in=list(seen_ids))
                .distinct()
            )
            for employee in leavers:
                employee_save(
                    employee=employee,
                    values={"active": False},
                    by=by,
                    source=EmployeeChangeSource.HR_IMPORT,
                )
                report.deactivated.append(employee.display_name)
        if dry_run:
            transaction.set_rollback(True)
        else:
            report.applied = True
    return report


def _existing(rows: Iterable[_Row]) -> dict[str, Employee]:
    """The entries the rows are about: by external id, or else an entry of the same user
    name that has no external id yet (one the identity system made, say)."""
    ids = [row.external_id for row in rows]
    found: dict[str, Employee] = {}
    for chunk in _chunks(ids):
        for employee in Employee.objects.filter(external_id__in=chunk).select_related("unit"):
            found[employee.external_id or ""] = employee
    by_name = {
        row.values["user_name"].casefold(): row.external_id
        for row in rows
        if row.external_id not in found and row.values.get("user_name")
    }
    if by_name:
        for employee in Employee.objects.filter(
            external_id__isnull=True, user_name__in=[row.values.get("user_name") for row in rows]
        ):
            external_id = by_name.get((employee.user_name or "").casefold())
            if external_id:
                found[external_id] = employee
    return found


def _user_names_taken(names: set[str]) -> dict[str, int]:
    taken: dict[str, int] = {}
    for chunk in _chunks(sorted(names)):
        for pk, name in Employee.objects.filter(user_name__in=chunk).values_list("pk", "user_name"):
            if name:
                taken[name.casefold()] = pk
    return taken


def _chunks(items: list[str], size: int = 1000) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
