"""Word pieces read in the corpus's context: the optional static block of the fast map."""

from __future__ import annotations

import numpy as np
import pytest

from topiclab.errors import ConfigError
from topiclab.features.adapted import AdaptedEmbedder
from topiclab.features.context_tokens import CONTEXT_MODEL, ContextTokens, piece_vectors_path
from topiclab.storage.model_state import _embedder_state, _load_embedder

SAMPLE = [
    "The secret key decrypts the cipher text.",
    "She pressed one piano key and the note rang out.",
]
CORPUS = [
    *SAMPLE,
    "A public key encrypts, a private key decrypts.",
    "The orchestra tuned to the piano before the concert.",
    "Encryption keys must be kept secret.",
]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    pytest.importorskip("sentence_transformers")
    folder = tmp_path_factory.mktemp("pieces")
    return ContextTokens(cache_dir=folder).fit(SAMPLE, CORPUS), folder


@pytest.mark.slow
def test_a_piece_read_once_keeps_the_teachers_output_for_it(fitted):
    ctx, folder = fitted
    model = ctx._model()
    key = model.tokenizer.convert_tokens_to_ids("piano")
    assert key in set(ctx.piece_ids_.tolist())
    # "piano" is read once in the sample: its vector is the teacher's output there
    out = model.encode([SAMPLE[1]], output_value="token_embeddings")[0].numpy()
    ids = model.tokenizer(SAMPLE[1])["input_ids"]
    expected = out[ids.index(key)]
    got = ctx.piece_vectors_[list(ctx.piece_ids_).index(key)]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    # ... which is not the vector of the piece read alone (computed once, kept in the folder)
    ctx.table()
    assert piece_vectors_path(folder).is_file()
    alone = np.load(piece_vectors_path(folder))[key]
    assert float(np.dot(alone, got) / np.linalg.norm(alone) / np.linalg.norm(got)) < 0.99


@pytest.mark.slow
def test_a_piece_read_twice_gets_the_mean_of_its_readings(fitted):
    ctx, _ = fitted
    model = ctx._model()
    key = model.tokenizer.convert_tokens_to_ids("key")
    outs = model.encode(SAMPLE, output_value="token_embeddings")
    readings = [
        o.numpy()[model.tokenizer(t)["input_ids"].index(key)]
        for t, o in zip(SAMPLE, outs, strict=True)
    ]
    got = ctx.piece_vectors_[list(ctx.piece_ids_).index(key)]
    np.testing.assert_allclose(got, np.mean(readings, axis=0), rtol=1e-5, atol=1e-5)


@pytest.mark.slow
def test_a_text_is_the_weighted_mean_of_its_pieces(fitted):
    ctx, _ = fitted
    text = "piano keys unseen-word"
    ids = ctx._model().tokenizer(text)["input_ids"]
    table = ctx.table()
    w = ctx.weights_[ids]
    expected = (table[ids] * w[:, None]).sum(axis=0) / w.sum()
    np.testing.assert_allclose(ctx.transform([text])[0], expected, rtol=1e-5, atol=1e-6)
    # frequent pieces weigh less (SIF): "the" is in most corpus texts, "orchestra" in one
    tok = ctx._model().tokenizer
    the, orchestra = tok.convert_tokens_to_ids(["the", "orchestra"])
    assert ctx.weights_[the] < ctx.weights_[orchestra]


@pytest.mark.slow
def test_adapted_embedder_with_pieces_in_context_saves_and_reloads(tmp_path):
    pytest.importorskip("sentence_transformers")
    texts = [f"{t} ({i})" for i in range(6) for t in CORPUS]
    emb = AdaptedEmbedder(
        static=CONTEXT_MODEL,
        min_sample=8,
        max_sample=8,
        n_hash=2**12,
        cache_dir=tmp_path,
        progress=False,
    )
    X = emb.fit_transform(texts)
    assert X.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-5)
    assert "word pieces read in context" in emb.model_id_
    # saved and loaded as a model saves its embedder: plain state and an npz, no pickle
    arrays: dict = {}
    state = _embedder_state(emb, arrays)
    names = {"context_ids_", "context_vectors_", "context_weights_"}
    assert {f"embedder_{n}" for n in names} <= set(arrays)
    np.savez(tmp_path / "arrays.npz", **arrays)
    with np.load(tmp_path / "arrays.npz", allow_pickle=False) as npz:
        loaded = _load_embedder(state, {k: npz[k] for k in npz.files})
    new = ["A key to the cipher.", texts[0]]
    np.testing.assert_allclose(loaded.transform(new), emb.transform(new), rtol=1e-5, atol=1e-6)
    again = AdaptedEmbedder(**emb.get_params()).fit_transform(texts)
    np.testing.assert_array_equal(again, X)  # seeded: the same sample, the same map


def test_pieces_in_context_need_the_minilm_teacher(tmp_path):
    emb = AdaptedEmbedder(teacher="use-multilingual", static=CONTEXT_MODEL, cache_dir=tmp_path)
    with pytest.raises(ConfigError, match="teacher='minilm'"):
        emb.fit(CORPUS)
