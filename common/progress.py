"""Progress of long management commands (billing run, imports, demo data).

On a terminal a bar is redrawn in place with ``\\r``. Anywhere else (cron mail, log files,
``docker logs``) the same progress comes as plain lines, one every ``every_percent`` per cent
or ``every_seconds`` seconds, whichever comes first, so logs get no ``\\r`` clutter.
No dependency: neither rich nor tqdm is installed, and a bar is a few lines.

    with Progress(self.stderr, total=len(todo), label=_("Billing"), unit=_("companies")) as progress:
        for done, item in enumerate(todo, start=1):
            ...
            progress.update(done)
"""

import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO, cast

from django.core.management.base import OutputWrapper
from django.utils import formats
from django.utils.translation import gettext as _

Clock = Callable[[], float]


class Progress:
    def __init__(
        self,
        stream: TextIO | OutputWrapper,
        *,
        total: int | None,
        label: str,
        unit: str = "",
        every_percent: int = 10,
        every_seconds: float = 30.0,
        width: int = 30,
        clock: Clock = time.monotonic,
    ) -> None:
        # A command's self.stderr adds a newline to every write; the bar needs the raw stream.
        self.stream = cast(TextIO, stream._out) if isinstance(stream, OutputWrapper) else stream
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.total = total if total and total > 0 else None
        self.label, self.unit, self.width = label, unit, width
        self.every_percent, self.every_seconds = max(every_percent, 1), every_seconds
        self.clock = clock
        self.started = self.last_line_at = clock()
        self.done = 0
        self.note = ""
        self.last_step = 0  # the last every_percent step written as a plain line
        self.drawn = ""  # the bar on screen (terminal only)
        self.drawn_at = float("-inf")
        self.closed = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close(finished=kind is None)

    def update(self, done: int, *, note: str = "") -> None:
        """``done`` of ``total`` finished; ``note`` is shown after the figures (e.g. rows read)."""
        self.done, self.note = done, note
        now = self.clock()
        if self.tty:
            # Redrawing for every item of a fast loop would cost more than the item itself.
            if now - self.drawn_at >= 0.1 or done == self.total:
                self._draw()
            return
        step = self._percent() // self.every_percent if self.total else 0
        if (step > self.last_step and self.done < (self.total or 0)) or now - self.last_line_at >= self.every_seconds:
            self.last_step = max(step, self.last_step)
            self._line(self._figures())

    def log(self, message: str) -> None:
        """A line of its own (e.g. what a step did), kept above the bar on a terminal."""
        if self.tty and self.drawn:
            self.stream.write("\r" + " " * len(self.drawn) + "\r")
        self.stream.write(message + "\n")
        if self.tty and self.drawn:
            self.stream.write(self.drawn)
        self.stream.flush()

    def close(self, *, finished: bool = True) -> None:
        """Ends the bar; ``finished=False`` (an error stopped the job) leaves out "done"."""
        if self.closed:
            return
        self.closed = True
        if self.tty:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
        elif finished:
            self._line(_("%(figures)s, done") % {"figures": self._figures()})
        else:
            self._line(_("%(figures)s, stopped") % {"figures": self._figures()})

    def _percent(self) -> int:
        return min(100, 100 * self.done // self.total) if self.total else 0

    def _figures(self) -> str:
        parts = [f"{self._percent()}%"] if self.total else []
        if self.unit:
            parts.append(f"{self.done}/{self.total} {self.unit}" if self.total else f"{self.done} {self.unit}")
        if self.note:
            parts.append(self.note)
        parts.append(f"{formats.number_format(self.clock() - self.started, 1)} s")
        return f"{self.label}: " + ", ".join(parts)

    def _line(self, text: str) -> None:
        self.last_line_at = self.clock()
        self.stream.write(text + "\n")
        self.stream.flush()

    def _draw(self) -> None:
        filled = self.width * self._percent() // 100 if self.total else 0
        bar = f"[{'#' * filled}{'.' * (self.width - filled)}] " if self.total else ""
        text = f"{bar}{self._figures()}"
        # Pad over a longer previous bar so no characters of it are left behind.
        self.stream.write("\r" + text.ljust(len(self.drawn)))
        self.stream.flush()
        self.drawn, self.drawn_at = text, self.clock()
