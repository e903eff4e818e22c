"""The theory guide's figures, drawn from the zoo's own functions (``python -m tools.figures``); in the
training layer, because its slow stage trains models.

The ``train_*`` functions are the slow stage: they train what the figures need (a clipped WGAN
and a WGAN-GP on the 2-D ring for their critics' weight histograms, the VAE with beta = 0 and 1,
a VAE with a 2-D code, every unconditional model on the ring for its samples) and keep small data
files, committed. ``draw_all`` is the quick one: deterministic PNGs from ``zoo.divergences``,
``zoo.losses``, the shipped ONNX generators and those files.
"""

import json
import math
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from zoo.errors import BadInput
from zoo.fileio import atomic_write_bytes, atomic_write_json

CRITIC_DATA = "critic_weights.json"
BETA_DATA = "vae_beta.json"  # and vae_beta<b>-samples.png beside it
LATENT2D_DATA = "vae_latent2d.json"  # and vae_latent2d-manifold.png beside it
TOY_DATA = "toy_samples.json"
# The 2-D samples figure: every unconditional model, and the VAE without its KL term too.
TOY_RUNS = (("gan", ()), ("wgan", ()), ("wgan_gp", ()), ("vgan", ()), ("aae", ()), ("ali", ()),
            ("vae", ("beta=1",)), ("vae", ("beta=0",)))  # fmt: skip
TOY_POINTS = 1000
MANIFOLD_SIDE = 15  # the decoded manifold: a 15 x 15 grid of codes
BETAS = (0, 1)
CRITIC_MODELS = ("wgan", "wgan_gp")
BINS = 60
# PNG metadata without the matplotlib version: the same figure gives the same bytes.
_PNG_METADATA = {"Software": None}


def critic_kernel_weights(model):
    """Every kernel weight of a trained model's critic (biases left out), as one float64 vector."""
    kernels = [np.asarray(w).ravel() for w in model.discriminator.trainable_weights if len(w.shape) >= 2]
    return np.concatenate(kernels).astype(np.float64)


RING_BATCH = 256
RING_PER_EPOCH = math.ceil(100_000 / RING_BATCH)  # one pass over ring8's 100,000 training points


def _ring_epochs(steps):
    """Whole passes over the ring that hold about ``steps`` generator steps (at least one)."""
    return max(1, round(steps / RING_PER_EPOCH))


def _ring_spec(name, out, steps, config):
    """The train stage's run of model ``name`` on the 2-D ring: about ``steps`` generator steps
    (whole passes at batch 256), networks of width 16, a 2-D code, no XLA, no evaluation."""
    from zoo.training.run import RunSpec

    return RunSpec(
        model=name,
        dataset="ring8",
        out=out,
        epochs=_ring_epochs(steps),
        batch_size=RING_BATCH,
        width=16,
        latent_dim=2,
        jit_compile=False,
        validate=False,
        eval_every=0,
        samples=16,
        config=tuple(config),
    )


def train_critics(data_dir, steps=3000, log=print):
    """Train a clipped WGAN and a WGAN-GP (2-D ring, the models' default settings and networks of
    width 16, 5 critic steps per generator step) for about ``steps`` generator steps each (whole
    passes over the 100,000 training points at batch 256, 391 steps each), and write the
    histograms of their critics' kernel weights to ``data_dir/critic_weights.json``.

    Returns:
        The JSON file's path.
    """
    import keras

    from zoo.runs import HISTORY_FILE, MODEL_FILE
    from zoo.training.run import train

    data = {"dataset": "ring8", "command": f"python -m tools.figures --stage train --steps {steps}"}
    with tempfile.TemporaryDirectory() as tmp:
        for name in CRITIC_MODELS:
            spec = _ring_spec(name, f"{tmp}/{name}", steps, ("n_critic=5",))
            log(f"training the {name} critic: {spec.epochs} epochs of {RING_PER_EPOCH} generator steps")
            train(spec, verbose=0)
            data["steps"] = int(json.loads((Path(spec.out) / HISTORY_FILE).read_text())["steps"][-1])
            model = keras.saving.load_model(Path(spec.out) / MODEL_FILE)
            weights = critic_kernel_weights(model)
            counts, edges = np.histogram(weights, bins=BINS)
            entry = {
                "num_weights": int(weights.size),
                "counts": counts.tolist(),
                "edges": [float(e) for e in edges],
                "max_abs": float(np.abs(weights).max()),
            }
            clip = getattr(model.config, "clip_value", None)
            if clip is not None:
                entry["clip_value"] = float(clip)
                entry["share_within_1pct_of_clip"] = float(np.mean(np.abs(weights) >= 0.99 * clip))
            data[name] = entry
    path = Path(data_dir) / CRITIC_DATA
    atomic_write_json(path, data)
    return path


