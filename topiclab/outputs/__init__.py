"""Outputs: figures (registered, rendered with a manifest), fonts and the HTML report.

Everything here reads plain-data results (:class:`topiclab.themes.RunResult`), never
estimator internals. Importing this package does not import matplotlib.
"""
