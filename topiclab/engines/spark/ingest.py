"""Ingestion on Spark: Spark's readers, topiclab's cleaning inside ``mapInPandas``.

:func:`read_records` reads JSON lines, parquet, csv/tsv and text/markdown/HTML files with
Spark's own readers (text files as ``binaryFile`` so topiclab's decoding and HTML handling
apply). :func:`ingest` cleans every record with :func:`topiclab.ingest.clean.clean_text`
(repairs, boilerplate, glued-article split), detects languages, drops exact duplicates (the
same normalised-text hash as in memory) and near duplicates (MLlib ``MinHashLSH`` on the same
word 5-gram shingles), decides the uncertain languages again with the corpus's languages as a
prior, and cuts passages with :func:`topiclab.ingest.segment.segment`, all on the executors.
The audit log stays a Spark dataset of JSON lines; the one thing collected is the prior (a
row per language).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from topiclab.engines.spark.frames import map_in_pandas
from topiclab.ingest import GIVEN_FIELDS, LoadOptions, make_doc_id
from topiclab.ingest.errors import IngestError
from topiclab.ingest.readers import FURNITURE_PREFIXES

logger = logging.getLogger(__name__)

__all__ = ["SparkCorpus", "ingest", "read_records"]

_TEXT_KINDS = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}
_KINDS = {
    ".jsonl": "json",
    ".json": "json",
    ".jsonl.gz": "json",
    ".parquet": "parquet",
    ".csv": "csv",
    ".tsv": "tsv",
    **_TEXT_KINDS,
}
#: MinHash tables of the near-duplicate join (more: fewer missed pairs, more work).
N_HASH_TABLES = 5


@dataclass
class SparkCorpus:
    """A corpus held as Spark DataFrames.

    Attributes
    ----------
    documents : pyspark.sql.DataFrame
        ``doc_id, source_file, title, date, source, lang, text, n_passages`` and the
        input's other columns, plus ``_order`` (input order).
    passages : pyspark.sql.DataFrame
        ``passage_id, doc_id, lang, text`` plus ``_order``, ``_doc_size`` (the document's
        size in word units) and ``_n_parts`` (its passages).
    log : pyspark.sql.DataFrame
        One JSON string per cleaning record (column ``value``), as in ``cleaning_log.jsonl``.
    """

    documents: Any
    passages: Any
    log: Any

    def fingerprint(self) -> str:
        """Return an order-free digest of the passages and document metadata (computed on Spark)."""
        from pyspark.sql import functions as F

        p = self.passages.agg(
            F.count("*").alias("n"),
            F.bit_xor(F.xxhash64("passage_id", "doc_id", "lang", "text")).alias("h"),
        ).first()
        d = self.documents.agg(
            F.bit_xor(F.xxhash64("doc_id", "title", "date", "source", "lang")).alias("h")
        ).first()
        return f"spark-xxh64:{p['n']}:{(p['h'] or 0) & (2**64 - 1):016x}:{(d['h'] or 0) & (2**64 - 1):016x}"

    def languages(self) -> dict[str, int]:
        """Documents per language, most frequent first."""
        rows = self.documents.groupBy("lang").count().collect()
        return {
            str(r["lang"]): int(r["count"])
            for r in sorted(rows, key=lambda r: (-r["count"], str(r["lang"])))
        }


def _kind(name: str) -> str | None:
    low = name.lower()
    for ext in sorted(_KINDS, key=len, reverse=True):
        if low.endswith(ext):
            return _KINDS[ext]
    return None


def _list_inputs(path: str) -> dict[str, list[str]]:
    """Group the input files of ``path`` by reader; remote URIs are taken as one file or glob."""
    by_kind: dict[str, list[str]] = {}
    if "://" in path and not path.startswith("file://"):
        kind = _kind(path.rstrip("/*"))
        if kind is None:
            raise IngestError(path, "cannot tell the format from the name (.jsonl, .parquet, ...)")
        by_kind[kind] = [path]
        return by_kind
    local = path[len("file://") :] if path.startswith("file://") else path
    if not os.path.exists(local):
        raise IngestError(local, "no such file or folder")
    if os.path.isfile(local):
        files = [local]
    else:
        files = sorted(
            os.path.join(root, f)
            for root, dirs, names in os.walk(local)
            for f in names
            if not f.startswith((".", "_")) and not f.lower().startswith(FURNITURE_PREFIXES)
        )
    for f in files:
        kind = _kind(f)
        if kind is not None:
            by_kind.setdefault(kind, []).append(os.path.abspath(f))
    if not by_kind:
        raise IngestError(local, "no readable files (.txt, .md, .html, .csv, .jsonl, .parquet)")
    return by_kind


def read_records(
    spark: Any,
    path: str | os.PathLike[str],
    *,
    text_column: str = "text",
    id_column: str | None = "id",
) -> Any:
    """Read every input file under ``path`` into one DataFrame of raw records.

    Parameters
    ----------
    spark : SparkSession
    path : str or os.PathLike
        A file, a folder, or a URI Spark can read (``hdfs://``, ``s3a://``).
    text_column : str, default="text"
        Column holding the text in structured inputs.
    id_column : str or None, default="id"
        Column holding each record's own id, used for document ids where present.

    Returns
    -------
    pyspark.sql.DataFrame
        ``source_file, text, title, date, source, lang, _own_id, _order`` and the other
        columns of structured inputs (as strings).

    Raises
    ------
    IngestError
        When ``path`` is missing, holds no readable file, or a table lacks ``text_column``.
    """
    from pyspark.sql import functions as F

    path = os.fspath(path)
    root = os.path.abspath(path)
    frames = []
    for kind, files in sorted(_list_inputs(path).items()):
        if kind in ("text", "html"):
            raw = spark.read.format("binaryFile").load(files)
            root = root if os.path.isdir(root) else os.path.dirname(root)
            frames.append(_decode_text_files(raw, html=kind == "html", root=root))
            continue
        if kind == "json":
            df = spark.read.json(files)
        elif kind == "parquet":
            df = spark.read.parquet(*files)
        else:
            df = spark.read.csv(
                files,
                header=True,
                multiLine=True,
                escape='"',
                sep="\t" if kind == "tsv" else ",",
            )
        if text_column not in df.columns:
            raise IngestError(
                files[0], f"no column {text_column!r} (columns: {df.columns}); set text_column"
            )
        df = _with_locator(spark, df, root, first=2 if kind in ("csv", "tsv") else 1)
        cols = [F.col(text_column).cast("string").alias("text"), "source_file"]
        for name in GIVEN_FIELDS:
            cols.append(
                (
                    F.col(name).cast("string") if name in df.columns else F.lit(None).cast("string")
                ).alias(name)
            )
        own = (
            F.col(id_column).cast("string")
            if id_column and id_column in df.columns
            else F.lit(None).cast("string")
        )
        cols.append(own.alias("_own_id"))
        reserved = {
            text_column,
            "source_file",
            *GIVEN_FIELDS,
            "doc_id",
            "n_passages",
            "_order",
            *([id_column] if id_column else []),
        }
        cols += [F.col(c).cast("string").alias(c) for c in df.columns if c not in reserved]
        frames.append(df.select(*cols))
    out = frames[0]
    for other in frames[1:]:
        out = out.unionByName(other, allowMissingColumns=True)
    return out.withColumn("_order", F.monotonically_increasing_id())


def _relative_name(root: str) -> Any:
    """Column: the input file's path relative to ``root`` (its name for a single file)."""
    from pyspark.sql import functions as F

    folder = root if os.path.isdir(root) else os.path.dirname(root)
    path = F.regexp_replace(F.input_file_name(), r"^file:(//)?", "")
    prefix = folder.rstrip("/") + "/"
    return F.when(
        F.startswith(path, F.lit(prefix)), F.substring(path, len(prefix) + 1, 1 << 20)
    ).otherwise(F.element_at(F.split(path, "/"), -1))


def _with_locator(spark: Any, df: Any, root: str, *, first: int) -> Any:
    """Add ``source_file`` = ``relative/path:N``, N the record's number in its file.

    Records are numbered from ``first`` (1 for JSON lines and parquet rows, 2 for csv
    rows below the header) in file order, as the in-memory readers number them when the
    file has no blank lines or multi-line records. One extra pass counts each file's
    records per Spark partition; the offsets (a row per file and partition) are joined
    back, so no file has to fit one task.
    """
    from pyspark.sql import functions as F

    df = (
        df.withColumn("_file", _relative_name(root))
        .withColumn("_pid", F.spark_partition_id())
        .withColumn("_mid", F.monotonically_increasing_id())
    )
    counts = (
        df.groupBy("_file", "_pid")
        .agg(F.min("_mid").alias("_m0"), F.count("*").alias("_c"))
        .orderBy("_file", "_pid")
        .collect()
    )
    rows, running = [], {}
    for r in counts:  # a file's splits are in partition order
        start = running.get(r["_file"], 0)
        rows.append((r["_file"], int(r["_pid"]), int(r["_m0"]), start))
        running[r["_file"]] = start + int(r["_c"])
    offsets = spark.createDataFrame(
        rows or [("", 0, 0, 0)], "_file string, _pid int, _m0 long, _base long"
    )
    number = F.col("_base") + F.col("_mid") - F.col("_m0") + F.lit(first)
    return (
        df.join(F.broadcast(offsets), ["_file", "_pid"])
        .withColumn("source_file", F.concat("_file", F.lit(":"), number.cast("string")))
        .drop("_file", "_pid", "_mid", "_m0", "_base")
    )


def _decode_text_files(raw: Any, *, html: bool, root: str) -> Any:
    """Decode ``binaryFile`` rows with topiclab's decoder (charset guess, HTML text and title)."""
    schema = (
        "text string, source_file string, title string, date string, source string, "
        "lang string, _own_id string"
    )

    def decode(frames: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from topiclab.ingest.decode import declared_html_charset, decode_bytes, html_text_and_title
        from topiclab.ingest.readers import _clean_text

        for pdf in frames:
            rows = []
            for path, data in zip(pdf["path"], pdf["content"], strict=True):
                data = bytes(data)
                text = decode_bytes(
                    data, path, declared=declared_html_charset(data) if html else None
                ).text
                title = None
                if html:
                    text, title = html_text_and_title(text)
                text = _clean_text(text)
                if text.strip():
                    local = path[len("file:") :] if path.startswith("file:") else path
                    rel = os.path.relpath(local, root) if local.startswith("/") else local
                    rows.append((text, rel, title or None, None, None, None, None))
            yield pd.DataFrame(
                rows, columns=["text", "source_file", "title", "date", "source", "lang", "_own_id"]
            )

    return map_in_pandas(raw.select("path", "content"), decode, schema)


def _clean_partitions(opts: LoadOptions, extra: list[str]) -> Any:
    """Return the ``mapInPandas`` function that cleans records into articles with their log."""

    def clean(frames: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from topiclab.ingest import _drop, _given
        from topiclab.ingest.clean import clean_text
        from topiclab.ingest.dedupe import text_hash
        from topiclab.ingest.lang import UNKNOWN, detect_with_confidence

        for pdf in frames:
            out: list[dict[str, Any]] = []
            for rec in pdf.to_dict("records"):
                given = {k: _given(rec.get(k)) for k in GIVEN_FIELDS}
                has_title = given["title"] is not None
                docs = clean_text(
                    rec["text"] or "",
                    file=rec["source_file"],
                    split=opts.split_articles and not has_title,
                    find_title=not has_title,
                )
                own_id = _given(rec.get("_own_id"))
                for k, doc in enumerate(docs):
                    doc_id = make_doc_id(rec["source_file"], k)
                    if own_id is not None:  # the record's own id, as in memory
                        doc_id = str(own_id) if k == 0 else f"{own_id}#{k}"
                    log = [{**e, "doc_id": doc_id} for e in doc.log]
                    keep = bool(doc.text.strip())
                    if not keep:
                        log.append(
                            _drop(
                                rec["source_file"],
                                doc_id,
                                "drop_empty",
                                "no text left after cleaning",
                            )
                        )
                    if given["lang"]:
                        lang, conf = given["lang"], 1.0
                    elif opts.detect_language and keep:
                        lang, conf = detect_with_confidence(doc.text)
                    else:
                        lang, conf = UNKNOWN, 0.0
                    row = {
                        "doc_id": doc_id,
                        "source_file": rec["source_file"],
                        "title": given["title"] or doc.title,
                        "date": given["date"] or doc.meta.get("date"),
                        "source": given["source"] or doc.meta.get("source"),
                        "lang": lang,
                        "lang_given": given["lang"] is not None,
                        "lang_conf": float(conf),
                        "text": doc.text,
                        "keep": keep,
                        "hash": text_hash(doc.text) if keep else None,
                        "_order": int(rec["_order"]) * 1000 + k,
                        "log": [json.dumps(e, ensure_ascii=False, default=str) for e in log],
                    }
                    for c in extra:
                        row[c] = rec.get(c)
                    out.append(row)
            yield pd.DataFrame(out, columns=[*_CLEAN_COLUMNS, *extra])

    return clean


_CLEAN_COLUMNS = [
    "doc_id",
    "source_file",
    "title",
    "date",
    "source",
    "lang",
    "lang_given",
    "lang_conf",
    "text",
    "keep",
    "hash",
    "_order",
    "log",
]
_CLEAN_SCHEMA = (
    "doc_id string, source_file string, title string, date string, source string, "
    "lang string, lang_given boolean, lang_conf double, text string, keep boolean, "
    "hash string, _order long, "
    "log array<string>"
)


#: Passage rows as cut; ``_doc_size`` (the document's size in word units) and ``_n_parts``
#: (its passages) let a speed mode embed short documents whole without another pass.
_PASSAGE_COLUMNS = [
    "passage_id",
    "doc_id",
    "lang",
    "text",
    "_order",
    "_j",
    "_doc_size",
    "_n_parts",
]


def _passage_partitions(opts: LoadOptions) -> Any:
    def cut(frames: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from topiclab.ingest._lines import size
        from topiclab.ingest.lang import passage_languages
        from topiclab.ingest.segment import segment

        for pdf in frames:
            rows = []
            for doc_id, text, lang, given, order in zip(
                pdf["doc_id"],
                pdf["text"],
                pdf["lang"],
                pdf["lang_given"],
                pdf["_order"],
                strict=True,
            ):
                parts = segment(
                    text.split("\n\n"), min_words=opts.min_words, max_words=opts.max_words
                )
                doc_size = float(sum(size(part) for part in parts))  # for speed modes
                plangs = (
                    passage_languages(parts, lang, trust_doc=bool(given))
                    if opts.detect_language
                    else [lang] * len(parts)
                )
                for j, (part, plang) in enumerate(zip(parts, plangs, strict=True)):
                    rows.append(
                        (
                            f"{doc_id}-p{j:03d}",
                            doc_id,
                            plang,
                            part,
                            int(order),
                            j,
                            doc_size,
                            len(parts),
                        )
                    )
            yield pd.DataFrame(rows, columns=_PASSAGE_COLUMNS)

    return cut


def _shingle_partitions(frames: Iterator[Any]) -> Iterator[Any]:
    import pandas as pd

    from topiclab.ingest.dedupe import MIN_SHINGLES, shingles

    for pdf in frames:
        sh = [[str(int(v)) for v in shingles(t)] for t in pdf["text"]]
        keep = [len(s) >= MIN_SHINGLES for s in sh]
        yield pd.DataFrame(
            {
                "doc_id": pdf["doc_id"][keep],
                "_order": pdf["_order"][keep],
                "sh": [s for s, k in zip(sh, keep, strict=True) if k],
            }
        )


def _log_rows(frames: Iterator[Any]) -> Iterator[Any]:
    import pandas as pd

    for pdf in frames:
        rows = []
        for doc_id, file, kept, order, sim, text, kind in zip(
            pdf["doc_id"],
            pdf["source_file"],
            pdf["kept"],
            pdf["_order"],
            pdf["sim"],
            pdf["text"],
            pdf["kind"],
            strict=True,
        ):
            entry = {
                "file": file,
                "doc_id": doc_id,
                "step": "dedupe",
                "action": f"drop_{kind}_duplicate",
                "reason": f"{kind} duplicate of {kept}",
                "duplicate_of": kept,
                "similarity": float(sim),
                "removed": (text or "")[:200],
            }
            rows.append((int(order), json.dumps(entry, ensure_ascii=False)))
        yield pd.DataFrame(rows, columns=["_order", "value"])


def ingest(
    spark: Any,
    path: str | os.PathLike[str],
    *,
    text_column: str = "text",
    **options: Any,
) -> SparkCorpus:
    """Read and clean ``path`` on Spark into a :class:`SparkCorpus`.

    Lazy but for the language prior: one aggregate (a row per language) is collected when
    languages are detected.

    Parameters
    ----------
    spark : SparkSession
    path : str or os.PathLike
        A file or folder (or a URI Spark can read).
    text_column : str, default="text"
    **options
        Fields of :class:`topiclab.ingest.LoadOptions`.

    Returns
    -------
    SparkCorpus
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from topiclab.ingest import _options

    opts = _options(options)
    spark.sparkContext.setJobDescription("topiclab ingest")
    records = read_records(spark, path, text_column=text_column, id_column=opts.id_column)
    extra = [
        c
        for c in records.columns
        if c not in {"text", "source_file", "_order", "_own_id", *GIVEN_FIELDS}
    ]
    schema = _CLEAN_SCHEMA + "".join(f", `{c}` string" for c in extra)  # DDL
    cleaned = map_in_pandas(_spread(spark, records), _clean_partitions(opts, extra), schema)
    # an id given twice (or equal to a generated one): later records get a suffix
    w_id = Window.partitionBy("doc_id").orderBy("_order")
    cleaned = (
        cleaned.withColumn("_n", F.row_number().over(w_id))
        .withColumn(
            "doc_id",
            F.when(F.col("_n") == 1, F.col("doc_id")).otherwise(
                F.concat("doc_id", F.lit("#"), F.col("_n").cast("string"))
            ),
        )
        .drop("_n")
        .persist()
    )

    logs = [cleaned.select("_order", F.explode("log").alias("value"))]
    docs = cleaned.filter("keep")
    if opts.dedupe:
        w = Window.partitionBy("hash").orderBy("_order")
        ranked = docs.withColumn("_rank", F.row_number().over(w)).withColumn(
            "_first", F.first("doc_id").over(w)
        )
        exact = ranked.filter("_rank > 1").select(
            "doc_id",
            "source_file",
            "_order",
            "text",
            F.col("_first").alias("kept"),
            F.lit(1.0).alias("sim"),
            F.lit("exact").alias("kind"),
        )
        docs = ranked.filter("_rank = 1").drop("_rank", "_first")
        dropped = [exact]
        if opts.near_duplicate_threshold is not None:
            # kept: the passages and the audit log both read it (one MinHash join, not two)
            near = _near_duplicates(docs, float(opts.near_duplicate_threshold)).persist()
            dropped.append(near)
            docs = docs.join(near.select("doc_id"), "doc_id", "left_anti")
        for d in dropped:
            logs.append(map_in_pandas(d, _log_rows, "_order long, value string"))
    docs = docs.persist()
    if opts.detect_language:
        docs, decided = _language_prior(docs)
        if decided is not None:
            logs.append(decided)
    passages = (
        map_in_pandas(
            docs.select("doc_id", "text", "lang", "lang_given", "_order"),
            _passage_partitions(opts),
            "passage_id string, doc_id string, lang string, text string, _order long, _j int, "
            "_doc_size double, _n_parts int",
        )
        .withColumn("_order", F.col("_order") * 10000 + F.col("_j"))
        .drop("_j")
        .persist()
    )
    n_pass = passages.groupBy("doc_id").agg(F.count("*").cast("long").alias("n_passages"))
    documents = (
        docs.join(n_pass, "doc_id", "left")
        .fillna({"n_passages": 0})
        .select(
            "doc_id",
            "source_file",
            "title",
            "date",
            "source",
            "lang",
            "text",
            "n_passages",
            *extra,
            "_order",
        )
    )
    log = logs[0]
    for other in logs[1:]:
        log = log.unionByName(other)
    return SparkCorpus(documents=documents, passages=passages, log=log)


def _language_prior(docs: Any) -> tuple[Any, Any]:
    """Decide again the languages the detector was unsure of, with the corpus's as a prior.

    As the in-memory ingest does (:func:`topiclab.ingest.lang.decide_with_prior`): the
    prior comes from one aggregate over the documents (collected: one row per language),
    the documents are then mapped where they lie. Returns the documents and the log rows
    of the changed ones (``None`` when the corpus is too small for a prior).
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    from topiclab.ingest.lang import language_prior

    rows = docs.groupBy("lang").agg(F.sum("lang_conf").alias("w")).collect()
    prior = language_prior((str(r["lang"]), float(r["w"] or 0.0)) for r in rows)
    if prior is None:
        return docs, None

    def decide(frames: Iterator[Any]) -> Iterator[Any]:
        from topiclab.ingest import _redecide

        for pdf in frames:
            langs, entries = pdf["lang"].tolist(), [None] * len(pdf)
            for i, row in enumerate(
                pdf[["text", "lang", "source_file", "doc_id", "lang_conf", "lang_given"]].to_dict(
                    "records"
                )
            ):
                decided = _redecide(row, row["lang_conf"], bool(row["lang_given"]), prior)
                if decided is not None:
                    langs[i] = decided[0]
                    entries[i] = json.dumps(decided[1], ensure_ascii=False)
            yield pdf.assign(lang=langs, _lang_log=entries)

    schema = StructType([*docs.schema.fields, StructField("_lang_log", StringType())])
    # not kept: only the uncertain documents are decided again, each time it is read
    mapped = map_in_pandas(docs, decide, schema)
    log = mapped.filter(F.col("_lang_log").isNotNull()).select(
        "_order", F.col("_lang_log").alias("value")
    )
    return mapped.drop("_lang_log"), log


#: Partitions per core the cleaning is spread over (at least) when the input has fewer.
PARTITIONS_PER_CORE = 2


def _spread(spark: Any, records: Any) -> Any:
    """Spread the records over every core before cleaning (round robin, order kept in ``_order``).

    A gzip file or one small file is a single input partition, so without this the
    cleaning, language detection and passage cutting would run on one core.
    """
    target = PARTITIONS_PER_CORE * int(spark.sparkContext.defaultParallelism)
    if records.rdd.getNumPartitions() >= target:
        return records
    return records.repartition(target)


def _near_duplicates(docs: Any, threshold: float) -> Any:
    """Documents with an earlier near duplicate (MinHash LSH on word 5-gram shingles)."""
    from pyspark.ml.feature import HashingTF, MinHashLSH
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    sh = map_in_pandas(
        docs.select("doc_id", "text", "_order"),
        _shingle_partitions,
        "doc_id string, _order long, sh array<string>",
    )
    feats = HashingTF(inputCol="sh", outputCol="f", numFeatures=1 << 22, binary=True).transform(sh)
    lsh = MinHashLSH(inputCol="f", outputCol="mh", numHashTables=N_HASH_TABLES, seed=1).fit(feats)
    pairs = (
        lsh.approxSimilarityJoin(feats, feats, 1.0 - threshold, distCol="dist")
        .select(
            F.col("datasetA.doc_id").alias("kept"),
            F.col("datasetA._order").alias("a_order"),
            F.col("datasetB.doc_id").alias("doc_id"),
            F.col("datasetB._order").alias("b_order"),
            (1.0 - F.col("dist")).alias("sim"),
        )
        .filter("a_order < b_order")
    )
    w = Window.partitionBy("doc_id").orderBy("a_order")
    first = pairs.withColumn("_r", F.row_number().over(w)).filter("_r = 1")
    return first.join(docs.select("doc_id", "source_file", "text", "_order"), "doc_id").select(
        "doc_id", "source_file", "_order", "text", "kept", "sim", F.lit("near").alias("kind")
    )
