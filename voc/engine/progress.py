"""Rich progress bars with rate and ETA for long work; a no-op when disabled (tests, library use)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress as RichProgress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Progress:
    """A thin wrapper over rich.progress: `task`, `advance`, `finish`, with rows/s and ETA."""

    def __init__(self, enabled: bool = True, console: Console | None = None) -> None:
        self.enabled = enabled
        self._bar: RichProgress | None = None
        if enabled:
            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )

    def __enter__(self) -> Progress:
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar:
            self._bar.stop()

    def task(self, description: str, total: int | None = None) -> int:
        """Start a task counted in rows (total unknown for streamed files)."""
        if not self._bar:
            return 0
        return self._bar.add_task(description, total=None, rate="", rows=0)

    def advance(self, task: int, rows: int, bytes_total: int | None = None) -> None:
        """Count `rows` more rows done and refresh the rate."""
        if not self._bar:
            return
        self._bar.advance(task, rows)
        t = self._bar.tasks[task] if task < len(self._bar.tasks) else None
        if t is not None and t.elapsed:
            self._bar.update(task, rate=f"{t.completed / t.elapsed:,.0f} rows/s")

    def finish(self, task: int) -> None:
        """Mark a task complete."""
        if self._bar:
            t = self._bar.tasks[task]
            self._bar.update(task, total=t.completed)