def train_vae_betas(data_dir, epochs=10, log=print):
    """Train the main job's VAE (embedded MNIST sample) with beta = 0 and beta = 1 for ``epochs``
    epochs each; keep each one's last grid of samples from the prior and its test figures.

    Returns:
        The JSON file's path.
    """
    import shutil

    from zoo.runs import TEST_METRICS_FILE
    from zoo.training.run import RunSpec, train

    data_dir = Path(data_dir)
    data = {"dataset": "mnist_sample", "epochs": epochs, "command": "python -m tools.train --model vae "
            f"--set beta=B --epochs {epochs} --eval-every 0 (B = 0, 1)"}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for beta in BETAS:
            spec = RunSpec(model="vae", out=f"{tmp}/beta{beta}", epochs=epochs, eval_every=0, config=(f"beta={beta}",))
            log(f"training the VAE with beta = {beta}: {epochs} epochs")
            train(spec, verbose=0)
            data_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(
                Path(spec.out) / "samples" / f"epoch_{epochs:04d}.png", data_dir / f"vae_beta{beta}-samples.png"
            )
            data[f"beta{beta}"] = json.loads((Path(spec.out) / TEST_METRICS_FILE).read_text())
    path = data_dir / BETA_DATA
    atomic_write_json(path, data)
    return path


