"""Shared fixtures: a throwaway copy of the demo project and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
DEMO_AS_OF = "2025-12-19"
DEMO_ISSUE = "2025-W51"


def copy_demo_project(dest: Path) -> Path:
    """The repository root is itself a project: copy its config and sample feeds."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "digest.toml", dest / "digest.toml")
    shutil.copytree(REPO / "feeds", dest / "feeds")
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_demo_project(tmp_path / "project")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def digest(runner: CliRunner):
    """Run `digest ARGS...` in-process; returns the click Result."""
    from digest.cli import cli

    def run(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return run
