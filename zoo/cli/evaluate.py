"""Evaluate a trained model: ``python -m tools.evaluate --run runs/NAME`` (or ``--model <base>/<name>/<version>.onnx``).

Writes ``metrics.json``, ``report.md`` and its pictures into ``<run>/eval`` (or, for an ONNX
export, ``<dir of the file>/eval-<version>``; ``--out`` chooses another directory). Images are
scored with the domain classifier against the test split of the dataset the model was trained on
(classifier Fréchet distance, classifier score, class coverage, k-NN precision and recall, each
beside the real-data reference at the same N); 2-D toy models with the mode-coverage figures; a
VAE run also gets the test-set ELBO and the importance-weighted bound on log p(x). The protocol is
in ``zoo.evaluation``, the files in ``zoo.evaluation.report``.

The full MNIST evaluation of a run trained on the embedded sample:

    python -m tools.evaluate --run runs/vae-mnist_sample --dataset mnist --data-dir ../shared/data/mnist

Bad input ends with one message and exit code 2, with nothing written.
"""

import argparse
from pathlib import Path

from zoo.cli.common import fail, positive_int, recorded_command, start
from zoo.evaluation import DEFAULT_IW_K, DEFAULT_NUM_SAMPLES

PROG = "python -m tools.evaluate"
# The flags passed to zoo.evaluation.evaluate under their own names.
_EVALUATE_OPTIONS = ("dataset", "data_dir", "num_samples", "iw_k", "iw_examples", "seed", "inception_weights")
CLASSIFIER_HELP = (
    "the one shipped for the dataset's domain: zoo/classifiers/mnist for mnist and mnist_sample; "
    "none for other datasets, whose classifier figures are then skipped"
)


def build_parser():
    # fmt: off
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--run", default=None, help="a finished run directory (holding model.keras)")
    what.add_argument("--model", default=None, help="an exported generator: <base>/<name>/<version>.onnx "
                                                    "(generated with ONNX Runtime; no likelihood)")
    p.add_argument("--classifier", default=None,
                   help=f"the domain classifier's .keras file (default: {CLASSIFIER_HELP})")
    p.add_argument("--num-samples", type=positive_int, default=DEFAULT_NUM_SAMPLES,
                   help=f"N, generated samples and test images compared (default: {DEFAULT_NUM_SAMPLES}; "
                        "capped at the test split's size)")
    p.add_argument("--dataset", default=None, help="the dataset whose test split is the reference "
                                                   "(default: the one the model was trained on)")
    p.add_argument("--data-dir", default=None, help="its directory (default: the training run's when --dataset "
                                                    "is not given)")
    p.add_argument("--iw-k", type=positive_int, default=DEFAULT_IW_K,
                   help=f"importance samples per example of the IW bound (default: {DEFAULT_IW_K}; 1: the ELBO)")
    p.add_argument("--iw-examples", type=positive_int, default=None,
                   help="test examples of the IW bound (default: the whole test split; ~2.5 s per 100 examples "
                        "at k = 100 on two CPU cores)")
    p.add_argument("--inception-weights", default=None,
                   help="ImageNet weights of keras.applications.InceptionV3 (with its top): adds Inception FID "
                        "and Inception score (slow on CPU: ~0.1 s per image and pass)")
    p.add_argument("--seed", type=int, default=0, help="seed of the codes, the reference and the binarization")
    p.add_argument("--out", default=None,
                   help="output directory (default: <run>/eval, or <dir of the .onnx>/eval-<version>)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output directory")
    # fmt: on
    return p


def print_summary(metrics, paths):
    """The reference first, then the model's metrics, then the files written."""
    from zoo.evaluation.report import metric_rows

    rows = metric_rows(metrics)
    if metrics.get("reference") is not None:
        print(
            f"real-data reference (N = {metrics['reference']['num_samples']}, "
            f"{metrics['reference'].get('origin', 'computed')}):"
        )
        for label, _, reference, *_ in rows:
            if reference != "—":
                print(f"  {label}: {reference}")
    if metrics.get("reference_blurred") is not None:
        print(f"real training images blurred by {metrics['reference_blurred']['blur_sigma']:g} px:")
        for label, _, _, blurred, _ in rows:
            if blurred != "—":
                print(f"  {label}: {blurred}")
    print(f"{metrics['name']} (N = {metrics['num_samples']}):")
    for label, value, *_, n in rows:
        print(f"  {label}: {value}" + ("" if n == str(metrics["num_samples"]) else f"  (N = {n})"))
    for note in metrics.get("notes") or []:
        print(f"note: {note}")
    print(f"wrote {paths['report.md'].parent}: {', '.join(paths)}")
    print(f"wall time: {metrics['timings_s']['total']:.1f} s")


def main(argv=None):
    args = build_parser().parse_args(argv)
    start()
    from zoo.errors import BadInput
    from zoo.evaluation import protocol, report
    from zoo.locks import check_free, exclusive

    try:
        source = protocol.open_run(args.run) if args.run is not None else protocol.open_onnx(args.model)
        out = Path(args.out) if args.out else protocol.default_out_dir(source)
        try:
            report.check_out_dir(out, args.overwrite)
        except BadInput as err:
            raise BadInput(f"{err} (--overwrite, --out)") from None
        check_free(out, "evaluation directory")
        options = {k: getattr(args, k) for k in _EVALUATE_OPTIONS}
        command = recorded_command(PROG, argv)
        with exclusive(out, "evaluation directory", command):  # one evaluation writes it at a time
            report.check_out_dir(out, args.overwrite)  # again: another may have finished meanwhile
            result = protocol.evaluate(
                source, classifier=args.classifier, **options, command=command, log=lambda line: print(line, flush=True)
            )
            paths = report.write_report(result, out, overwrite=args.overwrite)
    except BadInput as err:
        return fail(PROG, err)
    print_summary(result.metrics, paths)
    return 0
