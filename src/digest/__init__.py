"""digest: turn an organisation's news feeds into a ready-to-send email newsletter."""

__version__ = "0.1.0"
