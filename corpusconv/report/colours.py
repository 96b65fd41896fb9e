"""A stable colour per removal category, the same in every chart and view.

The categories of the built-in rules and of the context decisions get hues spread by the
golden angle (well apart, and the same in every report of a version); any other category
(a user's rules) gets a hue from a hash of its name, so it too is stable.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

from ..rules import default_rules
from ..structure import SHAPE_RULES  # context decisions have categories of their own

#: Degrees between consecutive known categories' hues (the golden angle spreads any count).
GOLDEN_ANGLE = 137.508


@lru_cache(maxsize=1)
def known_categories() -> dict[str, int]:
    """Built-in categories -> their rank (sorted by name, so the order is stable)."""
    names = {r.category for r in default_rules().rules} | {cat for cat, _ in SHAPE_RULES.values()}
    return {name: i for i, name in enumerate(sorted(names))}


def category_hue(category: str) -> int:
    rank = known_categories().get(category)
    if rank is not None:
        return round(rank * GOLDEN_ANGLE) % 360
    return zlib.crc32(category.encode("utf-8")) % 360


def category_colour(category: str) -> str:
    return f"hsl({category_hue(category)},55%,52%)"
