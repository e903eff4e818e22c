"""Training recipes: for a model and a data family, the settings that trained its results row.

A recipe is found by (model, family, name). The families (``family_of``):

* ``"mnist"``: 28x28 grey images of a full dataset (MNIST, Fashion-MNIST, any such TFDS dataset
  or image folder); the embedded ``mnist_sample`` is not in it, so the main job keeps its
  minutes-long defaults;
* ``"cifar10"``: 32x32 colour images (CIFAR-10, a folder of photos at 32x32, ...);
* ``"points"``: 2-D points (the toy mixtures ``ring8``, ``grid25``, ``swissroll``).

Two names per (model, family) where they exist: ``"zoo"``, the project's recipe and the default
(``tools.train`` and ``tools.toy2d`` use it when no ``--recipe`` is given), and ``"paper"``, the
original paper's or reference code's settings as far as this code base has them. ``"none"``
names no recipe: the model's built-in defaults. Every flag overrides the recipe's value for
that setting; ``--set`` items override the recipe's item of the same key and keep the others.

A recipe's settings (``Recipe.settings``) use the names of ``zoo.training.run.RunSpec`` (and of
``zoo.evaluation.toy2d.Settings``): ``batch_size``, ``epochs`` or ``steps``, ``latent_dim``,
``width``, ``learning_rate``, ``lr_schedule``, ``binarize``, ``eval_every``, ``jit_compile``, ``config`` (model config items,
``"field=value"``) and ``optimizer`` (``"[optimizer.]field=value"``, ``zoo.optimizers``).
``Recipe.reasons`` gives one line of reason and source per choice (the README's recipe table).
This module imports no TensorFlow.
"""

import dataclasses

FAMILIES = ("mnist", "cifar10", "points")
NAMES = ("zoo", "paper", "none")
DEFAULT_NAME = "zoo"


@dataclasses.dataclass(frozen=True)
class Recipe:
    model: str
    family: str
    name: str
    settings: dict
    reasons: dict  # setting (or "config:field" / "optimizer:field") -> one line with its source
    source: str = ""


_RECIPES = {}


def _add(model, family, name, source, reasons, **settings):
    for key in ("config", "optimizer"):
        settings[key] = tuple(sorted(settings.get(key, ())))
    _RECIPES[(model, family, name)] = Recipe(model, family, name, settings, reasons, source)


# -- 2-D points ------------------------------------------------------------------------------

_PACGAN = "PacGAN (Lin et al. 2018), fjxmlzn/PacGAN synthetic_data_experiments/*/config.py"
_GAN_TOY = "WGAN-GP's toy script (Gulrajani et al. 2017), igul222/improved_wgan_training gan_toy.py"

_add(
    "gan",
    "points",
    "paper",
    _PACGAN,
    {
        "config:nets": "PacGAN's networks: G 4 x 400 BatchNorm-ReLU, D 3 x 200 maxout with 5 pieces",
        "latent_dim": "PacGAN: z of size 2",
        "optimizer:beta_1": "PacGAN: Adam beta_1 = 0.8",
        "learning_rate": "PacGAN: Adam 1e-4",
        "batch_size": "PacGAN: 100",
        "steps": "PacGAN: 400 epochs of 100,000 points at batch 100",
    },
    steps=400_000,
    batch_size=100,
    latent_dim=2,
    learning_rate=1e-4,
    lr_schedule="constant",
    config=('nets="pacgan"',),
    optimizer=("beta_1=0.8",),
)
_add(
    "wgan_gp",
    "points",
    "paper",
    _GAN_TOY,
    {
        "width": "gan_toy.py: 3 x 512 units (width 32: 16 * 32 = 512)",
        "latent_dim": "gan_toy.py: z of size 2",
        "config:gp_weight": "gan_toy.py: lambda 0.1 for the toys",
        "config:n_critic": "gan_toy.py: 5 critic iterations",
        "batch_size": "gan_toy.py: 256",
        "steps": "gan_toy.py: 100,000 generator iterations",
        "learning_rate": "gan_toy.py: Adam 1e-4, beta_1 0.5, beta_2 0.9 (the model's default betas)",
    },
    steps=100_000,
    batch_size=256,
    width=32,
    latent_dim=2,
    learning_rate=1e-4,
    lr_schedule="constant",
    config=("gp_weight=0.1", "n_critic=5"),
)

