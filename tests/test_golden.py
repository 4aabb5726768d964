"""Golden test of the demo issue. Regenerate after an intended change with `make golden`
(DIGEST_UPDATE_GOLDEN=1) and review the diff like any other code change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import DEMO_AS_OF, DEMO_ISSUE

GOLDEN = Path(__file__).parent / "golden" / "demo"
UPDATE = os.environ.get("DIGEST_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("name", ["newsletter.html", "newsletter.txt", "manifest.json"])
def test_demo_issue_matches_golden(digest, project: Path, name: str) -> None:
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    produced = (project / "out" / DEMO_ISSUE / name).read_bytes()
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
        pytest.skip(f"updated {golden}")
    assert golden.exists(), "no golden file yet: run `make golden`"
    if produced != golden.read_bytes():
        diff_hint = f"diff {golden} {project / 'out' / DEMO_ISSUE / name}"
        pytest.fail(
            f"{name} differs from the golden copy; if intended run `make golden`.\n  {diff_hint}"
        )
