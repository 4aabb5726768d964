"""Render an issue even when one of its stories cannot be rendered.

Every entry is cleaned when it is fetched and again when it is read from the store, so
MRML's strict parser should never reject a story. Should one still do so, the story that
fails alone is left out with a note to the editors, and the issue is built without it:
one story never costs the whole issue. Template errors are not stories' faults and stop
the build, naming the template (exit 2).
"""

from __future__ import annotations

from dataclasses import replace

from .config import Project
from .errors import RenderError
from .models import Candidate, Issue, Rendered


def render_or_skip(project: Project, issue: Issue) -> tuple[Rendered, Issue]:
    """The rendered issue, and the issue as rendered (without any story left out)."""
    from .render import render_issue

    try:
        return render_issue(project, issue), issue
    except RenderError as e:
        broken = [c for c in issue.items if not _renders_alone(project, issue, c)]
        if not broken or len(broken) == len(issue.items):
            # no story's fault, or no story renders even alone: the template's (exit 2)
            raise e.as_template_error() from e
    keys = {c.entry.key for c in broken}
    notes = tuple(
        f"left out {c.entry.key} ({c.display_title[:80]}, {c.entry.feed_name}): "
        "it could not be rendered"
        for c in broken
    )
    issue = replace(
        issue,
        sections=tuple(
            replace(s, items=tuple(c for c in s.items if c.entry.key not in keys))
            for s in issue.sections
        ),
        notes=issue.notes + notes,
    )
    try:
        return render_issue(project, issue), issue
    except RenderError as e:
        raise e.as_template_error() from e


def _renders_alone(project: Project, issue: Issue, candidate: Candidate) -> bool:
    from .render import render_issue

    section = next(s for s in issue.sections if candidate in s.items)
    alone = replace(issue, sections=(replace(section, items=(candidate,)),), letter=None)
    try:
        render_issue(project, alone)
    except RenderError:
        return False
    return True
