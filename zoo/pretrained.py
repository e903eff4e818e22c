"""The shipped models by name: ``zoo.pretrained.list()`` says what exists, ``zoo.pretrained.load(NAME)``
returns a shipped generator as a zoo Keras model, ready to ``sample`` and to fine-tune, and
``export.runtime.OnnxGenerator(NAME)`` opens the same version with ONNX Runtime alone.

Where the shipped models are found, first match wins:

1. the ``directory`` argument;
2. the ``GENZOO_MODELS`` environment variable;
3. the ``saved_models/`` directory of the source checkout this package runs from.

A directory of shipped models is laid out as ``python -m tools.export`` writes it (and as TF Serving
reads it): ``<directory>/<name>/<version>/`` (SavedModel), ``<version>.onnx`` and the card
``<version>.json``. Every file is checked against its card's sha256 (``zoo.integrity``, the one
verifier of every tool) before it is used: a changed file is refused naming it.

What ``load`` rebuilds: the model of the card's class and config, with the shipped weights in the
networks that generate (a GAN's generator, and its moving average where the model keeps one; a
VAE's decoder and encoder; ALI's generator and encoder). ``saved_models/`` ships what serving needs,
not a GAN's critic: a loaded GAN's critic starts from fresh weights, which is how fine-tuning a
pretrained generator on new data usually begins (the critic catches up within a few hundred steps).
The rebuilt model is checked against the shipped SavedModel on fixed codes before it is returned.

This module imports TensorFlow only inside ``load``.
"""

import builtins
import dataclasses
import os
import re
from pathlib import Path

from zoo.errors import BadInput
from zoo.integrity import DamagedArtifact, read_card, verify_export

ENV_VAR = "GENZOO_MODELS"
_CHECKOUT_MODELS = Path(__file__).resolve().parents[1] / "saved_models"
_VERSION = re.compile(r"^(\d+)\.json$")
PARITY_ATOL = 1e-5  # the rebuilt model against the shipped SavedModel, as exports are checked


class UnknownModel(BadInput):
    """No shipped model of that name (or version) in the directory searched."""


@dataclasses.dataclass(frozen=True)
class Shipped:
    """One shipped version: its name, version, card and file paths (``onnx`` is None when the
    version has no ONNX file)."""

    name: str
    version: int
    directory: Path
    card_path: Path
    saved_model: Path
    onnx: Path | None

    @property
    def card(self):
        return read_card(self.card_path)


def models_dir(directory=None):
    """The directory of shipped models (``directory``, else ``$GENZOO_MODELS``, else the checkout's
    ``saved_models/``).

    Raises:
        UnknownModel: none of them is a directory.
    """
    for candidate, origin in (
        (directory, "the directory given"),
        (os.environ.get(ENV_VAR) or None, f"${ENV_VAR}"),
        (_CHECKOUT_MODELS, "the checkout's saved_models/"),
    ):
        if candidate is None:
            continue
        path = Path(candidate)
        if path.is_dir():
            return path
        if origin != "the checkout's saved_models/":
            raise UnknownModel(f"{origin} ({path}) is not a directory of shipped models")
    raise UnknownModel(
        f"no directory of shipped models: pass directory=..., or set ${ENV_VAR} to a directory laid out as "
        "saved_models/ (<name>/<version>/, <version>.onnx, <version>.json)"
    )


def _versions(model_dir):
    found = []
    for card in model_dir.glob("*.json"):
        match = _VERSION.match(card.name)
        if match and (model_dir / match.group(1)).is_dir():
            found.append(int(match.group(1)))
    return sorted(found)


def list(directory=None):
    """The shipped generators: ``[{"name", "version", "model", "dataset", "latent_dim", "num_classes"},
    ...]``, newest version of each name, sorted by name (domain classifiers are not generators and
    are not listed)."""
    root = models_dir(directory)
    rows = []
    for model_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        versions = _versions(model_dir)
        if not versions:
            continue
        card = read_card(model_dir / f"{versions[-1]}.json")
        rows.append(
            {
                "name": model_dir.name,
                "version": versions[-1],
                "model": card.get("model"),
                "dataset": (card.get("trained_with") or {}).get("dataset"),
                "latent_dim": card.get("latent_dim"),
                "num_classes": card.get("num_classes"),
            }
        )
    return rows


