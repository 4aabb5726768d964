"""The `digest` command line: parses options, calls the library, reports.

Expected failures are `DigestError`s, turned into a message on stderr and an exit code by
:class:`~digest.cli.common.Group`; tracebacks only appear with `-vv`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import EXIT_OK, EXIT_USAGE
from .common import Group

COMMANDS = {
    "build": ".issue:build",
    "fetch": ".fetch:fetch",
    "rank": ".issue:rank",
    "edit": ".issue:edit",
    "year-end": ".yearend:year_end",
    "lint": ".check:lint",
    "desk": ".desk:desk",
    "preview": ".desk:preview",
    "send": ".check:send",
    "issues": ".history:issues",
    "init": ".project:init",
    "feeds": ".project:feeds",
    "store": ".store:store",
}


@click.group(cls=Group, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
@click.option(
    "--project",
    "-p",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Newsletter project folder (default: the current directory).",
)
@click.pass_context
def cli(ctx: click.Context, project_dir: Path | None) -> None:
    """digest: turn your organisation's news feeds into a ready-to-send newsletter.

    It fetches RSS/Atom feeds into a local store, ranks good news and year-end messages
    first (saying why), and writes responsive HTML, plain text, an .eml and a manifest
    into out/<issue-id>/.

    \b
    Example:
      digest init my-newsletter --samples
      cd my-newsletter && digest build
    """
    ctx.ensure_object(dict)
    ctx.obj["project_dir"] = project_dir


def main() -> None:
    try:
        cli.main(prog_name="digest")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (EXIT_USAGE if e.code else EXIT_OK)
        sys.exit(code)
