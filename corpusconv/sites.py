"""Which site a page belongs to: the host of its URL.

Corpus-level boilerplate is a property of a site's template, so ``learn`` counts lines
per site and ``convert --rules`` applies a site's learned rules only to that site's pages.
A site is the URL's host name, lower-cased, without port, user info or a leading
``www.`` (``https://WWW.Example.com:8080/a`` and ``http://example.com/b`` are one site).
"""

from __future__ import annotations

from urllib.parse import urlsplit


def site_of(url: str | None) -> str | None:
    """The site (host) of ``url``, or ``None`` when there is no URL or it names no host."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:  # e.g. an invalid IPv6 literal: no site rather than a failed page
        return None
    if not host:
        return None
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") and len(host) > 4 else host or None
