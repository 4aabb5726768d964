"""The story kinds: one vocabulary for configuration, rule packs, curation, the classifier,
evaluation and the templates. Nothing else spells them out.

    year_end   a leader's year-end message or year-in-review to supporters
    good_news  an outcome: released, acquitted, charges dropped, law reformed, ban lifted
    campaign   a call to act: petitions, letter-writing, events
    grim       abuses and setbacks: arrests, sentences, executions, crackdowns
    other      everything else

This module imports nothing, so `digest fetch` pays nothing for it.
"""

from __future__ import annotations

YEAR_END = "year_end"
GOOD_NEWS = "good_news"
CAMPAIGN = "campaign"
GRIM = "grim"
OTHER = "other"

STORY_KINDS: tuple[str, ...] = (YEAR_END, GOOD_NEWS, CAMPAIGN, GRIM, OTHER)
RULE_KINDS: tuple[str, ...] = (YEAR_END, GOOD_NEWS, CAMPAIGN, GRIM)  # a rule pack's kinds

# The points every story of a kind starts with: sections fill best first, so a year-end
# message outranks good news, which outranks the rest.
BASE_POINTS: dict[str, float] = {
    YEAR_END: 30.0,
    GOOD_NEWS: 15.0,
    CAMPAIGN: 3.0,
    GRIM: 2.0,
    OTHER: 0.0,
}

# How an editor reads each kind (explanations, `digest rank`).
LABELS: dict[str, str] = {
    YEAR_END: "year-end message",
    GOOD_NEWS: "good news",
    CAMPAIGN: "campaign",
    GRIM: "grim report",
    OTHER: "other story",
}


def label(kind: str) -> str:
    """The words for a kind ("good news"); an unknown kind is shown as it is."""
    return LABELS.get(kind, kind.replace("_", " "))
