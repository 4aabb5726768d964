"""Malformed project files by mutation (issue 10): the generator shared by the bounded run in
the test suite (tests/test_project_fuzz.py) and the long one (bench/projectfuzz).

Each case takes the demo project (its store already built), mutates one project file —
digest.toml, feeds.toml, an edits file, a rule pack, a template, a year-end letter or an
OPML file — with one operator (a hostile value in place of a TOML value, a flipped or
inserted byte, a deleted or duplicated line, a truncation, an unknown key, a hostile
template snippet...), runs the command that reads that file in-process, and classifies
the outcome. A traceback, a hang, an unexpected exit code or an error that does not name
the mutated file is a finding.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2025-12-19"
ISSUE = "2025-W51"
CASE_SECONDS = 60

HOSTILE_VALUES = [
    '""',
    '"   "',
    "0",
    "-1",
    "99999999999999999999",
    "-99999999999999999999",
    "1e308",
    "inf",
    "-inf",
    "nan",
    "true",
    "[]",
    "{}",
    '[1, "a"]',
    "1970-01-01",
    "9999-12-31T23:59:59Z",
    '"\\u0000"',
    '"a\\u0001b"',
    '"a\\u2028b"',
    '"\\u0085"',
    '"\\uffff"',
    '"\\r\\nBcc: x@example.org"',
    '"<script>alert(1)</script>"',
    '"\\" onclick=\\"alert(1)"',
    '"</mj-text><mj-raw><script>x()</script></mj-raw>"',
    '"{name.__class__}"',
    '"{0}"',
    '"{date:%Q}"',
    '"{"',
    '"javascript:alert(1)"',
    '"http://[::1/feed"',
    '"https://x.example:99999/"',
    '"http://xn--/"',
    '"https://exa mple.org/"',
    '"file:///etc/passwd"',
    '"/etc/passwd"',
    '"../../../../etc/passwd"',
    '"mailto:a@b.example\\"x"',
    '"*|EMAIL|*"',
    '"{{ .Subscriber.Email }}"',
    '"日本語のテキスト"',
    '"x<script>"',
    '"en_GB"',
    '"' + "x" * 5000 + '"',
    '"#12345g"',
    '"Helvetica; } body { color: red"',
    '["year_end", "nope"]',
    '"freed"',
    '[""]',
    '["*"]',
]

TEMPLATE_SNIPPETS = [
    "{{ issue.nope }}",
    "{{ issue.sections[99].title }}",
    "{% for x in %}",
    "{% include 'partials/nope.mjml' %}",
    "{% extends 'nope.mjml' %}",
    "{{ 1 / 0 }}",
    "<script>alert(1)</script>",
    '<a href="https://x.example/" onclick="x()">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    "</mj-text>",
    "<mj-section>",
    "\x01\x02",
    "\ufffe",
    "{{ theme.logo_url | nope }}",
    "{% raw %}",
    "{# unclosed comment",
    '<link rel="stylesheet" href="https://fonts.googleapis.com/css">',
]

BYTES = [b"\x00", b"\x01", b"\x1b", b"\x7f", b"\x80", b"\xc3", b"\xff", b"\xfe", b'"', b"[", b"="]


@dataclass(frozen=True)
class Target:
    """A project file to mutate and the command that reads it."""

    name: str  # as named in errors (a path relative to the project)
    command: Callable[[Path], list[str]]
    kind: str  # "toml", "template", "letter", "opml"


def _build(project: Path) -> list[str]:
    return ["build", "-p", str(project), "--as-of", AS_OF, "--offline"]


def _year_end(project: Path) -> list[str]:
    letter = project / "feeds" / "letters" / "2025-year-end.md"
    return ["year-end", "-p", str(project), "--year", "2025", "--letter", str(letter),
            "--as-of", "2025-12-20"]  # fmt: skip


def _import(project: Path) -> list[str]:
    return ["feeds", "import", str(project / "subscriptions.opml"), "-p", str(project)]


TARGETS = [
    Target("digest.toml", _build, "toml"),
    Target("feeds/feeds.toml", _build, "toml"),
    Target(f"edits/{ISSUE}.toml", _build, "toml"),
    Target("rules/en.toml", _build, "toml"),
    Target("templates/weekly.mjml", _build, "template"),
    Target("templates/partials/footer.mjml", _build, "template"),
    Target("templates/weekly.txt", _build, "template"),
    Target("feeds/letters/2025-year-end.md", _year_end, "letter"),
    Target("subscriptions.opml", _import, "opml"),
]

EDITS = """intro = "A good week."

