"""Checking a real answer against what the OpenAPI document says of it (status, media type, schema)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from jsonschema import Draft202012Validator

# The routers whose routes these tests hold to the document (the console's pages are not in it).
COVERED_TAGS = {
    "accounts",
    "codes",
    "enterprises",
    "evaluation",
    "health",
    "map",
    "monitoring",
    "petitions",
    "problems",
    "public",
    "risk",
    "search",
    "session",
}
UNCOVERED_PATHS: set[str] = set()


def covered(path: str, operation: dict[str, Any]) -> bool:
    """Whether these tests hold this operation to the document."""
    return path not in UNCOVERED_PATHS and bool(COVERED_TAGS & set(operation.get("tags", [])))


# Objects whose fields are open by design: RFC 7946 properties, which each kind of feature extends.
OPEN_OBJECTS = {"FeatureProperties"}


def operations(document: dict[str, Any], method: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, operation) of every operation of `method` in the document."""
    for path, item in document["paths"].items():
        if method in item and covered(path, item[method]):
            yield path, item[method]


def validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) for one schema of the document, its
    references resolved against the document's components."""
    return Draft202012Validator(
        {**schema, "components": document["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def problems(document: dict[str, Any], operation: dict[str, Any], answer: httpx.Response) -> list[str]:
    """What in the answer the operation does not document: its status, its media type, or any
    part of its JSON body (a field undeclared, a declared one missing, a wrong type or value)."""
    documented = operation["responses"].get(str(answer.status_code))
    if documented is None:
        return [f"status {answer.status_code} is not documented ({sorted(operation['responses'])})"]
    content = documented.get("content", {})
    media_type = answer.headers.get("content-type", "").split(";")[0].strip()
    if not content:
        return [] if not answer.content or answer.is_redirect else [f"{answer.status_code} has a body"]
    if media_type not in content:
        return [f"{answer.status_code} answered {media_type!r}; documented: {sorted(content)}"]
    if media_type != "application/json":
        return []
    schema = content[media_type].get("schema")
    if not schema:
        return [f"{answer.status_code} application/json has no schema"]
    errors = validator(document, schema).iter_errors(answer.json())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"].rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def response_schemas(document: dict[str, Any]) -> set[str]:
    """The component schemas some response uses, directly or inside another."""
    components = document["components"]["schemas"]
    responses = [
        op["responses"]
        for path, item in document["paths"].items()
        for op in item.values()
        if covered(path, op)
    ]
    seen: set[str] = set()
    todo = list(_refs(responses))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_refs(components[name]))
    return seen


def open_objects(document: dict[str, Any]) -> list[str]:
    """Response schemas whose objects accept fields they do not declare (additionalProperties not
    false), other than those open by design."""
    components = document["components"]["schemas"]
    return sorted(
        name
        for name in response_schemas(document)
        if "properties" in components[name]
        and components[name].get("additionalProperties") is not False
        and name not in OPEN_OBJECTS
    )
