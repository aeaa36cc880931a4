"""Spoken-digit-string data and evaluation for the embedded default ASR model.

Entry points: ``make_data.py`` (regenerates everything), ``dataset.py`` (training strings built
on the fly), ``make_eval_sets.py``, ``pocketsphinx_eval.py`` (peer baseline), ``metrics.py``.
"""
