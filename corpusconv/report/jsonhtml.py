"""JSON written into an HTML ``<script>`` element."""

from __future__ import annotations

import orjson


def script_json(value: object) -> str:
    """JSON safe inside ``<script>``: no ``</script>`` or ``<!--`` can appear in it (every
    ``<`` is escaped; it can only occur inside strings)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode().replace("<", "\\u003c")
