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
# # 04 · Interpreting the themes of the bundled corpus
#
# The bundled corpus holds these articles (one of its files carries two glued articles):
# Toyota's energy-storage system at the China International Import Expo (CIIE),
# an Arabic article on Toyota and Lexus electric cars and batteries in Shanghai, the 2023
# Shanghai energy-storage conference, traditional industries upgrading at the World
# Manufacturing Convention, the Canadian prime minister's visit to China and trade ties,
# and Sino-German cooperation on smart, green new-energy vehicles (NEVs). By subject they
# speak to four things: **energy storage**, **NEVs and smart driving**, **industrial
# upgrading** and **trade policy**.
#
# This notebook reads the embedding themes of a run against those subjects: which article
# speaks to which theme, how the Arabic article fits, and how the articles relate.
# Every number and term in the text below is printed by the cell that computes it, and the
# claims the text makes are checked by `assert` cells: if a later run no longer supports a
# claim, the notebook stops there. It interprets the bundled corpus; with another corpus
# the article-matching cell stops it.
#
# Parameters: `corpus_path` (`None` means the bundled corpus), `seed` and `run_dir` (a
# saved run to read; otherwise the pipeline runs here).

# %% tags=["parameters"]
corpus_path = None
seed = 0
run_dir = None

# %%
# %matplotlib inline
import numpy as np
import pandas as pd

import topiclab
from topiclab.outputs.plot_themes import fig_doc_theme_heatmap
from topiclab.pipeline import load_or_run

pd.set_option("display.max_colwidth", 90)
pd.set_option("display.width", 160)
print("topiclab", topiclab.__version__)

# %%
result = load_or_run(run_dir, corpus_path, seed)
passages = result.passages
theme_labels = {t.id: t.label for t in result.themes}
print(
    f"{result.meta['n_documents']} articles, {result.meta['n_passages']} passages, "
    f"{len(result.themes)} embedding themes, {len(result.topics)} LDA topics"
)

# %% [markdown]
# ## The articles
#
# Each article is recognised by a phrase from its headline or first lines, and given a
# short name used in the tables below.

# %%
documents = result.documents.set_index("doc_id")
heading = documents["title"].fillna("") + " " + documents["text"].str.slice(0, 400)
phrases = {
    "Toyota storage at the CIIE": "China International Import Expo",
    "Toyota and Lexus in Shanghai (ar)": "تويوتا",
    "Energy storage conference": "International Energy Storage Technology",
    "Traditional industries upgrade": "traditional industries",
    "Canadian PM in China": "Canadian Prime Minister",
    "Sino-German smart, green NEVs": "Sino-German cooperation",
}
found = {
    name: heading.index[heading.str.contains(phrase, case=False, regex=False)].tolist()
    for name, phrase in phrases.items()
}
assert all(len(ids) == 1 for ids in found.values()), found
doc_of = {name: ids[0] for name, ids in found.items()}
assert sorted(doc_of.values()) == sorted(documents.index), "every article is named once"
short = pd.Series({doc: name for name, doc in doc_of.items()})
documents.assign(name=short)[["name", "lang", "date", "source_file", "n_passages"]]

# %% [markdown]
# ## Which article speaks to which theme
#
# Each article's mixture over the embedding themes (the share of its text, by passage
# length, in each theme), with its dominant theme.

# %%
mix = result.doc_themes.rename(index=short)
mix.columns = [f"{c}: {theme_labels.get(c, 'outliers')[:32]}" for c in result.doc_themes.columns]
dominant = result.doc_themes.idxmax(axis=1).rename(index=short)
dominant_share = result.doc_themes.max(axis=1).rename(index=short)
table = (100 * mix).round().astype(int)
table["dominant theme"] = [f"{t}: {theme_labels.get(t, 'outliers')}" for t in dominant]
table["dominant %"] = (100 * dominant_share).round().astype(int)
table

# %%
fig_doc_theme_heatmap(result)

# %% [markdown]
# Passages per theme and article: the counts behind the shares.

# %%
members = pd.crosstab(passages["theme"], passages["doc_id"].map(short))
members.insert(0, "label", [theme_labels.get(int(t), "outliers") for t in members.index])
members

# %% [markdown]
# ## What each theme is about
#
# The top terms of each theme in English and in Arabic, and the articles it draws on.

# %%
for theme in result.themes:
    counts = members.loc[theme.id].drop("label")
    sources = ", ".join(f"{name} {n}" for name, n in counts[counts > 0].items())
    print(f"[{theme.id}] {theme.label}  ({theme.size} passages: {sources})")
    for lang in ("en", "ar"):
        if lang in theme.terms:
            print(f"      {lang}: {', '.join(theme.keywords(lang, 8))}")

