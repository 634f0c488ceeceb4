"""Evidence in an S3-compatible object store, against a real S3 server given by
ECO_TEST_S3_ENDPOINT (e.g. moto's standalone server: `pip install 'moto[server]'`, then
`moto_server -p 5000` and ECO_TEST_S3_ENDPOINT=http://127.0.0.1:5000; it accepts any key pair and
lets the test create its bucket). The enforcement service, given the store's endpoint, keeps added
evidence there, and a changed object breaks the chain at its link.

No such server is among the project's dependencies (moto needs botocore, which pins python-dateutil
below the platform's), so without ECO_TEST_S3_ENDPOINT the tests are skipped, saying so.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

import httpx
import pytest

from eco.v1 import enforcement_pb2 as pb
from services.enforcement.adapters.s3_store import S3Settings, S3Store
from tests.integration.enforcement.conftest import Enforcement
from tests.integration.enforcement.test_grpc_loop import WHO, _open
from tests.support import infra

pytestmark = pytest.mark.integration


@pytest.fixture
def s3_endpoint() -> str:
    """The S3 server of ECO_TEST_S3_ENDPOINT, with the bucket `evidence` created."""
    endpoint = os.environ.get("ECO_TEST_S3_ENDPOINT", "").rstrip("/")
    if not endpoint:
        pytest.skip("ECO_TEST_S3_ENDPOINT is not set (an S3-compatible server, e.g. moto_server)")
    assert httpx.put(f"{endpoint}/evidence", timeout=10).status_code == 200
    return endpoint


def test_the_store_contract_against_a_real_s3_server(s3_endpoint: str) -> None:
    store = S3Store(S3Settings(endpoint=s3_endpoint, bucket="evidence", access_key="AK", secret_key="SK"))
    sha = store.put(b"COD 120 mg/L")
    assert store.get(sha) == b"COD 120 mg/L" and store.put(b"COD 120 mg/L") == sha
    assert store.get(hashlib.sha256(b"never stored").hexdigest()) is None
    listed = httpx.get(f"{s3_endpoint}/evidence", params={"prefix": "evidence/"}).text
    assert f"<Key>evidence/{sha[:2]}/{sha}</Key>" in listed
    store.close()


def test_the_service_keeps_evidence_in_the_object_store_and_finds_a_changed_object(
    s3_endpoint: str, start_enforcement: Callable[..., Enforcement]
) -> None:
    e = start_enforcement(
        ECO_ENFORCEMENT_EVIDENCE_S3_ENDPOINT=s3_endpoint,
        ECO_ENFORCEMENT_EVIDENCE_S3_BUCKET="evidence",
        ECO_ENFORCEMENT_EVIDENCE_S3_ACCESS_KEY="AK",
        ECO_ENFORCEMENT_EVIDENCE_S3_SECRET_KEY="SK",
    )
    problem = _open(e, infra.unique("ref-"))
    items = [
        e.stub.AddEvidence(
            pb.AddEvidenceRequest(
                case_id=problem.case_id, kind=pb.EVIDENCE_KIND_PHOTO, content=body, collected_by=WHO
            ),
            metadata=e.md(),
        )
        for body in (b"\xff\xd8photo-1", b"\xff\xd8photo-2")
    ]
    assert all(i.content_uri.startswith("s3://evidence/evidence/") for i in items)
    check = e.stub.VerifyEvidenceChain(
        pb.VerifyEvidenceChainRequest(case_id=problem.case_id), metadata=e.md()
    )
    assert check.intact and check.items == 2
    # Someone with the bucket's keys replaces the second photo (a signed PUT, as any S3 client sends).
    intruder = S3Store(S3Settings(endpoint=s3_endpoint, bucket="evidence", access_key="AK", secret_key="SK"))
    assert intruder._send("PUT", items[1].content_sha256, b"\xff\xd8retouched").status_code == 200
    intruder.close()
    check = e.stub.VerifyEvidenceChain(
        pb.VerifyEvidenceChainRequest(case_id=problem.case_id), metadata=e.md()
    )
    assert not check.intact and check.first_broken_sequence == 2, check
