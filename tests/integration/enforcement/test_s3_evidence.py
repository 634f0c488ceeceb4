"""Evidence in an S3-compatible object store, against a real S3 server: moto's standalone server
(`moto_server`, from PyPI's moto[server]), started on a free port. The enforcement service, given
the store's endpoint, keeps added evidence there, and a changed object breaks the chain at its link.

moto[server] is not one of the project's pinned dependencies (botocore, which moto needs, pins
python-dateutil below the platform's); the test runs where a `moto_server` is on PATH and is
skipped, saying so, where none is.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable, Iterator

import httpx
import pytest

from eco.v1 import enforcement_pb2 as pb
from services.enforcement.adapters.s3_store import S3Settings, S3Store
from tests.integration.enforcement.conftest import Enforcement
from tests.integration.enforcement.test_grpc_loop import WHO, _open
from tests.support import infra

pytestmark = pytest.mark.integration


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free port, with the bucket `evidence` created."""
    program = shutil.which("moto_server")
    if program is None:
        pytest.skip("no moto_server on PATH (pip install 'moto[server]' to run this contract test)")
    port = infra.free_port()
    process = subprocess.Popen(
        [program, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return httpx.put(f"{endpoint}/evidence", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        infra.wait_for(up, timeout=30, what="the moto S3 server")
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


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
