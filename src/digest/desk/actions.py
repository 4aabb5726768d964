"""What an editor's click means for the edits file: pure functions from a desk action and
the issue as the editor saw it to a change of the TOML document (digest.edits does the
writing). Nothing here touches a file, the store or the web framework.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..edits import MAX_TEXT
from ..editwrite import set_intro, set_item, set_order
from ..errors import DigestError

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

    from ..models import Issue

OPS = ("pin", "unpin", "drop", "undrop", "text", "intro", "order", "move", "up", "down")
Edit = Callable[["TOMLDocument"], None]


class BadAction(DigestError):
    """A request the desk cannot turn into an edit (a tampered or outdated form)."""


@dataclass(frozen=True)
class Action:
    op: str
    key: str | None = None
    title: str | None = None
    blurb: str | None = None
    intro: str | None = None
    section: str | None = None  # the target section (order, move)
    keys: tuple[str, ...] = ()  # the target section's order after a drag
    source: str | None = None  # where a dragged item came from
    source_keys: tuple[str, ...] = ()

    @classmethod
    def from_form(cls, form: dict[str, str]) -> Action:
        def keys(name: str) -> tuple[str, ...]:
            return tuple(k for k in form.get(name, "").split(",") if k)

        op = form.get("op", "")
        if op not in OPS:
            raise BadAction(f"unknown action {op[:20]!r}")
        return cls(
            op=op,
            key=form.get("key") or None,
            title=form.get("title"),
            blurb=form.get("blurb"),
            intro=form.get("intro"),
            section=form.get("section") or None,
            keys=keys("keys"),
            source=form.get("source") or None,
            source_keys=keys("source_keys"),
        )


def describe(action: Action, keep_tags: bool = False) -> str:
    """A plain-words confirmation for the page; where the editor's text has what looks like
    a mailing-service merge tag, it says the readers will see that tag as typed (the
    editors' text has its tags broken, unless `keep_tags`: merge_tags = true)."""
    from ..mergetags import find_tags

    typed = "\n".join(t for t in (action.title, action.blurb, action.intro) if t)
    tags = [] if keep_tags else find_tags(typed)
    note = (
        f" Note: readers will see {tags[0]} as typed, not as a mailing-service tag. To let"
        " the mailing service fill it in, add merge_tags = true at the top of the edits"
        " file (ask whoever set digest up)."
        if tags
        else ""
    )
    return {
        "pin": "Added to the issue.",
        "unpin": "No longer pinned.",
        "drop": "Left out of the issue.",
        "undrop": "No longer left out.",
        "text": "Saved the title and summary.",
        "intro": "Saved the introduction.",
        "order": "Saved the new order.",
        "move": "Moved.",
        "up": "Moved up.",
        "down": "Moved down.",
    }[action.op] + note


def plan(action: Action, issue: Issue, sections: tuple[str, ...], known: set[str]) -> Edit:
    """The change to the edits document for `action`, checked against the issue the editor
    was looking at (`sections`: configured section ids; `known`: entry keys that exist)."""
    placed = {s.id: [c.entry.key for c in s.items] for s in issue.sections}
    titles = {c.entry.key: c.entry.title for c in issue.candidates}
    op, key = action.op, action.key

    if op == "intro":
        intro = _text(action.intro, "intro", "The introduction")
        return lambda doc: set_intro(doc, intro)
    if key is None or key not in known:
        raise BadAction("that story is not in the store (reload the page)")
    if op in ("pin", "unpin", "drop", "undrop"):
        flags: dict[str, dict[str, Any]] = {
            "pin": {"pin": True},
            "unpin": {"pin": None, "section": None, "position": None},
            "drop": {"drop": True},
            "undrop": {"drop": None},
        }
        fields = flags[op]
        return lambda doc: set_item(doc, key, **fields)
    if op == "text":
        title = _text(action.title, "title", "A title")
        blurb = _text(action.blurb, "blurb", "A summary")
        if title and title == titles.get(key):
            title = ""  # the feed's own title: nothing to override
        return lambda doc: set_item(doc, key, title=title or None, blurb=blurb or None)

    home = next((sid for sid, keys in placed.items() if key in keys), None)
    if op in ("up", "down"):
        if home is None:
            raise BadAction("that story is not in the issue")
        order = placed[home]
        i = order.index(key)
        j = i - 1 if op == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
        return _orders((home, order, ()))
    target = action.section
    if target not in sections:
        raise BadAction(f"no section {str(target)[:40]!r}")
    if op == "move":
        if home == target:
            return lambda doc: None
        moves: list[Move] = [(target, [*placed.get(target, []), key], (key,))]
        if home is not None:
            moves.append((home, [k for k in placed[home] if k != key], ()))
        return _orders(*moves)
    # op == "order": a drag inside a section or from one to another
    expected = set(placed.get(target, []))
    moved: tuple[str, ...] = ()
    if action.source != target:
        moved = (key,)
        expected.add(key)
    if set(action.keys) != expected or len(action.keys) != len(expected):
        raise BadAction("the section changed while you were dragging (reload the page)")
    moves = [(target, list(action.keys), moved)]
    if moved and home is not None and home != target:
        rest = [k for k in placed[home] if k != key]
        if set(action.source_keys) == set(rest) and len(action.source_keys) == len(rest):
            rest = list(action.source_keys)
        moves.append((home, rest, ()))
    return _orders(*moves)


Move = tuple[str, list[str], tuple[str, ...]]


def _orders(*moves: Move) -> Edit:
    def edit(doc: TOMLDocument) -> None:
        for section, keys, moved in moves:
            set_order(doc, section, keys, moved)

    return edit


def _text(value: str | None, field: str, what: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT[field]:
        raise BadAction(f"{what} can have at most {MAX_TEXT[field]} characters")
    if "\x00" in text:
        raise BadAction(f"{what} contains a character that cannot be saved")
    return text
