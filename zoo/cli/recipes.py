"""The recipe table: ``python -m tools.recipes [--out docs/recipes.md]``.

Prints (or writes) every training recipe of ``zoo.recipes`` with its settings and the reason and
source of each, the page docs/results.md links.
"""

import argparse

from zoo.cli.common import start

PROG = "python -m tools.recipes"


def build_parser():
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--out", default=None, help="write the Markdown here (default: print it)")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    start(tensorflow=False)
    from zoo.recipes import recipes_markdown

    text = recipes_markdown()
    if args.out is None:
        print(text, end="")
        return 0
    from zoo.fileio import atomic_write_bytes

    atomic_write_bytes(args.out, text.encode())
    print(f"wrote {args.out}")
    return 0