def train_vae_2d(data_dir, epochs=20, log=print):
    """Train the main job's VAE with a 2-D code (embedded MNIST sample) and keep what the figure
    needs: the posterior means of the 1,000 test digits with their labels, and the decoder's
    outputs on a grid of codes at the normal's quantiles (a PNG).

    Returns:
        The JSON file's path.
    """
    from statistics import NormalDist

    from zoo import data as zoo_data
    from zoo.fileio import atomic_write_bytes
    from zoo.pictures import image_grid, png_bytes
    from zoo.runs import TEST_METRICS_FILE, load_run_model
    from zoo.training.run import RunSpec, train

    data_dir = Path(data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        spec = RunSpec(model="vae", out=f"{tmp}/vae2d", epochs=epochs, latent_dim=2, eval_every=0)
        log(f"training the VAE with a 2-D code: {epochs} epochs")
        train(spec, verbose=0)
        model = load_run_model(spec.out)
        test = json.loads((Path(spec.out) / TEST_METRICS_FILE).read_text())
    x, y = (np.concatenate(parts) for parts in zip(*zoo_data.load("mnist_sample", "test", 500, shuffle=False)))
    mean, _ = model.encode_outputs(x)
    side = np.asarray([NormalDist().inv_cdf(q) for q in np.linspace(0.04, 0.96, MANIFOLD_SIDE)], dtype=np.float32)
    codes = np.stack(np.meshgrid(side, side[::-1]), axis=-1).reshape(-1, 2)  # rows top to bottom: z2 falls
    decoded = np.asarray(model.generate(codes))
    data_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(data_dir / "vae_latent2d-manifold.png", png_bytes(image_grid(decoded, columns=MANIFOLD_SIDE)))
    data = {
        "dataset": "mnist_sample",
        "epochs": epochs,
        "command": f"python -m tools.train --model vae --latent-dim 2 --epochs {epochs} --eval-every 0",
        "test": test,
        "codes": np.round(np.asarray(mean), 4).tolist(),
        "labels": np.asarray(y).astype(int).tolist(),
        "manifold_quantiles": [0.04, 0.96],
    }
    path = data_dir / LATENT2D_DATA
    atomic_write_json(path, data)
    return path


def train_toy_samples(data_dir, steps=3000, log=print):
    """Train every unconditional model (and the VAE with beta = 0) on the 2-D ring with the models'
    default settings, networks of width 16 and a 2-D code, for about ``steps`` generator steps each
    (whole passes over ring8's 100,000 points at batch 256); keep 1,000 samples of each and their
    mode coverage (``zoo.evaluation.metrics.mode_coverage``, the 2-D benchmark's protocol).

    Returns:
        The JSON file's path.
    """
    from zoo.data.toy import toy_modes
    from zoo.evaluation.metrics import mode_coverage
    from zoo.runs import load_run_model
    from zoo.training.run import train

    means, sigma = toy_modes("ring8")
    epochs = _ring_epochs(steps)
    data = {
        "dataset": "ring8",
        "command": f"python -m tools.figures --stage train --steps {steps}",
        "settings": f"tools.train --dataset ring8 --epochs {epochs} --batch-size {RING_BATCH} --width 16 "
        "--latent-dim 2 --no-jit, the models' defaults otherwise",
        "runs": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, config) in enumerate(TOY_RUNS):
            spec = _ring_spec(name, f"{tmp}/run{i}", steps, config)
            log(f"training the {name} {' '.join(config)} on ring8: {epochs} epochs of {RING_PER_EPOCH} steps")
            train(spec, verbose=0)
            points = np.asarray(load_run_model(spec.out).sample(TOY_POINTS, seed=0), dtype=np.float64)
            coverage = mode_coverage(points, means, sigma)
            data["runs"].append(
                {
                    "model": name,
                    "config": list(config),
                    "modes": int(coverage["modes"]),
                    "num_modes": int(coverage["num_modes"]),
                    "high_quality": float(coverage["high_quality"]),
                    "points": np.round(points, 3).tolist(),
                }
            )
    path = Path(data_dir) / TOY_DATA
    atomic_write_json(path, data)
    return path


def toy_samples(path, data):
    """A scatter of each model's 1,000 samples over the ring's 8 modes."""
    from zoo.data.toy import toy_modes

    means, _ = toy_modes("ring8")
    runs = data["runs"]
    columns = 4
    fig, axes = plt.subplots(math.ceil(len(runs) / columns), columns, figsize=(9.6, 5.0))
    for ax, run in zip(axes.ravel(), runs):
        points = np.asarray(run["points"], dtype=np.float64)
        ax.scatter(means[:, 0], means[:, 1], s=60, facecolors="none", edgecolors="tab:green", lw=1)
        ax.scatter(points[:, 0], points[:, 1], s=2, color="tab:blue", alpha=0.5)
        label = run["model"] + (f" ({', '.join(run['config'])})" if run["config"] else "")
        ax.set_title(
            f"{label}: {run['modes']}/{run['num_modes']} modes, {100 * run['high_quality']:.0f}% HQ", fontsize=8
        )
        ax.set_xlim(-1.6, 1.6)
        ax.set_ylim(-1.6, 1.6)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.ravel()[len(runs) :]:
        ax.axis("off")
    fig.suptitle("1,000 samples of each model on the 2-D ring (green circles: the 8 modes)", fontsize=9)
    return _save(fig, path)


def vae_latent2d(path, data, data_dir):
    """The 2-D VAE's posterior means coloured by digit, beside its decoded manifold."""
    from PIL import Image

    codes, labels = np.asarray(data["codes"]), np.asarray(data["labels"])
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 4.4))
    scatter = axes[0].scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=6, vmin=-0.5, vmax=9.5)
    fig.colorbar(scatter, ax=axes[0], ticks=range(10), label="digit")
    axes[0].set_xlabel("$\\mu_1$")
    axes[0].set_ylabel("$\\mu_2$")
    axes[0].set_title(f"posterior means of {len(labels):,} test digits", fontsize=9)
    with Image.open(Path(data_dir) / "vae_latent2d-manifold.png") as picture:
        axes[1].imshow(np.asarray(picture.convert("L")), cmap="gray", vmin=0, vmax=255)
    lo, hi = data["manifold_quantiles"]
    axes[1].set_title(f"decoder on a grid of z (normal quantiles {lo} to {hi})", fontsize=9)
    axes[1].axis("off")
    fig.suptitle(
        f"A VAE with a 2-D code, {data['epochs']} epochs of the MNIST sample "
        f"(test -ELBO {data['test']['loss']:.1f} nats): neighbouring codes decode to similar digits",
        fontsize=9,
    )
    return _save(fig, path)


