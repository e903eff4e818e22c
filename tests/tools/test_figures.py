"""The theory guide's figures (tools.figures): the quick draw stage makes every figure the guide and
the Chinese report cite, deterministically, from the committed data of the slow train stage, and
the committed PNGs are exactly what it draws (a figure left stale after a code change fails)."""

import re
import shutil
from pathlib import Path

from tool_runner import call
from zoo.cli import figures as figures_tool

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "images" / "theory"


def test_the_draw_stage_makes_every_cited_figure_the_same_way_twice(tmp_path):
    cited = set()
    for doc in (ROOT / "docs" / "theory.md", ROOT / "docs" / "report.zh.md", ROOT / "README.md"):
        cited |= set(re.findall(r"images/theory/([\w.-]+\.png)", doc.read_text()))
    assert {
        "divergences-vs-shift.png",
        "optimal-discriminator.png",
        "generator-gradients.png",
        "critic-weights.png",
    } <= cited
    drawn = {}
    for attempt in ("a", "b"):
        out = tmp_path / attempt
        shutil.copytree(COMMITTED / "data", out / "data")
        code, stdout, err = call(figures_tool.main, ["--out", out])
        assert code == 0, err
        drawn[attempt] = {p.name: p.read_bytes() for p in out.glob("*.png")}
    assert set(drawn["a"]) == cited and drawn["a"] == drawn["b"]  # deterministic
    for name in cited:
        assert (COMMITTED / name).is_file(), f"{name} is cited but not committed"
        assert (COMMITTED / name).read_bytes() == drawn["a"][name], (
            f"{name}: the committed figure is not what the code draws"
        )


def test_the_draw_stage_without_the_train_stage_data_is_refused(tmp_path):
    code, _, err = call(figures_tool.main, ["--out", tmp_path / "figs"])
    assert code == 2 and "run the train stage first (--stage train)" in err
