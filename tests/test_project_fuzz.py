"""A bounded run of the malformed-project-file harness (tests/projectfuzz.py): every
mutated digest.toml, feeds.toml, edits file, rule pack, template, letter or OPML file gives
a clean outcome (built, or a clear error naming the file with exit 1 or 2), never a
traceback or a hang. `bench/projectfuzz --cases 2000` is the long run."""

from __future__ import annotations

from pathlib import Path

import pytest

from .projectfuzz import base_project, cases, run_case

SEED = 10
CASES = 48


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return base_project(tmp_path_factory.mktemp("fuzz") / "base")


def test_malformed_project_files_give_clear_errors(base: Path, tmp_path: Path) -> None:
    outcomes = [run_case(case, base, tmp_path) for case in cases(base, SEED, CASES)]
    findings = [o.summary for o in outcomes if o.finding]
    assert not findings, "\n".join(findings)
    codes = {o.exit_code for o in outcomes}
    assert 2 in codes and codes & {0, 3, 4}, codes  # the run did reach both kinds of outcome
