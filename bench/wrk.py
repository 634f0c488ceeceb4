"""Load from a real HTTP load generator (wrk, deploy/system-packages.txt), with its figures parsed.

A Python loop that times itself measures Python; wrk is a separate C process with its own event
loop, so what it reports is the server's throughput and latency.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    """What wrk measured on one route at one concurrency."""

    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx answers and socket errors

    def ratio(self, baseline: Load) -> float:
        """This route's requests/s over the baseline's."""
        return self.rps / baseline.rps if baseline.rps else 0.0


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse(name: str, output: str) -> Load:
    """Figures from `wrk --latency` output (requests/s, 50 % and 99 % latency, failures)."""
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    requests = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if not (requests and rps and "50" in latency and "99" in latency):
        raise ValueError(f"unexpected wrk output for {name}:\n{output}")
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    for errors in re.findall(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        bad += sum(int(n) for n in errors)
    return Load(
        name, float(rps.group(1)), _ms(latency["50"]), _ms(latency["99"]), int(requests.group(1)), bad
    )


def run(
    name: str,
    url: str,
    *,
    connections: int,
    seconds: int,
    headers: dict[str, str] | None = None,
    post_json: str | None = None,
    script: str | None = None,
) -> Load:
    """Load `url` with one wrk thread and `connections` connections for `seconds` (`script`: a wrk
    Lua script making each request, instead of the same request every time)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    with tempfile.TemporaryDirectory() as scratch:
        if post_json is not None:
            post = Path(scratch) / "post.lua"
            # A level-2 long bracket string: Lua takes the JSON as it is, with no escapes.
            assert "]==]" not in post_json
            lines = ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"']
            post.write_text("\n".join([*lines, f"wrk.body = [==[{post_json}]==]", ""]), encoding="utf-8")
            command += ["-s", str(post)]
        elif script is not None:
            path = Path(scratch) / "requests.lua"
            path.write_text(script, encoding="utf-8")
            command += ["-s", str(path)]
        done = subprocess.run(  # wrk wants a percent-encoded URL
            [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
        )
    return parse(name, done.stdout)


def distinct_queries_script(path_before: str, path_after: str, body_template: str | None = None) -> str:
    """A wrk script whose every request asks something new: the n-th request's query is
    `第<n>有限公司` (percent-encoded between `path_before` and `path_after` in a GET path, or put in
    place of QUERY in `body_template` for a POST of JSON), so no cache anywhere answers it."""
    word_before, word_after = "第", "有限公司"
    encoded = (quote(word_before), quote(word_after))
    lines = ["local n = 0", "request = function()", "  n = n + 1"]
    if body_template is None:
        lines.append(
            f'  return wrk.format("GET", [==[{path_before}{encoded[0]}]==] .. n .. '
            f"[==[{encoded[1]}{path_after}]==])"
        )
    else:
        # A % in the template is fine: only the replacement of gsub treats it specially.
        assert "]==]" not in body_template
        before, _, after = body_template.partition("QUERY")
        lines += [
            f"  local q = [==[{word_before}]==] .. n .. [==[{word_after}]==]",
            f'  local body = ([==[{before}QUERY{after}]==]):gsub("QUERY", q)',
            f'  return wrk.format("POST", [==[{path_before}{path_after}]==], '
            '{["Content-Type"] = "application/json"}, body)',
        ]
    lines += ["end", ""]
    return "\n".join(lines)
