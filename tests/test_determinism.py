"""Same inputs and --as-of give byte-identical outputs, from two separate folders."""

from __future__ import annotations

from pathlib import Path

from .conftest import DEMO_AS_OF, DEMO_ISSUE, copy_demo_project

FILES = ("newsletter.html", "newsletter.txt", "newsletter.eml", "manifest.json")


def test_two_folders_give_identical_bytes(digest, tmp_path: Path) -> None:
    a = copy_demo_project(tmp_path / "first" / "clone")
    b = copy_demo_project(tmp_path / "elsewhere" / "other-name")
    for project in (a, b):
        assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    for name in FILES:
        left = (a / "out" / DEMO_ISSUE / name).read_bytes()
        right = (b / "out" / DEMO_ISSUE / name).read_bytes()
        assert left == right, f"{name} differs between two folders"
        for path in (a, b, tmp_path):
            assert str(path).encode() not in left, f"{name} leaks an absolute path"


def test_rebuild_is_identical(digest, project: Path) -> None:
    args = ("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    assert digest(*args).exit_code == 0
    first = {n: (project / "out" / DEMO_ISSUE / n).read_bytes() for n in FILES}
    assert digest(*args).exit_code == 3  # second run: nothing new, nothing rewritten
    assert digest(*args, "--force").exit_code == 0  # a forced rebuild gives the same bytes
    second = {n: (project / "out" / DEMO_ISSUE / n).read_bytes() for n in FILES}
    assert first == second
    assert sorted(p.name for p in (project / "out").iterdir()) == [DEMO_ISSUE]
