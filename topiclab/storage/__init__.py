"""Storage: run folders and fitted model state, written atomically, loaded without pickle.

:mod:`.atomic` holds the atomic writers every output goes through, :mod:`.runs` the run
folder (staging, swap, checksums, recovery) and :mod:`.model_state` the fitted model
(``model.json`` + ``arrays.npz``).
"""
