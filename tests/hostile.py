"""Hostile text for the property-based tests: what a careless user pastes and an attacker
writes."""

from __future__ import annotations

from hypothesis import strategies as st

# Pieces of text that meant something to some stage once: markup, breakouts, escape codes,
# line separators, characters beyond the Basic Multilingual Plane.
HOSTILE_PIECES = ["\n", "\n\n", "\r", "\t", "\x1b[31m", "\x00", "\u2028", "\u202e", "<!--",
                  "<script>", "</script>", "![](/etc/hostname)", "![](http://127.0.0.1:9/x)",
                  '{#fig-x alt="y"}', '"', "\\", "*", "8*8", "_", "[@key]", "{{ 7*7 }}", "$x$",
                  "<span style=\"fill:url(http://127.0.0.1:9/)\">", "&amp;", "😀", "𠜎", "---",
                  "9" * 50, "x" * 200, ":", "#", "- ", "1. "]


def hostile_text(max_pieces: int = 6):
    """Free text as a careless user or an attacker writes it."""
    return st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=8)),
                    max_size=max_pieces).map("".join)
