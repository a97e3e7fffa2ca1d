# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Embedding themes across languages
#
# Each passage is encoded by a multilingual sentence encoder, which maps Arabic and English
# text into one space, and the embeddings are clustered into themes. This notebook shows the themes on a 2-D map, which themes hold passages of
# more than one language, the terms of each theme per language, and the passages that
# represent each theme best.
#
# Parameters: `corpus_path` (a file or folder of articles; `None` means the bundled
# corpus), `seed` and `run_dir`. When `run_dir` names a saved run, its result is read and
# `corpus_path`/`seed` are those of that run; otherwise the pipeline runs here.

# %% tags=["parameters"]
corpus_path = None
seed = 0
run_dir = None

# %%
# %matplotlib inline
import pandas as pd

import topiclab
from topiclab.outputs.plot_terms import fig_theme_terms
from topiclab.outputs.plot_themes import fig_passage_map, fig_theme_sizes
from topiclab.pipeline import load_or_run

pd.set_option("display.max_colwidth", 110)
pd.set_option("display.width", 160)
print("topiclab", topiclab.__version__)

# %%
result = load_or_run(run_dir, corpus_path, seed)
emb = result.metrics["embedding"]
print(
    f"{result.meta['embedding_model']}: {result.meta['n_passages']} passages, "
    f"{emb['n_themes']} themes, silhouette {emb['silhouette']:.3f}, "
    f"NPMI {emb['npmi']:.3f}, C_v {emb['c_v']:.3f}, diversity {emb['diversity']:.2f}"
)

# %% [markdown]
# ## The map
#
# Every point is a passage, placed by UMAP from its embedding; colour is the theme, marker
# shape the language. Distances on the map are only a guide: the themes are found in the
# full embedding space.

# %%
fig_passage_map(result)

# %%
fig_theme_sizes(result)

# %% [markdown]
# ## Themes that cross languages
#
# Passages per theme and language, and the number of articles each theme draws on. A theme
# with passages in two languages groups text that the word-count view (notebook 02) keeps
# apart, since the languages share almost no words.

# %%
passages = result.passages
titles = result.documents.set_index("doc_id")["title"]
theme_labels = {t.id: t.label for t in result.themes}
by_lang = pd.crosstab(passages["theme"], passages["lang"])
by_lang.insert(0, "label", [theme_labels.get(int(i), "outliers") for i in by_lang.index])
by_lang["articles"] = passages.groupby("theme")["doc_id"].nunique()
by_lang

# %%
langs_per_theme = passages.groupby("theme")["lang"].nunique()
crossing = langs_per_theme[langs_per_theme > 1].index.tolist()
print(f"{len(crossing)} of {len(result.themes)} themes hold passages in more than one language")
for tid in crossing:
    members = passages[passages["theme"] == tid]
    print(f"\n[{tid}] {theme_labels.get(tid, 'outliers')}")
    for (lang, doc_id), n in members.groupby(["lang", "doc_id"]).size().items():
        title = titles.get(doc_id)
        name = title if isinstance(title, str) and title else doc_id
        print(f"    {lang}: {n} passage(s) of {name[:70]}")

# %% [markdown]
# Two steps of the run shape these themes: each passage embedding is blended with its
# article's mean embedding (weight `context_weight`; 0 leaves passages as they are), and
# unless the run asks for per-language themes (`language_themes`), a cluster made of a
# single minority language is dissolved into its nearest themes when it is about as close
# to them as themes are to each other. The run's settings and its record of merges:

# %%
print(
    f"context_weight = {result.config.get('context_weight')}, "
    f"language_themes = {result.config.get('language_themes')}"
)
merges = result.metrics["embedding"].get("language_merges", [])
print(f"{len(merges)} single-language cluster(s) dissolved")
for m in merges:
    print(
        f"    {m['size']} {m['lang']} passages: similarity to the nearest theme "
        f"{m['similarity']:.2f} >= threshold {m['threshold']:.2f} (median between themes + margin); each joined its nearest theme"
    )

# %% [markdown]
# ## Terms per language
#
# Each theme's terms are scored separately within each language (class-based TF-IDF over
# the theme's passages of that language), so an Arabic column lists Arabic words and an
# English column English words; an empty cell means the theme has no passages in that
# language.

# %%
term_rows = [
    {"theme": t.id, "lang": lang, "terms": ", ".join(t.top_words(lang, 8))}
    for t in result.themes
    for lang in t.terms
    if lang != "all"
]
pd.DataFrame(term_rows).pivot(index="theme", columns="lang", values="terms").fillna("")

# %%
fig_theme_terms(result, n_terms=6)

# %% [markdown]
# ## Representative passages
#
# The passages closest to each theme's centre, at least one per language present in the
# theme (`score` is the cosine similarity to the centre).

# %%
for theme in result.themes:
    print(f"[{theme.id}] {theme.label}  ({theme.size} passages: {theme.languages})")
    for rep in theme.representative:
        title = titles.get(rep["doc_id"])
        name = title if isinstance(title, str) and title else rep["doc_id"]
        print(f"    {rep['lang']}  {rep['score']:.2f}  [{name[:40]}]")
        print(f"        {rep['text'][:220]}…")
    print()

# %% [markdown]
# ## Coherence per theme
#
# The same measures as for the LDA topics (notebook 02), computed on each theme's top
# words over all languages.

# %%
pd.DataFrame(
    {
        "label": [t.label for t in result.themes],
        "size": [t.size for t in result.themes],
        "npmi": [t.coherence.get("npmi") for t in result.themes],
        "c_v": [t.coherence.get("c_v") for t in result.themes],
    },
    index=pd.Index([t.id for t in result.themes], name="theme"),
).round(3)

# %% [markdown]
# ## Exploring interactively
#
# A theme table, a theme and the whole run display as HTML tables in Jupyter: terms per
# language (Arabic right to left), a representative passage and the coherence of each
# theme.

# %%
result.themes

# %% [markdown]
# The same results as interactive charts (plotly, drawn with WebGL and fully offline: the
# script comes with the installed package). On the map, hover a point to read the passage,
# drag to zoom, double-click to zoom out, click a legend entry to hide a theme;
# `search=` outlines the passages that contain a word. The static figures above are their
# twins for papers.

# %%
import plotly.io as pio

from topiclab.outputs import interactive

pio.renderers.default = "plotly_mimetype"  # JupyterLab draws it; the notebook file stays small
interactive.passage_map(result, search="energy")

# %%
interactive.term_bars(result, theme=result.themes[0].id)

# %%
interactive.theme_sizes(result)

# %%
interactive.theme_hierarchy(result) if len(result.themes) > 1 else "one theme: no hierarchy"
