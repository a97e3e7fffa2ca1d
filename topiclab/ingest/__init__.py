"""Ingestion: read scraped news files, clean them and segment them into a :class:`Corpus`.

:func:`load` chains the readers (:mod:`.readers`), the per-text cleaning
pipeline (:mod:`.clean`), duplicate removal (:mod:`.dedupe`), language
identification (:mod:`.lang`) and passage segmentation (:mod:`.segment`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from topiclab.ingest.errors import IngestError

if TYPE_CHECKING:
    from topiclab.ingest.corpus import Corpus

__all__ = ["IngestError", "LoadOptions", "from_texts", "load"]

logger = logging.getLogger(__name__)

#: Record fields that fill document columns directly when an input provides them.
GIVEN_FIELDS = ("title", "date", "source", "lang")
_RESERVED = ("doc_id", "source_file", "text", "n_passages")


@dataclass(frozen=True)
class LoadOptions:
    """Options of :func:`load` (passed to it as keyword arguments).

    Attributes
    ----------
    min_words, max_words : int
        Passage size bounds in word units (a CJK character counts half a word).
    split_articles : bool
        Split files that hold several articles.
    dedupe : bool
        Drop exact duplicates (and near duplicates, see ``near_duplicate_threshold``).
    near_duplicate_threshold : float or None
        MinHash Jaccard threshold for near duplicates; None keeps near duplicates.
    detect_language : bool
        Detect document and passage languages (otherwise ``"und"`` unless given).
    id_column : str or None
        Column (field) of structured inputs holding each record's own id, used as the
        document id when present (``"<id>#<k>"`` for the k-th article split from one
        record); ``None`` or a missing column: ids made from the file and position.
    n_jobs : int or None
        Processes cleaning the records (cleaning, language identification and
        segmentation; duplicates are found in this process, in input order, so the corpus
        is the same for every value). ``None``: the machine's cores when the input has
        more than :data:`PARALLEL_MIN_RECORDS` records; a negative number counts back
        from the cores (``-1``: all of them); 1: this process alone.
    """

    min_words: int = 40
    max_words: int = 250
    split_articles: bool = True
    dedupe: bool = True
    near_duplicate_threshold: float | None = 0.9
    detect_language: bool = True
    id_column: str | None = "id"
    n_jobs: int | None = None


#: Records read before cleaning goes to worker processes (``n_jobs=None``): fewer are
#: cleaned here, since starting the workers costs more than they save.
PARALLEL_MIN_RECORDS = 256
#: Records handed to a worker at a time.
RECORD_CHUNK = 64


def make_doc_id(source_file: str, index: int) -> str:
    """Stable document id from the source file (with record locator) and article index."""
    digest = hashlib.blake2b(f"{source_file}\x1f{index}".encode(), digest_size=6).hexdigest()
    return f"d{digest}"


def _given(value: Any) -> str | None:
    """Return a metadata value as a non-empty string, or None."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        try:
            return str(value.isoformat())
        except (TypeError, ValueError):
            return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    text = str(value).strip()
    return text or None


def load(
    path: str | os.PathLike[str],
    *,
    text_column: str = "text",
    skip_bad: bool = False,
    progress: bool = False,
    max_text_bytes: int | None = None,
    **options: Any,
) -> Corpus:
    """Read ``path`` (file or folder) and return a cleaned :class:`~topiclab.ingest.corpus.Corpus`.

    Parameters
    ----------
    path : str or os.PathLike
        A file (txt, md, html, csv, tsv, jsonl, jsonl.gz, parquet) or a folder of them.
    text_column : str
        Column holding the text in structured files.
    skip_bad : bool
        Skip unreadable files with a warning in the log instead of raising.
    progress : bool
        Show a progress bar over records.
    max_text_bytes : int, optional
        Largest text file or record text accepted, in bytes (default
        ``$TOPICLAB_MAX_TEXT_BYTES`` or 64 MiB); see
        :func:`~topiclab.ingest.readers.iter_records`.
    **options
        Fields of :class:`LoadOptions`.

    Returns
    -------
    Corpus
        Documents (``doc_id, source_file, title, date, source, lang, text,
        n_passages``, ``author``, ``attribution`` and ``dateline`` where cleaning found
        them, and any metadata columns of the input), passages
        (``passage_id, doc_id, lang, text``) and the cleaning log.

    Raises
    ------
    IngestError
        When an input cannot be read and ``skip_bad`` is false, or when no text is left
        (every file or record was empty, skipped or removed by cleaning).
    TypeError
        For an unknown option.

    Examples
    --------
    >>> corpus = load("corpus/")                          # doctest: +SKIP
    >>> corpus.languages()                                # doctest: +SKIP
    {'en': 5, 'ar': 1}
    """
    opts = _options(options)
    from topiclab.ingest.readers import iter_records

    log: list[dict[str, Any]] = []

    def on_warning(message: str) -> None:
        logger.warning("%s", message)
        log.append(
            {"file": None, "doc_id": None, "step": "read", "action": "warning", "reason": message}
        )

    records = iter_records(
        path,
        text_column=text_column,
        skip_bad=skip_bad,
        on_warning=on_warning,
        max_text_bytes=max_text_bytes,
    )
    return _build(records, path, opts, log, text_column=text_column, progress=progress)


