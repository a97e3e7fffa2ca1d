"""The corpus's languages as a prior for the documents the detector is unsure of."""

from __future__ import annotations

import itertools
import json

import pytest

from topiclab.ingest import load
from topiclab.ingest.lang import PRIOR_BELOW, detect_with_confidence

SENTENCES = [
    "The city council voted on Tuesday to approve the budget for three new schools.",
    "Officials said the money would also pay for repairs to roads and bridges downtown.",
    "The mayor told reporters that the plan had been discussed for more than a year.",
    "Several residents spoke against the proposal at a long meeting in the town hall.",
    "A spokesperson for the regional government declined to comment on the report.",
    "Prices of electricity rose sharply during the winter, according to the agency.",
    "The company announced that it would open a new factory near the river next spring.",
    "Farmers in the valley have complained about the dry weather for several months.",
]
# HuffPost items the model alone calls Nigerian Pidgin or unknown: Title Case headlines
HEADLINES = [
    "Mehmet Oz Misspells Pennsylvania Address On Candidacy Form And Twitter Has Jokes",
    "The Best Movies To Watch On Netflix In December 2020 Chadwick Boseman's final "
    "performance debuts.",
    "Jared Kushner Blasts 'Nasty Troll' Chrissy Teigen For Attacks On Ivanka Who's nasty??",
    "The Best And Worst Trump Tweets Over The Past Year, Ranked Here you go.",
]
SHORT = "man charged"  # too few letters for the detector alone
FRENCH = (
    "Le conseil municipal a voté mardi le budget de trois nouvelles écoles, et le maire a "
    "déclaré aux journalistes que le projet était discuté depuis plus d'un an."
)


def _english(n: int) -> list[str]:
    pairs = itertools.islice(itertools.permutations(SENTENCES, 3), n)
    return [" ".join(p) for p in pairs]


def _write(tmp_path, rows):
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _rows(n_english: int) -> list[dict]:
    rows = [{"id": f"en{i}", "text": t} for i, t in enumerate(_english(n_english))]
    rows += [{"id": f"h{i}", "text": t} for i, t in enumerate(HEADLINES)]
    rows.append({"id": "fr", "text": FRENCH})
    rows.append({"id": "short", "text": SHORT})
    rows.append({"id": "given", "text": HEADLINES[0] + " Again.", "lang": "pcm"})
    return rows


def test_the_headlines_fool_the_detector_alone():
    for text in HEADLINES:
        code, conf = detect_with_confidence(text)
        assert code != "en" and conf < PRIOR_BELOW, text
    assert detect_with_confidence(FRENCH)[0] == "fr"
    assert detect_with_confidence(SHORT)[0] == "und"


def test_uncertain_documents_take_the_corpus_language(tmp_path):
    corpus = load(_write(tmp_path, _rows(30)), dedupe=False, n_jobs=1)
    lang = corpus.documents.set_index("doc_id")["lang"]
    assert all(lang[f"h{i}"] == "en" for i in range(len(HEADLINES)))
    assert lang["short"] == "en"
    assert lang["fr"] == "fr"  # a confident answer stays
    assert lang["given"] == "pcm"  # a language the input states stays
    assert (lang.drop(["fr", "given"]) == "en").all()
    passages = corpus.passages.set_index("doc_id")["lang"]
    assert all(passages[f"h{i}"] == "en" for i in range(len(HEADLINES)))
    entries = [e for e in corpus.log if e["action"] == "language_prior"]
    assert sorted(e["doc_id"] for e in entries) == [
        *(f"h{i}" for i in range(len(HEADLINES))),
        "short",
    ]
    assert all(e["step"] == "language" for e in entries)
    assert all("decided again" in e["reason"] and e["reason"].endswith(")") for e in entries)


def test_a_small_corpus_is_no_prior(tmp_path):
    corpus = load(_write(tmp_path, _rows(5)), dedupe=False, n_jobs=1)
    lang = corpus.documents.set_index("doc_id")["lang"]
    assert [lang[f"h{i}"] for i in range(len(HEADLINES))] == [
        detect_with_confidence(t)[0] for t in HEADLINES
    ]
    assert not [e for e in corpus.log if e["action"] == "language_prior"]


def test_workers_decide_as_one_process(tmp_path):
    path = _write(tmp_path, _rows(30))
    one = load(path, dedupe=False, n_jobs=1)
    two = load(path, dedupe=False, n_jobs=2)
    assert one.documents.equals(two.documents) and one.passages.equals(two.passages)


@pytest.mark.spark
def test_spark_decides_the_languages_as_in_memory(tmp_path):
    from test_spark_engine import _spark_or_skip

    from topiclab.engines.spark.ingest import ingest

    spark = _spark_or_skip()
    path = _write(tmp_path, _rows(30))
    memory = load(path, dedupe=False, n_jobs=1)
    corpus = ingest(spark, str(path), dedupe=False)
    docs = corpus.documents.toPandas().sort_values("_order")
    assert docs["doc_id"].tolist() == memory.documents["doc_id"].tolist()
    assert docs["lang"].tolist() == memory.documents["lang"].tolist()
    passages = corpus.passages.orderBy("_order").toPandas()
    assert passages["lang"].tolist() == memory.passages["lang"].tolist()
    log = [json.loads(r["value"]) for r in corpus.log.collect()]
    mine = sorted((e["doc_id"], e["reason"]) for e in log if e["action"] == "language_prior")
    assert mine == sorted(
        (e["doc_id"], e["reason"]) for e in memory.log if e["action"] == "language_prior"
    )
