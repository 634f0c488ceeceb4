"""Evidence content in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, ...), behind the same
ContentStore interface as the directory store: objects named <prefix><sha[:2]>/<sha>, path-style
URLs (<endpoint>/<bucket>/<key>), requests signed with AWS Signature Version 4.

The three calls the store needs (HEAD, PUT, GET of one object) are made with httpx, already a
dependency, rather than boto3, whose botocore pins python-dateutil below the version the platform
uses. Signing follows the AWS documentation "Signature Version 4 signing process" for S3
(Authorization header, x-amz-content-sha256 the payload's SHA-256).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "s3"


@dataclass(frozen=True)
class S3Settings:
    """Where and as whom: the endpoint (e.g. https://s3.cn-east-1.example.com), bucket, key prefix,
    region of the signature scope, and the access key pair."""

    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    prefix: str = "evidence/"
    timeout: float = 10.0


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signing_key(secret_key: str, day: str, region: str) -> bytes:
    """The SigV4 signing key of a day (YYYYMMDD) and region, for S3."""
    k_date = _hmac(f"AWS4{secret_key}".encode(), day)
    return _hmac(_hmac(_hmac(k_date, region), SERVICE), "aws4_request")


def authorization(
    *,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    payload_sha256: str,
    access_key: str,
    secret_key: str,
    region: str,
    amz_date: str,
) -> str:
    """The Authorization header of a request whose headers (Host and x-amz-* included) are given."""
    canonical_headers = {k.lower(): " ".join(v.split()) for k, v in headers.items()}
    signed = ";".join(sorted(canonical_headers))
    canonical = "\n".join(
        [
            method,
            quote(path, safe="/~"),
            query,
            "".join(f"{k}:{canonical_headers[k]}\n" for k in sorted(canonical_headers)),
            signed,
            payload_sha256,
        ]
    )
    scope = f"{amz_date[:8]}/{region}/{SERVICE}/aws4_request"
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    signature = hmac.new(
        signing_key(secret_key, amz_date[:8], region), to_sign.encode(), hashlib.sha256
    ).hexdigest()
    return f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={signature}"


class S3StoreError(ConnectionError):
    """The object store answered something other than the object or its absence."""


class S3Store:
    """Content-addressed objects in one bucket of an S3-compatible store."""

    def __init__(
        self,
        settings: S3Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self._now = now
        self._client = httpx.Client(
            base_url=settings.endpoint.rstrip("/"), timeout=settings.timeout, transport=transport
        )

    def key(self, sha256: str) -> str:
        """The object key of an address."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 address: {sha256!r}")
        return f"{self.settings.prefix}{sha256[:2]}/{sha256}"

    def _send(self, method: str, sha256: str, body: bytes = b"") -> httpx.Response:
        s = self.settings
        url = httpx.URL(f"{s.endpoint.rstrip('/')}/{s.bucket}/{self.key(sha256)}")
        payload_sha = hashlib.sha256(body).hexdigest()
        amz_date = self._now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        host = url.netloc.decode()
        headers = {"host": host, "x-amz-content-sha256": payload_sha, "x-amz-date": amz_date}
        headers["authorization"] = authorization(
            method=method,
            path=url.path,
            query="",
            headers=headers,
            payload_sha256=payload_sha,
            access_key=s.access_key,
            secret_key=s.secret_key,
            region=s.region,
            amz_date=amz_date,
        )
        try:
            return self._client.request(method, url, headers=headers, content=body if body else None)
        except httpx.HTTPError as exc:
            raise S3StoreError(f"object store {s.endpoint} unavailable: {exc}") from exc

    def put(self, content: bytes) -> str:
        """Store once: an object already at the address is left as it is (never overwritten, so a
        changed object stays changed and verification finds it)."""
        sha = hashlib.sha256(content).hexdigest()
        head = self._send("HEAD", sha)
        if head.status_code == 200:
            return sha
        if head.status_code != 404:
            raise S3StoreError(f"HEAD {self.key(sha)}: HTTP {head.status_code}")
        answer = self._send("PUT", sha, content)
        if answer.status_code not in (200, 201):
            raise S3StoreError(f"PUT {self.key(sha)}: HTTP {answer.status_code} {answer.text[:200]}")
        return sha

    def get(self, sha256: str) -> bytes | None:
        """The object's bytes as stored now (None if absent)."""
        answer = self._send("GET", sha256)
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise S3StoreError(f"GET {self.key(sha256)}: HTTP {answer.status_code} {answer.text[:200]}")
        return answer.content

    def uri(self, sha256: str) -> str:
        """s3://<bucket>/<key>."""
        return f"s3://{self.settings.bucket}/{self.key(sha256)}"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()
