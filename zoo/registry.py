"""The model registry: a plain dict from name to model class, filled by a decorator.

Every registered class provides ``from_shape(input_shape, **overrides)``, which builds its
default networks for that data shape (conv nets for images, MLPs for flat or 2-D inputs) and
applies ``overrides`` to its config dataclass.
"""

_MODELS = {}


def register_model(name):
    """Class decorator: make a model class available as ``get_model(name)``.

    Args:
        name: the registry key (also the default export name), e.g. ``"vae"``.

    Returns:
        The decorator; it returns the class unchanged.
    """

    def decorator(cls):
        if name in _MODELS and _MODELS[name] is not cls:
            raise ValueError(f"model name {name!r} is already registered to {_MODELS[name].__name__}")
        if not hasattr(cls, "from_shape"):
            raise TypeError(f"{cls.__name__} must define a from_shape(input_shape, **overrides) classmethod")
        cls.registry_name = name
        _MODELS[name] = cls
        return cls

    return decorator


def list_models():
    """Names of all registered models, sorted."""
    return sorted(_MODELS)


def get_model_class(name):
    """The class registered under ``name``; raises ValueError listing the known names."""
    try:
        return _MODELS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown model {name!r}; known: {', '.join(list_models())}") from None


def get_model(name, input_shape=(28, 28, 1), **overrides):
    """Build a registered model with its default networks for ``input_shape``.

    Args:
        name: registry key, one of ``list_models()``.
        input_shape: shape of one example without the batch axis: ``(height, width, channels)``
            for images, ``(dim,)`` for flat or 2-D points.
        **overrides: fields of the model's config dataclass (e.g. ``latent_dim=2``, ``beta=4.0``).

    Returns:
        An uncompiled ``keras.Model``.

    Raises:
        ValueError: unknown name, or an override that is not a config field.
    """
    return get_model_class(name).from_shape(tuple(int(d) for d in input_shape), **overrides)