_add(
    "wgan_gp",
    "points",
    "zoo",
    "this project's 2-D probes (docs/results, probes w2-w5), on gan_toy.py's critic settings",
    {
        "width": "16 (3 x 256 units): the probes' size, a quarter of gan_toy.py's 512 at a 10-minute budget",
        "latent_dim": "gan_toy.py: z of size 2",
        "config:gp_weight": "gan_toy.py: lambda 0.1 for the toys",
        "batch_size": "128: twice as many steps as gan_toy.py's 256 in the same time",
        "steps": "16,000: the high-quality share grew 61 -> 84 -> 89% on the ring at 8k, 16k and 32k steps",
        "learning_rate": "5e-4 (betas 0.5, 0.9): five times gan_toy.py's 1e-4 for a run 6x shorter",
        "lr_schedule": "linear decay to 1%: the samples settle onto the modes at the end",
        "config:ema_decay": "0.999: samples from a moving average of G",
    },
    steps=16_000,
    batch_size=128,
    width=16,
    latent_dim=2,
    learning_rate=5e-4,
    lr_schedule="linear",
    config=("ema_decay=0.999", "gp_weight=0.1"),
)


# -- 28x28 grey images -------------------------------------------------------------------------

_DCGAN = "DCGAN (Radford et al. 2016): Adam 2e-4, beta_1 0.5"
_LUCIC = "Lucic et al. 2018 (google/compare_gan): MNIST for 15,625 steps at batch 64"

_add(
    "gan",
    "mnist",
    "zoo",
    "this project's runs (README, MNIST table)",
    {
        "batch_size": f"64, {_LUCIC}: twice the updates per epoch of batch 128 for the same images",
        "epochs": "40 (37,520 steps, about 30 min on 2 quiet cores): 2.4x Lucic's length; the results row was "
        "best after 13k steps and worse after (docs/results)",
        "learning_rate": _DCGAN,
        "lr_schedule": "linear decay to 1%: the last iterates settle instead of orbiting (PacGAN-, BigGAN-style)",
        "config:ema_decay": "0.999: samples from a moving average of G (Karras et al. 2018; Yazici et al. 2019)",
        "width": "32: the default DCGAN nets (filters 32, 64); width 48 costs 2x a step here",
        "eval_every": "2: a point of the time-to-quality curve every 1,876 steps",
    },
    batch_size=64,
    epochs=40,
    width=32,
    eval_every=2,
    learning_rate=2e-4,
    lr_schedule="linear",
    config=("ema_decay=0.999",),
)
_add(
    "gan",
    "mnist",
    "paper",
    f"{_DCGAN}; {_LUCIC}",
    {
        "learning_rate": _DCGAN,
        "batch_size": _LUCIC,
        "epochs": f"17 (15,946 steps at batch 64): {_LUCIC}",
    },
    batch_size=64,
    epochs=17,
    learning_rate=2e-4,
    lr_schedule="constant",
)

_add(
    "wgan_gp",
    "mnist",
    "zoo",
    "this project's runs (docs/results), on the paper's critic settings",
    {
        "batch_size": "gan_mnist.py: 50",
        "config:n_critic": "gan_mnist.py: 5 critic iterations per generator iteration",
        "config:gp_weight": "gan_mnist.py: lambda 10",
        "learning_rate": "2e-4, twice gan_mnist.py's 1e-4 (betas 0.5, 0.9 kept): the run is 19,200 steps, not 200,000",
        "lr_schedule": "linear decay to 1%: the last iterates settle instead of orbiting",
        "config:ema_decay": "0.999: samples from a moving average of G (Yazici et al. 2019)",
        "epochs": "16 (19,200 generator steps, above Lucic et al.'s 15,625): 119.7 min in the results run, "
        "184-289 ms a step alone on the two machines measured",
        "eval_every": "1: a point of the time-to-quality curve every 1,200 steps",
    },
    batch_size=50,
    epochs=16,
    eval_every=1,
    learning_rate=2e-4,
    lr_schedule="linear",
    config=("ema_decay=0.999", "gp_weight=10.0", "n_critic=5"),
)
_add(
    "wgan_gp",
    "mnist",
    "paper",
    "Gulrajani et al. 2017, igul222/improved_wgan_training gan_mnist.py",
    {
        "batch_size": "gan_mnist.py: 50",
        "epochs": "gan_mnist.py: 200,000 generator iterations (167 epochs of 1,200 steps)",
        "config:n_critic": "gan_mnist.py: 5 critic iterations per generator iteration",
        "config:gp_weight": "gan_mnist.py: lambda 10",
        "learning_rate": "gan_mnist.py: Adam 1e-4, beta_1 0.5, beta_2 0.9 (the model's default betas)",
    },
    batch_size=50,
    epochs=167,
    learning_rate=1e-4,
    lr_schedule="constant",
    config=("gp_weight=10.0", "n_critic=5"),
)


