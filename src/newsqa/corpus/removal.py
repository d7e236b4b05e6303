"""Taking files out of the corpus folder. A file is moved aside into the corpus's hidden
`.removed` folder, which the loaders never read, not deleted: one removed by mistake is put back
by moving it back (and `newsqa index update`)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from newsqa.types import Skipped

__all__ = ["REMOVED", "move_aside"]

REMOVED = ".removed"


def move_aside(targets: Iterable[str | Path], corpus: Path) -> tuple[list[str], list[Skipped]]:
    """Move each target (a path, or a name relative to `corpus` as `newsqa index list` shows
    it) into `corpus/.removed/`, keeping its place in the folder (a file of that name removed
    before is kept too: "NAME-2"). Returns the names moved, relative to `corpus`, and the
    targets left where they were, with the reason."""
    root = corpus.resolve()
    aside = root / REMOVED
    moved: list[str] = []
    skipped: list[Skipped] = []
    for target in targets:
        given = Path(target)
        # a name as listed is the corpus's, unless it is a path to a file of the corpus
        path = given if given.exists() or given.is_absolute() else corpus / given
        resolved = path.resolve()
        if root not in resolved.parents:
            reason = (
                f"is the corpus folder {corpus} itself: name the files to remove"
                if resolved == root
                else f"is not in the corpus folder {corpus}: nothing of it was removed"
            )
            skipped.append(Skipped(str(target), reason))
            continue
        name = resolved.relative_to(root)
        if name.parts[0] == REMOVED or any(p.startswith(".") for p in name.parts):
            skipped.append(Skipped(str(target), "is not read as part of the corpus (hidden)"))
            continue
        if not resolved.exists():
            reason = f"no such file in the corpus folder {corpus}"
            skipped.append(Skipped(str(target), reason, kind="missing"))
            continue
        dest = _free(aside / name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(resolved, dest)
        moved.append(str(name))
    return moved, skipped


def _free(path: Path) -> Path:
    """`path`, or "NAME-2.EXT", "NAME-3.EXT" … when it is taken."""
    n = 2
    free = path
    while free.exists():
        free = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return free
