"""The HR / Active Directory import: idempotent, every bad row named with nothing applied,
leavers deactivated and never deleted, by command and by the admin's upload page."""

# ruff: noqa: E501 (an HR export has long lines)
import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from kontakt.directory.hr_import import HrFileError, hr_import
from kontakt.directory.models import Employee, EmployeeVersion, Unit

pytestmark = pytest.mark.django_db

CSV = """externalId;userName;givenName;familyName;displayName;title;unitId;telephoneNumber;mobile;mail;languages;keywords;active
1001;anna.berg@sjostad.se;Anna;Berg;Anna Berg;Handläggare;U-P;040-628 12 34;070-123 45 67;anna.berg@sjostad.se;sv, en;boendeparkering;true
1002;bo.ek@sjostad.se;Bo;Ek;;Gatuingenjör;U-G;+46 40 628 12 35;;bo.ek@sjostad.se;sv;snöröjning gator;1
1003;asa.lund@sjostad.se;Åsa;Lund;Åsa Lund;Chef;U-G;;;;;;ja
"""


@pytest.fixture
def units(department_a) -> tuple[Unit, Unit]:
    return (
        Unit.objects.create(department=department_a, name="Parkering", external_id="U-P"),
        Unit.objects.create(department=department_a, name="Gata", external_id="U-G"),
    )


def test_import_twice_changes_nothing_the_second_time(units):
    first = hr_import(data=CSV.encode(), format="csv", by=None)
    assert first.problems == []
    assert first.applied
    assert first.created == ["Anna Berg", "Bo Ek", "Åsa Lund"]
    anna = Employee.objects.get(external_id="1001")
    assert anna.unit == units[0]
    assert anna.direct_number == "+46406281234"
    assert anna.mobile == "+46701234567"
    assert anna.languages == ["sv", "en"]
    assert anna.keywords == "boendeparkering"
    assert Employee.objects.get(external_id="1002").display_name == "Bo Ek"
    assert set(EmployeeVersion.objects.values_list("source", flat=True)) == {"hr"}
    versions = EmployeeVersion.objects.count()

    second = hr_import(data=CSV.encode(), format="csv", by=None)
    assert second.problems == []
    assert (second.changes, second.unchanged) == (0, 3)
    assert EmployeeVersion.objects.count() == versions


def test_a_change_is_reported_with_its_fields(units):
    hr_import(data=CSV.encode(), format="csv", by=None)
    changed = CSV.replace("Handläggare;U-P", "Samordnare;U-G")
    report = hr_import(data=changed.encode(), format="csv", by=None)
    assert report.changed == [("Anna Berg", ["title", "unit_id"])]
    assert report.unchanged == 2
    assert Employee.objects.get(external_id="1001").unit == units[1]


def test_json_export_with_department_and_unit_names(units):
    data = json.dumps(
        {
            "value": [
                {
                    "employeeId": "2001",
                    "userPrincipalName": "karin@sjostad.se",
                    "displayName": "Karin Berg",
                    "department": "Förvaltning A",
                    "unit": "parkering",
                    "mobile": "0701234568",
                    "languages": ["sv", "ar"],
                    "accountEnabled": False,
                }
            ]
        }
    )
    units[0].department.name = "Förvaltning A"
    units[0].department.save()
    report = hr_import(data=data, format="json", by=None)
    assert report.problems == []
    karin = Employee.objects.get(external_id="2001")
    assert (karin.unit, karin.mobile, karin.languages) == (units[0], "+46701234568", ["sv", "ar"])
    assert karin.active is False and karin.left_at is not None


BAD = """externalId,displayName,unitId,telephoneNumber,mail,active,languages
3001,Good Person,U-P,,,,
3002,Bad Unit,U-NOPE,,,,
,No Id,U-P,,,,
3004,Bad Phone,U-P,12,,,
3005,Bad Mail,U-P,,not-an-address,,
3001,Twice,U-P,,,,
3007,,U-P,,,,
3008,Bad Flag,U-P,,,maybe,
3009,Bad Language,U-P,,,,svenska!
3010,Too long {long},U-P,,,,
"""


def test_bad_rows_are_named_and_nothing_is_applied(units):
    data = BAD.replace("{long}", "x" * 200)
    report = hr_import(data=data, format="csv", by=None)
    assert not report.applied
    assert [(problem.line, problem.field) for problem in report.problems] == [
        (3, "unit"),
        (4, "external_id"),
        (5, "direct_number"),
        (6, "email"),
        (7, "external_id"),
        (8, "display_name"),
        (9, "active"),
        (10, "languages"),
        (11, "display_name"),
    ]
    assert "line 3" in str(report.problems[0])
    assert Employee.objects.count() == 0  # not even the good row of line 2


def test_files_that_cannot_be_read(units):
    for data, format in [
        (b"\xff\xfe\x00", "csv"),
        (b"name;title\nA;B\n", "csv"),
        (b"{not json", "json"),
        (b'{"a": 1}', "json"),
        (b"externalId\n1\x002\n", "csv"),
    ]:
        with pytest.raises(HrFileError):
            hr_import(data=data, format=format, by=None)
    report = hr_import(data=b"[1, 2]", format="json", by=None)
    assert [problem.line for problem in report.problems] == [1, 2]


def test_deactivate_missing_keeps_leavers(units):
    hr_import(data=CSV.encode(), format="csv", by=None)
    by_hand = Employee.objects.create(display_name="Not from HR")
    without_bo = "\n".join(line for line in CSV.splitlines() if not line.startswith("1002"))
    report = hr_import(data=without_bo, format="csv", by=None, deactivate_missing=True)
    assert report.deactivated == ["Bo Ek"]
    bo = Employee.objects.get(external_id="1002")
    assert bo.active is False and bo.display_name == "Bo Ek"
    by_hand.refresh_from_db()
    assert by_hand.active is True
    again = hr_import(data=without_bo, format="csv", by=None, deactivate_missing=True)
    assert again.changes == 0


def test_the_command(units, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text(CSV, encoding="utf-8")
    out = StringIO()
    call_command("directory_import", str(path), "--dry-run", stdout=out, verbosity=0)
    assert "3 created" in out.getvalue() and "dry run" in out.getvalue()
    assert Employee.objects.count() == 0
    call_command("directory_import", str(path), stdout=out, verbosity=0)
    out = StringIO()
    call_command("directory_import", str(path), stdout=out, verbosity=0)
    assert "0 created, 0 changed, 0 deactivated, 3 unchanged" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD.replace("{long}", ""), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("directory_import", str(bad), stderr=err, verbosity=0)
    assert "line 3, unit" in err.getvalue()


def test_the_upload_page_is_for_administrators(units, users):
    url = "/admin/directory/employeeversion/hr-import/"
    admin = Client()
    admin.force_login(users["administrator"])
    assert admin.get(url).status_code == 200
    upload = SimpleUploadedFile("hr.csv", CSV.encode(), content_type="text/csv")
    response = admin.post(url, {"file": upload, "format": "csv"})
    assert response.status_code == 200
    assert "Anna Berg" in response.content.decode()
    assert Employee.objects.count() == 3
    bad = SimpleUploadedFile("bad.csv", BAD.encode(), content_type="text/csv")
    response = admin.post(url, {"file": bad, "format": "csv"})
    assert "U-NOPE" in response.content.decode()
    assert Employee.objects.count() == 3
    for role in ("supervisor", "department_contact"):
        client = Client()
        client.force_login(users[role])
        assert client.get(url).status_code in (302, 403), role