def interpolations(path, names=("wgan_gp", "cgan"), steps=10, seed=3):
    """Straight lines between two codes through the shipped generators (ONNX Runtime, one thread:
    the same bytes every time); the cGAN's rows keep the code line and change only the digit."""
    from export.runtime import OnnxGenerator

    rows, titles = [], []
    for name in names:
        generator = OnnxGenerator(name, intra_op_num_threads=1)
        z = np.random.default_rng(seed).standard_normal((2, generator.latent_dim)).astype(np.float32)
        t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
        line = (1 - t) * z[0] + t * z[1]
        for label in (3, 8) if generator.is_conditional else (None,):
            labels = None if label is None else np.full(steps, label, np.int32)
            rows.append(generator.generate(line, labels) if labels is not None else generator.generate(line))
            titles.append(f"{name} version {generator.version}" + ("" if label is None else f", digit {label}"))
    fig, axes = plt.subplots(len(rows), 1, figsize=(8.0, 1.05 * len(rows)))
    for ax, images, title in zip(axes, rows, titles):
        ax.imshow(np.concatenate(list(images[..., 0]), axis=1), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8, loc="left")
        ax.axis("off")
    fig.suptitle(
        "z = (1 - t) z1 + t z2, t from 0 to 1: the shipped generators change smoothly along a line", fontsize=9
    )
    return _save(fig, path)


def vae_betas(path, data, data_dir):
    """The two VAEs' samples from the prior side by side, with their test figures."""
    from PIL import Image

    fig, axes = plt.subplots(1, 2, figsize=(7.0, 3.9))
    for ax, beta in zip(axes, BETAS):
        with Image.open(Path(data_dir) / f"vae_beta{beta}-samples.png") as picture:
            ax.imshow(np.asarray(picture.convert("L")), cmap="gray", vmin=0, vmax=255)
        m = data[f"beta{beta}"]
        ax.set_title(
            f"beta = {beta}: samples from N(0, I) after {data['epochs']} epochs\n"
            f"test reconstruction {m['reconstruction_loss']:.1f} nats, KL {m['kl_loss']:.1f} nats",
            fontsize=9,
        )
        ax.axis("off")
    return _save(fig, path)


def _save(fig, path):
    import io

    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata=_PNG_METADATA)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def divergences_vs_shift(path):
    """KL, JS and W1 between a uniform block of width 0.5 and the same block shifted by theta."""
    from zoo.divergences import js_divergence, kl_divergence

    step = 0.01
    grid = np.arange(-3.0, 3.0 + step / 2, step)
    width = 0.5

    def block(shift):
        mass = ((grid >= shift - 1e-9) & (grid < shift + width - 1e-9)).astype(np.float64)
        return mass / mass.sum()

    p = block(0.0)
    shifts = np.round(np.arange(-2.0, 2.0 + step / 2, 0.02), 4)
    qs = np.stack([block(s) for s in shifts])
    kl = np.asarray(kl_divergence(np.broadcast_to(p, qs.shape), qs), dtype=np.float64)
    js = np.asarray(js_divergence(np.broadcast_to(p, qs.shape), qs), dtype=np.float64)
    w1 = np.abs(np.cumsum(qs - p, axis=-1)).sum(axis=-1) * step  # W1 in 1-D: the area between the CDFs
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(shifts, w1, label=r"$W_1$ (= |shift|)", color="tab:green")
    ax.plot(shifts, js, label="JS (nats)", color="tab:blue")
    finite = np.isfinite(kl)
    ax.plot(shifts[finite], kl[finite], "o", ms=3, label=r"KL$(p\Vert q)$ ($\infty$ elsewhere)", color="tab:red")
    ax.axhline(math.log(2), ls=":", color="gray", lw=1)
    ax.text(-2.0, math.log(2) + 0.05, "log 2", color="gray")
    ax.axvspan(-width, width, color="0.92", zorder=0)
    ax.set_xlabel(r"shift $\theta$ of $q$ against $p$ (uniform blocks of width 0.5)")
    ax.set_ylabel("divergence")
    ax.set_ylim(-0.05, 2.1)
    ax.set_title("Outside the shaded overlap JS is flat at log 2: no gradient; W1 still points home", fontsize=9)
    ax.legend(fontsize=8, loc="upper center")
    return _save(fig, path)


