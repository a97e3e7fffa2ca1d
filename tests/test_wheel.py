"""The built package: wheel and sdist carry every asset; an installed wheel runs the main job.

The wheel is built without build isolation (the build backend from this environment, no
download) and installed with ``--no-deps`` into a fresh virtual environment that sees this
environment's packages (a ``.pth`` file naming its site-packages), so the test runs
offline. The run
happens in an empty folder, so only the installed package can be found.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS

import topiclab

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("build", reason="the 'build' package is not installed")


def _run(cmd: list[str], **kwargs) -> str:
    """Run ``cmd``; on failure, fail with its stderr."""
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


@pytest.mark.slow
def test_wheel_and_sdist_carry_every_asset(dist: Path) -> None:
    (wheel,) = dist.glob("topiclab-*.whl")
    (sdist,) = dist.glob("topiclab-*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    articles = sorted(p.name for p in CORPUS.glob("*.txt"))
    assert {f"topiclab/_corpus/{a}" for a in articles} <= names
    assert "topiclab/_corpus/README.md" in names
    assets = {p.name for p in (ROOT / "topiclab/outputs/report_assets").iterdir()}
    assert {f"topiclab/outputs/report_assets/{a}" for a in assets} <= names
    with tarfile.open(sdist) as tar:
        members = {m.split("/", 1)[1] for m in tar.getnames() if "/" in m}
    assert {f"corpus/{a}" for a in articles} <= members
    assert {"CHANGELOG.md", "README.md", "setup.py", "pyproject.toml"} <= members
    meta = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith(".dist-info/METADATA")))
        .decode()
    )
    assert f"Version: {topiclab.__version__}" in meta


@pytest.mark.slow
def test_installed_wheel_runs_on_the_bundled_corpus(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("topiclab-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = str(env_dir / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], env=env)
    # then the fresh environment sees this one's packages (after its own): nothing downloads
    own = _run([py, "-c", "import site; print(site.getsitepackages()[0])"], env=env).strip()
    parents = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(own) / "_parent_env.pth").write_text("\n".join(parents) + "\n", encoding="utf-8")
    work = tmp_path / "elsewhere"
    work.mkdir()
    code = (
        "import topiclab, topiclab.paths as p; print(topiclab.__file__); print(p.default_corpus())"
    )
    where = _run([py, "-c", code], cwd=work, env=env).split("\n")
    assert where[0].startswith(str(env_dir)), where
    assert where[1].startswith(str(env_dir)) and where[1].endswith("_corpus"), where
    cmd = str(env_dir / "bin" / "topiclab")
    version = _run([cmd, "--version"], cwd=work, env=env)
    assert version.strip() == f"topiclab {topiclab.__version__}"
    _run([cmd, "-q", "run", "--out", "run", "--no-figures"], cwd=work, env=env)
    run = work / "run"
    themes = json.loads((run / "themes.json").read_text(encoding="utf-8"))
    assert themes["embedding"]["themes"], "the run found themes"
    checksums = json.loads((run / "checksums.json").read_text(encoding="utf-8"))
    assert {"documents.parquet", "meta.json", "themes.json"} <= set(checksums)
    assert (run / "report.html").is_file()
