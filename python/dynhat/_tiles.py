"""Tile-grid positions of the US states: one square per state, (row, column) from the top left
in its approximate geographic place (the common 8 x 11 layout; "Virginia and DC" of the CDP
tables is Virginia's tile). Names not in the table fall back to a square grid in index order."""

from __future__ import annotations

import math

__all__ = ["tile_positions"]

# name: (abbreviation, row, column)
STATES = {
    "Alaska": ("AK", 0, 0), "Maine": ("ME", 0, 10),
    "Vermont": ("VT", 1, 9), "New Hampshire": ("NH", 1, 10),
    "Washington": ("WA", 2, 0), "Idaho": ("ID", 2, 1), "Montana": ("MT", 2, 2),
    "North Dakota": ("ND", 2, 3), "Minnesota": ("MN", 2, 4), "Illinois": ("IL", 2, 5),
    "Wisconsin": ("WI", 2, 6), "Michigan": ("MI", 2, 7), "New York": ("NY", 2, 8),
    "Rhode Island": ("RI", 2, 9), "Massachusetts": ("MA", 2, 10),
    "Oregon": ("OR", 3, 0), "Nevada": ("NV", 3, 1), "Wyoming": ("WY", 3, 2),
    "South Dakota": ("SD", 3, 3), "Iowa": ("IA", 3, 4), "Indiana": ("IN", 3, 5),
    "Ohio": ("OH", 3, 6), "Pennsylvania": ("PA", 3, 7), "New Jersey": ("NJ", 3, 8),
    "Connecticut": ("CT", 3, 9),
    "California": ("CA", 4, 0), "Utah": ("UT", 4, 1), "Colorado": ("CO", 4, 2),
    "Nebraska": ("NE", 4, 3), "Missouri": ("MO", 4, 4), "Kentucky": ("KY", 4, 5),
    "West Virginia": ("WV", 4, 6), "Virginia": ("VA", 4, 7), "Virginia and DC": ("VA", 4, 7),
    "Maryland": ("MD", 4, 8), "Delaware": ("DE", 4, 9),
    "Arizona": ("AZ", 5, 1), "New Mexico": ("NM", 5, 2), "Kansas": ("KS", 5, 3),
    "Arkansas": ("AR", 5, 4), "Tennessee": ("TN", 5, 5), "North Carolina": ("NC", 5, 6),
    "South Carolina": ("SC", 5, 7),
    "Oklahoma": ("OK", 6, 3), "Louisiana": ("LA", 6, 4), "Mississippi": ("MS", 6, 5),
    "Alabama": ("AL", 6, 6), "Georgia": ("GA", 6, 7),
    "Hawaii": ("HI", 7, 0), "Texas": ("TX", 7, 3), "Florida": ("FL", 7, 8),
}


def tile_positions(names: list[str]) -> list[tuple[str, int, int]]:
    """(label, row, column) for each name: the state grid when every name is a state in it
    (each tile once), else a square grid in index order with the names as labels."""
    known = [STATES.get(n) for n in names]
    if all(known) and len({(r, c) for _, r, c in known}) == len(names):
        return known
    width = max(1, math.ceil(math.sqrt(len(names))))
    return [(n, k // width, k % width) for k, n in enumerate(names)]


def short_label(name: str) -> str:
    """A state's two-letter abbreviation, or the name itself."""
    return STATES[name][0] if name in STATES else name