def from_texts(
    texts: Sequence[str],
    *,
    ids: Sequence[str] | None = None,
    progress: bool = False,
    **options: Any,
) -> Corpus:
    """Clean and segment article texts held in memory, exactly as files would be.

    Parameters
    ----------
    texts : sequence of str
        One article (or scraped page) per item.
    ids : sequence of str, optional
        A name for each text, used where a file name would be (``source_file``); default
        ``text:0``, ``text:1``, ...
    progress : bool
        Show a progress bar over the texts.
    **options
        Fields of :class:`LoadOptions`.

    Returns
    -------
    Corpus

    Raises
    ------
    IngestError
        When no text is left after cleaning.
    TypeError
        For a text that is not a string, or an unknown option.

    Examples
    --------
    >>> corpus = from_texts(["Battery makers expand storage plants across the region. " * 8])
    >>> len(corpus), corpus.documents["source_file"].tolist()
    (1, ['text:0'])
    """
    texts = list(texts)
    names = [f"text:{i}" for i in range(len(texts))] if ids is None else [str(i) for i in ids]
    if len(names) != len(texts):
        raise ValueError(f"{len(names)} ids for {len(texts)} texts")
    for name, text in zip(names, texts, strict=True):
        if not isinstance(text, str):
            raise TypeError(f"{name}: expected a string, got {type(text).__name__}")
    opts = _options(options)
    from topiclab.ingest.readers import RawRecord

    records = (RawRecord(source_file=n, text=t) for n, t in zip(names, texts, strict=True))
    return _build(records, "<texts>", opts, [], text_column="text", progress=progress)


