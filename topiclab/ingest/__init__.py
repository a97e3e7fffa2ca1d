"""Ingestion: read scraped news files, clean them and segment them into a :class:`Corpus`."""

from __future__ import annotations

import os
from typing import Any

from topiclab.ingest.errors import IngestError

__all__ = ["IngestError", "load"]


def load(
    path: str | os.PathLike[str],
    *,
    text_column: str = "text",
    skip_bad: bool = False,
    progress: bool = False,
    **kwargs: Any,
) -> Any:
    """Read ``path`` (file or folder) and return a cleaned :class:`~topiclab.corpus.Corpus`."""
    import pandas as pd

    from topiclab.corpus import Corpus
    from topiclab.ingest.readers import iter_records

    docs, passages = [], []
    for i, rec in enumerate(iter_records(path, text_column=text_column, skip_bad=skip_bad)):
        doc_id = f"d{i:05d}"
        paras = [p.strip() for p in rec.text.split("\n") if p.strip()]
        for j, para in enumerate(paras):
            passages.append({"passage_id": f"{doc_id}-p{j:03d}", "doc_id": doc_id, "lang": None, "text": para})
        docs.append({"doc_id": doc_id, "source_file": rec.source_file, "title": None, "date": None,
                     "source": None, "lang": None, "text": "\n\n".join(paras), "n_passages": len(paras)})
    return Corpus(pd.DataFrame(docs), pd.DataFrame(passages), [])