[items.279b87]
title = "Our own headline"
position = 1

[items.6a0ffd]
pin = true
section = "lead"
"""

RULES = """mode = "extend"

[kind.good_news]
phrases = ["walked free", "won * appeal"]
guards = ["not yet freed"]
categories = ["wins"]
points = 6.5
"""

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Partners">
      <outline type="rss" text="Courtwatch" xmlUrl="https://courtwatch.example/feed.xml"
               category="law,courts" language="en"/>
      <outline text="Legal"><outline title="Bar" xmlUrl="https://bar.example/rss"/></outline>
    </outline>
  </body>
</opml>
"""


def base_project(dest: Path) -> Path:
    """The demo project with a built store and one of every project file."""
    from digest.cli import cli

    dest.mkdir(parents=True)
    shutil.copyfile(REPO / "digest.toml", dest / "digest.toml")
    shutil.copytree(REPO / "feeds", dest / "feeds")
    result = CliRunner().invoke(cli, ["build", "-p", str(dest), "--as-of", AS_OF, "-q"])
    assert result.exit_code == 0, result.output
    (dest / "edits").mkdir()
    (dest / "edits" / f"{ISSUE}.toml").write_text(EDITS)
    (dest / "rules").mkdir()
    (dest / "rules" / "en.toml").write_text(RULES)
    (dest / "templates" / "partials").mkdir(parents=True)
    bundled = REPO / "templates"
    for name in ("weekly.mjml", "weekly.txt", "partials/footer.mjml"):
        shutil.copyfile(bundled / name, dest / "templates" / name)
    (dest / "subscriptions.opml").write_text(OPML)
    letter = dest / "feeds" / "letters" / "2025-year-end.md"  # language tags: see mutate()
    letter.write_text(re.sub(r"(?m)^language:.*\n", "", letter.read_text()))
    return dest


@dataclass(frozen=True)
class Case:
    number: int
    target: Target
    operator: str
    detail: str
    content: bytes


def cases(base: Path, seed: int, count: int) -> Iterator[Case]:
    rng = random.Random(seed)
    for number in range(count):
        target = rng.choice(TARGETS)
        original = (base / target.name).read_bytes()
        operator, detail, content = mutate(original, target.kind, rng)
        yield Case(number, target, operator, detail, content)


def mutate(data: bytes, kind: str, rng: random.Random) -> tuple[str, str, bytes]:
    lines = data.split(b"\n")
    operators = ["byte", "insert", "delete-line", "duplicate-line", "truncate", "swap-lines"]
    if kind == "toml":
        operators += ["value"] * 6 + ["unknown-key", "new-table"]
    if kind in ("template", "letter"):
        operators += ["snippet"] * 4
    if kind == "opml":
        operators += ["opml"] * 4
    op = rng.choice(operators)
    if op == "byte" and data:
        i = rng.randrange(len(data))
        new = rng.choice(BYTES)
        return op, f"byte {i} -> {new!r}", data[:i] + new + data[i + 1 :]
    if op == "insert":
        i = rng.randrange(len(data) + 1)
        new = rng.choice(BYTES) * rng.choice([1, 1, 3])
        return op, f"at {i}: {new!r}", data[:i] + new + data[i:]
    if op == "delete-line" and lines:
        i = rng.randrange(len(lines))
        return op, f"line {i + 1}", b"\n".join(lines[:i] + lines[i + 1 :])
    if op == "duplicate-line" and lines:
        i = rng.randrange(len(lines))
        return op, f"line {i + 1}", b"\n".join(lines[: i + 1] + lines[i:])
    if op == "swap-lines" and len(lines) > 1:
        i, j = sorted(rng.sample(range(len(lines)), 2))
        lines[i], lines[j] = lines[j], lines[i]
        return op, f"lines {i + 1} and {j + 1}", b"\n".join(lines)
    if op == "truncate" and data:
        i = rng.randrange(len(data))
        return op, f"at {i}", data[:i]
    if op == "value":
        # BCP 47 language tags are validated by issue 13's work: not mutated here yet (the
        # base letter has no language line either)
        values = [
            n
            for n, line in enumerate(lines)
            if re.match(rb"^\s*[\w.-]+\s*=", line) and not line.strip().startswith(b"language")
        ]
        if values:
            n = rng.choice(values)
            key = lines[n].split(b"=", 1)[0]
            value = rng.choice(HOSTILE_VALUES)
            lines[n] = key + b"= " + value.encode()
            return op, f"line {n + 1}: {key.strip().decode()} = {value[:40]}", b"\n".join(lines)
    if op == "unknown-key":
        n = rng.randrange(len(lines) + 1)
        return op, f"line {n + 1}", b"\n".join([*lines[:n], b'colour = "red"', *lines[n:]])
    if op == "new-table":
        table = rng.choice([b"[nope]", b"[[section]]", b"[[feed]]", b"[items.zz]", b"[kind.x]"])
        return op, table.decode(), data + b"\n" + table + b"\n"
    if op == "snippet":
        snippet = rng.choice(TEMPLATE_SNIPPETS)
        i = rng.randrange(len(data) + 1)
        return op, repr(snippet[:40]), data[:i] + snippet.encode() + data[i:]
    if op == "opml":
        return _opml(rng)
    return "none", "", data


