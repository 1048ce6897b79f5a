"""Progress bars for long CLI jobs (migrations, payouts, backups), drawn with ``rich``.

A bar is drawn on stderr only when stderr is a terminal: piped into a file, a log or another
program, a job prints exactly what it printed before. The job reports through a plain
callable, ``tick(done, total)``, so the services it calls know nothing of terminals.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Tick", "progress_bar"]

Tick = Callable[[int, int], None]
"""``tick(done, total)``: how far a job is (``total`` may grow as the job learns more)."""


def _nothing(done: int, total: int) -> None:
    """A tick that draws nothing (not a terminal)."""


@contextmanager
def progress_bar(label: str, *, enabled: bool | None = None) -> Iterator[Tick]:
    """A bar labelled ``label`` on stderr while the block runs; yields its ``tick``.

    Args:
        label: What the job does (``migrating``, ``paying out``...).
        enabled: Draw it; by default only when stderr is a terminal.
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield _nothing
        return
    from rich.console import Console  # only when a bar is drawn: the CLI starts faster
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick
