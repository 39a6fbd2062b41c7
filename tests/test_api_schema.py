"""Every JSON answer the API documents has a shape: the frontend's types are generated from the
schema, so an untyped response would reach the web UI as ``Record<string, never>``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.generators import SchemaGenerator


def _untyped(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    if "$ref" in schema:
        return _untyped(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if not schema:
        return True
    if schema.get("type") == "array":
        return _untyped(schema.get("items", {}), components)
    if schema.get("type") == "object":
        return not ({"properties", "allOf", "oneOf"} & schema.keys())
    return False


def test_every_json_response_of_the_api_has_a_typed_schema() -> None:
    document = SchemaGenerator().get_schema(request=None, public=True)
    components = document["components"]["schemas"]
    untyped = [
        f"{method.upper()} {path} {code}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for code, response in operation.get("responses", {}).items()
        if code.startswith("2")
        for media_type, content in (response.get("content") or {}).items()
        if media_type == "application/json" and _untyped(content.get("schema", {}), components)
    ]
    assert untyped == []
