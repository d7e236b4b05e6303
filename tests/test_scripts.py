"""The set-up script a first run goes through (`scripts/serve` and `scripts/test` call it), run
for real on a copy of the project with a real (empty) virtual environment: nothing installed,
nothing downloaded."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _project(tmp_path: Path) -> Path:
    """A copy of the project's set-up script and pyproject.toml beside an empty .venv (no pip:
    an install it tried would fail at once, and could reach nothing)."""
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(REPO / "scripts" / "setup", root / "scripts" / "setup")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    return root


def _setup(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(root / "scripts" / "setup"), *args], capture_output=True, text=True
    )


def test_serving_after_the_tests_set_up_installs_nothing_again(tmp_path: Path) -> None:
    """`scripts/test` installs with the dev tools; `scripts/serve` after it, which needs less,
    installed everything again (minutes, and the network) as if nothing were there."""
    root = _project(tmp_path)
    stamp = hashlib.sha1((root / "pyproject.toml").read_bytes()).hexdigest()
    (root / ".venv" / ".newsqa-installed[dev]").write_text(stamp + "\n")
    done = _setup(root)
    assert done.returncode == 0, done.stderr
    assert "Installing" not in done.stderr
    # the dev tools are still installed when asked for after the runtime alone
    (root / ".venv" / ".newsqa-installed[dev]").unlink()
    (root / ".venv" / ".newsqa-installed").write_text(stamp + "\n")
    assert "Installing" in _setup(root, "--dev").stderr
    # and a changed pyproject.toml is installed again, whichever stamp there is
    (root / "pyproject.toml").write_text((root / "pyproject.toml").read_text() + "\n")
    assert "Installing" in _setup(root).stderr