# %% [markdown]
# ## Subjects and the themes that carry them
#
# Each subject is given a few indicator words; a theme carries a subject when its ten top
# terms (over all languages and in English; phrases are split at `_`) include one of them.

# %%
subjects = {
    "energy storage": {"storage", "battery", "batteries", "lithium", "grid"},
    "NEVs and smart driving": {"nev", "vehicle", "vehicles", "driving", "autonomous", "automotive"},
    "industrial upgrading": {"industrial", "industries", "manufacturing", "high-tech", "upgrade"},
    "trade policy": {"trade", "tariff", "tariffs", "export", "exports"},
}
matched = {
    subject: {
        t.id: sorted(
            {w for w in t.top_words("all", 10) + t.top_words("en", 10) if set(w.split("_")) & words}
        )
        for t in result.themes
    }
    for subject, words in subjects.items()
}
n_hits = pd.DataFrame({s: {tid: len(v) for tid, v in m.items()} for s, m in matched.items()})
carrier = {s: int(n_hits[s].idxmax()) for s in subjects if n_hits[s].max() > 0}
pd.DataFrame({s: {tid: ", ".join(v) for tid, v in m.items()} for s, m in matched.items()}).rename(
    index=theme_labels
)

# %%
for subject in subjects:
    if subject not in carrier:
        print(f"{subject}: no theme's ten top terms include its indicator words")
        continue
    tid = carrier[subject]
    shares = result.doc_themes[tid].rename(index=short).sort_values(ascending=False)
    print(
        f"{subject}: strongest in theme {tid} '{theme_labels[tid]}' "
        f"({', '.join(matched[subject][tid])}); largest shares: "
        + ", ".join(f"{name} {share:.0%}" for name, share in shares.head(3).items())
    )

# %% [markdown]
# ### Trade policy stands apart
#
# The theme that carries the trade words is the Canadian article's own: the article is
# dominated by it, it holds no passage of any other article, and it is not the dominant
# theme of any other article.

# %%
canada = doc_of["Canadian PM in China"]
assert "trade policy" in carrier, "a theme's top terms name trade"
trade_theme = carrier["trade policy"]
others_in_trade = passages[(passages["theme"] == trade_theme) & (passages["doc_id"] != canada)]
print(
    f"The Canadian article's dominant theme is '{theme_labels[trade_theme]}' "
    f"({dominant_share[short[canada]]:.0%} of the article); "
    f"{len(others_in_trade)} passages of other articles fall in it."
)

# %%
assert dominant[short[canada]] == trade_theme
assert dominant_share[short[canada]] > 0.5
assert others_in_trade.empty
assert (dominant.drop(short[canada]) != trade_theme).all()
conference = doc_of["Energy storage conference"]
assert dominant[short[canada]] != dominant[short[conference]]

# %% [markdown]
# The file that held two glued articles was split into two documents, and they do not
# share a dominant theme.

# %%
industries = doc_of["Traditional industries upgrade"]
glued = documents.loc[[industries, canada], "source_file"]
assert glued.nunique() == 1, "both come from one file"
assert dominant[short[industries]] != dominant[short[canada]]
print(
    f"{glued.iloc[0]}: '{short[industries]}' -> theme {dominant[short[industries]]}, "
    f"'{short[canada]}' -> theme {dominant[short[canada]]}"
)

# %% [markdown]
# ### Energy storage, NEVs and industrial upgrading
#
# These three subjects share actors and framing: Toyota appears with a storage system and
# with electric cars, and the CIIE article presents storage and intelligent driving as
# "new quality productive forces" of the automotive industry (quoted below). The cell then
# states, for each subject's articles, where their text goes.

# %%
quote = passages.loc[
    passages["text"].str.contains("new quality productive forces in the automotive", regex=False),
    ["doc_id", "text"],
]
assert len(quote) == 1 and quote["doc_id"].iloc[0] == doc_of["Toyota storage at the CIIE"]
print(quote["text"].iloc[0].split("\n")[0], "\n")
subject_articles = {
    "energy storage": ["Toyota storage at the CIIE", "Energy storage conference"],
    "NEVs and smart driving": [
        "Sino-German smart, green NEVs",
        "Toyota and Lexus in Shanghai (ar)",
    ],
    "industrial upgrading": ["Traditional industries upgrade"],
}
for subject, names in subject_articles.items():
    for name in names:
        top2 = result.doc_themes.loc[doc_of[name]].sort_values(ascending=False).head(2)
        print(
            f"{subject} / {name}: dominant '{theme_labels[int(top2.index[0])]}' "
            f"({top2.iloc[0]:.0%}), next '{theme_labels[int(top2.index[1])]}' ({top2.iloc[1]:.0%})"
        )
