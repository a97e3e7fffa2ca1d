"""The staged pipeline: stages, the fitted model and :func:`run`."""

from topiclab.pipeline.run import (
    display_title,
    fit_lda,
    lda_vocabulary,
    load_or_run,
    run,
    theme_mixture,
)

__all__ = ["display_title", "fit_lda", "lda_vocabulary", "load_or_run", "run", "theme_mixture"]
