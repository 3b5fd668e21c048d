"""bertlab: compare ways of using a BERT-family encoder for text classification.

The library has no UI dependency; the Streamlit app in ``app.py``/``pages/``
and the CLI (``python -m bertlab``) are thin layers over it.
"""

__version__ = "0.1.0"
