"""Rules for the test suite itself, checked on its source (issue 14):

- no statement that asserts nothing: a bare comparison, name or pure call whose value is
  dropped (`path.exists()` instead of `assert path.exists()`), `assert True`, or a
  `.replace(x, x)` that changes nothing;
- no `sleep()`: a test waits for the condition itself (a process's pidfd, an event, a
  poll with a generous upper bound as a hang guard);
- no wall-clock or memory assertion: an `assert` comparing a duration or a peak RSS
  (those bounds live in bench/, e.g. bench/hostile).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
FILES = sorted(TESTS.glob("*.py"))
# methods that only compute a value: calling one as a statement asserts nothing
PURE = frozenset(
    [
        "exists",
        "is_file",
        "is_dir",
        "startswith",
        "endswith",
        "get",
        "keys",
        "values",
        "items",
        "read_text",
        "read_bytes",
        "strip",
        "lower",
        "upper",
        "replace",
        "split",
        "count",
        "index",
        "find",
    ]
)
TIMING = frozenset(
    ["seconds", "elapsed", "duration", "took", "wall", "max_rss_kb", "ru_maxrss", "monotonic"]
)


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def findings(source: str) -> list[str]:
    """Every broken rule in a test module's source, as `line: what`."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Expr):
            value = node.value
            if isinstance(value, ast.Constant | ast.Await | ast.Yield | ast.YieldFrom):
                continue  # docstrings, awaits and yields do something
            if not isinstance(value, ast.Call) or _name(value.func) in PURE:
                out.append(f"{node.lineno}: statement asserts nothing: {ast.unparse(value)}")
        elif isinstance(node, ast.Assert) and isinstance(node.test, ast.Constant):
            out.append(f"{node.lineno}: assert of a constant")
        elif isinstance(node, ast.Call):
            args = node.args
            if (
                _name(node.func) == "replace"
                and len(args) == 2
                and ast.dump(args[0]) == ast.dump(args[1])
            ):
                out.append(f"{node.lineno}: replace() that changes nothing")
            if _name(node.func) == "sleep":
                out.append(f"{node.lineno}: sleep(): wait for the condition instead")
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
            names = {_name(n) for n in ast.walk(node.test) if isinstance(n, ast.expr)}
            if names & TIMING:
                out.append(f"{node.lineno}: time or memory assertion (belongs in bench/)")
    return out


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_statement_checks_something(path: Path) -> None:
    found = findings(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}:\n  " + "\n  ".join(found)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("p.exists()", "asserts nothing"),
        ("a == b", "asserts nothing"),
        ("assert True", "constant"),
        ("s = s.replace('x', 'x')", "changes nothing"),
        ("time.sleep(1)", "sleep()"),
        ("assert run.seconds < 8", "bench/"),
        ("assert run.max_rss_kb < LIMIT", "bench/"),
    ],
)
def test_the_rules_catch_what_they_name(source: str, expected: str) -> None:
    (found,) = findings(source)
    assert expected in found


def test_the_rules_let_real_checks_through() -> None:
    source = (
        '"""doc"""\nassert p.exists()\nrun(x)\ns = s.replace("a", "b")\n'
        "assert wait_any(pids, 60)\nassert run.code == 0\n"
    )
    assert findings(source) == []