def optimal_discriminator(path):
    """D*(x) = p(x) / (p(x) + p_G(x)) for two 1-D Gaussians, and the value of the game at D*
    against 2 JS - log 4 (JS by ``zoo.divergences.js_divergence`` on the same grid)."""
    from zoo.divergences import js_divergence

    step = 0.005
    x = np.arange(-5.0, 7.0 + step / 2, step)

    def gaussian(mean, std):
        return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))

    p, p_g = gaussian(0.0, 1.0), gaussian(2.0, 0.7)
    d_star = p / (p + p_g)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 log 0 = 0 far in the tails
        value = np.nansum(np.where(p > 0, p * np.log(d_star), 0) + np.where(p_g > 0, p_g * np.log1p(-d_star), 0))
    value *= step
    js = float(js_divergence(p * step / (p * step).sum(), p_g * step / (p_g * step).sum()))
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.fill_between(x, p, color="tab:green", alpha=0.25, label=r"data $\tilde p = \mathcal{N}(0, 1)$")
    ax.fill_between(x, p_g, color="tab:red", alpha=0.25, label=r"generator $p_G = \mathcal{N}(2, 0.7^2)$")
    ax.plot(x, d_star, color="black", label=r"$D^\star = \tilde p / (\tilde p + p_G)$")
    ax.axhline(0.5, ls=":", color="gray", lw=1)
    ax.set_xlim(-4.0, 5.0)
    ax.set_xlabel("x")
    ax.set_ylabel(r"density; $D^\star(x)$")
    ax.set_title(
        rf"At $D^\star$ the game's value is {value:.4f} = 2 JS $-$ log 4 = {2 * js - math.log(4):.4f}", fontsize=9
    )
    ax.legend(fontsize=8, loc="upper right")
    return _save(fig, path)


def generator_gradients(path):
    """The derivative of each generator loss with respect to the logit l of D(G(z)), against D."""
    import tensorflow as tf

    from zoo.losses import minimax_generator_loss, non_saturating_generator_loss

    logits = tf.constant(np.linspace(-9.0, 9.0, 721), dtype=tf.float32)
    n = float(logits.shape[0])
    curves = {}
    for label, loss in (
        ("minimax  log(1 - D)", minimax_generator_loss),
        ("non-saturating  -log D", non_saturating_generator_loss),
    ):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            value = loss(logits[:, None]) * n  # the batch mean's gradient, per example
        curves[label] = np.asarray(tape.gradient(value, logits))
    d = 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for (label, grad), color in zip(curves.items(), ("tab:red", "tab:blue")):
        ax.plot(d, np.abs(grad), label=label, color=color)
    ax.set_xlabel("D(G(z)): the discriminator's belief that a fake is real")
    ax.set_ylabel("|d loss / d logit|")
    ax.set_title("When D rejects the fakes (left), only the non-saturating loss still pushes G", fontsize=9)
    ax.legend(fontsize=8)
    return _save(fig, path)


def critic_weights(path, data):
    """The two critics' weight histograms side by side."""
    fig, axes = plt.subplots(1, 2, figsize=(8.0, 3.2))
    titles = {"wgan": "clipped WGAN critic", "wgan_gp": "WGAN-GP critic"}
    for ax, name in zip(axes, CRITIC_MODELS):
        entry = data[name]
        edges = np.asarray(entry["edges"])
        ax.bar(edges[:-1], entry["counts"], width=np.diff(edges), align="edge", color="tab:gray")
        subtitle = f"{entry['num_weights']:,} kernel weights"
        if "clip_value" in entry:
            subtitle += f"; {100 * entry['share_within_1pct_of_clip']:.0f}% at ±c"
            for sign in (-1, 1):
                ax.axvline(sign * entry["clip_value"], ls=":", color="tab:red")
        ax.set_title(f"{titles[name]}\n{subtitle}", fontsize=9)
        ax.set_xlabel("weight")
    axes[0].set_ylabel("count")
    fig.suptitle(f"2-D ring, {int(data['steps']):,} generator steps each: clipping piles the weights at ±c", fontsize=9)
    return _save(fig, path)


