"""The doctests of the pure predicates and parsers the structuring heuristics are built on.

Each module's examples document what its small functions accept and reject (ftfy's
``fixes.py`` style); running them here keeps the documentation true.  ``markup``'s
doctests run in ``tests/test_markup.py``.  The minimum counts catch examples lost in an
edit (a docstring reworded without its ``>>>`` lines runs nothing and passes).
"""

from __future__ import annotations

import doctest
import importlib

import pytest

# module -> the fewest examples it must run
MODULES = {
    "corpusconv.rules": 5,    # normalise, lower_matches_like_ignorecase
    "corpusconv.dates": 8,    # find_date, date_and_time_span, is_dateline
    "corpusconv.units": 10,   # Unit, blank_unit, build_tree
    "corpusconv.quotes": 21,  # split_attribution, separate_attribution, quote_start, ...
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} doctest examples failed"
    assert result.attempted >= MODULES[name], (
        f"{name}: only {result.attempted} doctest examples ran, expected at least {MODULES[name]}")
