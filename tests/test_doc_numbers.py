"""The worked numbers of the theory guide and the Chinese report, recomputed from the code.

Each number is marked in the document by an HTML comment, ``<!-- check VALUE: EXPRESSION -->``,
right after the text that shows it. EXPRESSION is evaluated with the functions of
``zoo.divergences`` and ``zoo.losses`` (``P`` and ``Q`` are the guide's two-outcome distributions);
its value, rounded as VALUE is written, must equal VALUE, and VALUE must appear in the text just
before the comment. A number that drifts from what the code computes fails here."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from zoo import divergences, losses

ROOT = Path(__file__).resolve().parents[1]
DOCS = {"docs/theory.md": 14, "docs/report.zh.md": 5}  # document -> at least this many marked numbers
CHECK = re.compile(r"<!-- check (-?[0-9.]+): (.+?) -->")
WINDOW = 1500  # characters of text before a comment in which its number must appear


def logit_gradient(loss, d):
    """d loss / d logit for one fake whose discriminator output is ``d`` (``zoo.losses`` on logits)."""
    logit = tf.Variable([[math.log(d / (1 - d))]], dtype=tf.float32)
    with tf.GradientTape() as tape:
        value = loss(logit)
    return float(tape.gradient(value, logit)[0, 0])


NAMESPACE = {
    "P": [0.5, 0.5],
    "Q": [0.9, 0.1],
    "log": math.log,
    "np": np,
    "logit_gradient": logit_gradient,
    **{
        name: getattr(divergences, name)
        for name in ("entropy", "cross_entropy", "kl_divergence", "js_divergence", "gaussian_kl")
    },
    **{name: getattr(losses, name) for name in ("minimax_generator_loss", "non_saturating_generator_loss")},
}


def marks(text):
    return [(m.group(1), m.group(2), text[max(0, m.start() - WINDOW) : m.start()]) for m in CHECK.finditer(text)]


def drifted(text):
    """The marks of ``text`` whose number is not what the code computes or not in the text before them."""
    bad = []
    for value, expression, before in marks(text):
        computed = float(np.asarray(eval(expression, dict(NAMESPACE))))
        decimals = len(value.split(".")[1]) if "." in value else 0
        if f"{computed:.{decimals}f}" != value:
            bad.append(f"{expression} = {computed:.6f}, the text says {value}")
        elif value.lstrip("-") not in re.sub(r"<!--.*?-->", "", before):
            bad.append(f"{value} ({expression}) is not in the text before its mark")
    return bad


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_every_marked_number_is_what_the_code_computes(doc):
    text = (ROOT / doc).read_text()
    assert len(marks(text)) >= DOCS[doc], f"{doc}: {len(marks(text))} marked numbers, expected at least {DOCS[doc]}"
    assert drifted(text) == [], doc


def test_a_drifted_or_unshown_number_is_caught():
    assert drifted("KL is about 0.5108.\n<!-- check 0.5108: kl_divergence(P, Q) -->") == []
    assert drifted("KL is about 0.5109.\n<!-- check 0.5109: kl_divergence(P, Q) -->") == [
        "kl_divergence(P, Q) = 0.510826, the text says 0.5109"
    ]
    assert drifted("No number here.\n<!-- check 0.5108: kl_divergence(P, Q) -->") == [
        "0.5108 (kl_divergence(P, Q)) is not in the text before its mark"
    ]
