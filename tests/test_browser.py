"""The issues in real headless Chromium (Debian's, driven by Playwright) at phone (375 px)
and desktop (600 px) widths: no horizontal scroll, columns stack, images inside the
viewport and never wider than their natural size. Screenshots are saved in
tests/artifacts/ for a person to look at.

One browser serves the whole session (the `browser` fixture in conftest.py); .ci/run
installs chromium, and under CI=true a missing browser fails.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import DEMO_AS_OF, DEMO_ISSUE, offline_page
from .test_email import MANY, SMALL, WORLD, _fixture

ARTIFACTS = Path(__file__).parent / "artifacts"
MEASURE = """() => {
  const d = document;
  const rects = [...d.images].map(i => i.getBoundingClientRect());
  const cols = [...d.querySelectorAll('[class*="mj-column-per"]')].map(
    c => Math.round(c.getBoundingClientRect().width));
  return {
    scrollWidth: d.documentElement.scrollWidth,
    imageRight: Math.max(0, ...rects.map(r => Math.ceil(r.right))),
    columns: cols,
  };
}"""


def _issues(digest, project: Path, tmp_path: Path) -> dict[str, Path]:
    issues = {}
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    issues["demo"] = project / "out" / DEMO_ISSUE
    for name, entries, lang in (
        ("small", SMALL, "en"),
        ("forty", MANY, "en"),
        ("world", WORLD, "fr"),
    ):
        fixture = _fixture(tmp_path / name, f"Fixture {name}", entries, language=lang)
        assert digest("build", "-p", str(fixture), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
        issues[name] = fixture / "out" / DEMO_ISSUE
    return issues


def test_issues_in_chromium_at_phone_and_desktop_width(
    browser, digest, project: Path, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for name, issue in _issues(digest, project, tmp_path).items():
        for width in (375, 600):

            def look(b, issue=issue, width=width, name=name):
                page = offline_page(b, width)
                page.goto((issue / "newsletter.html").as_uri())
                found = page.evaluate(MEASURE)
                page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
                page.close()
                return found

            m = browser.run(look)
            assert m["scrollWidth"] <= width, f"{name} scrolls sideways at {width}px: {m}"
            assert m["imageRight"] <= width, f"{name}: an image overflows at {width}px: {m}"
            assert m["columns"], f"{name}: no MJML columns found"
            if width == 375:  # one column per row: each spans the phone's width
                assert all(c >= width - 10 for c in m["columns"]), (name, m)
    assert (ARTIFACTS / "demo-375.png").stat().st_size > 10_000


def test_images_keep_their_ratio_and_are_never_upscaled(browser, tmp_path: Path) -> None:
    """A portrait the feed declares 600x900, a 120x80 thumbnail and an image of unknown
    size: at every width each keeps its ratio and none is drawn wider than it is."""
    html = tmp_path / "images.html"
    from digest.models import Image
    from digest.render import _image

    tall = _image(Image("https://x.example/tall.png", "tall", 600, 900), "t")
    thumb = _image(Image("https://x.example/thumb.png", "thumb", 120, 80), "t")
    unknown = _image(Image("https://x.example/unknown.png", "unknown"), "t")
    assert (tall.width, tall.height, tall.fluid) == (552, 828, True)
    assert (thumb.width, thumb.height) == (120, 80)
    assert (unknown.width, unknown.height, unknown.fluid) == (552, None, False)
    # local stand-ins with those natural sizes (an SVG knows its size)
    pictures = []
    for name, img, size in (
        ("tall", tall, (600, 900)),
        ("thumb", thumb, (120, 80)),
        ("unknown", unknown, (200, 100)),
    ):
        svg = tmp_path / f"{name}.svg"
        svg.write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{size[0]}" height="{size[1]}">'
            f'<rect width="100%" height="100%" fill="#48a"/></svg>'
        )
        height = f' height="{img.height}"' if img.height else ""
        style = (
            f"width:100%;max-width:{img.width}px;" if img.fluid else "width:auto;max-width:100%;"
        )
        pictures.append(
            f'<img id="{name}" src="{svg.name}" alt="{name}" width="{img.width}"{height} '
            f'style="display:block;height:auto;{style}">'
        )
    html.write_text(
        '<!doctype html><html><body style="margin:0"><div style="padding:0 28px">'
        + "".join(pictures)
        + "</div></body></html>"
    )
    for width in (320, 375, 600, 900):

        def measure(b, width=width):
            page = offline_page(b, width)
            page.goto(html.as_uri())
            found = page.evaluate(
                "() => Object.fromEntries([...document.images].map(i => [i.id, "
                "[i.getBoundingClientRect().width, i.getBoundingClientRect().height]]))"
            )
            page.close()
            return found

        sizes = browser.run(measure)
        for name, (natural_w, natural_h) in (
            ("tall", (600, 900)),
            ("thumb", (120, 80)),
            ("unknown", (200, 100)),
        ):
            w, h = sizes[name]
            assert w <= min(natural_w, width - 56) + 0.5, (name, width, sizes)
            assert abs(h / w - natural_h / natural_w) < 0.02, (name, width, sizes)