def _opml(rng: random.Random) -> tuple[str, str, bytes]:
    choice = rng.randrange(6)
    if choice == 0:
        depth = rng.choice([70, 1000, 5000])
        body = '<outline text="a">' * depth + '<outline xmlUrl="https://x.example/f"/>'
        return (
            "opml",
            f"nested {depth}",
            (f"<opml><body>{body}{'</outline>' * depth}</body></opml>".encode()),
        )
    if choice == 1:
        return (
            "opml",
            "entities",
            (
                b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                b'<opml><body><outline text="&b;" xmlUrl="https://x.example/f"/></body></opml>'
            ),
        )
    if choice == 2:
        url = rng.choice(["/etc/passwd", "file:///etc/shadow", "javascript:x()", "http://[::1/",
                          "https://x:99999/", "  ", "ftp://x.example/f"])  # fmt: skip
        return (
            "opml",
            f"url {url}",
            (f'<opml><body><outline text="x" xmlUrl="{url}"/></body></opml>'.encode()),
        )
    if choice == 3:
        doc = '<?xml version="1.0" encoding="UTF-16"?><opml><body>'
        doc += '<outline text="u" xmlUrl="https://u.example/f"/></body></opml>'
        return "opml", "utf-16", doc.encode("utf-16")
    if choice == 4:
        names = ["a\u0085b", "x&#x2028;y", "&#x1;", "<b>", "\u202e"]
        name = rng.choice(names)
        return (
            "opml",
            f"name {name!r}",
            (
                f'<opml><body><outline text="{name}" xmlUrl="https://n.example/f"/></body></opml>'
            ).encode(),
        )
    return "opml", "not xml", bytes(rng.randrange(256) for _ in range(200))


@dataclass(frozen=True)
class Outcome:
    case: Case
    exit_code: int | None
    stderr: str
    finding: str | None  # None: a clean outcome

    @property
    def summary(self) -> str:
        c = self.case
        text = self.stderr.strip()
        shown = text[-600:] if self.finding == "traceback" else text[:300]
        return (
            f"#{c.number} {c.target.name} {c.operator} {c.detail}: exit {self.exit_code}; "
            f"{self.finding}: {shown}"
        )


class _Timeout(Exception):
    pass


def run_case(case: Case, base: Path, work: Path) -> Outcome:
    from digest.cli import cli

    project = work / f"case-{case.number}"
    shutil.copytree(base, project)
    (project / case.target.name).write_bytes(case.content)
    runner = CliRunner()

    def alarm(signum: int, frame: Any) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(CASE_SECONDS)
    try:
        result = runner.invoke(cli, case.target.command(project), catch_exceptions=True)
    except _Timeout:
        return Outcome(case, None, "", "hang")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        shutil.rmtree(project, ignore_errors=True)
    stderr = result.stderr
    if isinstance(result.exception, _Timeout):
        return Outcome(case, None, stderr, "hang")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        tb = "".join(traceback.format_exception(result.exception))
        return Outcome(case, result.exit_code, tb[-1500:], "traceback")
    code = result.exit_code
    if code not in (0, 1, 2, 3, 4):
        return Outcome(case, code, stderr, "unexpected exit code")
    if code in (1, 2):
        if "digest: error:" not in stderr:
            return Outcome(case, code, stderr, "no error message")
        name = Path(case.target.name).name
        if code == 2 and name not in stderr and not _other_file_named(stderr):
            return Outcome(case, code, stderr, "error does not name the file")
    return Outcome(case, code, stderr, None)


def _other_file_named(stderr: str) -> bool:
    """A usage error about something else than the mutated file (such as a template that
    a mutated digest.toml now names, or an option) still names what to fix."""
    return bool(re.search(r"\.(toml|mjml|txt|md|opml)\b|--[a-z-]+", stderr))