# -- 32x32 colour images -----------------------------------------------------------------------

_GAN_CIFAR = "Gulrajani et al. 2017, igul222/improved_wgan_training gan_cifar.py"
_CIFAR_EPOCHS = "200,000 generator iterations at batch 64 (256 epochs of 50,000 images, 781 steps each)"

_add(
    "gan",
    "cifar10",
    "paper",
    f"{_DCGAN}; {_GAN_CIFAR} (its dcgan mode)",
    {
        "config:nets": "gan_cifar.py: DCGAN nets, three stride-2 stages to a 4x4 map (the zoo's DCGAN family at 32x32)",
        "width": "gan_cifar.py: DIM 128 (channels 128, 256, 512); its comment: 'you're probably better off with 64'",
        "latent_dim": "gan_cifar.py: z of size 128",
        "batch_size": "gan_cifar.py: 64",
        "epochs": f"gan_cifar.py: {_CIFAR_EPOCHS}",
        "learning_rate": "gan_cifar.py (dcgan mode): Adam 2e-4, beta_1 0.5",
    },
    batch_size=64,
    epochs=256,
    width=128,
    latent_dim=128,
    learning_rate=2e-4,
    lr_schedule="constant",
    config=('nets="dcgan"',),
)
_add(
    "wgan_gp",
    "cifar10",
    "paper",
    _GAN_CIFAR,
    {
        "config:nets": "gan_cifar.py: DCGAN nets, three stride-2 stages to a 4x4 map (the zoo's DCGAN family at 32x32)",
        "width": "gan_cifar.py: DIM 128 (channels 128, 256, 512)",
        "latent_dim": "gan_cifar.py: z of size 128",
        "config:gp_weight": "gan_cifar.py: LAMBDA 10",
        "config:n_critic": "gan_cifar.py: CRITIC_ITERS 5 (each on a new batch there, on the same batch here)",
        "batch_size": "gan_cifar.py: 64",
        "epochs": f"gan_cifar.py: {_CIFAR_EPOCHS}",
        "learning_rate": "gan_cifar.py: Adam 1e-4, beta_1 0.5, beta_2 0.9 (the model's default betas)",
    },
    batch_size=64,
    epochs=256,
    width=128,
    latent_dim=128,
    learning_rate=1e-4,
    lr_schedule="constant",
    config=("gp_weight=10.0", "n_critic=5", 'nets="dcgan"'),
)


