"""The theory guide's figures: ``python -m tools.figures [--stage draw|train|all] [--out docs/images/theory]``.

Two stages:

- ``train`` (slow, minutes): trains what a figure needs and writes small data files into
  ``docs/images/theory/data/`` (committed): the critics of a clipped WGAN and of a WGAN-GP on the
  2-D ring (``critic_weights.json``: the histograms of their weights), and the main job's VAE with
  beta = 0 and beta = 1 (``vae_beta.json`` and their prior-sample grids).
- ``draw`` (quick, about a minute, run by the tests): draws every figure from the zoo's own
  functions and those data files, deterministically, as PNG into ``--out``:

  - ``divergences-vs-shift.png``: KL, JS and W1 between two distributions with disjoint supports
    against the shift between them (``zoo.divergences``): why JS gives the generator no gradient;
  - ``generator-gradients.png``: the minimax and non-saturating generator losses' gradients
    against D(G(z)) (``zoo.losses``, differentiated by TensorFlow);
  - ``critic-weights.png``: the weight histograms of the clipped and the penalized critics, the
    polarization of clipping (WGAN-GP paper, Fig. 1b);
  - ``vae-beta.png``: samples from the prior of a VAE trained without the KL term and with it.
"""

import argparse

from zoo.cli.common import fail, positive_int, start

PROG = "python -m tools.figures"
DEFAULT_OUT = "docs/images/theory"
DATA_DIR = "data"  # under --out: what the train stage writes and the draw stage reads
STAGES = ("draw", "train", "all")


def build_parser():
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--stage", choices=STAGES, default="draw", help="draw (default, quick), train (slow) or all")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"figure directory (default: {DEFAULT_OUT})")
    p.add_argument(
        "--steps",
        type=positive_int,
        default=3000,
        help="generator steps of each 2-D run of the train stage (the critics, the 2-D samples)",
    )
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    start()
    from pathlib import Path

    from zoo.errors import BadInput
    from zoo.training import figures

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        return fail(PROG, f"--out: {out} exists and is not a directory")
    try:
        if args.stage in ("train", "all"):
            for path in (
                figures.train_critics(out / DATA_DIR, steps=args.steps, log=print),
                figures.train_vae_betas(out / DATA_DIR, log=print),
                figures.train_vae_2d(out / DATA_DIR, log=print),
                figures.train_toy_samples(out / DATA_DIR, steps=args.steps, log=print),
            ):
                print(f"wrote {path}")
        if args.stage in ("draw", "all"):
            for path in figures.draw_all(out, out / DATA_DIR):
                print(f"wrote {path}")
    except BadInput as err:
        return fail(PROG, err)
    return 0
