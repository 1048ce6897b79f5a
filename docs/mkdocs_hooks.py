"""MkDocs hooks for this site (see `hooks:` in mkdocs.yml).

Some docstrings use Sphinx roles (``:class:`~linli_sdk.Context```), which mkdocstrings'
Google-style parser leaves as literal text. Render them as code, as Sphinx would: the last
dotted component after a ``~``, else the whole target.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj):<code>(~?)([\w.]+)</code>")


def _render(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if tilde else target}</code>"


def on_page_content(html: str, **_: Any) -> str:
    """Replace the Sphinx roles left in rendered docstrings by plain code."""
    return _ROLE.sub(_render, html)
