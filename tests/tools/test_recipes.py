"""The recipes: how a run's settings are merged, which family a dataset is in, and the committed page."""

from pathlib import Path

import pytest

from tool_runner import call
from zoo import recipes
from zoo.cli import recipes as tool

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_recipe_page_is_what_the_code_holds():
    assert (ROOT / "docs" / "recipes.md").read_text() == recipes.recipes_markdown(), (
        "docs/recipes.md is stale: python -m tools.recipes --out docs/recipes.md"
    )


def test_every_recipe_has_a_source_and_a_reason_per_choice_and_its_model_takes_its_config():
    import zoo

    for r in recipes.all_recipes():
        assert r.source and r.family in recipes.FAMILIES and r.name in ("zoo", "paper")
        keys = [k for k in r.settings if k not in ("config", "optimizer", "lr_schedule") and r.settings[k] is not None]
        keys += [f"{k}:{i.split('=', 1)[0].rpartition('.')[2]}" for k in ("config", "optimizer") for i in r.settings[k]]
        missing = [k for k in keys if not r.reasons.get(k)]
        assert not missing, (r.model, r.family, r.name, missing)
        from zoo.training.run import config_overrides

        zoo.get_model_class(r.model).make_config(**config_overrides(r.settings["config"]))


def test_settings_merge_defaults_then_the_recipe_then_what_was_given():
    recipe = recipes.Recipe("m", "points", "zoo", {"steps": 10, "config": ("a=1", "b=2")}, {})
    merged = recipes.merge({"steps": 1, "batch_size": 8, "config": ()}, recipe, {"steps": None, "config": ("b=3",)})
    assert merged == {"steps": 10, "batch_size": 8, "config": ("a=1", "b=3")}
    assert recipes.merge({"steps": 1}, None, {"steps": 5}) == {"steps": 5}


def test_families_and_lookup():
    assert recipes.family_of("image", (28, 28, 1), "idx") == "mnist"
    assert recipes.family_of("image", (28, 28, 1), "embedded") is None  # the main job's sample
    assert recipes.family_of("image", (32, 32, 3), "tfds") == recipes.family_of("image", (32, 32, 3), "folder")
    assert recipes.family_of("image", (32, 32, 3), "folder") == "cifar10"  # any 32x32 colour dataset
    assert recipes.family_of("image", (64, 64, 3), "tfds") is None
    assert recipes.family_of("points", (2,), "toy") == "points"
    assert recipes.find("gan", "mnist").name == "zoo" and recipes.find("gan", "mnist", "paper").name == "paper"
    assert recipes.find("gan", "mnist", "none") is None and recipes.find("vae", None) is None
    with pytest.raises(ValueError, match="unknown recipe 'best'"):
        recipes.find("gan", "mnist", "best")
    with pytest.raises(ValueError, match="no 'paper' recipe for aae on points; none there"):
        recipes.find("aae", "points", "paper")


def test_the_tool_prints_or_writes_the_page(tmp_path):
    code, stdout, _ = call(tool.main, [])
    assert code == 0 and stdout == recipes.recipes_markdown()
    code, _, _ = call(tool.main, ["--out", str(tmp_path / "r.md")])
    assert code == 0 and (tmp_path / "r.md").read_text() == recipes.recipes_markdown()
