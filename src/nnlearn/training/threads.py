"""How many BLAS threads the matrix products of a training loop get: chosen by the work.

A training step of the book's network multiplies a batch of 100 images by a
784 x 50 weight matrix: a few million multiply-adds, about 50 µs. Two BLAS
threads do it faster than one only while both cores are free: OpenBLAS splits
each product between its threads and waits for the slowest, so when another
program holds one core the step becomes 5 to 20 times slower. The policy, from
the measurements in BENCHMARKS.md ("Threads"):

- one thread when the largest product of a step has fewer than
  :data:`WORK_PER_THREAD` multiply-adds per thread;
- otherwise one thread per core that other programs leave idle, measured from
  the CPU time of the whole machine (``/proc/stat``) minus this process's own,
  over the last :data:`INTERVAL` seconds, and at most the threads BLAS was
  given (by ``OPENBLAS_NUM_THREADS``, an outer
  :func:`threadpoolctl.threadpool_limits`, or its default of all cores);
- one thread where the load cannot be measured;
- one thread for a while after steps with more threads ran clearly slower
  (:data:`SLOWER`) than the last steps with one (another program took a core
  between two measurements of the load): :data:`BACKOFF` seconds, doubled after each slow try up to
  :data:`MOST_BACKOFF`, so that a busy machine costs a few slow blocks of
  steps, not a whole run of them.

``threads=N`` (``nnlearn train --threads N``) or the :data:`ENV_VARIABLE`
environment variable fix the number instead. The number of threads can change
the last bits of a product's sums (OpenBLAS splits the work differently), so
runs that must agree bit for bit (a resumed run and an uninterrupted one, on
networks large enough for two threads) should fix it.

Threads are set with threadpoolctl, the library scikit-learn uses for the same
purpose, and restored when training pauses or ends.
"""

from __future__ import annotations

import math
import numbers
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Environment variable that fixes the number of BLAS threads ("auto" or an integer >= 1).
ENV_VARIABLE = "NNLEARN_THREADS"
#: Multiply-adds per thread below which one more BLAS thread slows a training step down
#: (measured on a 2-core machine: BENCHMARKS.md, "Threads").
WORK_PER_THREAD = 1_000_000
#: A core counts as idle when other programs use at most this fraction of it.
BUSY_FRACTION = 0.25
#: Seconds between two measurements of the machine's load.
INTERVAL = 0.5
#: Seconds of one thread after steps with more threads were slower than with one; doubled
#: after each slow try, up to MOST_BACKOFF.
BACKOFF = 1.0
#: The longest back-off, in seconds.
MOST_BACKOFF = 64.0
#: Steps with more threads count as slow when they take this many times the last one-thread
#: steps' time: above the noise of a shared machine (blocks of 50 steps vary by 5-15%), far
#: below the cliff (5-20 times).
SLOWER = 1.25


def check_threads(value: Any, name: str = "threads") -> int | None:
    """``value`` as a number of threads (an integer >= 1), or None for ``None`` and ``"auto"``.

    Examples
    --------
    >>> check_threads("2"), check_threads("auto"), check_threads(None)
    (2, None, None)
    >>> check_threads(0)
    Traceback (most recent call last):
        ...
    ValueError: threads must be 'auto' or an integer >= 1, got 0
    """
    if value is None or value == "auto":
        return None
    number = int(value) if isinstance(value, str) and value.strip().isdecimal() else value
    if isinstance(number, bool) or not isinstance(number, numbers.Integral) or number < 1:
        raise ValueError(f"{name} must be 'auto' or an integer >= 1, got {value!r}")
    return int(number)


def _clock_ticks() -> float:
    try:
        return float(os.sysconf("SC_CLK_TCK"))
    except (AttributeError, ValueError, OSError):
        return 100.0


class MachineLoad:
    """The cores that other processes kept busy since the last call.

    From the first line of ``/proc/stat`` (Linux: busy and idle time of all
    CPUs) minus this process's CPU time; elsewhere from the one-minute load
    average minus this process's share. ``None`` where neither exists.
    """

    def __init__(self, stat_path: str = "/proc/stat"):
        self.stat_path = stat_path
        self.ticks = _clock_ticks()
        self._last = self._sample()

    def _machine_busy(self) -> float | None:
        """Seconds of CPU time all processes used since boot, or None without ``/proc/stat``."""
        try:
            with open(self.stat_path, "rb") as stat:
                fields = stat.readline().split()
        except OSError:
            return None
        if len(fields) < 5 or fields[0] != b"cpu":
            return None
        # user nice system idle iowait irq softirq steal (guest time is inside user)
        values = [int(v) for v in fields[1:9]]
        return (sum(values) - values[3] - values[4]) / self.ticks

    def _sample(self) -> tuple[float, float, float | None]:
        return time.perf_counter(), time.process_time(), self._machine_busy()

    def others(self) -> float | None:
        """Cores busy with other processes, on average since the previous call (or creation)."""
        (wall0, own0, busy0), now = self._last, self._sample()
        self._last = now
        wall, own = now[0] - wall0, now[1] - own0
        if wall <= 0:
            return None
        if busy0 is not None and now[2] is not None:
            return max(0.0, (now[2] - busy0 - own) / wall)
        try:
            return max(0.0, os.getloadavg()[0] - own / wall)
        except (AttributeError, OSError):
            return None