def locate(name, version=None, directory=None):
    """The files of a shipped version (the newest when ``version`` is None), verified against its card.

    Raises:
        UnknownModel: no such name or version (the message lists what exists).
        zoo.integrity.DamagedArtifact: a file differs from the card, or the card is not JSON.
    """
    root = models_dir(directory)
    model_dir = root / str(name)
    versions = _versions(model_dir) if model_dir.is_dir() and "/" not in str(name) else []
    if not versions:
        known = ", ".join(row["name"] for row in list(root)) or "none"
        raise UnknownModel(f"no shipped model {name!r} in {root}; shipped: {known}")
    if version is None:
        version = versions[-1]
    elif int(version) not in versions:
        raise UnknownModel(f"{name!r} has no version {version} in {root}; versions: {versions}")
    version = int(version)
    onnx = model_dir / f"{version}.onnx"
    shipped = Shipped(
        name=str(name),
        version=version,
        directory=model_dir,
        card_path=model_dir / f"{version}.json",
        saved_model=model_dir / str(version),
        onnx=onnx if onnx.is_file() else None,
    )
    verify_export(shipped.saved_model)
    if shipped.onnx is not None:
        verify_export(shipped.onnx)
    return shipped


def load(name, version=None, directory=None, compile=True):
    """A shipped generator as a zoo Keras model of its card's class: ``model.sample(z)`` draws,
    ``model.fit(...)`` fine-tunes.

    Args:
        name: a shipped name (``zoo.pretrained.list()``), e.g. ``"wgan_gp"``.
        version: a version number (default: the newest).
        directory: the directory of shipped models (default: ``$GENZOO_MODELS``, else the
            checkout's ``saved_models/``).
        compile: compile it with its default optimizers (``compile_default``), ready for ``fit``.

    Raises:
        UnknownModel: no such name or version.
        zoo.integrity.DamagedArtifact: a file differs from its card, or the rebuilt model does not
            reproduce the shipped SavedModel.
    """
    import numpy as np
    import tensorflow as tf

    from zoo.models import get_model

    shipped = locate(name, version, directory)
    card = shipped.card
    config = dict(card.get("config") or {})
    if card.get("num_classes") is not None:
        config["num_classes"] = card["num_classes"]
    try:
        model = get_model(card["model"], input_shape=tuple(card["data_shape"]), **config)
    except (KeyError, TypeError, ValueError) as err:
        raise DamagedArtifact(f"the model card {shipped.card_path} does not describe a zoo model: {err}") from None
    saved = tf.saved_model.load(str(shipped.saved_model))
    signatures = {"serving_default": _generating_networks(model)}
    if "encode" in saved.signatures:
        signatures["encode"] = [model.encoder]
    for signature, networks in signatures.items():
        variables = saved.signatures[signature].variables
        for network in networks:
            _assign(network, variables, f"{shipped.card_path} ({signature})")
    # The rebuilt model must draw what the shipped SavedModel draws.
    z = np.random.default_rng(0).standard_normal((4, model.config.latent_dim)).astype(np.float32)
    inputs = {"z": tf.constant(z)}
    if card.get("num_classes") is not None:
        inputs["label"] = tf.constant(np.arange(4) % card["num_classes"], tf.int32)
    served = builtins.list(saved.signatures["serving_default"](**inputs).values())[0].numpy()
    mine = np.asarray(model.generate(z, inputs["label"]) if "label" in inputs else model.generate(z))
    diff = float(np.max(np.abs(served - mine)))
    if "encode" in signatures:  # and it must encode as the shipped encoder does
        x = served  # the generated images: inputs of the encoder's shape and range
        encode_inputs = {model.output_name: tf.constant(x)}
        if "label" in inputs:
            encode_inputs["label"] = inputs["label"]
        shipped_codes = saved.signatures["encode"](**encode_inputs)
        args = (x, inputs["label"]) if "label" in inputs else (x,)
        mean, log_var = model.encode_outputs(*args)
        diff = max(
            diff,
            float(np.max(np.abs(shipped_codes["mean"].numpy() - np.asarray(mean)))),
            float(np.max(np.abs(shipped_codes["log_var"].numpy() - np.asarray(log_var)))),
        )
    if not diff <= PARITY_ATOL:
        raise DamagedArtifact(
            f"{shipped.saved_model}: the model rebuilt from its card differs from the SavedModel by {diff:.3g} "
            f"(at most {PARITY_ATOL} expected); the files do not match their card's config"
        )
    if compile:
        model.compile_default()
    return model


