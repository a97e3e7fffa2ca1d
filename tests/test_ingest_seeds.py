"""The bundled seed corpus end to end: six clean articles with the right metadata."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from topiclab.ingest import load
from topiclab.ingest.corpus import DOCUMENT_COLUMNS, PASSAGE_COLUMNS, Corpus

BOILERPLATE = [
    "Skip to Content",
    "Facebook",
    "Feature Image",
    "Recommended Articles",
    "Last Updated",
    "Updated:",
    "تابعونا",
    "نتمنى لكم",
    "المصدر",
    "Linked-in",
]


@pytest.fixture(scope="module")
def seeds(corpus_dir: Path) -> Corpus:
    return load(corpus_dir)


def _doc(corpus: Corpus, file_prefix: str, title_start: str | None = None):
    docs = corpus.documents[corpus.documents["source_file"].str.startswith(file_prefix)]
    if title_start is not None:
        docs = docs[docs["title"].fillna("").str.startswith(title_start)]
    assert len(docs) == 1
    return docs.iloc[0]


def test_six_documents_five_english_one_arabic(seeds: Corpus) -> None:
    assert len(seeds) == 6
    assert seeds.languages() == {"en": 5, "ar": 1}
    assert list(seeds.documents.columns[: len(DOCUMENT_COLUMNS)]) == list(DOCUMENT_COLUMNS)
    assert list(seeds.passages.columns) == list(PASSAGE_COLUMNS)
    assert seeds.documents["doc_id"].is_unique
    assert seeds.passages["passage_id"].is_unique
    assert set(seeds.passages["doc_id"]) == set(seeds.documents["doc_id"])
    counts = seeds.passages.groupby("doc_id").size()
    n_passages = seeds.documents.set_index("doc_id")["n_passages"]
    assert (n_passages == counts.reindex(n_passages.index)).all()


def test_no_boilerplate_in_any_passage(seeds: Corpus) -> None:
    for text in seeds.passages["text"]:
        for marker in BOILERPLATE:
            assert marker not in text, (marker, text[:80])
        assert text.strip() != "China"


def test_broken_words_repaired(seeds: Corpus) -> None:
    text = " ".join(seeds.passages["text"])
    for word in ("has attracted", "power generation", "collaborative problem-solving"):
        assert word in text
    for broken in ("CIIE ha\n", " gene\n", "probl\n", "probl em"):
        assert broken not in text


def test_titles(seeds: Corpus) -> None:
    assert _doc(seeds, "003", "Chinese traditional")["title"] == (
        "Chinese traditional industries embrace high-tech evolution, green transformation"
    )
    assert _doc(seeds, "003", "Canadian")["title"] == (
        "Canadian PM's visit to China paves way for more pragmatic trade ties: scholar"
    )
    assert (
        _doc(seeds, "004")["title"] == "Sino-German cooperation boosts smart, green auto industry"
    )
    assert _doc(seeds, "002")["title"].startswith("2023 International Energy Storage")
    assert _doc(seeds, "002")["title"].endswith("launched in Shanghai")


def test_glued_articles_are_separated(seeds: Corpus) -> None:
    first = _doc(seeds, "003", "Chinese traditional")
    second = _doc(seeds, "003", "Canadian")
    assert "Carney" not in first["text"] and "World Manufacturing" in first["text"]
    assert "Carney" in second["text"] and "World Manufacturing" not in second["text"]
    assert first["text"].count("Chinese traditional industries embrace") == 1
    assert second["text"].count("Canadian PM's visit") == 1


def test_dates_and_sources(seeds: Corpus) -> None:
    assert _doc(seeds, "003", "Chinese traditional")["date"].startswith("2024-09-21")
    assert _doc(seeds, "001")["date"] == "2025-02-06"
    assert _doc(seeds, "001")["source"] == "سولارابيك"
    assert _doc(seeds, "001")["attribution"] == "Toyota"
    d002 = _doc(seeds, "002")
    assert d002["date"] == "2023-11-02T17:30"
    assert d002["source"] == "english.sheitc.gov.cn"


def test_datelines_stay_in_text_unless_they_are_a_bureaus(seeds: Corpus) -> None:
    # a bare wire dateline opening a sentence goes to the dateline column
    d004 = _doc(seeds, "004")
    assert d004["text"].split("\n\n")[1].startswith("The China-Germany industrial park")
    assert d004["dateline"] == "BEIJING"
    assert _doc(seeds, "000")["text"].startswith("Shanghai: At the ongoing")
    assert _doc(seeds, "001")["text"].startswith("شنغهاي، الصين")


def test_log_records_changes(seeds: Corpus) -> None:
    log = seeds.log_frame()
    assert {"file", "doc_id", "step", "action", "reason"} <= set(log.columns)
    assert set(log["step"]) >= {"repair", "boilerplate", "meta", "split"}
    assert (log.loc[log["step"] == "repair", "action"] == "join_glue").sum() == 3
    assert log["doc_id"].notna().all()


def test_deterministic(corpus_dir: Path, seeds: Corpus) -> None:
    assert load(corpus_dir).fingerprint() == seeds.fingerprint()


def test_roundtrip(tmp_path: Path, seeds: Corpus) -> None:
    back = Corpus.from_dir(seeds.to_dir(tmp_path / "c"))
    assert back.fingerprint() == seeds.fingerprint()


def test_unknown_option_is_rejected(corpus_dir: Path) -> None:
    with pytest.raises(TypeError, match="unknown options"):
        load(corpus_dir, min_word=3)


@pytest.mark.shared
def test_20newsgroups_slice(shared_corpora: Path, tmp_path: Path) -> None:
    src = shared_corpora / "20newsgroups" / "docs.jsonl.gz"
    if not src.is_file():
        pytest.skip("20newsgroups not available")
    sliced = tmp_path / "ng500.jsonl"
    with gzip.open(src, "rt", encoding="utf-8") as fh, open(sliced, "w", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i == 500:
                break
            out.write(line)
    corpus = load(sliced)
    docs = corpus.documents
    assert 480 <= len(docs) <= 500
    assert (docs["lang"] == "en").all()
    assert docs["label"].notna().all()
    assert docs["title"].notna().mean() > 0.95  # from the records' Subject field
    first = json.loads(sliced.read_text(encoding="utf-8").splitlines()[0])
    assert docs.iloc[0]["title"] == first["title"]
    # header blocks are stripped from every post
    assert not docs["text"].str.contains(r"^From: ", regex=True).any()
    assert not corpus.passages["text"].str.contains(r"\nLines: \d+", regex=True).any()
    assert (docs["n_passages"] >= 1).all()


def _jsonl_of_seeds(corpus_dir: Path, path: Path, copies: int) -> Path:
    """Records of the seed texts, repeated (exact duplicates) and with empty texts between."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("*.txt"))]
    rows = []
    for c in range(copies):
        for i, text in enumerate(texts):
            rows.append({"id": f"r{c}-{i}", "text": text})
        rows.append({"id": f"blank{c}", "text": "Share this article\nFacebook"})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_worker_processes_give_the_same_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    """Records cleaned by worker processes: the same documents, passages and log, in order."""
    path = _jsonl_of_seeds(corpus_dir, tmp_path / "news.jsonl", copies=12)
    one = load(path, n_jobs=1)
    two = load(path, n_jobs=2)
    assert len(one.documents) >= 6
    dropped = [e for e in one.log if e["action"].startswith("drop_")]
    assert len(dropped) > 60  # copies in later chunks are duplicates of the first ones
    assert two.documents.equals(one.documents)
    assert two.passages.equals(one.passages)
    assert two.log == one.log
    assert set(one.passages["lang"]) >= {"en", "ar"}


def test_worker_processes_report_a_bad_record_by_its_file(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    good = json.dumps({"text": "Battery makers expand storage plants across the region. " * 8})
    path.write_text("\n".join([good] * 300 + ["{not json"]), encoding="utf-8")
    from topiclab.ingest.errors import IngestError

    with pytest.raises(IngestError, match=r"news\.jsonl:301: malformed JSON"):
        load(path, n_jobs=2)


@pytest.mark.parametrize("bad", [0, 1.5, True, "2"])
def test_n_jobs_is_checked(corpus_dir: Path, bad) -> None:
    with pytest.raises(ValueError, match="n_jobs"):
        load(corpus_dir, n_jobs=bad)
