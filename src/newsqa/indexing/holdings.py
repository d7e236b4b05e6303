"""What the index holds of each file of the corpus folder: the articles indexed from it, or,
for a file none were, why (its articles are copies of others', none could be read, none are
indexed yet). What a page offers to take out of the corpus, a file of copies too."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from newsqa.corpus import article_files, iter_path
from newsqa.indexing.catalog import Catalog
from newsqa.types import Article, CorpusFile

__all__ = ["corpus_files"]


def corpus_files(
    catalog: Catalog, corpus: Path, *, passing_over: Iterable[Path] = (), max_file_bytes: int
) -> list[CorpusFile]:
    """Every article file of `corpus` (as `iter_path` reads it), named relative to it, with
    what `catalog` holds of it. Only a file none of whose articles the catalog records is read
    (to find the files holding them: it is another's duplicate), so a large corpus is not."""
    folders = (str(corpus), str(corpus.resolve()))
    indexed: Counter[str] = Counter()
    originals: dict[str, set[str]] = {}
    for file, original in catalog.files(folders):
        if original is None:
            indexed[file] += 1
        else:  # a syndicated copy, recorded as one (not indexed)
            originals.setdefault(file, set()).add(original)
    out = []
    for path in article_files(corpus, passing_over=passing_over):
        name = path.relative_to(corpus).as_posix()
        unread = False
        if name not in indexed and name not in originals:
            read = [
                a.id
                for a in iter_path(path, max_file_bytes=max_file_bytes)
                if isinstance(a, Article)
            ]
            # (a duplicate of an article indexed from another file; or read since the update)
            originals[name] = catalog.files_of(read, folders)
            unread = not read
        copy_of = tuple(sorted(originals.get(name, set()) - {name}))
        out.append(CorpusFile(name=name, articles=indexed[name], copy_of=copy_of, unread=unread))
    return out
