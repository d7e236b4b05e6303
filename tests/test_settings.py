"""Settings: defaults, environment variables at the edge, and validation."""

from pathlib import Path

import pytest

from newsqa import NewsQA, Settings


def test_defaults_and_environment() -> None:
    assert Settings().index_dir == Path("index") and Settings().chunk_size == 256
    assert hash(Settings()) == hash(Settings())  # settings can key a cache
    s = Settings.from_env(
        {"NEWSQA_INDEX": "/tmp/x", "NEWSQA_CHUNK_SIZE": "128", "NEWSQA_CHROMA_URL": ""},
        corpus_dir="news",
    )
    assert s.index_dir == Path("/tmp/x") and s.chunk_size == 128
    assert s.corpus_dir == Path("news") and s.chroma_url == ""
    assert Settings.from_env({"NEWSQA_INDEX": "/a"}, index_dir=None).index_dir == Path("/a")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NEWSQA_CHUNK_SIZE": "big"}, "NEWSQA_CHUNK_SIZE must be a whole number"),
        ({"NEWSQA_CHUNK_SIZE": "8"}, "chunk_size must be at least 32"),
        ({"NEWSQA_CHUNK_OVERLAP": "200"}, "chunk_overlap must be between"),
        ({"NEWSQA_PRECISION": "int4"}, "precision must be"),
    ],
)
def test_bad_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


def test_the_file_size_limit_is_set_in_megabytes() -> None:
    """In the MB a skipped file's reason gives ("file is 210.0 MiB, over the 50.0 MiB limit")."""
    assert Settings.from_env({"NEWSQA_MAX_FILE_MB": "200"}).max_file_bytes == 200 * 2**20
    for bad, said in (("0", "at least 1, not '0'"), ("1.5", "a whole number, not '1.5'")):
        with pytest.raises(ValueError, match=f"NEWSQA_MAX_FILE_MB must be {said}"):
            Settings.from_env({"NEWSQA_MAX_FILE_MB": bad})


def test_llm_timeout_takes_seconds_above_zero() -> None:
    assert Settings.from_env({"NEWSQA_LLM_TIMEOUT": "2.5"}).llm_timeout == 2.5
    for bad in ("0", "-1"):
        with pytest.raises(ValueError, match="NEWSQA_LLM_TIMEOUT"):
            Settings.from_env({"NEWSQA_LLM_TIMEOUT": bad})
    with pytest.raises(ValueError, match="NEWSQA_LLM_TIMEOUT must be a number"):
        Settings.from_env({"NEWSQA_LLM_TIMEOUT": "soon"})


def test_numbers_are_checked_when_settings_are_made() -> None:
    """A number given as text, or a size of 0, is named when the settings are made (it failed
    later, as "'<' not supported …" or "range() arg 3 must not be zero" inside an update)."""
    with pytest.raises(TypeError, match="chunk_size is a whole number, not '256'"):
        Settings(chunk_size="256")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="llm_timeout is a number, not '5'"):
        Settings(llm_timeout="5")  # type: ignore[arg-type]
    for name in ("batch_size", "commit_chunks", "answer_passages", "max_file_bytes"):
        with pytest.raises(ValueError, match=f"{name} must be at least 1, not 0"):
            Settings(**{name: 0})
    assert Settings(llm_timeout=5).llm_timeout == 5


def test_newsqa_says_what_it_takes_when_given_a_folder() -> None:
    """NewsQA("corpus") failed as "replace expected at least 2 arguments, got 0"."""
    for folder in ("corpus", Path("index"), {"index_dir": "index"}):
        with pytest.raises(TypeError, match=r"NewsQA takes a Settings, not \w+ .*corpus_dir="):
            NewsQA(folder)  # type: ignore[arg-type]
    qa = NewsQA(index_dir="elsewhere")
    assert qa.settings.index_dir == Path("elsewhere").absolute()
    # a notebook shows which folders it reads (it showed <newsqa.facade.NewsQA object at 0x…>)
    corpus, index = Path("corpus").absolute(), Path("elsewhere").absolute()
    assert repr(qa) == f"NewsQA(corpus_dir='{corpus}', index_dir='{index}')"
