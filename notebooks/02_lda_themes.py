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
# # 02 · LDA topics on word counts
#
# Latent Dirichlet allocation on the passages' word counts (phrases merged, language-aware
# tokens): the topics and their words, their coherence (NPMI, C_v) and diversity, and how
# the number of topics K was chosen.
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
from collections import Counter

import matplotlib.pyplot as plt
import pandas as pd

import topiclab
from topiclab.outputs.plot_terms import fig_lda_topic_words
from topiclab.outputs.plot_themes import fig_theme_quality
from topiclab.pipeline import load_or_run

pd.set_option("display.max_colwidth", 110)
pd.set_option("display.width", 160)
print("topiclab", topiclab.__version__)

# %%
result = load_or_run(run_dir, corpus_path, seed)
lda = result.metrics["lda"]
print(
    f"seed {result.config['seed']}, {result.meta['n_documents']} documents, "
    f"{result.meta['n_passages']} passages, {lda['n_themes']} LDA topics"
)

# %% [markdown]
# ## Topics and their words
#
# Each passage is assigned to its most probable topic (`size`); the terms are the topic's
# most probable words, best first, shown as written (phrases with spaces, Arabic in its own
# spelling). The label is a short title made from the same terms, so label and bars agree.

# %%
topics = result.topics.to_frame()
topics[["theme", "label", "size", "languages", "terms_all"]]

# %%
fig_lda_topic_words(result)

# %% [markdown]
# ## What LDA cannot do: join languages
#
# LDA counts words, and Arabic, Chinese and English passages share almost no words (a few
# names and acronyms). So LDA keeps each language in topics of its own; the embedding themes
# (notebook 03) are the view that joins languages. The languages of each topic, and the
# representative passages of a topic with their share of it:

# %%
print(lda.get("language_note", "one language: nothing to join"))
pd.DataFrame(
    {
        "label": [t.label for t in result.topics],
        "languages": [", ".join(lda["topic_languages"].get(str(t.id), [])) for t in result.topics],
        "small": [t.id in lda.get("small_topics", []) for t in result.topics],
        "best passage (share)": [
            f"{t.representative[0]['text'][:60]}… ({t.representative[0].get('share', 0):.2f})"
            if t.representative
            else ""
            for t in result.topics
        ],
    },
    index=pd.Index([t.id for t in result.topics], name="topic"),
)

# %% [markdown]
# ## Coherence and diversity per topic
#
# * **NPMI** (normalised pointwise mutual information, from −1 to 1): do a topic's top words
#   occur together in the same passages more than chance would have it?
# * **C_v** (0 to 1): a smoothed, indirect version of the same idea; usually higher.
# * **Unique words**: the share of a topic's 10 top words that are among no other topic's 10
#   top words. The run's overall *diversity* is the share of unique words over all topics.
#
# On a small corpus these scores are noisy; they rank the topics rather than grade them.

# %%
top_words = {t.id: t.top_words("all", 10) for t in result.topics}
word_topics = Counter(w for words in top_words.values() for w in words)
quality = pd.DataFrame(
    {
        "label": [t.label for t in result.topics],
        "npmi": [t.coherence.get("npmi") for t in result.topics],
        "c_v": [t.coherence.get("c_v") for t in result.topics],
        "unique_words": [
            sum(word_topics[w] == 1 for w in top_words[t.id]) / max(len(top_words[t.id]), 1)
            for t in result.topics
        ],
        "shared_words": [
            ", ".join(w for w in top_words[t.id] if word_topics[w] > 1) for t in result.topics
        ],
    },
    index=pd.Index([t.id for t in result.topics], name="topic"),
)
quality.round(3)

# %%
overall = pd.Series(
    {k: lda[k] for k in ("n_themes", "npmi", "c_v", "diversity")}, name="LDA"
).to_frame()
overall["embedding themes"] = pd.Series(
    {k: result.metrics["embedding"][k] for k in ("n_themes", "npmi", "c_v", "diversity")}
)
overall.round(3)

# %%
best = quality["npmi"].idxmax()
worst = quality["npmi"].idxmin()
print(
    f"Most coherent topic (NPMI {quality.loc[best, 'npmi']:.3f}): {quality.loc[best, 'label']}\n"
    f"Least coherent topic (NPMI {quality.loc[worst, 'npmi']:.3f}): {quality.loc[worst, 'label']}\n"
    f"Overall diversity {lda['diversity']:.2f}: "
    f"{lda['diversity']:.0%} of all top words belong to one topic only."
)

# %%
fig_theme_quality(result)

# %% [markdown]
# ## How K was chosen
#
# When the configuration does not fix the number of topics, LDA is fitted for each
# candidate K and each fit is scored on its top-10 words: mean NPMI plus half the topic
# diversity. The table holds the run's record of that search; the assertion below checks
# that the chosen K is the one with the best score.

# %%
selection = lda["k_selection"]
k_table = pd.DataFrame(
    {"npmi": selection["npmi"], "diversity": selection["diversity"]},
    index=pd.Index(selection["candidates"], name="K"),
)
k_table["score"] = k_table["npmi"].fillna(-1.0) + 0.5 * k_table["diversity"]
k_table["chosen"] = k_table.index == selection["chosen"]
k_table.round(3)

# %%
assert selection["chosen"] == k_table["score"].idxmax()
assert selection["chosen"] == lda["n_themes"] == len(result.topics)
print(
    f"K = {selection['chosen']} of candidates {selection['candidates']}: "
    f"NPMI {k_table.loc[selection['chosen'], 'npmi']:.3f}, "
    f"diversity {k_table.loc[selection['chosen'], 'diversity']:.3f}"
)

# %%
fig, ax_npmi = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
ax_npmi.plot(k_table.index, k_table["npmi"], "o-", color="tab:blue", label="NPMI")
ax_npmi.set_xlabel("K (number of topics)")
ax_npmi.set_ylabel("NPMI", color="tab:blue")
ax_div = ax_npmi.twinx()
ax_div.plot(k_table.index, k_table["diversity"], "s--", color="tab:orange", label="diversity")
ax_div.set_ylabel("diversity", color="tab:orange")
ax_npmi.axvline(selection["chosen"], color="grey", lw=1, ls=":")
ax_npmi.set_xticks(k_table.index)
ax_npmi.set_title(f"LDA model selection (chosen K = {selection['chosen']})")
plt.show()

# %% [markdown]
# ## Passages of each topic
#
# The passages each topic holds best, with their language.

# %%
for topic in result.topics:
    print(f"[{topic.id}] {topic.label}  ({topic.size} passages)")
    for rep in topic.representative[:2]:
        print(f"    {rep['lang']}  {rep['score']:.2f}  {rep['text'][:140]}…")
