"""`digest lint` and `digest send`: check a built issue and send it to testers."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import click

from .. import esp
from ..budget import DEFAULT_BUDGET
from ..errors import DigestError, StoreError
from ..ids import issue_folder
from ..publish import EML_NAME, built_service, lint_built
from ..send import MAX_RECIPIENTS, check_recipients, deliver, test_message
from ..store import Store
from .common import Session, emit_json, issue_id_param, session


@click.command()
@click.argument("target", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--esp",
    "service",
    type=click.Choice(sorted(esp.PROFILES)),
    metavar="SERVICE",
    help="Check for this mailing service's tags (default: the one in the manifest, else none).",
)
@click.option(
    "--budget",
    type=click.IntRange(1000),
    default=DEFAULT_BUDGET,
    show_default=True,
    help="Warn when the HTML, as a mailing service sends it (links tracked, "
    "transfer-encoded), is larger than this many bytes.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; only the exit code.")
def lint(target: Path, service: str | None, budget: int, as_json: bool, quiet: bool) -> None:
    """Check a built issue (its folder, or an HTML file) before sending it.

    Checks: size (the file, and as a mailing service sends it: every link rewritten for
    click tracking, transfer-encoded) against the budget and Gmail's clipping limit,
    doctype, lang and dir, alt text and width on every image, no attribute HTML does not
    define (numeric image sizes), only absolute http(s)/mailto links, no script, form,
    iframe, object or event handlers, no external stylesheet or web font, a preheader of
    sensible length hidden from Outlook, the Apple and dark-mode meta tags, one h1, the
    mailing service's unsubscribe tag in HTML and text, no other merge tag (only the
    service's own, and those the editors opted into), every HTML link also in the text
    part, and the .eml structure. Exit code 0 when there is no error, 1 otherwise.

    \b
    Examples:
      digest lint out/2025-W51
      digest lint out/2025-W51 --esp mailchimp --json
    """
    report, name = lint_built(target, service, budget)
    if as_json:
        emit_json(report.as_dict())
    elif not quiet:
        for f in report.findings:
            mark = "✗" if f.level == "error" else "!"
            click.echo(f"{mark} {f.where or target}: {f.message}  [{f.code}]")
        size = report.stats.get("html_bytes")
        sent = report.stats.get("html_sent_bytes")
        summary = (
            "no problems"
            if not report.findings
            else (
                f"{sum(f.level == 'error' for f in report.findings)} error(s), "
                f"{sum(f.level == 'warning' for f in report.findings)} warning(s)"
            )
        )
        click.echo(
            f"{target}: {summary}"
            + (f"; HTML {size:,} bytes, {sent:,} as sent" if size and sent else "")
            + f"; service: {name}"
        )
    raise SystemExit(0 if report.ok else 1)


@click.command()
@click.option(
    "--to",
    "recipients",
    multiple=True,
    required=True,
    metavar="ADDRESS",
    help=f"A tester's address (repeatable, at most {MAX_RECIPIENTS}).",
)
@click.option(
    "--issue-id",
    metavar="ID",
    callback=issue_id_param,
    help="Which built issue (default: the newest).",
)
@session()
def send(s: Session, recipients: tuple[str, ...], issue_id: str | None) -> None:
    """Send a built issue to a few people as a test email ("[TEST]" subject).

    Uses [smtp] in digest.toml (host, port, security = starttls | tls | none, user); the
    password comes from the DIGEST_SMTP_PASSWORD environment variable (or [smtp]
    password), never from the command line. At most five recipients: digest drafts,
    mailing services send.

    \b
    Examples:
      DIGEST_SMTP_PASSWORD=... digest send --to editor@northlight.example
      digest send --to a@example.org --to b@example.org --issue-id 2025-W51
    """
    project = s.project
    addresses = check_recipients(list(recipients))
    with Store(project.db_path) as store:
        issue = issue_id or next((i.issue_id for i in store.issues()), None)
        if issue is None:
            raise DigestError("no issue has been built yet", hint="run `digest build` first")
        folder = issue_folder(project.out_dir, issue)
        msg = test_message(folder / EML_NAME, addresses)
        service = built_service(folder)
        if service not in ("none", "smtp") and s.output.human:
            click.echo(
                f"note: {issue} was built for {esp.PROFILES[service].label}; its merge "
                "tags (such as the unsubscribe link) go out as they are. For a faithful "
                "test, build with --esp smtp or --esp none.",
                err=True,
            )
        server = deliver(msg, project.smtp, project.sender_address)
        try:
            store.record_send(issue, s.now.astimezone(UTC), len(addresses), server)
        except StoreError as e:  # it went out: say so, and why it is not in the history
            click.echo(f"digest: warning: sent, but not recorded in the history: {e}", err=True)
    if s.output.as_json:
        s.output.emit({"issue_id": issue, "to": addresses, "server": server})
    elif s.output.human:
        click.echo(f"Sent {issue} to {', '.join(addresses)} through {server}.")
