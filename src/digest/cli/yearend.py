"""`digest year-end`: the secretary-general's letter with the year's highlights."""

from __future__ import annotations

from pathlib import Path

import click

from .. import annual, esp
from ..errors import ConfigError
from ..records import item_record
from ..yearend import parse_letter
from .common import Session, force_clock_option, language_tag, rel, session, size


@click.command("year-end")
@session(settings=("esp",))  # --language defaults to the letter's, so not to digest.toml's
@click.option(
    "--year",
    type=click.IntRange(1990, 2200),
    help="The year to review (default: the year of --as-of).",
)
@click.option(
    "--letter",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The letter, in Markdown with a front matter (title, author, role, "
    "portrait, portrait_alt, signature, language, embargo).",
)
@click.option(
    "--letter-from-feed",
    is_flag=True,
    help="Use the year-end message found in the feeds as the letter.",
)
@click.option(
    "--group-by",
    type=click.Choice(["theme", "month"]),
    default="theme",
    show_default=True,
    help="Group the highlights by story type or by month.",
)
@click.option(
    "--language",
    metavar="LANG",
    callback=language_tag,
    help="Build in this language, a BCP 47 tag such as en-GB or fr (dates, numbers, labels, "
    "rule packs); default: the letter's, else digest.toml's.",
)
@click.option(
    "--issue-id",
    metavar="ID",
    help="Write out/ID/ (default: YEAR-year-end, or YEAR-year-end-LANG for an edition in "
    "another language than digest.toml's, such as 2025-year-end-fr).",
)
@click.option(
    "--esp",
    type=click.Choice(sorted(esp.PROFILES)),
    metavar="SERVICE",
    help="Mailing service whose merge tags to use.",
)
@click.option(
    "--as-of",
    "as_of",
    envvar="DIGEST_AS_OF",
    metavar="DATE",
    help="Run as if it were this date (the embargo is checked against it).",
)
@click.option("--force", is_flag=True, help="Build even before the letter's embargo date.")
@force_clock_option
def year_end(
    s: Session,
    year: int | None,
    letter: Path | None,
    letter_from_feed: bool,
    group_by: str,
    language: str | None,
    issue_id: str | None,
    force: bool,
    force_clock: bool,
) -> None:
    """Build the year-end issue: a letter, the year's figures, then its highlights.

    The highlights are the year's stories from the store, ranked with the same rules as
    the weekly issues; the figures ("12 releases from detention, 5 court wins") are
    counted from them, never typed in; stories the letter names are always among them.
    Name, subject, campaign tag and how many highlights of each kind: [year_end] in
    digest.toml. Pin, drop or move stories in edits/<issue-id>.toml. Writes
    out/<year>-year-end/ (out/<year>-year-end-fr/ for a French edition of an English
    project) like any issue. For a first year, run `digest fetch --since <year>-01-01`
    to store what the feeds still carry.

    \b
    Examples:
      digest year-end --year 2025 --letter feeds/letters/2025-year-end.md --as-of 2025-12-20
      digest year-end --year 2025 --letter feeds/letters/2025-year-end.fr.md --language fr
      digest year-end --year 2025 --letter draft.md --issue-id 2025-year-end-draft --force
      digest year-end --year 2025 --letter-from-feed --group-by month
    """
    project, now = s.project, s.now
    year = year or now.year
    if letter and letter_from_feed:
        raise click.UsageError("give --letter or --letter-from-feed, not both")
    if not letter and not letter_from_feed:
        raise click.UsageError("give the letter with --letter FILE (or --letter-from-feed)")
    parsed = None
    if letter:
        parsed = parse_letter(letter if letter.is_absolute() else Path.cwd() / letter)
        if parsed.embargo and now.date() < parsed.embargo and not force:
            raise ConfigError(
                f"the letter is embargoed until {parsed.embargo:%Y-%m-%d}",
                path=letter,
                hint="wait, or pass --force to build a draft now",
            )
    result = annual.build_year_end(
        project,
        now,
        year=year,
        letter=parsed.letter if parsed else None,
        letter_from_feed=letter_from_feed,
        language=language or (parsed.language if parsed else None),
        group_by=group_by,
        issue_id=issue_id,
        allow_past_clock=force_clock or s.as_of is not None,  # an explicit date looks back
    )
    issue = result.issue
    if s.output.as_json:
        s.output.emit(
            {
                "issue_id": issue.issue_id,
                "subject": issue.subject,
                "out_dir": str(result.out_dir),
                "files": result.files,
                "counts": [{"number": c.number, "label": c.label} for c in issue.counts],
                "items": [item_record(c) for c in issue.items],
                "lint": {k: result.lint.get(k) for k in ("ok", "errors", "warnings")},
            }
        )
    elif s.output.human:
        click.echo(
            f"Built {issue.issue_id}: {len(issue.items)} highlights"
            + (
                ", " + ", ".join(f"{c.number} {c.label}" for c in issue.counts)
                if issue.counts
                else ""
            )
        )
        assert result.out_dir is not None
        for name, nbytes in result.files.items():
            click.echo(f"  {rel(result.out_dir, project.root)}/{name}  ({size(nbytes)})")
    if not result.lint.get("ok", True):
        for finding in result.lint.get("findings", []):
            if finding["level"] == "error":
                click.echo(f"digest: lint: {finding['where']}: {finding['message']}", err=True)