def _options(options: dict[str, Any]) -> LoadOptions:
    known = {f.name for f in fields(LoadOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"load() got unknown options {unknown}; known: {sorted(known)}")
    opts = LoadOptions(**options)
    if opts.n_jobs is not None and (
        isinstance(opts.n_jobs, bool) or not isinstance(opts.n_jobs, int) or opts.n_jobs == 0
    ):
        raise ValueError(f"n_jobs must be a non-zero integer or None, got {opts.n_jobs!r}")
    if opts.min_words < 1 or opts.max_words < opts.min_words:
        raise ValueError(
            f"need 1 <= min_words <= max_words, got {opts.min_words}, {opts.max_words}"
        )
    return opts


def _build(
    records: Iterable[Any],
    path: str | os.PathLike[str],
    opts: LoadOptions,
    log: list[dict[str, Any]],
    *,
    text_column: str,
    progress: bool,
) -> Corpus:
    """Clean, dedupe and segment raw records into a corpus (``log`` receives the audit)."""
    import pandas as pd

    from topiclab.ingest.corpus import DOCUMENT_COLUMNS, PASSAGE_COLUMNS, Corpus
    from topiclab.ingest.dedupe import Deduplicator
    from topiclab.progress import progress_bar

    dedup = Deduplicator(threshold=opts.near_duplicate_threshold) if opts.dedupe else None
    documents: list[dict[str, Any]] = []
    passages: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    detected: list[tuple[int, int, float, bool]] = []
    # records are streamed (their number is not known): the bar appears after a few seconds
    records = progress_bar(records, desc="Ingest", unit="record", enabled=progress)
    for rec, (own_id, given, extra, cleaned) in _clean_records(records, opts, text_column):
        for k, (doc, lang, conf, parts, plangs) in enumerate(cleaned):
            doc_id = make_doc_id(rec.source_file, k)
            if own_id is not None:
                mine = str(own_id) if k == 0 else f"{own_id}#{k}"
                doc_id = mine if mine not in seen_ids else doc_id
            if doc_id in seen_ids:  # the same source name twice: keep ids unique
                doc_id = make_doc_id(f"{rec.source_file}#{len(seen_ids)}", k)
            seen_ids.add(doc_id)
            for entry in doc.log:
                entry["doc_id"] = doc_id
            log.extend(doc.log)
            if parts is None:
                log.append(
                    _drop(rec.source_file, doc_id, "drop_empty", "no text left after cleaning")
                )
                continue
            if dedup is not None:
                dup = dedup.check(doc_id, doc.text)
                if dup is not None:
                    kind, kept, sim = dup
                    entry = _drop(
                        rec.source_file,
                        doc_id,
                        f"drop_{kind}_duplicate",
                        f"{kind} duplicate of {kept}",
                        step="dedupe",
                    )
                    entry.update(duplicate_of=kept, similarity=sim, removed=doc.text[:200])
                    log.append(entry)
                    continue
            # the passages' rows, should the corpus's languages change the document's
            detected.append((len(documents), len(passages), conf, given["lang"] is not None))
            for j, (text, plang) in enumerate(zip(parts, plangs, strict=True)):
                passages.append(
                    {
                        "passage_id": f"{doc_id}-p{j:03d}",
                        "doc_id": doc_id,
                        "lang": plang,
                        "text": text,
                    }
                )
            row = {
                "doc_id": doc_id,
                "source_file": rec.source_file,
                "title": given["title"] or doc.title,
                "date": given["date"] or doc.meta.get("date"),
                "source": given["source"] or doc.meta.get("source"),
                "lang": lang,
                "text": doc.text,
                "n_passages": len(parts),
            }
            for mk in ("author", "attribution", "dateline"):
                if doc.meta.get(mk) and mk not in extra:
                    row[mk] = doc.meta[mk]
            row.update(extra)
            documents.append(row)

    if opts.detect_language:
        _apply_language_prior(documents, passages, detected, log)
    if not documents:
        raise IngestError(
            path,
            "no text found: every file or record was empty, skipped or removed by cleaning"
            + (f" ({len(log)} log entries; see the warnings above)" if log else ""),
        )
    docs_df = pd.DataFrame(documents)
    if docs_df.empty:
        docs_df = pd.DataFrame({c: pd.Series(dtype="object") for c in DOCUMENT_COLUMNS})
    else:
        for c in ("title", "date", "source"):
            docs_df[c] = docs_df[c].astype("object")
        rest = [c for c in docs_df.columns if c not in DOCUMENT_COLUMNS]
        docs_df = docs_df[list(DOCUMENT_COLUMNS) + rest]
    pass_df = pd.DataFrame(passages, columns=list(PASSAGE_COLUMNS))
    logger.info(
        "ingested %d documents, %d passages (%d log entries)", len(docs_df), len(pass_df), len(log)
    )
    return Corpus(documents=docs_df, passages=pass_df, log=log)


def _apply_language_prior(
    documents: list[dict[str, Any]],
    passages: list[dict[str, Any]],
    detected: list[tuple[int, int, float, bool]],
    log: list[dict[str, Any]],
) -> None:
    """Decide again the languages of the documents the detector was unsure of.

    The corpus's languages are the prior (:func:`topiclab.ingest.lang.decide_with_prior`);
    the passages' languages follow as if the document had been detected so.
    """
    from topiclab.ingest.lang import language_prior, passage_languages

    prior = language_prior((documents[i]["lang"], conf) for i, _, conf, _ in detected)
    if prior is None:
        return
    ends = [start for _, start, _, _ in detected[1:]] + [len(passages)]
    changed: dict[tuple[str, str], int] = {}
    for (i, start, conf, given), end in zip(detected, ends, strict=True):
        row = documents[i]
        decided = _redecide(row, conf, given, prior)
        if decided is None:
            continue
        old, (new, entry) = row["lang"], decided
        row["lang"] = new
        texts = [passages[j]["text"] for j in range(start, end)]
        for j, plang in zip(range(start, end), passage_languages(texts, new), strict=True):
            passages[j]["lang"] = plang
        log.append(entry)
        changed[(old, new)] = changed.get((old, new), 0) + 1
    if changed:
        logger.info(
            "languages of %d uncertain documents decided again with the corpus's languages: %s",
            sum(changed.values()),
            ", ".join(f"{a} -> {b} {n}" for (a, b), n in sorted(changed.items())),
        )


def _redecide(
    row: Mapping[str, Any], conf: float, given: bool, prior: Mapping[str, float]
) -> tuple[str, dict[str, Any]] | None:
    """Return a document's language decided again with ``prior``, and the log entry.

    ``None`` when the language stays: stated by the input, detected with at least
    :data:`~topiclab.ingest.lang.PRIOR_BELOW` confidence, or confirmed by the prior.
    ``row`` needs ``text``, ``lang``, ``source_file`` and ``doc_id``.
    """
    from topiclab.ingest.lang import PRIOR_BELOW, decide_with_prior

    if given or conf is None or conf >= PRIOR_BELOW:
        return None
    decided = decide_with_prior(row["text"], prior)
    if decided is None or decided[0] == row["lang"]:
        return None
    new, share = decided
    entry = _drop(
        row["source_file"],
        row["doc_id"],
        "language_prior",
        f"language {row['lang']} ({conf:.2f}) decided again with the corpus's languages: "
        f"{new} ({share:.2f})",
        step="language",
    )
    return new, entry


# a cleaned record: its own id, the given fields, the other metadata, and per article
# (the article, its language and the confidence of that, its passages and their
# languages; passages None: empty)
_Cleaned = tuple[Any, dict[str, Any], dict[str, Any], list[tuple[Any, str, float, Any, Any]]]


def _clean_record(rec: Any, opts: LoadOptions, text_column: str) -> _Cleaned:
    """Clean one record: its articles, their languages and passages (no corpus state)."""
    from topiclab.ingest.clean import clean_text
    from topiclab.ingest.lang import UNKNOWN, detect_with_confidence, passage_languages
    from topiclab.ingest.segment import segment
    from topiclab.ingest.wire import clean_title

    meta = dict(rec.meta)
    own_id = _given(meta.pop(opts.id_column, None)) if opts.id_column else None
    given = {k: _given(meta.pop(k, None)) for k in GIVEN_FIELDS}
    extra = {(f"meta_{k}" if k in _RESERVED else k): v for k, v in meta.items() if k != text_column}
    if given["title"] is not None:  # a headline given with the record: markup, credit
        given["title"] = clean_title(given["title"]) or given["title"]
    has_title = given["title"] is not None
    cleaned = clean_text(
        rec.text,
        file=rec.source_file,
        split=opts.split_articles and not has_title,
        find_title=not has_title,
    )
    out = []
    for doc in cleaned:
        if not doc.text.strip():
            out.append((doc, UNKNOWN, 0.0, None, None))
            continue
        if given["lang"]:
            lang, conf = given["lang"], 1.0
        elif opts.detect_language:
            lang, conf = detect_with_confidence(doc.text)
        else:
            lang, conf = UNKNOWN, 0.0
        parts = segment(doc.text.split("\n\n"), min_words=opts.min_words, max_words=opts.max_words)
        plangs = (
            passage_languages(parts, lang, trust_doc=given["lang"] is not None)
            if opts.detect_language
            else [lang] * len(parts)
        )
        out.append((doc, lang, conf, parts, plangs))
    return own_id, given, extra, out


def _clean_chunk(records: list[Any], opts: LoadOptions, text_column: str) -> list[_Cleaned]:
    """Clean a chunk of records (in a worker process)."""
    return [_clean_record(rec, opts, text_column) for rec in records]


def _clean_records(
    records: Iterable[Any], opts: LoadOptions, text_column: str
) -> Iterable[tuple[Any, _Cleaned]]:
    """Yield each record with :func:`_clean_record`'s result, in input order.

    With more than one job (``opts.n_jobs``) chunks of :data:`RECORD_CHUNK` records are
    cleaned by forked worker processes, a few chunks ahead of the caller; the records are
    read here, so a reader's error is raised here as it would be without workers.
    """
    import itertools
    import multiprocessing
    from collections import deque

    from topiclab.pipeline.concurrent import effective_jobs, fork_available

    it = iter(records)
    head = list(itertools.islice(it, PARALLEL_MIN_RECORDS))
    n_jobs = 1 if opts.n_jobs is None and len(head) < PARALLEL_MIN_RECORDS else opts.n_jobs
    jobs = effective_jobs(n_jobs)
    if jobs <= 1 or not fork_available():
        for rec in itertools.chain(head, it):
            yield rec, _clean_record(rec, opts, text_column)
        return
    logger.debug("cleaning records in %d worker processes", jobs)
    it = itertools.chain(head, it)
    pending: deque = deque()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        while True:
            while len(pending) < 2 * jobs:
                chunk = list(itertools.islice(it, RECORD_CHUNK))
                if not chunk:
                    break
                pending.append((chunk, pool.apply_async(_clean_chunk, (chunk, opts, text_column))))
            if not pending:
                return
            chunk, result = pending.popleft()
            yield from zip(chunk, result.get(), strict=True)


def _drop(
    file: str, doc_id: str, action: str, reason: str, *, step: str = "clean"
) -> dict[str, Any]:
    return {"file": file, "doc_id": doc_id, "step": step, "action": action, "reason": reason}
