"""The one error shape of the API: RFC 9457 problem details."""

from __future__ import annotations

from marshmallow import Schema, fields


class FieldErrorSchema(Schema):
    pointer = fields.String(
        required=True,
        metadata={"description": "JSON Pointer to the offending field ('' for the body itself)", "example": "/team_size"},
    )
    parameter = fields.String(metadata={"description": "The query parameter, for errors in the query string."})
    header = fields.String(metadata={"description": "The request header, for errors in a header."})
    code = fields.String(required=True, metadata={"example": "invalid_type"})
    message = fields.String(required=True, metadata={"example": "Expected an integer."})


class ProblemSchema(Schema):
    """RFC 9457 problem details, with a stable `code` and the request id."""

    type = fields.String(required=True, metadata={"description": "URI reference naming the problem type."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True, metadata={"description": "The request path."})
    code = fields.String(required=True, metadata={"description": "Stable, machine-readable."})
    request_id = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema),
                         metadata={"description": "Per-field errors (422): at most 50; a hostile body is not "
                                                  "checked further once 50 are found.", "maxItems": 50})
    errors_omitted = fields.Integer(metadata={"minimum": 1, "description": "How many more errors were found than "
                                                                           "`errors` lists (at least this many)."})
