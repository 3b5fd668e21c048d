"""Training threads that make way for other work: one thread fewer for each core other processes keep busy.

bertlab's OpenMP threads spin for a moment (``GOMP_SPINCOUNT=10000``, ~0.1 ms)
before they sleep between parallel regions (``bertlab/__init__.py``). On a
machine doing nothing else that is faster than sleeping at once: waking a
sleeping thread costs more than the short operations of a MiniLM step take. But
where another process wants a core, a thread that spins at every barrier holds
that core from it and loses its own time slice in turn: beside one CPU-bound
process the same training ran 1.6x slower at two spinning threads than at two
sleeping ones, and no slower at one thread (bench/README.md, "OpenMP wait policy").

So a training loop on a CPU calls :meth:`CpuShare.tick` every step. About twice
a second it reads how much CPU time other processes took on the cores this
process may run on (``/proc/stat`` less this process's own time) and runs
torch with as many threads as that leaves free: all of them on an idle machine,
one fewer for each core the others keep busy, never fewer than one, and puts the
count back when the loop ends. ``torch.set_num_threads`` sets the calling
thread's OpenMP count, so threads of the app that already run torch keep theirs;
a thread that starts torch work while the count is lowered begins with the
lowered count (torch keeps one process-wide starting value), which during such a
period makes way for the other work too. Where ``/proc/stat`` is missing (not
Linux) nothing changes. ``BERTLAB_CPU_SHARE=0`` turns it off.

Another thread count rounds differently (reductions split across threads), so
a run that gave way is not bit for bit the run the same seed gives on an idle
machine: the run's notes say so (``bertlab.strategies.classifier``).
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

INTERVAL = 0.5  # seconds between two looks at the other processes' CPU use


def enabled() -> bool:
    """False where ``BERTLAB_CPU_SHARE=0`` keeps torch's thread count as it is."""
    return os.environ.get("BERTLAB_CPU_SHARE", "1") != "0"


def _cpus() -> list[int] | None:
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None


def busy_seconds(cpus: list[int] | None, stat: str | None = None) -> float | None:
    """CPU seconds spent busy (user, nice, system, irq, softirq) on ``cpus`` since boot, from ``/proc/stat``."""
    if stat is None:
        try:
            with open("/proc/stat") as f:
                stat = f.read()
        except OSError:
            return None
    want = {f"cpu{i}" for i in cpus} if cpus is not None else None
    ticks = 0
    found = False
    for line in stat.splitlines():
        parts = line.split()
        if not parts or not parts[0].startswith("cpu") or parts[0] == "cpu":
            continue
        if want is not None and parts[0] not in want:
            continue
        v = [int(x) for x in parts[1:8]]  # user nice system idle iowait irq softirq
        ticks += v[0] + v[1] + v[2] + v[5] + v[6]
        found = True
    return ticks / os.sysconf("SC_CLK_TCK") if found else None


def sample(cpus: list[int] | None = None) -> tuple[float, float, float] | None:
    """(monotonic seconds, busy CPU seconds on ``cpus`` (default: the cores this process may run on), this
    process's own CPU seconds) now; None where ``/proc/stat`` is missing."""
    busy = busy_seconds(_cpus() if cpus is None else cpus)
    return None if busy is None else (time.monotonic(), busy, time.process_time())


def others_busy(before: tuple[float, float, float] | None, after: tuple[float, float, float] | None
                ) -> float | None:
    """Cores' worth of work other processes did between two :func:`sample` s (this process's own left out)."""
    if before is None or after is None or after[0] <= before[0]:
        return None
    return max(0.0, ((after[1] - before[1]) - (after[2] - before[2])) / (after[0] - before[0]))


def cores() -> int:
    """The cores this process may run on."""
    return len(_cpus() or ()) or os.cpu_count() or 1


def threads_for(base: int, others: float) -> int:
    """Threads to run beside ``others`` cores' worth of other processes' work, out of ``base``."""
    return max(1, min(base, base - int(others + 0.5)))


class CpuShare:
    """Adjusts the calling thread's torch thread count to the cores other processes leave free."""

    def __init__(self, interval: float | None = None) -> None:
        import torch

        self.base = torch.get_num_threads()
        self.threads = self.base
        self.cpus = _cpus()
        self.interval = INTERVAL if interval is None else interval
        self.changes = 0  # how often the thread count changed (for tests and stats)
        self.fewest = self.base
        self.steps: dict[int, int] = {}  # thread count -> steps (ticks) run at it: what repeating the run needs
        self._last = self._sample()

    def _sample(self) -> tuple[float, float, float] | None:
        return sample(self.cpus)

    def tick(self) -> int:
        """Call once a step; returns the thread count now in use (and counts the step at it in :attr:`steps`)."""
        n = self._adjust()
        self.steps[n] = self.steps.get(n, 0) + 1
        return n

    def _adjust(self) -> int:
        if self._last is None or self.base < 2:
            return self.threads
        now = time.monotonic()
        if now - self._last[0] < self.interval:
            return self.threads
        cur = self._sample()
        if cur is None:
            return self.threads
        if (others := others_busy(self._last, cur)) is None:
            return self.threads
        self._last = cur
        self.set(threads_for(self.base, others))
        return self.threads

    def set(self, n: int) -> None:
        import torch

        if n != self.threads:
            torch.set_num_threads(n)
            self.threads = n
            self.changes += 1
            self.fewest = min(self.fewest, n)

    def restore(self) -> None:
        self.set(self.base)


def gave_way_note(share: CpuShare | None, phase: str = "training") -> str | None:
    """The run note for a loop that ran on fewer threads for a while, or None where it never had to."""
    if share is None or share.fewest >= share.base:
        return None
    return (f"{phase[:1].upper()}{phase[1:]} ran on {share.fewest} of {share.base} threads for a while: another program on "
            "the machine kept a core busy. The same seed on an idle machine may give a slightly "
            "different model (BERTLAB_CPU_SHARE=0 keeps the thread count fixed).")


@contextlib.contextmanager
def cpu_share(device: torch.device | None):
    """A :class:`CpuShare` for a training loop on a CPU (None on a GPU or where turned off); restores on exit."""
    if (device is not None and device.type != "cpu") or not enabled():
        yield None
        return
    share = CpuShare()
    try:
        yield share
    finally:
        share.restore()
