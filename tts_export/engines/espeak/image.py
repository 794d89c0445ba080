"""A shared library file in, a freshly loaded copy of it out, for each use, unloaded after.

espeak-ng keeps state in its globals and in function statics from one call
to the next (the pitch flutter phase, the gain control, the echo and noise
generators), and ``espeak_Initialize`` resets only part of it: a sentence
came out a few samples longer or shorter depending on what was rendered
before it, so the same input gave other audio in another order. Loading the
library afresh for each use starts every call from the same state.

The file is loaded from a private in-memory copy (``memfd``) where the system
has one, so that nothing else in the process that loaded the same file (a
phonemizer, another wrapper) keeps it mapped and its state alive.

Cost, measured with espeak-ng 1.52: about 1 ms per call, and about 3 KB per
call that ``espeak_Terminate`` leaves allocated (a voice's tables), so a
10,000-sentence render keeps some 30 MB more than it needs to.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path


class LibraryImage:
    """Loads fresh copies of one shared library.

    Args:
        path: the library file.

    Raises:
        OSError: the file cannot be read.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._private: str | None = None
        self._fd = -1
        if sys.platform == "linux" and hasattr(os, "memfd_create"):
            data = Path(path).read_bytes()
            try:
                fd = os.memfd_create("tts-export-espeak", os.MFD_CLOEXEC)
            except OSError:
                return
            view, written = memoryview(data), 0
            try:
                # A short write (a file-size limit) would leave a truncated library
                # that crashes the process when it is mapped: all of it, or the file itself.
                while written < len(data):
                    written += os.write(fd, view[written:])
            except OSError:
                os.close(fd)
                return
            self._fd = fd
            self._private = f"/proc/self/fd/{fd}"

    @property
    def private(self) -> bool:
        """Whether copies come from a private image no other code can have loaded."""
        return self._private is not None

    def load(self) -> ctypes.CDLL:
        """A freshly loaded copy: its globals hold their initial values.

        Raises:
            OSError: the library cannot be loaded.
        """
        if self._private is not None:
            try:
                return ctypes.CDLL(self._private)
            except OSError:
                with self._lock:
                    self._private = None  # /proc not mounted, or exec from memfd refused
        return ctypes.CDLL(self.path)

    @staticmethod
    def unload(lib: ctypes.CDLL) -> None:
        """Drop this process's use of ``lib`` so the next ``load`` maps it anew."""
        import _ctypes

        if sys.platform == "win32":
            _ctypes.FreeLibrary(lib._handle)
        else:
            _ctypes.dlclose(lib._handle)
