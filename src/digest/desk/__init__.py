"""The editor's desk: a local web app where comms staff shape, check and hand off an issue.

A thin web layer over the library:

    session.Desk      one project, one clock, one output folder; calls pipeline.build,
                      build_year_end, render/package and send; keeps the last good state
    actions           an editor's click -> a change of edits/<issue-id>.toml (pure)
    views             a built issue -> what the page shows (pure)
    security          bind rules, login, CSRF/Origin/Host checks, headers
    app, routes       Starlette application and its pages (templates/, static/)
    server            uvicorn on a socket bound here

Starlette and uvicorn are imported only when the desk starts, never on the fetch path.
"""