_add(
    "gan",
    "cifar10",
    "zoo",
    f"this project's CIFAR-10 run (docs/results/cifar10), on {_GAN_CIFAR}'s DCGAN settings",
    {
        "config:nets": "gan_cifar.py's DCGAN nets: three stride-2 stages to a 4x4 map",
        "width": "64 (channels 64, 128, 256): gan_cifar.py's own advice over its DIM 128, at a quarter of the FLOPs",
        "latent_dim": "gan_cifar.py: z of size 128",
        "batch_size": "gan_cifar.py: 64",
        "learning_rate": _DCGAN,
        "lr_schedule": "linear decay to 1%: the last iterates settle instead of orbiting",
        "config:ema_decay": "0.999: samples from a moving average of G (Yazici et al. 2019)",
        "jit_compile": "off: this step ran 2.3x slower under XLA on 2 CPU cores (465 vs 198 ms, measured together)",
        "epochs": "24 (18,768 steps, above Lucic et al.'s 15,625 for MNIST): what fit the time left for the results "
        "run on 2 CPU cores, evaluation included",
        "eval_every": "3: a point of the time-to-quality curve every 2,346 steps",
    },
    batch_size=64,
    epochs=24,
    eval_every=3,
    width=64,
    latent_dim=128,
    learning_rate=2e-4,
    lr_schedule="linear",
    jit_compile=False,
    config=("ema_decay=0.999", 'nets="dcgan"'),
)
_add(
    "vae",
    "mnist",
    "zoo",
    "this project's MNIST run (docs/results, MNIST table)",
    {
        "binarize": "dynamic: a fresh Bernoulli draw of every image each epoch, the protocol of the IWAE "
        "paper's and pythae's bounds (and a regularizer against overfitting)",
        "latent_dim": "32: ample for MNIST; a diagonal Gaussian leaves unused dimensions at the prior",
        "width": "32 (filters 32, 64; dense 256): width 64 costs 2x a step, and its decoder's dense layer "
        "alone (512 x 6,272 weights, 12.8 MB) would break the 5 MB file limit of saved_models/",
        "batch_size": "128",
        "learning_rate": "Adam 1e-3, the model's default",
        "lr_schedule": "linear decay to 1%: the bound keeps falling while the rate shrinks",
        "epochs": "120 (56,280 steps): about an hour on 2 quiet CPU cores, the quality issue's VAE budget",
        "eval_every": "10: classifier figures of the samples every 4,690 steps (cheap beside an epoch)",
    },
    batch_size=128,
    epochs=120,
    eval_every=10,
    width=32,
    latent_dim=32,
    binarize="dynamic",
    learning_rate=1e-3,
    lr_schedule="linear",
)
_add(
    "cvae",
    "mnist",
    "zoo",
    "this project's MNIST run (docs/results, MNIST table): the VAE's recipe at the quality issue's 30 minutes",
    {
        "binarize": "dynamic, as the VAE's recipe: a fresh Bernoulli draw of every image each epoch",
        "latent_dim": "32, as the VAE",
        "width": "32 (filters 32, 64), as the VAE: small enough for saved_models/",
        "batch_size": "128",
        "learning_rate": "Adam 1e-3, the model's default",
        "lr_schedule": "linear decay to 1%",
        "epochs": "60 (28,140 steps): about 30 minutes on 2 quiet cores, the issue's cVAE budget",
        "eval_every": "10: the classifier checks the requested class every 4,690 steps",
    },
    batch_size=128,
    epochs=60,
    eval_every=10,
    width=32,
    latent_dim=32,
    binarize="dynamic",
    learning_rate=1e-3,
    lr_schedule="linear",
)
_add(
    "aae",
    "mnist",
    "zoo",
    "this project's MNIST run (docs/results, MNIST table); Makhzani et al. 2016 for the code size",
    {
        "latent_dim": "8: the AAE paper's MNIST code (a discriminator on 8 numbers has little to match)",
        "width": "32 (filters 32, 64): the default DCGAN encoder and decoder",
        "batch_size": "128",
        "learning_rate": "Adam 1e-3 for both players, the model's default (beta_1 0.5 for the discriminator)",
        "lr_schedule": "linear decay to 1%: the adversarial game on the codes settles at the end",
        "epochs": "50 (23,450 steps): about 30 minutes on 2 quiet cores, the issue's AAE budget",
        "eval_every": "5: a point of the time-to-quality curve every 2,345 steps",
    },
    batch_size=128,
    epochs=50,
    eval_every=5,
    width=32,
    latent_dim=8,
    learning_rate=1e-3,
    lr_schedule="linear",
)
_add(
    "vae",
    "cifar10",
    "zoo",
    "this project's CIFAR-10 run (docs/results/cifar10)",
    {
        "config:likelihood": "a discretized logistic per sub-pixel (PixelCNN++'s, one component): a true "
        "probability of 8-bit values, so the bound is in bits per dimension",
        "latent_dim": "128: 32x32x3 images hold far more than MNIST's 32",
        "width": "64 (channels 64, 128, 256), the GAN's width",
        "batch_size": "64",
        "learning_rate": "Adam 1e-3, the model's default",
        "lr_schedule": "linear decay to 1%",
        "epochs": "20 (15,640 steps): about an hour on 2 CPU cores",
        "eval_every": "0: the likelihood is the VAE's figure; its samples are scored after the run",
    },
    batch_size=64,
    epochs=20,
    eval_every=0,
    width=64,
    latent_dim=128,
    learning_rate=1e-3,
    lr_schedule="linear",
    config=('likelihood="logistic"',),
)


