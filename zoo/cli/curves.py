"""Time-to-quality curves: ``python -m tools.curves RUN [RUN ...] --out FILE.png``.

Reads each run's ``history.json`` (generator steps, wall time and the classifier's figures every
``--eval-every`` epochs) and writes one plot of the classifier Fréchet distance against wall-clock
minutes, with the curves as data beside it (``FILE.json``). Bad input ends with one message and exit
code 2 before anything is written.
"""

import argparse
from pathlib import Path

from zoo.cli.common import fail, positive_float, start

PROG = "python -m tools.curves"


def build_parser():
    # fmt: off
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("runs", nargs="+", help="run directories (tools.train), each optionally LABEL=DIR")
    p.add_argument("--out", required=True, help="the plot (.png); the curves as data go beside it (.json)")
    p.add_argument("--title", default="", help="the plot's title")
    p.add_argument("--reference", type=positive_float, default=None,
                   help="the real-data reference distance (a dotted line)")
    p.add_argument("--target", type=positive_float, default=None, help="a target distance (a dashed line)")
    # fmt: on
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    start(tensorflow=False)
    from zoo.errors import BadInput
    from zoo.evaluation.curves import curve, curves_png
    from zoo.fileio import atomic_write_bytes, atomic_write_json

    out = Path(args.out)
    if out.suffix != ".png":
        return fail(PROG, f"--out {args.out!r}: expected a .png file")
    try:
        curves = []
        for item in args.runs:
            label, sep, path = item.rpartition("=")
            curves.append(curve(path, label=label if sep else None))
    except BadInput as err:
        return fail(PROG, err)
    png = curves_png(curves, title=args.title, target=args.target, reference=args.reference)
    atomic_write_json(out.with_suffix(".json"), {"reference": args.reference, "target": args.target, "curves": curves})
    atomic_write_bytes(out, png)
    for c in curves:
        last = c["points"][-1]
        print(
            f"{c['label']}: {len(c['points'])} points, last at {last['steps']:,} steps, {last['minutes']:.1f} min: "
            f"Fréchet distance {last['frechet_distance']:.3f}, score {last['classifier_score']:.3f}"
        )
    print(f"wrote {out} and {out.with_suffix('.json')}")
    return 0
