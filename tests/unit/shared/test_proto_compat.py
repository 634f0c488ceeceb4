"""The contract guard catches each kind of breaking change and lets additions through."""

from pathlib import Path

import pytest

from shared.proto_compat import breaking_changes, compile_set

RELEASED = """
syntax = "proto3";
package demo.v1;
message Permit {
  string number = 1; int32 year = 2; repeated string outlets = 3;
  message Limit { enum Kind { KIND_UNSPECIFIED = 0; KIND_DAILY = 1; } Kind kind = 1; }
}
enum State { STATE_UNSPECIFIED = 0; STATE_ISSUED = 1; }
service Permits { rpc Get(Permit) returns (Permit); }
"""


def _compile(tmp_path: Path, text: str, name: str) -> object:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "demo.proto").write_text(text)
    return compile_set([str(folder / "demo.proto")], include=str(folder))


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (
            RELEASED.replace("int32 year = 2;", "int32 issued_year = 2;"),
            "field 2 renamed year -> issued_year",
        ),
        (RELEASED.replace("int32 year = 2;", ""), "field 2 (year) removed without `reserved 2;`"),
        (RELEASED.replace("int32 year = 2;", "string year = 2;"), "type changed TYPE_INT32 -> TYPE_STRING"),
        (RELEASED.replace("repeated string outlets", "string outlets"), "type changed repeated"),
        (RELEASED.replace("STATE_ISSUED = 1;", ""), "value 1 (STATE_ISSUED) removed"),
        (RELEASED.replace("rpc Get(Permit) returns (Permit);", ""), "demo.v1.Permits/Get was removed"),
        (
            RELEASED.replace("int32 year = 2;", "reserved 2; int32 year = 4;"),
            "field name year reused with number 4",
        ),
        (RELEASED.replace("KIND_DAILY = 1;", ""), "value 1 (KIND_DAILY) removed"),
        (
            RELEASED.replace(
                "rpc Get(Permit) returns (Permit);", "rpc Get(stream Permit) returns (stream Permit);"
            ),
            "Get: streaming changed",
        ),
    ],
)
def test_breaking_change_is_reported(tmp_path: Path, changed: str, expected: str) -> None:
    problems = breaking_changes(_compile(tmp_path, RELEASED, "old"), _compile(tmp_path, changed, "new"))  # type: ignore[arg-type]
    assert any(expected in p for p in problems), problems


def test_additions_and_reserved_removals_pass(tmp_path: Path) -> None:
    changed = RELEASED.replace("int32 year = 2;", "reserved 2; string holder = 4;").replace(
        "STATE_ISSUED = 1;", "STATE_ISSUED = 1; STATE_REVOKED = 2;"
    )
    assert breaking_changes(_compile(tmp_path, RELEASED, "old"), _compile(tmp_path, changed, "new")) == []  # type: ignore[arg-type]
