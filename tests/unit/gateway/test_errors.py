"""Request validation errors read like every other refusal: 400, INVALID_ARGUMENT, the field named."""

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel

from gateway import errors


class PetitionIn(BaseModel):
    text: str
    count: int


def _app() -> FastAPI:
    app = FastAPI()
    errors.install(app)

    @app.get("/items")
    def items(size: int = Query(ge=1, le=10)) -> dict[str, int]:
        return {"size": size}

    @app.post("/petitions")
    def petitions(body: PetitionIn) -> dict[str, str]:
        return {"text": body.text}

    return app


def test_query_out_of_range_is_400_naming_the_parameter() -> None:
    response = TestClient(_app()).get("/items?size=99")
    assert response.status_code == 400
    assert response.json()["error"] == "INVALID_ARGUMENT"
    assert response.json()["message"].startswith("size: ")


def test_missing_body_field_is_400_naming_the_field() -> None:
    response = TestClient(_app()).post("/petitions", json={"text": "x"})
    assert response.status_code == 400
    assert response.json()["message"].startswith("count: ")


def test_malformed_json_is_400() -> None:
    response = TestClient(_app()).post(
        "/petitions", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "INVALID_ARGUMENT"


def test_an_unexpected_error_is_a_json_500_with_the_trace_id(monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway import config, roles
    from gateway.app import create_app

    monkeypatch.setitem(roles.ROUTES, ("GET", "/boom"), roles.PUBLIC)  # a route anyone may call
    app = create_app(config.load({"ECO_RUN_DIR": "/tmp/eco-unit-gateway"}))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("bug")

    response = TestClient(app, raise_server_exceptions=False).get(
        "/boom", headers={"X-Trace-Id": "trace-boom"}
    )
    assert response.status_code == 500
    assert response.json() == {
        "error": "INTERNAL",
        "message": "internal error; quote the trace id when reporting it",
        "trace_id": "trace-boom",
    }
    assert response.headers["X-Trace-Id"] == "trace-boom"