class ThreadPolicy:
    """Chooses the BLAS threads of a training loop's products, and sets them while it runs.

    Parameters
    ----------
    threads : int, "auto" or None
        A fixed number of threads; ``None`` or ``"auto"``: from the
        :data:`ENV_VARIABLE` environment variable if set, else chosen by the
        work and the load (the module's docstring).
    work : int
        Multiply-adds of the largest matrix product of a step (for a batch of
        ``N`` and a weight matrix ``D_in x D_out``: ``N D_in D_out``).
    load : MachineLoad, optional
        Where the load of the machine is read (a fresh one by default).

    Examples
    --------
    >>> policy = ThreadPolicy(1, work=100 * 784 * 50)
    >>> with policy.limit() as threads:
    ...     threads
    1
    >>> policy.describe()
    '1 BLAS thread (fixed)'
    """

    def __init__(self, threads: int | str | None = None, *, work: int,
                 load: MachineLoad | None = None):
        fixed = check_threads(threads)
        self.source = "fixed"
        if fixed is None and os.environ.get(ENV_VARIABLE, "").strip():
            fixed = check_threads(os.environ[ENV_VARIABLE].strip(), ENV_VARIABLE)
            self.source = ENV_VARIABLE
        self.fixed = fixed
        self.work = work
        self.load = load
        self.chosen = 1  # what the next limit() sets until a measurement says otherwise
        self.clock = time.perf_counter
        self._measured_at: float | None = None
        self._controller: Any = None
        self._one_pace: float | None = None  # seconds per step of the last one-thread steps
        self._backoff = BACKOFF
        self._one_until = -math.inf  # one thread until this time (after a slow try)

    @property
    def by_size(self) -> int:
        """The most threads that the largest product keeps busy (>= 1)."""
        return max(1, self.work // WORK_PER_THREAD)

    def _blas(self) -> Any:
        """The threadpoolctl controller of the BLAS libraries (looked for once)."""
        if self._controller is None:
            from threadpoolctl import ThreadpoolController

            self._controller = ThreadpoolController().select(user_api="blas")
        return self._controller

    def most(self) -> int:
        """The most threads worth using: what the largest product keeps busy, and what BLAS
        is allowed now (its default, ``OPENBLAS_NUM_THREADS`` or an outer limit)."""
        allowed = max((lib.num_threads for lib in self._blas().lib_controllers), default=1)
        return min(allowed, self.by_size)

    def choose(self) -> int:
        """The number of threads for the next steps (measuring the load at most every INTERVAL)."""
        if self.fixed is not None:
            return self.fixed
        most = self.most()
        if most == 1:
            return 1
        now = self.clock()
        if self._measured_at is None:  # start with one thread while the first measurement runs
            self.load = self.load or MachineLoad()
            self.load.others()
            self._measured_at, self.chosen = now, 1
        elif now - self._measured_at >= INTERVAL:
            others = self.load.others()
            self._measured_at = now
            idle = 0.0 if others is None else (os.cpu_count() or 1) - others
            self.chosen = max(1, min(most, math.floor(idle + BUSY_FRACTION)))
        return 1 if self.backing_off else self.chosen

    @property
    def backing_off(self) -> bool:
        """Whether one thread is used now because more threads were slow (see :meth:`record`)."""
        return self.clock() < self._one_until

    def record(self, threads: int, steps: int, seconds: float) -> None:
        """Report ``steps`` that took ``seconds`` with ``threads``: more threads that were
        :data:`SLOWER` times slower per step than one thread last was make the policy back
        off to one.

        Examples
        --------
        >>> policy = ThreadPolicy(work=100 * 784 * 256)
        >>> policy.record(1, 50, 0.060)  # 1.2 ms a step with one thread
        >>> policy.record(2, 50, 0.750)  # 15 ms with two: another program took a core
        >>> policy.backing_off
        True
        """
        if self.fixed is not None or steps < 1:
            return
        pace = seconds / steps
        if threads == 1:
            self._one_pace = pace
        elif self._one_pace is not None and pace > SLOWER * self._one_pace:
            self._one_until = self.clock() + self._backoff
            self._backoff = min(2 * self._backoff, MOST_BACKOFF)
        else:
            self._backoff = BACKOFF

    @contextmanager
    def limit(self) -> Iterator[int]:
        """Run the block with the chosen number of BLAS threads; yield that number."""
        threads = self.choose()
        blas = self._blas()
        if not blas.lib_controllers:
            yield threads
            return
        with blas.limit(limits=threads, user_api="blas"):
            yield threads

    def describe(self) -> str:
        """What the policy does, in a few words for the run's description."""
        if self.fixed is not None:
            plural = "s" if self.fixed > 1 else ""
            return f"{self.fixed} BLAS thread{plural} ({self.source})"
        most = self.most()
        if most == 1:
            reason = ("its products are small" if self.by_size == 1
                      else "BLAS was limited to one")
            return f"1 BLAS thread ({reason})"
        return f"up to {most} BLAS threads, one per core that other programs leave idle"
