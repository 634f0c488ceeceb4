"""Search snippets are HTML-escaped stored text in which <em> is the only markup (issue 10, point 5):
an enterprise with a script in every text field is found, and no snippet carries a live tag."""

from __future__ import annotations

import re

import pytest

from eco.v1 import permits_pb2
from tests.integration.search.harness import SearchHarness, summary
from tests.support import infra

pytestmark = pytest.mark.integration

HOSTILE = "91330282MA2XSS001X"
SCRIPT = "<script>alert(1)</script>"


def test_a_script_in_every_text_field_comes_back_escaped(harness: SearchHarness) -> None:
    enterprise = summary(HOSTILE, f"ADDR {SCRIPT} 电镀厂")
    enterprise.address = f"ADDR {SCRIPT}<img src=x onerror=alert(2)>"
    enterprise.grid = f"{SCRIPT}-01"
    enterprise.industry_code = SCRIPT
    harness.publish("permits", HOSTILE, permits_pb2.EnterpriseRegistered(enterprise=enterprise))
    with harness.gateway():
        found = infra.wait_for(
            lambda: (a := harness.search("alert"))["total"] >= 1 and a, timeout=30, what="the enterprise"
        )
        (hit,) = [r for r in found["results"] if r["id"] == HOSTILE]
        snippet = hit["snippet"]
        assert "<em>alert</em>" in snippet  # the highlight is still there
        # Every other angle bracket is escaped: the only tags left are <em> and </em>.
        assert re.sub(r"</?em>", "", snippet).count("<") == 0, snippet
        assert "&lt;script&gt;" in snippet
        # The title is plain data (JSON), never markup, so it stays as stored.
        assert hit["title"] == f"ADDR {SCRIPT} 电镀厂"
        # A search whose terms are not highlighted falls back to the stored text, escaped too.
        by_code = harness.search(HOSTILE)
        (plain,) = [r for r in by_code["results"] if r["id"] == HOSTILE]
        assert re.sub(r"</?em>", "", plain["snippet"]).count("<") == 0, plain["snippet"]
