"""A run's optimizers: the model's defaults (``make_optimizers``), then the recipe's or the user's
settings for each player (``"g_optimizer.learning_rate=1e-4"``, ``"d_optimizer.beta_1=0.5"``; a
bare ``"beta_2=0.99"`` applies to every player), then a learning-rate schedule.

Schedules (``LR_SCHEDULES``): ``"constant"``, or ``"linear"``: every player's rate decays linearly
to 1% of itself over the run, each optimizer counting its own updates (a critic makes ``n_critic``
per generator step), the schedule of BigGAN-style and PacGAN-style runs that ends on small steps.
"""

import json

import keras

from zoo.options import LR_SCHEDULES, split_setting

END_FRACTION = 0.01  # the linear schedule ends at 1% of the rate


def check_optimizer_items(items, optimizer_names):
    """``items`` ("[optimizer.]field=value", the value JSON or a bare string) checked and normalized
    (the value as JSON), sorted.

    Raises:
        ValueError: no ``=``, or an optimizer that is not among ``optimizer_names``.
    """
    checked = []
    for item in items:
        parts = split_setting(item)
        if parts is None:
            raise ValueError(
                f"optimizer setting {item!r}: expected [OPTIMIZER.]FIELD=VALUE, e.g. d_optimizer.beta_1=0.5"
            )
        key, target, _, value = parts
        if target and target not in optimizer_names:
            raise ValueError(
                f"optimizer setting {item!r}: this model's optimizers are {', '.join(optimizer_names)}, not {target!r}"
            )
        checked.append(f"{key}={json.dumps(value)}")
    return sorted(checked)


def build_optimizers(model, learning_rate=None, settings=(), schedule="constant", steps=None):
    """The optimizers of ``model`` (``optimizer_names`` order) for a run of ``steps`` train steps.

    Args:
        model: a compiled-or-not ``GenerativeModel``.
        learning_rate: overrides every player's default rate (before ``settings``).
        settings: ``check_optimizer_items`` items; an unknown field of an optimizer is a ValueError.
        schedule: one of ``LR_SCHEDULES``.
        steps: the run's train steps (needed by ``"linear"``).

    Raises:
        ValueError: an unknown schedule or optimizer field, or ``"linear"`` without ``steps``.
    """
    if schedule not in LR_SCHEDULES:
        raise ValueError(f"unknown learning-rate schedule {schedule!r}; expected one of {', '.join(LR_SCHEDULES)}")
    names = model.optimizer_names
    items = check_optimizer_items(settings, names)
    optimizers = []
    for name, optimizer, updates in zip(names, model.make_optimizers(learning_rate), model.updates_per_step):
        config = optimizer.get_config()
        for item in sorted(items, key=lambda i: "." in i.split("=", 1)[0]):  # one player's items after all's
            key, value = item.split("=", 1)
            target, _, field = key.rpartition(".")
            if target not in ("", name):
                continue
            if field not in config:
                raise ValueError(
                    f"optimizer setting {item!r}: {type(optimizer).__name__} has no field {field!r} "
                    f"(its fields: {', '.join(sorted(k for k in config if k != 'name'))})"
                )
            config[field] = json.loads(value)
        if schedule == "linear":
            if not steps:
                raise ValueError("the linear learning-rate schedule needs the run's number of steps")
            rate = float(config["learning_rate"])
            config["learning_rate"] = keras.optimizers.schedules.PolynomialDecay(
                rate, steps * updates, end_learning_rate=END_FRACTION * rate
            )
        optimizers.append(type(optimizer).from_config(config))
    return optimizers


def describe(optimizer):
    """An optimizer's settings as JSON data (its class and ``get_config``, a schedule serialized)."""
    return {"class": type(optimizer).__name__, **json.loads(json.dumps(optimizer.get_config(), default=_jsonable))}


def _jsonable(value):
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
        return keras.saving.serialize_keras_object(value)
    return float(value) if hasattr(value, "__float__") else str(value)
