"""The exceptions of the export package (standard library only: ``export.runtime`` imports them)."""


class ExportError(ValueError):
    """A model, name, version or file cannot be exported (or read back); nothing was written.

    The message names what was received and what was expected.
    """


class ParityError(ExportError):
    """An exported artifact does not reproduce the Keras model within the tolerance."""


class NotAZooExport(ExportError):
    """A file or directory is not a model exported by this package (missing metadata, wrong tensors)."""


class VersionExists(ExportError):
    """The version to export already exists and overwriting was not asked for."""