# -- lookup ----------------------------------------------------------------------------------


def family_of(kind, shape, source):
    """The recipe family of a dataset (``zoo.data.info``'s kind, shape and source), or None."""
    if kind == "points":
        return "points"
    if kind == "image" and tuple(shape) == (28, 28, 1) and source != "embedded":
        return "mnist"
    if kind == "image" and tuple(shape) == (32, 32, 3):
        return "cifar10"
    return None


def find(model, family, name=DEFAULT_NAME):
    """The recipe, or None for ``"none"`` and for a default ``"zoo"`` that does not exist.

    Raises:
        ValueError: an unknown name, or a ``"paper"`` recipe asked for that does not exist.
    """
    if name not in NAMES:
        raise ValueError(f"unknown recipe {name!r}; expected one of {', '.join(NAMES)}")
    if name == "none":
        return None
    recipe = _RECIPES.get((model, family, name))
    if recipe is None and name != DEFAULT_NAME:
        have = sorted({n for m, f, n in _RECIPES if m == model and f == family})
        raise ValueError(
            f"no {name!r} recipe for {model} on {family or 'this dataset'}"
            + (f"; recipes there: {', '.join(have)}" if have else "; none there: use --recipe none")
        )
    return recipe


def merge(defaults, recipe, given):
    """The settings of a run: ``defaults``, then the recipe's, then the ``given`` ones (not None).

    ``config`` and ``optimizer`` items merge by key (a given item replaces the recipe's item of
    the same key, the recipe's other items stay); every other setting is replaced whole.
    """
    merged = dict(defaults)
    layers = [recipe.settings if recipe else {}, {k: v for k, v in given.items() if v is not None}]
    for layer in layers:
        for key, value in layer.items():
            if key in ("config", "optimizer"):
                items = {item.split("=", 1)[0].strip(): item for item in merged.get(key, ())}
                items.update({item.split("=", 1)[0].strip(): item for item in value})
                merged[key] = tuple(sorted(items.values()))
            else:
                merged[key] = value
    return merged


def all_recipes():
    """Every recipe, by (family, model, name)."""
    return [_RECIPES[k] for k in sorted(_RECIPES, key=lambda k: (k[1], k[0], NAMES.index(k[2])))]


def recipes_markdown():
    """The recipe table of the results pages: one section per family, one row per setting of each
    recipe, with its reason and source (``Recipe.reasons``)."""
    lines = [
        "# Training recipes (`zoo.recipes`)",
        "",
        "Generated by `python -m tools.recipes --out docs/recipes.md` from `zoo/recipes.py`; a test checks that "
        "this page is what the code holds. `python -m tools.train` and `python -m tools.toy2d` use a model's "
        "`zoo` recipe for the data family when no `--recipe` is given, `--recipe paper` the original one, "
        "`--recipe none` the model's built-in defaults; every flag overrides the recipe, and the run's "
        "`config.json` (a 2-D result's JSON) records every setting. The embedded `mnist_sample` has no "
        "recipe: the main job keeps its defaults.",
    ]
    titles = {
        "mnist": "28x28 grey images (MNIST, Fashion-MNIST, ...)",
        "cifar10": "32x32 colour images (CIFAR-10, a folder of photos at 32x32, ...)",
        "points": "2-D points (ring8, grid25, ...)",
    }
    for family in FAMILIES:
        chosen = [r for r in all_recipes() if r.family == family]
        lines += ["", f"## {titles[family]}", ""]
        if not chosen:
            lines.append("No recipe yet.")
            continue
        lines += ["| model | recipe | setting | value | reason, source |", "|---|---|---|---|---|"]
        for r in chosen:
            for key, value in r.settings.items():
                if key in ("config", "optimizer"):
                    for item in value:
                        field = item.split("=", 1)[0].rpartition(".")[2]
                        reason = r.reasons.get(f"{key}:{field}", "")
                        lines.append(f"| {r.model} | {r.name} | {key} | `{item}` | {reason} |")
                else:
                    lines.append(f"| {r.model} | {r.name} | {key} | `{value}` | {r.reasons.get(key, '')} |")
            lines.append(f"| {r.model} | {r.name} | source | | {r.source} |")
    return "\n".join(lines) + "\n"