def _generating_networks(model):
    """The networks ``generate`` runs, first the one it reads (a moving average of G where kept)."""
    ema = getattr(model, "ema_generator", None)
    generator = getattr(model, "generator", None)
    if ema is not None:
        return [ema, generator]  # fine-tuning starts the live generator from the shipped weights too
    return [generator] if generator is not None else [model.decoder]


def _layer_key(path):
    """``"dense_3/kernel"`` -> ``("dense", 3, "kernel")``: the layer's base name, its number in the
    process that built it (unnumbered counts as 0) and the variable's name."""
    layer, _, variable = path.rpartition("/")
    layer = layer.rpartition("/")[2]
    match = re.match(r"^(.*?)(?:_(\d+))?$", layer)
    return match.group(1), int(match.group(2) or 0), variable


def _fold_biases_before_normalization(pairs, network):
    """Versions exported before the networks dropped the bias of a layer that batch normalization
    follows (the normalization subtracts it again) carry that bias. Folding it into the moving mean
    (``moving_mean - bias``) is exact at inference and irrelevant in training (batch statistics
    subtract any constant), so such versions still load. ``pairs``: (name, value) in the order the
    SavedModel reads them."""
    mine = {}
    for weight in network.weights:
        base, _, variable = _layer_key(weight.path)
        mine[(base, variable)] = mine.get((base, variable), 0) + 1
    shipped = {}
    for name, _ in pairs:
        base, _, variable = _layer_key(name)
        shipped[(base, variable)] = shipped.get((base, variable), 0) + 1
    out, skip = [], set()
    for i, (name, value) in enumerate(pairs):
        base, _, variable = _layer_key(name)
        nxt = pairs[i + 1] if i + 1 < len(pairs) else None
        if (
            variable == "bias"
            and shipped[(base, "bias")] > mine.get((base, "bias"), 0)
            and nxt is not None
            and _layer_key(nxt[0])[2] == "moving_mean"
            and nxt[1].shape == value.shape
        ):
            shipped[(base, "bias")] -= 1
            skip.add(i + 1)
            out.append((nxt[0], nxt[1] - value))
            continue
        if i not in skip:
            out.append((name, value))
    return out


def _assign(network, variables, what):
    # Layer names carry a number that depends on what the process built before (dense, dense_4, ...),
    # so the shipped variables are matched per layer kind and variable, in the order their layers
    # were numbered: the same code builds the same layers in the same order.
    def groups(items):
        out = {}
        for key, value in sorted(items, key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])):
            out.setdefault((key[0], key[2]), []).append(value)
        return out

    pairs = [(v.name.removesuffix(":0"), v.numpy()) for v in variables]
    pairs = _fold_biases_before_normalization(pairs, network)
    shipped = groups((_layer_key(name), (name, value)) for name, value in pairs)
    mine = groups((_layer_key(w.path), w) for w in network.weights)
    for key, weights in mine.items():
        sources = shipped.get(key, [])
        if len(sources) != len(weights):
            raise DamagedArtifact(
                f"{what}: the shipped model has {len(sources)} variable(s) {key[0]}/{key[1]} where the network "
                f"{network.name} built from the card has {len(weights)}; the files do not match their card"
            )
        for weight, (name, value) in zip(weights, sources):
            if tuple(weight.shape) != tuple(value.shape):
                raise DamagedArtifact(
                    f"{what}: {name} has shape {tuple(value.shape)}, the network {network.name} expects "
                    f"{tuple(weight.shape)}; the files do not match their card"
                )
            weight.assign(value)
