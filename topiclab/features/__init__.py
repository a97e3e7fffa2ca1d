"""Features: texts become matrices.

Language-aware tokenisers (:mod:`.tokenize`), phrase-aware count and TF-IDF matrices
(:mod:`.vectorize`), and sentence embeddings (:mod:`.embed`) with their content-addressed
on-disk cache (:mod:`.cache`). Nothing heavy is imported until an estimator is fitted.
"""