storage_a, storage_b = (doc_of[n] for n in subject_articles["energy storage"])
same = dominant[short[storage_a]] == dominant[short[storage_b]]
print(f"\nThe two energy-storage articles {'share' if same else 'do not share'} a dominant theme.")

# %% [markdown]
# Whether the other themes follow single articles or draw on several depends on the run;
# the cell below counts them.

# %%
articles_per_theme = passages.groupby("theme")["doc_id"].nunique()
print(articles_per_theme.rename(index=theme_labels).to_string())
shared_themes = articles_per_theme[articles_per_theme > 1]
print(
    f"\n{len(shared_themes)} of {len(articles_per_theme)} themes draw on more than one article"
    + (": " + "; ".join(theme_labels[t] for t in shared_themes.index) if len(shared_themes) else "")
)

# %% [markdown]
# ## How the Arabic article fits
#
# The Arabic article's dominant theme also holds English passages, among them passages of
# the English article on Toyota at the CIIE, and the theme's English and Arabic term lists
# both name Toyota. No Arabic passage is left in an Arabic-only theme.
#
# How the Arabic passages got there is part of the run's record: the clustering may place
# them with English passages directly, or the language-merge step may dissolve a cluster
# made of a single minority language into the nearest themes (when its centre is at least
# as close to another theme as theme centres typically are to each other). The cell after
# the next prints which happened.
#
# LDA sees only words, and an Arabic and an English passage share almost none. On a
# multilingual corpus topiclab therefore fits LDA on cross-lingual units: each passage's
# words joined with those of its nearest passage (by embedding) in every other language
# (`lda_neighbours`, `docs/lda.md`). The Arabic passages then share their LDA topics with
# English passages as well; plain LDA (`lda_neighbours=0`) gives them topics of their own.

# %%
arabic = doc_of["Toyota and Lexus in Shanghai (ar)"]
ar_theme = int(dominant[short[arabic]])
in_ar_theme = passages[passages["theme"] == ar_theme]
english = in_ar_theme[in_ar_theme["lang"] == "en"]
print(
    f"The Arabic article's dominant theme is '{theme_labels[ar_theme]}' "
    f"({dominant_share[short[arabic]]:.0%} of the article), shared with {len(english)} English "
    f"passages from: "
    + ", ".join(f"{short[d]} ({n})" for d, n in english["doc_id"].value_counts().items())
)
print("English terms:", ", ".join(result.themes[ar_theme].keywords("en", 8)))
print("Arabic terms: ", "، ".join(result.themes[ar_theme].keywords("ar", 8)))

# %%
merges = [m for m in result.metrics["embedding"].get("language_merges", []) if m["lang"] == "ar"]
for m in merges:
    print(
        f"Clustering first put {m['size']} Arabic passages in a cluster of their own; its "
        f"centre's similarity to the nearest other theme ({m['similarity']:.2f}) reached the "
        f"threshold (median similarity between themes plus a margin, {m['threshold']:.2f}), "
        "so the language-merge step "
        "moved each passage to its nearest remaining theme."
    )
if not merges:
    print("Clustering placed the Arabic passages with English ones directly; nothing was merged.")

# %%
ar_themes = passages.loc[passages["lang"] == "ar", "theme"].unique()
ar_topics = passages.loc[passages["lang"] == "ar", "lda_topic"].unique()
theme_langs = passages.groupby("theme")["lang"].agg(set)
topic_langs = passages.groupby("lda_topic")["lang"].agg(set)
print("Themes of the Arabic passages and their languages:")
print(theme_langs.loc[ar_themes].rename(index=theme_labels).to_string())
print("LDA topics of the Arabic passages and their languages:")
print(topic_langs.loc[ar_topics].to_string())

# %%
assert len(english) > 0
assert doc_of["Toyota storage at the CIIE"] in set(english["doc_id"])
assert "toyota" in result.themes[ar_theme].top_words("en", 10)
assert "تويوتا" in result.themes[ar_theme].top_words("ar", 10)
assert all("en" in theme_langs[t] for t in ar_themes)
assert all("en" in topic_langs[t] for t in ar_topics)

# %% [markdown]
# ## How the articles relate
#
# Cosine similarity between the articles' theme mixtures: articles that spread over the same
# themes score close to 1, articles with no theme in common score 0.

# %%
weights = result.doc_themes.to_numpy(dtype=float)
unit = weights / np.linalg.norm(weights, axis=1, keepdims=True)
names = short[result.doc_themes.index].tolist()
similarity = pd.DataFrame(unit @ unit.T, index=names, columns=names)
similarity.round(2)

