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
# # 01 · The corpus and what cleaning changed
#
# What the articles are (languages, dates, lengths) and what ingestion did to the raw text:
# every change the cleaner makes is recorded in an audit log, summarised here by step and
# action, with a few before/after examples.
#
# Parameters: `corpus_path` (a file or folder of articles; `None` means the bundled
# corpus), `seed` (unused here, kept for symmetry with the other notebooks) and `run_dir`
# (a saved run; when given, the notebook checks that the run was made from this corpus).

# %% tags=["parameters"]
corpus_path = None
seed = 0
run_dir = None

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import pandas as pd

import topiclab
from topiclab.paths import default_corpus
from topiclab.storage.runs import load_result

pd.set_option("display.max_colwidth", 90)
pd.set_option("display.width", 160)

# %%
source = corpus_path or default_corpus()
corpus = topiclab.ingest.load(source)
print(f"{len(corpus.documents)} documents, {len(corpus.passages)} passages from {source}")

# %% [markdown]
# ## Documents
#
# One row per article after cleaning. A file may hold more than one article: the
# `source_file` column shows where each came from.

# %%
corpus.summary()

# %%
languages = pd.Series(corpus.languages(), name="documents").rename_axis("language")
languages.to_frame()

# %%
documents = corpus.documents.assign(words=corpus.documents["text"].str.split().str.len())
documents[["doc_id", "lang", "date", "source", "attribution", "source_file"]].astype(object).fillna(
    ""
)

# %% [markdown]
# Dates and sources are read from the article text (datelines and "Updated:" header lines);
# an empty cell means the text gives none.

# %%
dated = documents["date"].notna()
print(f"{int(dated.sum())} of {len(documents)} documents carry a date:")
print(documents.loc[dated, ["doc_id", "date"]].sort_values("date").to_string(index=False))

# %% [markdown]
# ## Lengths
#
# Words per document and per passage (passages are the units the models see; words are
# counted by whitespace, which suits English and Arabic).

# %%
passages = corpus.passages.assign(words=corpus.passages["text"].str.split().str.len())
passages.groupby("lang")["words"].describe()[["count", "mean", "min", "max"]].round(1)

# %%
fig, (ax_docs, ax_pass) = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
ax_docs.barh(documents["doc_id"] + " (" + documents["lang"] + ")", documents["words"])
ax_docs.invert_yaxis()
ax_docs.set_xlabel("words")
ax_docs.set_title("Words per document")
for lang, group in passages.groupby("lang"):
    ax_pass.hist(group["words"], bins=12, alpha=0.7, label=lang)
ax_pass.set_xlabel("words")
ax_pass.set_ylabel("passages")
ax_pass.set_title("Words per passage")
ax_pass.legend(title="language")
plt.show()

# %% [markdown]
# ## What cleaning changed
#
# The audit log has one row per change: the file, the document, the step (`repair`,
# `boilerplate`, `split`, `meta`, ...), the action and the reason.

# %%
log = corpus.log_frame()
counts = log.groupby(["step", "action"]).size().rename("changes").reset_index()
counts

# %%
log.groupby("file").size().rename("changes").to_frame()

# %% [markdown]
# ### Repaired words
#
# Words broken across two lines are joined when a line ends without sentence punctuation
# and the next starts in lower case (`⏎` marks the line break that was removed).

# %%
repairs = log[log["step"] == "repair"]
print(f"{len(repairs)} repairs")
for row in repairs.head(5).itertuples():
    print(f"{row.file}, line {row.line:.0f}:")
    print("  before:", row.before.replace("\n", "⏎").strip())
    print("  after: ", row.after.strip())

# %% [markdown]
# ### Removed boilerplate and header lines
#
# Share bars, navigation links, repeated section names and date/source lines are taken out
# of the text; dates and sources found on the way go into the document's metadata.

# %%
removed_cols = [c for c in ("file", "step", "action", "removed", "metadata", "reason") if c in log]
removed = log[log["step"].isin(["boilerplate", "meta"])][removed_cols]
print(f"{len(removed)} lines removed or moved to metadata")
removed.astype(object).fillna("")

# %% [markdown]
# ### Headlines and glued articles
#
# Repeated headlines are kept once as the title, and a file whose headlines mark several
# articles is split into one document per article.

# %%
split_cols = [
    c for c in ("file", "action", "title", "count", "parts", "titles", "reason") if c in log
]
log[log["step"] == "split"][split_cols].astype(object).fillna("")

# %%
per_file = documents.groupby("source_file")["doc_id"].count().rename("documents")
print("Files that held more than one article:")
print(per_file[per_file > 1].to_string())

# %% [markdown]
# ## The saved run, when one is given
#
# A run records the fingerprint of the corpus it was made from; it must match the corpus
# described above.

# %%
if run_dir:
    run_fingerprint = load_result(run_dir).meta["corpus_fingerprint"]
    assert run_fingerprint == corpus.fingerprint(), "the run was made from another corpus"
    print(f"{run_dir} was made from this corpus (fingerprint {run_fingerprint[:12]})")
else:
    print(f"corpus fingerprint {corpus.fingerprint()[:12]}")
