"""RunConfig: validation, TOML round trip, guided-theme parsing, stable hash."""

from __future__ import annotations

import pytest

from topiclab.config import ConfigError, GuidedTheme, RunConfig


def test_toml_round_trip(tmp_path):
    cfg = RunConfig(
        seed=7,
        n_themes=4,
        guided=(GuidedTheme.parse("energy storage: battery, storage, grid"),),
    )
    path = tmp_path / "run.toml"
    path.write_text(cfg.to_toml(), encoding="utf-8")
    back = RunConfig.from_toml(path)
    assert back == cfg
    assert back.hash() == cfg.hash()


def test_hash_ignores_progress_but_not_seed():
    assert RunConfig(progress=False).hash() == RunConfig(progress=True).hash()
    assert RunConfig(seed=1).hash() != RunConfig(seed=2).hash()


@pytest.mark.parametrize(
    "kwargs",
    [{"lang_mode": "fr"}, {"n_themes": 0}, {"seed": -1}, {"cluster_method": "dbscan"}],
)
def test_invalid_values_are_rejected(kwargs):
    with pytest.raises(ConfigError):
        RunConfig(**kwargs)


@pytest.mark.parametrize("spec", ["no colon here", "name:", ": a, b", "x: , ,"])
def test_guided_theme_parse_errors(spec):
    with pytest.raises(ConfigError):
        GuidedTheme.parse(spec)


def test_bad_toml_file_names_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        RunConfig.from_toml(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("colour = 'red'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="colour"):
        RunConfig.from_toml(unknown)
