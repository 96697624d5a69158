"""SCIM 2.0 (RFC 7643/7644) service provider of the directory at /scim/v2/: an identity
system (Entra ID, Keycloak, …) provisions employees as Users; units are Groups whose
members are the unit's employees.

Parsing of filters and PATCH paths is scim2-models' (its grammar and syntax tree); the
documents are written here, so they name exactly the attributes the directory keeps."""
