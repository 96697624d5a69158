"""The SCIM endpoint: round trip, PATCH as Entra ID sends it, filters, paging, groups,
errors as SCIM documents, and who may call it."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kontakt.accounts.services import api_token_create
from kontakt.directory.models import Employee, EmployeeVersion, ProvisioningClient, Unit
from kontakt.directory.scim.services import provisioning_client_create

pytestmark = pytest.mark.django_db

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture
def scim() -> Client:
    _client, key = provisioning_client_create(name="Entra ID")
    return Client(headers={"Authorization": f"Bearer {key}"})


def send(client: Client, method: str, url: str, body=None, raw: bytes | None = None):
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    return getattr(client, method)(
        "/scim/v2" + url, data=data, content_type="application/scim+json"
    )


def user_body(user_name="anna.berg@sjostad.se", **extra):
    return {
        "schemas": [USER],
        "userName": user_name,
        "externalId": extra.pop("externalId", user_name.split("@")[0]),
        "name": {"givenName": "Anna", "familyName": "Berg"},
        "displayName": extra.pop("displayName", "Anna Berg"),
        "title": "Handläggare",
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "phoneNumbers": [
            {"value": "040-628 12 34", "type": "work"},
            {"value": "+46 70 123 45 67", "type": "mobile"},
        ],
        "active": True,
        **extra,
    }


def assert_error(response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/scim+json"
    document = response.json()
    assert document["schemas"] == [ERROR]
    assert document["status"] == str(status)
    if scim_type is not None:
        assert document["scimType"] == scim_type
    return document


def test_create_patch_deactivate_round_trip(scim):
    created = send(scim, "post", "/Users", user_body())
    assert created.status_code == 201
    assert created["Content-Type"] == "application/scim+json"
    user = created.json()
    assert created["Location"] == user["meta"]["location"]
    assert user["userName"] == "anna.berg@sjostad.se"
    assert user["phoneNumbers"] == [
        {"value": "+46406281234", "type": "work"},
        {"value": "+46701234567", "type": "mobile"},
    ]
    employee = Employee.objects.get(scim_id=user["id"])
    assert employee.direct_number == "+46406281234"

    patched = send(
        scim,
        "patch",
        f"/Users/{user['id']}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "replace", "path": "title", "value": "Enhetschef"},
                {
                    "op": "replace",
                    "path": 'phoneNumbers[type eq "mobile"].value',
                    "value": "+46701111111",
                },
                {"op": "remove", "path": 'phoneNumbers[type eq "work"]'},
            ],
        },
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["title"] == "Enhetschef"
    assert patched.json()["phoneNumbers"] == [{"value": "+46701111111", "type": "mobile"}]

    deleted = send(scim, "delete", f"/Users/{user['id']}")
    assert deleted.status_code == 204
    again = send(scim, "get", f"/Users/{user['id']}")
    assert again.status_code == 200
    assert again.json()["active"] is False
    assert again.json()["displayName"] == "Anna Berg"  # history keeps the name
    employee.refresh_from_db()
    assert employee.active is False and employee.left_at is not None
    versions = EmployeeVersion.objects.filter(employee=employee).order_by("at", "id")
    assert [v.source for v in versions] == ["scim", "scim", "scim"]
    assert all(v.by is None for v in versions)
    assert versions.last().changes == {"active": [True, False]}


def test_entra_id_patch(scim):
    user = send(scim, "post", "/Users", user_body()).json()
    response = send(
        scim,
        "patch",
        f"/Users/{user['id']}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "path": "active", "value": "False"},
                {
                    "op": "Add",
                    "path": 'emails[type eq "work"].value',
                    "value": "anna.b@sjostad.se",
                },
                {
                    "op": "Replace",
                    "value": {"displayName": "Anna B. Berg", "name.givenName": "Anna B."},
                },
                {
                    "op": "Add",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                    "value": "Teknik",
                },
                {"op": "Replace", "path": "preferredLanguage", "value": "sv-SE"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    document = response.json()
    assert document["active"] is False
    assert document["emails"] == [{"value": "anna.b@sjostad.se", "type": "work"}]
    assert document["displayName"] == "Anna B. Berg"
    assert document["name"]["givenName"] == "Anna B."
    # Applying the same PATCH again changes nothing and records no version.
    count = EmployeeVersion.objects.count()
    send(
        scim,
        "patch",
        f"/Users/{user['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
    )
    assert EmployeeVersion.objects.count() == count


def test_put_replaces_the_entry(scim):
    user = send(scim, "post", "/Users", user_body()).json()
    body = {"schemas": [USER], "userName": "anna.berg@sjostad.se", "displayName": "Anna Berg"}
    replaced = send(scim, "put", f"/Users/{user['id']}", body).json()
    assert "title" not in replaced and "phoneNumbers" not in replaced
    assert replaced["active"] is True


@pytest.fixture
def five(scim):
    names = ["Anna Berg", "Bo Ek", "Åsa Lund", "Erik Åberg", "Karin Berg"]
    ids = []
    for name in names:
        login = name.lower().replace(" ", ".").replace("å", "a") + "@sjostad.se"
        ids.append(send(scim, "post", "/Users", user_body(login, displayName=name)).json()["id"])
    send(
        scim,
        "patch",
        f"/Users/{ids[1]}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]},
    )
    return ids


@pytest.mark.parametrize(
    ("filter", "names"),
    [
        ('userName eq "BO.EK@sjostad.se"', ["Bo Ek"]),
        ('externalId eq "asa.lund"', ["Åsa Lund"]),
        ('displayName co "berg"', ["Anna Berg", "Erik Åberg", "Karin Berg"]),
        ('displayName sw "K"', ["Karin Berg"]),
        ('emails.value eq "karin.berg@sjostad.se"', ["Karin Berg"]),
        ('emails[type eq "work" and value co "karin"]', ["Karin Berg"]),
        ("active eq false", ["Bo Ek"]),
        ('title pr and displayName ew "Ek"', ["Bo Ek"]),
        (
            'userName eq "bo.ek@sjostad.se" or userName eq "asa.lund@sjostad.se"',
            ["Bo Ek", "Åsa Lund"],
        ),
        ('not (displayName co "berg") and active eq true', ["Åsa Lund"]),
        (
            'meta.lastModified gt "2000-01-01T00:00:00Z"',
            ["Anna Berg", "Bo Ek", "Åsa Lund", "Erik Åberg", "Karin Berg"],
        ),
        ('meta.lastModified ge "2999-01-01T00:00:00Z"', []),
    ],
)
def test_filters(scim, five, filter, names):
    response = scim.get("/scim/v2/Users", {"filter": filter})
    assert response.status_code == 200, response.content
    found = [user["displayName"] for user in response.json()["Resources"]]
    assert sorted(found) == sorted(names)
    assert response.json()["totalResults"] == len(names)


@pytest.mark.parametrize(
    "filter",
    ['nickName eq "x"', "userName eq", 'active gt "x"', "((", 'meta.lastModified gt "soon"'],
)
def test_bad_filters_are_scim_errors(scim, filter):
    assert_error(scim.get("/scim/v2/Users", {"filter": filter}), 400, "invalidFilter")


def test_paging(scim, five):
    page = scim.get("/scim/v2/Users", {"startIndex": 3, "count": 2}).json()
    assert page["totalResults"] == 5
    assert page["startIndex"] == 3 and page["itemsPerPage"] == 2
    assert [user["id"] for user in page["Resources"]] == five[2:4]
    empty = scim.get("/scim/v2/Users", {"count": 0}).json()
    assert empty["totalResults"] == 5 and empty["Resources"] == []
    past = scim.get("/scim/v2/Users", {"startIndex": 99}).json()
    assert past["Resources"] == []
    assert_error(scim.get("/scim/v2/Users", {"count": "many"}), 400, "invalidValue")


def test_attributes_and_search(scim, five):
    only = scim.get("/scim/v2/Users", {"attributes": "userName", "count": 1}).json()
    assert set(only["Resources"][0]) == {"schemas", "id", "meta", "userName"}
    found = send(
        scim,
        "post",
        "/Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName sw "karin"',
            "excludedAttributes": ["phoneNumbers"],
        },
    ).json()
    assert [user["displayName"] for user in found["Resources"]] == ["Karin Berg"]
    assert "phoneNumbers" not in found["Resources"][0]


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        (b"{not json", "invalidSyntax"),
        (b"[1, 2]", "invalidSyntax"),
        (b'{"userName": "a\\u0000b"}', "invalidValue"),
        (json.dumps(user_body("x" * 201 + "@a.se")).encode(), "invalidValue"),
        (json.dumps({"schemas": [USER], "displayName": "No user name"}).encode(), "invalidValue"),
        (json.dumps(user_body(emails=[{"value": "not an address"}])).encode(), "invalidValue"),
        (
            json.dumps(user_body(phoneNumbers=[{"value": "12", "type": "work"}])).encode(),
            "invalidValue",
        ),
        (json.dumps(user_body(active="perhaps")).encode(), "invalidValue"),
        (json.dumps(user_body(name="Anna")).encode(), "invalidValue"),
        (b"\xff\xfe", "invalidSyntax"),
        (b"[" * 100 + b"]" * 100, "invalidSyntax"),
    ],
)
def test_bad_bodies_are_scim_errors(scim, body, scim_type):
    assert_error(send(scim, "post", "/Users", raw=body), 400, scim_type)
    assert Employee.objects.count() == 0


def test_errors(scim):
    user = send(scim, "post", "/Users", user_body()).json()
    assert_error(send(scim, "post", "/Users", user_body()), 409, "uniqueness")
    assert_error(send(scim, "get", "/Users/00000000-0000-0000-0000-000000000000"), 404)
    assert_error(send(scim, "get", "/Users/not-a-uuid"), 404)
    assert_error(send(scim, "get", "/Nothing"), 404)
    assert_error(send(scim, "delete", "/Users"), 405)
    operations = [
        ({"op": "replace", "path": "shoeSize", "value": 42}, "invalidPath"),
        ({"op": "replace", "path": "emails[[", "value": 1}, "invalidPath"),
        ({"op": "remove"}, "noTarget"),
        ({"op": "move", "path": "title"}, "invalidSyntax"),
        ({"op": "replace", "path": "id", "value": "x"}, "mutability"),
        ({"op": "replace", "path": "title", "value": "x" * 201}, "invalidValue"),
    ]
    for operation, scim_type in operations:
        response = send(
            scim, "patch", f"/Users/{user['id']}", {"schemas": [PATCH], "Operations": [operation]}
        )
        assert_error(response, 400, scim_type)
    assert_error(send(scim, "patch", f"/Users/{user['id']}", {"Operations": []}), 400)


@pytest.fixture
def units(department_a) -> tuple[Unit, Unit]:
    return (
        Unit.objects.create(department=department_a, name="Parkering", external_id="U-P"),
        Unit.objects.create(department=department_a, name="Gata", external_id="U-G"),
    )


def test_groups_are_units_and_membership_moves_people(scim, units):
    parking, street = units
    anna = send(scim, "post", "/Users", user_body()).json()
    bo = send(scim, "post", "/Users", user_body("bo.ek@sjostad.se")).json()
    listed = scim.get("/scim/v2/Groups", {"filter": 'displayName eq "parkering"'}).json()
    assert [group["id"] for group in listed["Resources"]] == [str(parking.pk)]

    add = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "add", "path": "members", "value": [{"value": anna["id"]}, {"value": bo["id"]}]}
        ],
    }
    group = send(scim, "patch", f"/Groups/{parking.pk}", add).json()
    assert {member["value"] for member in group["members"]} == {anna["id"], bo["id"]}
    assert Employee.objects.get(scim_id=anna["id"]).unit == parking
    # Joining another unit moves Anna there.
    send(
        scim,
        "patch",
        f"/Groups/{street.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": anna["id"]}]}],
        },
    )
    assert Employee.objects.get(scim_id=anna["id"]).unit == street
    remove = {
        "schemas": [PATCH],
        "Operations": [{"op": "remove", "path": f'members[value eq "{bo["id"]}"]'}],
    }
    assert send(scim, "patch", f"/Groups/{parking.pk}", remove).json()["members"] == []
    assert Employee.objects.get(scim_id=bo["id"]).unit is None
    put = send(
        scim,
        "put",
        f"/Groups/{parking.pk}",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Parkering",
            "members": [{"value": bo["id"]}],
        },
    )
    assert [member["value"] for member in put.json()["members"]] == [bo["id"]]
    slim = scim.get("/scim/v2/Groups", {"excludedAttributes": "members"}).json()
    assert all("members" not in group for group in slim["Resources"])
    by_member = scim.get("/scim/v2/Groups", {"filter": f'members.value eq "{bo["id"]}"'}).json()
    assert [group["displayName"] for group in by_member["Resources"]] == ["Parkering"]

    assert_error(send(scim, "post", "/Groups", {"displayName": "Ny"}), 403)
    assert_error(send(scim, "delete", f"/Groups/{parking.pk}"), 403)
    rename = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "displayName", "value": "X"}],
    }
    assert_error(send(scim, "patch", f"/Groups/{parking.pk}", rename), 400, "mutability")
    unknown = {
        "schemas": [PATCH],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": "nobody"}]}],
    }
    assert_error(send(scim, "patch", f"/Groups/{parking.pk}", unknown), 400, "invalidValue")


def test_discovery(scim):
    config = send(scim, "get", "/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    schemas = send(scim, "get", "/Schemas").json()
    assert {schema["id"] for schema in schemas["Resources"]} >= {USER}
    assert send(scim, "get", f"/Schemas/{USER}").json()["name"] == "User"
    types = send(scim, "get", "/ResourceTypes").json()
    assert [t["id"] for t in types["Resources"]] == ["User", "Group"]
    assert send(scim, "get", "/ResourceTypes/Group").json()["endpoint"] == "/Groups"


def test_who_may_call(users):
    _client, key = provisioning_client_create(name="Keycloak")
    assert (
        Client(headers={"Authorization": f"Bearer {key}"}).get("/scim/v2/Users").status_code == 200
    )
    assert ProvisioningClient.objects.get(name="Keycloak").last_used_at is not None
    for role, status in [("administrator", 200), ("supervisor", 401), ("department_contact", 401)]:
        _token, staff_key = api_token_create(user=users[role], name="scim")
        client = Client(headers={"Authorization": f"Bearer {staff_key}"})
        assert client.get("/scim/v2/Users").status_code == status, role
    assert_error(Client().get("/scim/v2/Users"), 401)
    assert_error(Client(headers={"Authorization": "Bearer nope"}).get("/scim/v2/Users"), 401)
    signed_in = Client()
    signed_in.force_login(users["administrator"])
    assert_error(signed_in.get("/scim/v2/ServiceProviderConfig"), 401)
    ProvisioningClient.objects.filter(name="Keycloak").update(revoked_at=timezone.now())
    assert_error(Client(headers={"Authorization": f"Bearer {key}"}).get("/scim/v2/Users"), 401)


def test_the_command_prints_a_token_that_works(db):
    out = StringIO()
    call_command("scim_client_create", "Entra ID", stdout=out)
    key = out.getvalue().strip()
    assert key.startswith("ks_")
    assert (
        Client(headers={"Authorization": f"Bearer {key}"}).get("/scim/v2/Users").status_code == 200
    )
    assert ProvisioningClient.objects.get(name="Entra ID").key_hash != key


ODD_FILTERS = [
    'meta.lastModified gt "0001-01-01T00:00:00+14:00"',
    'meta.lastModified lt "9999-12-31T23:59:59-14:00"',
    'id eq "x"',
    'id co "x"',
    "active eq 1",
    'userName eq "' + "x" * 1999 + '"',
    "x" * 3000,
    'userName eq "a\x00"',
    "(" * 500 + 'userName eq "a"' + ")" * 500,
    'emails[value eq "a"]',
    'emails[type eq "work"] and phoneNumbers[value sw "+46"]',
    'members[value eq "a"]',
    'userName eq "a" and',
    '"',
    "userName eq null",
    'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"',
]

ODD_BODIES = [
    b"null",
    b'"text"',
    b"1e999999",
    b'{"schemas": 1, "userName": []}',
    b'{"userName": {"a": 1}}',
    b'{"userName": "a", "emails": "a@b.se"}',
    b'{"userName": "a", "emails": [{"value": 1}]}',
    b'{"userName": "a", "phoneNumbers": [{"value": "+4640628", "type": {}}]}',
    b'{"userName": "a", "name": {"givenName": 1}}',
    b'{"userName": "a", "externalId": 5}',
    b'{"userName": "a", "active": null, "title": null}',
    b'{"userName": "' + b"a" * 2_000_000 + b'"}',
]

ODD_PATCHES = [
    {"schemas": [PATCH], "Operations": "replace"},
    {"schemas": [PATCH], "Operations": [1]},
    {"schemas": [PATCH], "Operations": [{"op": "add", "path": 5, "value": 1}]},
    {"schemas": [PATCH], "Operations": [{"op": "add", "value": [1]}]},
    {"schemas": [PATCH], "Operations": [{"op": "add", "path": "emails", "value": ["a@b.se"]}]},
    {"schemas": [PATCH], "Operations": [{"op": "add", "path": "emails[value eq 1]", "value": {}}]},
    {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "name", "value": "x"}]},
    {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title.sub", "value": "x"}]},
    {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": 'emails[type eq "home"]', "value": 3}],
    },
    {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "urn:x:y:attr", "value": 3}]},
    {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "userName"}]},
    {
        "schemas": [PATCH],
        "Operations": [{"op": "remove", "path": "members", "value": [{"value": "x"}]}],
    },
    {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "x" * 600}]},
]


def test_odd_requests_are_answered_never_with_5xx(scim, units):
    user = send(scim, "post", "/Users", user_body()).json()
    for filter in ODD_FILTERS:
        for url in ("/scim/v2/Users", "/scim/v2/Groups"):
            response = scim.get(url, {"filter": filter})
            assert response.status_code in (200, 400), (filter, response.content)
            assert response["Content-Type"] == "application/scim+json"
    for body in ODD_BODIES:
        response = send(scim, "post", "/Users", raw=body)
        assert response.status_code in (201, 400, 409, 413), (body[:80], response.content)
        response = send(scim, "put", f"/Users/{user['id']}", raw=body)
        assert response.status_code in (200, 400, 409, 413), (body[:80], response.content)
    for patch in ODD_PATCHES:
        for url in (f"/Users/{user['id']}", f"/Groups/{units[0].pk}"):
            response = send(scim, "patch", url, patch)
            assert response.status_code in (200, 400), (patch, url, response.content)
    for query in ({"startIndex": "-5", "count": "99999999999999"}, {"attributes": "\x00"}):
        assert scim.get("/scim/v2/Users", query).status_code in (200, 400)


def test_lists_take_a_fixed_number_of_queries(scim, five, units, django_assert_num_queries):
    for employee in Employee.objects.all():
        employee.unit = units[0]
        employee.save()
    scim.get("/scim/v2/Users")  # the client's last use is stored once a minute
    # the token, the count, the page (with units and departments)
    with django_assert_num_queries(3):
        assert len(scim.get("/scim/v2/Users").json()["Resources"]) == 5
    # the token, the count, the page, its members
    with django_assert_num_queries(4):
        assert scim.get("/scim/v2/Groups").json()["totalResults"] == 2
