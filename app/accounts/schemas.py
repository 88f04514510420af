from marshmallow import Schema, fields, validate


class SignInSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    # "field": the mentors' phone app, which only volunteers may use.
    app = fields.String(load_default=None, validate=validate.OneOf(["field"]))


class UserOut(Schema):
    id = fields.UUID()
    name = fields.String()
    role = fields.String()