# %%
pairs = similarity.where(np.triu(np.ones(similarity.shape, dtype=bool), k=1)).stack().dropna()
pairs = pairs.sort_values(ascending=False)
print("Most alike:  " + "; ".join(f"{a} ~ {b} ({s:.2f})" for (a, b), s in pairs.head(3).items()))
print("Least alike: " + "; ".join(f"{a} ~ {b} ({s:.2f})" for (a, b), s in pairs.tail(3).items()))
canada_row = similarity.loc[short[canada]].drop(short[canada])
print(f"The Canadian article's highest similarity to any other article: {canada_row.max():.2f}")

# %% [markdown]
# The Canadian article shares almost nothing with the others: its highest similarity to
# any of them is below 0.2.

# %%
assert canada_row.max() < 0.2

# %% [markdown]
# ## The subjects over time (2023–2025)
#
# Three articles carry a date (the cleaner found it in the text: the energy-storage
# conference, the traditional-industries article and the Arabic Toyota article); the other
# three give none and are counted as undated, not placed in a year. Themes over time
# (`topiclab.analysis.themes_over_time`, also written as `themes_over_time.parquet` in a
# run folder) gives each theme's share of the dated articles of each year; the cells below
# read the subjects' themes (chosen above from their top terms) off that table.

# %%
from topiclab.analysis import themes_over_time

over_time = themes_over_time(result, bin="year")
info = over_time.attrs
print(
    f"{info['dated']} dated and {info['undated']} undated articles "
    f"({info['missing']} without a date, {info['malformed']} unreadable); "
    f"years {info['first'][:4]}–{info['last'][:4]}"
)
yearly = over_time.pivot_table(index="theme", columns="period", values="share")
yearly.index = [f"{t}: {theme_labels[t][:40]}" for t in yearly.index]
(100 * yearly).round(1)

# %%
dated_articles = documents["date"].dropna().str.slice(0, 4)
print(
    "Dated articles:",
    "; ".join(f"{y}: {short[d]}" for d, y in dated_articles.sort_values().items()),
)
for subject in ("energy storage", "NEVs and smart driving", "trade policy"):
    if subject not in carrier:
        print(f"{subject}: no theme carries it")
        continue
    tid = carrier[subject]
    row = over_time[over_time["theme"] == tid].set_index("period")
    print(
        f"{subject} (theme {tid} '{theme_labels[tid]}'): "
        + ", ".join(f"{p} {s:.0%}" for p, s in row["share"].items())
        + "; terms by year: "
        + " | ".join(f"{p}: {t or '(none)'}" for p, t in row["terms"].head(3).items())
    )

# %% [markdown]
# What the table shows on this corpus: each year holds one dated article, so each year's
# shares are that article's mixture. The energy-storage conference gives 2023 to the
# energy-storage theme it dominates; 2024 belongs to the traditional-industries article's
# theme; 2025 to the Arabic Toyota article's theme, which it shares with the English Toyota
# CIIE article (energy storage at the expo, electric cars and batteries in Shanghai).
# Trade appears in no year: its article (the Canadian prime minister's visit) gives no
# date, so the trade theme's share of the dated articles stays near zero. The cell below
# checks these statements against the computed values.

# %%
assert list(yearly.columns) == ["2023", "2024", "2025"]
assert info["undated"] == 3 and pd.isna(documents.loc[canada, "date"])
top_of_year = over_time.loc[over_time.groupby("period")["share"].idxmax()].set_index("period")
assert top_of_year.loc["2023", "theme"] == dominant[short[conference]]
assert top_of_year.loc["2024", "theme"] == dominant[short[industries]]
assert top_of_year.loc["2025", "theme"] == dominant[short[arabic]]
assert over_time.loc[over_time["theme"] == trade_theme, "share"].max() < 0.05
for period, row in top_of_year.iterrows():
    print(f"{period}: '{row['label']}' {row['share']:.0%} of the dated articles")

# %% [markdown]
# ## Summary
#
# * **Trade policy** has a theme of its own: the Canadian article's theme holds nothing
#   else, the article shares almost no theme with the others, and the two articles split
#   from one file go to different themes.
# * **Energy storage, NEVs and industrial upgrading** share actors and framing; where each
#   of their articles falls, and which themes draw on several articles, is printed above.
# * **The Arabic article** ends up in a theme with English passages about the same company
#   (the theme names Toyota in both languages; whether clustering or the language-merge
#   step put it there is printed above); LDA, fitted on cross-lingual units, puts it in
#   topics shared with English passages too.
# * **Over 2023–2025** each dated article makes its year: energy storage (the Shanghai
#   conference) in 2023, industrial upgrading in 2024, the Toyota theme (storage at the
#   CIIE, cars and batteries in Shanghai) in 2025; trade has no dated article, so it
#   appears in no year, and three undated articles are counted apart.
