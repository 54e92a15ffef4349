"""A training loop's progress, on one line of standard output that rewrites itself.

tqdm writes to stderr, which JupyterLab shows in a pink box, as it shows errors. This line goes
to stdout instead, redrawn in place with a carriage return: in a notebook it updates in the
cell's ordinary output, in a terminal it stays on one line, and what a saved notebook keeps is
the final line alone (Jupyter and nbval both drop the text before a carriage return). The final
line holds the step count, the time and the last numbers shown, so a notebook's stored output
is the same on every run once its durations are masked (tests/nbval_sanitize.cfg).
"""

from __future__ import annotations

import sys
import time

WIDTH = 24  # characters of the bar itself


class Progress:
    """`for k in Progress(range(100), "two moons"): ...; bar.show(loss=..., accuracy=...)`."""

    def __init__(self, iterable=None, desc="training", total=None, unit="step", enabled=True, every=0.5):
        self.iterable, self.desc, self.unit, self.enabled = iterable, desc, unit, enabled
        self.total = len(iterable) if total is None and iterable is not None else total
        self.done, self.stats, self.every = 0, {}, every  # redraw at most every `every` seconds
        self.start = self.drawn = time.perf_counter()
        self.closed = False

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.update()
        self.close()

    def show(self, **stats):
        """Numbers to show after the bar (already formatted, or floats shown with 4 decimals)."""
        self.stats.update(stats)

    def update(self, n=1):
        self.done += n
        if time.perf_counter() - self.drawn >= self.every:
            self._draw(end="")

    def close(self):
        if not self.closed:
            self.closed = True
            self._draw(end="\n")

    def line(self) -> str:
        filled = WIDTH * self.done // self.total if self.total else 0
        bar = "#" * filled + "." * (WIDTH - filled)
        seconds = time.perf_counter() - self.start
        stats = "".join(
            f", {k} {v:.4f}" if isinstance(v, float) else f", {k} {v}" for k, v in self.stats.items()
        )
        return f"{self.desc} [{bar}] {self.done}/{self.total} {self.unit}s in {seconds:.1f} s{stats}"

    def _draw(self, end):
        if self.enabled:
            print("\r" + self.line(), end=end, file=sys.stdout, flush=True)
        self.drawn = time.perf_counter()
