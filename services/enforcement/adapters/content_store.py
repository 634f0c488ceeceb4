"""Where evidence content lives: a content-addressed store behind one small interface.

The default keeps each content under <dir>/<sha[:2]>/<sha> (configurable directory); identical
content is stored once. adapters/s3_store.py implements the same three methods on an S3-compatible
object store, chosen by configuration (config.py).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class ContentStore(Protocol):
    """A content-addressed store of evidence bytes."""

    def put(self, content: bytes) -> str:
        """Store bytes; their SHA-256 (hex) is their address."""
        ...

    def get(self, sha256: str) -> bytes | None:
        """The bytes stored at an address (None if absent)."""
        ...

    def uri(self, sha256: str) -> str:
        """How the content is named in an Evidence reply."""
        ...


class FileStore:
    """Content-addressed files in a directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 address: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        """Write once (atomically: a crash leaves no half file under the final name)."""
        sha = hashlib.sha256(content).hexdigest()
        path = self._path(sha)
        if path.exists():
            return sha
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return sha

    def get(self, sha256: str) -> bytes | None:
        """The stored bytes, read back as they are now (verification must see any change)."""
        path = self._path(sha256)
        return path.read_bytes() if path.exists() else None

    def uri(self, sha256: str) -> str:
        """cas:sha256:<hex>."""
        return f"cas:sha256:{sha256}"
