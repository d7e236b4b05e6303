"""Arrays derived from an index generation, kept in files beside its catalog so that the first
search of a new process does not rebuild them. Each file carries the key it was made for; a
stale, broken or unwritable file is ignored (these are caches, never the source of truth) and
a file is replaced atomically, so a reader never sees half of one."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["load_arrays", "save_arrays"]

log = logging.getLogger(__name__)


def load_arrays(path: Path, key: str | None) -> dict[str, NDArray[Any]] | None:
    """The arrays saved in `path` for `key` (None: whatever key they were saved for), or None
    (no file, another key, unreadable: cut short or overwritten in part, a zip that is no zip
    or fails its checksum)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if "key" not in data.files or (key is not None and str(data["key"]) != key):
                return None
            return {name: data[name] for name in data.files if name != "key"}
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def save_arrays(path: Path, key: str, arrays: Mapping[str, NDArray[Any]]) -> None:
    """Write `arrays` under `key` through a temporary file renamed over `path`; never raises."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        savez: Any = np.savez  # typed with keyword flags that a ** of arrays cannot satisfy
        with open(tmp, "wb") as f:
            savez(f, key=np.array(key), **arrays)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("not cached in %s: %s", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink()
