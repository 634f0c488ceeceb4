"""The S3-compatible evidence store: its SigV4 signature against the AWS documentation's worked
example, and the store's behaviour against a fake S3 (an in-memory bucket behind httpx's mock
transport that refuses unsigned or wrongly signed requests): write once, read back, absence, errors,
and tamper detection of the chain through the store. Configuration picks it by its endpoint."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from services.enforcement import config
from services.enforcement.adapters.s3_store import S3Settings, S3Store, S3StoreError, authorization
from services.enforcement.bootstrap import make_deps
from services.enforcement.migrations import HISTORY
from services.enforcement.service_layer import evidence, problems
from shared.clock import ManualClock
from shared.db import make_engine
from shared.migrations import upgrade
from shared.settings import SettingsError
from tests.unit.enforcement.factories import NOW
from tests.unit.enforcement.support import manual, readings

SETTINGS = S3Settings(
    endpoint="http://s3.test:9000", bucket="evidence-bucket", access_key="AK", secret_key="SK"
)
EMPTY_SHA = hashlib.sha256(b"").hexdigest()


def test_the_signature_is_the_aws_documentations_get_object_example() -> None:
    # AWS S3 API reference, "Signature Calculations for the Authorization Header: Transferring
    # Payload in a Single Chunk", example GET Object (its published signature).
    header = authorization(
        method="GET",
        path="/test.txt",
        query="",
        headers={
            "Host": "examplebucket.s3.amazonaws.com",
            "Range": "bytes=0-9",
            "x-amz-content-sha256": EMPTY_SHA,
            "x-amz-date": "20130524T000000Z",
        },
        payload_sha256=EMPTY_SHA,
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        amz_date="20130524T000000Z",
    )
    assert header == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


class FakeS3:
    """One bucket in memory, answering path-style HEAD/PUT/GET; a request whose signature does not
    verify with the key pair, or whose payload hash is wrong, is refused 403 as S3 does."""

    def __init__(self, bucket: str, secret_key: str = "SK") -> None:
        self.bucket, self.secret_key = bucket, secret_key
        self.objects: dict[str, bytes] = {}
        self.calls: list[str] = []
        self.fail_with: int | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request.method)
        if self.fail_with:
            return httpx.Response(self.fail_with, text="SlowDown")
        body = request.content
        sha = hashlib.sha256(body).hexdigest()
        signed = re.search(r"SignedHeaders=([^,]+)", request.headers.get("authorization", ""))
        if not signed or request.headers.get("x-amz-content-sha256") != sha:
            return httpx.Response(403, text="AccessDenied")
        names = signed.group(1).split(";")
        expected = authorization(
            method=request.method,
            path=request.url.path,
            query="",
            headers={n: request.headers[n] for n in names},
            payload_sha256=sha,
            access_key="AK",
            secret_key=self.secret_key,
            region="us-east-1",
            amz_date=request.headers["x-amz-date"],
        )
        if expected != request.headers["authorization"]:
            return httpx.Response(403, text="SignatureDoesNotMatch")
        bucket, _, key = request.url.path.lstrip("/").partition("/")
        if bucket != self.bucket:
            return httpx.Response(404, text="NoSuchBucket")
        if request.method == "PUT":
            self.objects[key] = body
            return httpx.Response(200)
        if key not in self.objects:
            return httpx.Response(404)
        return httpx.Response(200, content=b"" if request.method == "HEAD" else self.objects[key])


def _store(fake: FakeS3, settings: S3Settings = SETTINGS) -> S3Store:
    return S3Store(
        settings, transport=httpx.MockTransport(fake), now=lambda: datetime(2026, 3, 2, tzinfo=UTC)
    )


def test_content_is_written_once_under_its_address_and_read_back() -> None:
    fake = FakeS3("evidence-bucket")
    store = _store(fake)
    sha = store.put(b"NH3N 1.9 mg/L")
    assert sha == hashlib.sha256(b"NH3N 1.9 mg/L").hexdigest()
    assert list(fake.objects) == [f"evidence/{sha[:2]}/{sha}"]
    assert (
        store.get(sha) == b"NH3N 1.9 mg/L"
        and store.uri(sha) == f"s3://evidence-bucket/evidence/{sha[:2]}/{sha}"
    )
    fake.calls.clear()
    assert store.put(b"NH3N 1.9 mg/L") == sha and fake.calls == ["HEAD"]  # never overwritten
    assert store.get("0" * 64) is None
    with pytest.raises(ValueError, match="not a SHA-256"):
        store.get("../etc/passwd")


def test_a_wrong_key_or_a_failing_store_is_an_error_not_an_absence() -> None:
    wrong = _store(FakeS3("evidence-bucket", secret_key="other"))
    with pytest.raises(S3StoreError, match="HTTP 403"):
        wrong.put(b"x")
    failing = FakeS3("evidence-bucket")
    failing.fail_with = 503
    with pytest.raises(S3StoreError, match="HTTP 503"):
        _store(failing).get("a" * 64)


def test_a_changed_object_breaks_the_chain_at_its_link(tmp_path: Path) -> None:
    fake = FakeS3("evidence-bucket")
    engine = make_engine(f"sqlite:///{tmp_path / 'enforcement.db'}")
    upgrade(engine, HISTORY)
    deps = make_deps(engine, clock=ManualClock(NOW), store=_store(fake))
    problem = problems.open_problem(deps, manual("m1"))
    with deps.engine.begin() as conn:
        problems.alarm(
            deps, conn, manual("m2"), evidence=[readings("r1"), readings("r2", b'{"readings":[3.2]}')]
        )
    assert evidence.verify(deps, case_id=problem.case_id).intact
    second = hashlib.sha256(b'{"readings":[3.2]}').hexdigest()
    fake.objects[f"evidence/{second[:2]}/{second}"] = b'{"readings":[0.3]}'
    verdict = evidence.verify(deps, case_id=problem.case_id)
    assert not verdict.intact and verdict.first_broken_sequence == 2
    engine.dispose()


def test_configuration_picks_the_object_store_by_its_endpoint(tmp_path: Path) -> None:
    assert config.load({}, tmp_path).evidence_s3 is None
    env = {
        "ECO_ENFORCEMENT_EVIDENCE_S3_ENDPOINT": "https://minio.bureau.local:9000",
        "ECO_ENFORCEMENT_EVIDENCE_S3_BUCKET": "evidence",
        "AWS_ACCESS_KEY_ID": "AK",
        "AWS_SECRET_ACCESS_KEY": "SK",
    }
    s3 = config.load(env, tmp_path).evidence_s3
    assert s3 is not None and (s3.bucket, s3.access_key, s3.region, s3.prefix) == (
        "evidence",
        "AK",
        "us-east-1",
        "evidence/",
    )
    with pytest.raises(SettingsError, match="ECO_ENFORCEMENT_EVIDENCE_S3_BUCKET: required"):
        config.load({**env, "ECO_ENFORCEMENT_EVIDENCE_S3_BUCKET": ""}, tmp_path)
    with pytest.raises(SettingsError, match="expected an http"):
        config.load({**env, "ECO_ENFORCEMENT_EVIDENCE_S3_ENDPOINT": "minio:9000"}, tmp_path)
