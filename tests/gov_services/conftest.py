"""Fixtures for the gov services platform tests: the identity tests' sign-in helpers.

A real-name resident is made the way a person becomes one: OAuth sign-in with a phone code,
an invitation to a unit, consent, then the ID number. The helpers live beside the identity
tests; their directory is put on ``sys.path`` here.
"""

from __future__ import annotations

import sys
from pathlib import Path

_IDENTITY_TESTS = str(Path(__file__).resolve().parent.parent / "identity")
if _IDENTITY_TESTS not in sys.path:
    sys.path.insert(0, _IDENTITY_TESTS)