# The three kinds of networks the study note starts from (docs/theory.md, "Orientation"): each row
# a chain of (label, kind) boxes; kind "data", "net", "noise", "op" or "loss" sets the colour.
THREE_NETWORKS = (
    (
        "classifier: x -> p(y | x)\n(GAN discriminator, WGAN critic,\nthe evaluation's domain classifier)",
        [("image x", "data"), ("network", "net"), ("logits", "op"), ("cross-entropy\nwith the label y", "loss")],
    ),
    (
        "implicit generator: z -> x = G(z)\n(GAN, WGAN, WGAN-GP, cGAN):\nsamples, no density",
        [
            ("noise z ~ N(0, I)", "noise"),
            ("generator G", "net"),
            ("sample G(z)", "data"),
            ("judged by a\nclassifier D", "loss"),
        ],
    ),
    (
        "latent-variable model with a\nresampled layer (VAE, cVAE, AAE):\nan encoder, then z = mu + sigma * eps",
        [
            ("image x", "data"),
            ("encoder", "net"),
            ("mu, log sigma^2", "op"),
            ("z = mu + sigma * eps\neps ~ N(0, I)", "noise"),
            ("decoder", "net"),
            ("Bernoulli logits\n-> -log p(x | z)\n+ KL(q(z | x) || N(0, I))", "loss"),
        ],
    ),
)
_BOX_COLOURS = {"data": "#dbe9f6", "net": "#fde3c8", "noise": "#e4f2dc", "op": "#eeeeee", "loss": "#f6d7d7"}


def three_networks(path):
    """The overview diagram: a classifier, an implicit generator and a VAE with its resampled layer."""
    fig, ax = plt.subplots(figsize=(10.0, 3.9))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, len(THREE_NETWORKS) * 1.5)
    ax.axis("off")
    for row, (title, boxes) in enumerate(THREE_NETWORKS):
        y = (len(THREE_NETWORKS) - row - 0.5) * 1.5
        ax.text(0.0, y, title, fontsize=8, va="center", ha="left")
        x0, step = 2.55, 7.45 / len(boxes)
        for i, (label, kind) in enumerate(boxes):
            x = x0 + (i + 0.5) * step
            ax.text(
                x, y, label, fontsize=7.5, ha="center", va="center",
                bbox={"boxstyle": "round,pad=0.35", "facecolor": _BOX_COLOURS[kind], "edgecolor": "0.4"},
            )  # fmt: skip
            if i:
                ax.annotate(
                    "", xy=(x - 0.5 * step + 0.08, y), xytext=(x - 0.5 * step - 0.08, y),
                    arrowprops={"arrowstyle": "->", "color": "0.3"},
                )  # fmt: skip
    ax.set_title("Three kinds of networks: one that judges, one that draws, one that encodes and resamples", fontsize=9)
    return _save(fig, path)


def draw_all(out, data_dir):
    """Every figure into ``out``; returns their paths.

    Raises:
        BadInput: the train stage's data file is missing or unreadable.
    """
    out = Path(out)
    paths = [
        divergences_vs_shift(out / "divergences-vs-shift.png"),
        optimal_discriminator(out / "optimal-discriminator.png"),
        generator_gradients(out / "generator-gradients.png"),
        three_networks(out / "three-networks.png"),
    ]
    paths.append(critic_weights(out / "critic-weights.png", _stage_data(data_dir, CRITIC_DATA)))
    paths.append(vae_betas(out / "vae-beta.png", _stage_data(data_dir, BETA_DATA), data_dir))
    paths.append(vae_latent2d(out / "vae-latent2d.png", _stage_data(data_dir, LATENT2D_DATA), data_dir))
    paths.append(interpolations(out / "interpolations.png"))
    paths.append(toy_samples(out / "toy-samples.png", _stage_data(data_dir, TOY_DATA)))
    return paths


def _stage_data(data_dir, name):
    """The train stage's JSON file ``name`` under ``data_dir``.

    Raises:
        BadInput: it is missing or unreadable.
    """
    path = Path(data_dir) / name
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise BadInput(f"cannot read {path} ({err}): run the train stage first (--stage train)") from None
