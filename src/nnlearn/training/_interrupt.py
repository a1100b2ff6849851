"""Ctrl-C as a flag checked between training steps, so that no state is half-updated."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def deferred_interrupt(on_interrupt: Callable[[], None]) -> Iterator[None]:
    """While inside, SIGINT calls ``on_interrupt()`` instead of raising KeyboardInterrupt.

    Outside the main thread (where signal handlers cannot be set) it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: on_interrupt())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
