"""The one rule for text the platform accepts: no control characters, no bidirectional controls.

Every string that enters through an edge (a gRPC request, a form) passes this rule, so a NUL never
reaches PostgreSQL (its driver refuses it) and a name cannot be shown reversed on a public page.

- Control characters: the characters XML 1.0 (5th edition, section 2.2, production `Char`) leaves
  out of text — C0 controls other than TAB, LF and CR — plus DEL and the C1 controls (U+007F–U+009F),
  which Unicode classes as controls (General_Category Cc) and no form or name legitimately holds.
- Bidirectional controls: the characters with the Unicode property Bidi_Control (UAX #9, table 4:
  ALM U+061C, LRM/RLM U+200E–U+200F, embeddings and overrides U+202A–U+202E, isolates
  U+2066–U+2069). An override such as U+202E makes a name read backwards where it is displayed.
"""

from __future__ import annotations

import re

from shared.errors import InvalidArgument

# One character class, so checking a string is a single regex scan (this runs on every field of
# every request, readings included).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The bare scan, for loops that only need to know whether there is anything to report.
search_forbidden = _FORBIDDEN.search


def forbidden_character(text: str) -> str | None:
    """Why `text` breaks the rule (the reason of the refusal), or None if it does not."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    if ord(found.group()) < 0x100:
        return "must not contain control characters"
    # Named, since the character itself is invisible where the message is read.
    return f"must not contain bidirectional control characters (U+{ord(found.group()):04X})"


def check_text(text: str, field: str) -> str:
    """`text` if it passes the rule; InvalidArgument naming `field` and the character if not."""
    reason = forbidden_character(text)
    if reason is not None:
        raise InvalidArgument(field, reason)
    return text
