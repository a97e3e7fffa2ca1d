"""The staged pipeline: the stage contract, the default stages, the fitted model, :func:`run`.

Examples
--------
>>> from topiclab.config import RunConfig
>>> from topiclab.pipeline import Pipeline
>>> Pipeline.from_config(RunConfig()).names()
['prepare', 'vectorize', 'embed', 'cluster', 'lda', 'score', 'map', 'sections', 'assemble', 'analyze']
"""

from topiclab.pipeline.base import Pipeline, RunState, Stage, ViewState
from topiclab.pipeline.model import ThemeModel
from topiclab.pipeline.run import load_or_run, run
from topiclab.pipeline.stages import default_stages

__all__ = [
    "Pipeline",
    "RunState",
    "Stage",
    "ThemeModel",
    "ViewState",
    "default_stages",
    "load_or_run",
    "run",
]
