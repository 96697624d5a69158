"""What the endpoint tells a client of itself (RFC 7643 §5–7): its features, the schemas of
its resources, naming exactly the attributes the directory keeps, and its resource types."""

from typing import Any

from .resources import GROUP_SCHEMA, USER_SCHEMA

SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
MAX_RESULTS = 200


def _attribute(
    name: str,
    *,
    type: str = "string",
    multi: bool = False,
    required: bool = False,
    mutability: str = "readWrite",
    uniqueness: str = "none",
    case_exact: bool = False,
    returned: str = "default",
    sub: list[dict[str, Any]] | None = None,
    canonical: list[str] | None = None,
    references: list[str] | None = None,
    description: str = "",
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": type,
        "multiValued": multi,
        "description": description or name,
        "required": required,
        "mutability": mutability,
        "returned": returned,
        "uniqueness": uniqueness,
    }
    if type in ("string", "reference"):
        attribute["caseExact"] = case_exact
    if sub is not None:
        attribute["subAttributes"] = sub
    if canonical is not None:
        attribute["canonicalValues"] = canonical
    if references is not None:
        attribute["referenceTypes"] = references
    return attribute


USER_SCHEMA_DOCUMENT: dict[str, Any] = {
    "id": USER_SCHEMA,
    "name": "User",
    "description": "An employee of the municipality in the directory.",
    "attributes": [
        _attribute(
            "userName",
            required=True,
            uniqueness="server",
            description="The sign-in name, e.g. name@kommun.se.",
        ),
        _attribute(
            "name",
            type="complex",
            sub=[
                _attribute("givenName", description="Given name."),
                _attribute("familyName", description="Family name."),
            ],
        ),
        _attribute(
            "displayName",
            required=True,
            description="The name the switchboard shows (when not given: given and family "
            "name, or else userName).",
        ),
        _attribute("title", description="Title."),
        _attribute(
            "emails",
            type="complex",
            multi=True,
            description="The work e-mail address (the directory keeps one).",
            sub=[
                _attribute("value", description="The address."),
                _attribute("type", canonical=["work"], description="work"),
            ],
        ),
        _attribute(
            "phoneNumbers",
            type="complex",
            multi=True,
            description="The direct number (type work) and the mobile (type mobile), in E.164.",
            sub=[
                _attribute("value", description="The number."),
                _attribute("type", canonical=["work", "mobile"], description="work or mobile"),
            ],
        ),
        _attribute(
            "active",
            type="boolean",
            required=True,
            description="False for a leaver (true when not given).",
        ),
    ],
    "meta": {"resourceType": "Schema", "location": f"/Schemas/{USER_SCHEMA}"},
}

GROUP_SCHEMA_DOCUMENT: dict[str, Any] = {
    "id": GROUP_SCHEMA,
    "name": "Group",
    "description": "A unit of a department; its members are the unit's employees.",
    "attributes": [
        _attribute("displayName", required=True, mutability="readOnly", description="Name."),
        _attribute(
            "members",
            type="complex",
            multi=True,
            description="The unit's employees: adding one moves them to this unit.",
            sub=[
                _attribute("value", mutability="immutable", case_exact=True, description="id"),
                _attribute(
                    "$ref",
                    type="reference",
                    mutability="immutable",
                    references=["User"],
                    description="The member's URI.",
                ),
                _attribute("display", mutability="readOnly", description="The name."),
                _attribute("type", mutability="immutable", canonical=["User"], description="User"),
            ],
        ),
    ],
    "meta": {"resourceType": "Schema", "location": f"/Schemas/{GROUP_SCHEMA}"},
}

SCHEMAS = {document["id"]: document for document in (USER_SCHEMA_DOCUMENT, GROUP_SCHEMA_DOCUMENT)}


def schema_document(schema: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        "schemas": [SCHEMA_SCHEMA],
        **schema,
        "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{schema['id']}"},
    }


def resource_types(base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "Employees of the municipality",
            "schema": USER_SCHEMA,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/User"},
        },
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Units of the departments",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/Group"},
        },
    ]


def service_provider_config(base: str, documentation: str) -> dict[str, Any]:
    return {
        "schemas": [SPC_SCHEMA],
        "documentationUri": documentation,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A provisioning client's token (kontakt scim_client_create).",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base}/ServiceProviderConfig",
        },
    }
