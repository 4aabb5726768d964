"""Golden test of the demo issue: the whole out/<issue>/ folder, every file byte for byte
(newsletter.html, .txt, .eml, manifest.json, editor-notes.txt when written), and a file
that appears or goes missing fails too. Regenerate after an intended change with
`make golden` (DIGEST_UPDATE_GOLDEN=1) and review the diff like any other code change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import DEMO_AS_OF, DEMO_ISSUE

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DIGEST_UPDATE_GOLDEN") == "1"
BROKEN_FEED = '\n[[feed]]\nname = "Partner news"\nurl = "feeds/samples/partner.rss"\n'


def _demo(digest, project: Path) -> None:
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0


def _demo_with_a_failing_feed(digest, project: Path) -> None:
    """A listed feed whose file is missing fails three fetches in a row, then the build:
    the editors are told (editor-notes.txt, the manifest's attention list)."""
    with (project / "feeds" / "feeds.toml").open("a", encoding="utf-8") as feeds:
        feeds.write(BROKEN_FEED)
    for _ in range(3):
        assert digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 4
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 4


def _files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("name", "build"), [("demo", _demo), ("demo-attention", _demo_with_a_failing_feed)]
)
def test_demo_out_folder_matches_golden(digest, project: Path, name: str, build) -> None:
    build(digest, project)
    out = project / "out" / DEMO_ISSUE
    produced = _files(out)
    assert {"newsletter.html", "newsletter.txt", "newsletter.eml", "manifest.json"} <= set(produced)
    golden = GOLDEN / name
    if UPDATE:
        for stale in set(_files(golden)) - set(produced):
            (golden / stale).unlink()
        for rel, body in produced.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_bytes(body)
        pytest.skip(f"updated {golden}")
    expected = _files(golden)
    assert expected, f"no golden files in {golden} yet: run `make golden`"
    problems = [f"unexpected file {rel} (not in the golden)" for rel in produced.keys() - expected]
    problems += [f"missing file {rel}" for rel in expected.keys() - produced]
    problems += [
        f"{rel} differs: diff {golden / rel} {out / rel}"
        for rel in sorted(produced.keys() & expected.keys())
        if produced[rel] != expected[rel]
    ]
    if problems:
        pytest.fail(
            f"out/{DEMO_ISSUE} differs from {golden}; if intended run `make golden`.\n  "
            + "\n  ".join(sorted(problems))
        )
