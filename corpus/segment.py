"""Sentence segmentation for news paragraphs, as character spans into the original text.

Korean goes through kiwipiepy, the only splitter that handled Korean news quoting
(``"…다."라고``), decimals (``3.5%``), dotted dates (``2024.1.22``) and initials
(``커트 M. 캠벨``) correctly in our field tests. English and other languages go through
pysbd (its English rules stand in for languages it lacks, such as Icelandic).

Both libraries are good but were built for general text; on news they make a handful of
systematic mistakes. Rather than rewrite them, each boundary they propose is checked by a
small post-pass of documented rules (``_KOREAN_MERGE_RULES``, ``_LATIN_MERGE_RULES``) that
can only *remove* a boundary, plus one English pass that *adds* boundaries inside long
quotations, which pysbd never splits but the Korean side always does.

Spans are always taken from the original string, never from the libraries' output text,
so ``text[start:end]`` is exactly the sentence and no character of the paragraph is lost:
the sentences tile the paragraph, minus surrounding whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING

import pysbd
from pysbd.languages import LANGUAGE_CODES as PYSBD_LANGUAGES

from corpus.article import Article
from corpus.language import primary_language
from corpus.store import StoredSentence

if TYPE_CHECKING:
    from kiwipiepy import Kiwi, Sentence

Span = tuple[int, int]

# Characters that may follow a sentence's final punctuation and still belong to it.
_CLOSERS = "\"'”’»)]}›」』】"
# Sentence-final marks, including those of other scripts pysbd segments (Hindi danda,
# Arabic and Greek question marks, Urdu, Armenian, Burmese and Amharic full stops).
_TERMINAL = ".!?…。！？‥।॥؟۔։။።\u037e"


# -- public interface --------------------------------------------------------------------


def split_sentences(text: str, lang: str) -> list[Span]:
    """Spans (start, end) of the sentences of one paragraph, whitespace excluded."""
    return split_paragraphs([text], lang)[0]


def split_paragraphs(texts: Sequence[str], lang: str) -> list[list[Span]]:
    """Sentence spans for many paragraphs of one language at once.

    Korean paragraphs are handed to kiwipiepy in one batch, which roughly doubles its
    throughput over one call per paragraph.
    """
    code = primary_language(lang)
    if code == "ko":
        raw = _kiwi_starts(texts)
        rules = _KOREAN_MERGE_RULES
    else:
        raw = [_pysbd_starts(text, code) for text in texts]
        rules = _LATIN_MERGE_RULES
    result = []
    for text, starts in zip(texts, raw, strict=True):
        spans = _merge(text, _tile(text, starts), rules)
        if code != "ko":
            spans = _split_inside_quotes(text, spans, code)
        result.append(spans)
    return result


def strip_dateline(text: str, lang: str) -> int:
    """How many leading characters of a paragraph are a news dateline (0 when none).

    Datelines (``(서울=연합뉴스) 홍길동 기자 =``, ``SEOUL, Jan. 22 (Yonhap) --``) are not
    part of the first sentence and have no counterpart in the other language's edition, so
    they would only hurt alignment.
    """
    patterns = _KOREAN_DATELINES if primary_language(lang) == "ko" else _LATIN_DATELINES
    for pattern in patterns:
        match = pattern.match(text)
        if match and match.end() > 0:
            return match.end()
    return 0


def segment_article(article: Article) -> list[StoredSentence]:
    """The article's sentences, numbered over the whole article, with offsets into
    ``article.text`` (title, then paragraphs, joined by newlines).

    The title is paragraph 0 (kind "heading"); paragraph i of ``article.paragraphs`` is
    paragraph i + 1. The dateline of the first body paragraph is left out.
    """
    blocks = [(article.title, "heading"), *((p.text, p.kind) for p in article.paragraphs)]
    skips = _dateline_skips(blocks, article.language)
    bodies = [text[skip:] for (text, _), skip in zip(blocks, skips, strict=True)]
    spans_per_block = split_paragraphs(bodies, article.language)

    sentences: list[StoredSentence] = []
    offset = 0
    for number, ((text, kind), skip, spans) in enumerate(
        zip(blocks, skips, spans_per_block, strict=True)
    ):
        base = offset + skip
        for start, end in spans:
            sentences.append(
                StoredSentence(
                    idx=len(sentences),
                    paragraph=number,
                    kind=kind,
                    start=base + start,
                    end=base + end,
                    text=text[skip + start : skip + end],
                )
            )
        offset += len(text) + 1  # the "\n" that Article.text puts between paragraphs
    return sentences


# -- shared machinery --------------------------------------------------------------------


def _dateline_skips(blocks: list[tuple[str, str]], lang: str) -> list[int]:
    """Characters to skip at the start of each block: only the first non-empty body
    paragraph can carry a dateline."""
    skips = [0] * len(blocks)
    for number, (text, kind) in enumerate(blocks):
        if number > 0 and kind == "body" and text.strip():
            skips[number] = strip_dateline(text, lang)
            break
    return skips


def _tile(text: str, starts: list[int]) -> list[Span]:
    """Turn sentence start positions into spans that cover the whole text.

    Each sentence runs to the next one's start, trimmed of whitespace. Working from
    starts alone means text a library dropped or altered still ends up in some sentence.
    """
    first = len(text) - len(text.lstrip())
    if first == len(text):
        return []
    cuts = sorted({s for s in starts if first < s < len(text)})
    spans = []
    for start, end in zip([first, *cuts], [*cuts, len(text)], strict=True):
        piece = text[start:end]
        left = start + len(piece) - len(piece.lstrip())
        right = start + len(piece.rstrip())
        if left < right:
            spans.append((left, right))
    return spans


MergeRule = Callable[[str, str, str], bool]


def _merge(text: str, spans: list[Span], rules: Sequence[MergeRule]) -> list[Span]:
    """Drop every boundary that one of the rules says is not a sentence end.

    A rule sees the sentence before the boundary, the whitespace gap and the sentence
    after it.
    """
    merged: list[Span] = []
    for span in spans:
        if merged:
            previous = merged[-1]
            before, gap, after = (
                text[previous[0] : previous[1]],
                text[previous[1] : span[0]],
                text[span[0] : span[1]],
            )
            if any(rule(before, gap, after) for rule in rules):
                merged[-1] = (previous[0], span[1])
                continue
        merged.append(span)
    return merged


def _without_closers(sentence: str) -> str:
    return sentence.rstrip(_CLOSERS + " ")


def _ends_with_closing_quote(sentence: str) -> bool:
    return bool(sentence) and sentence[-1] in "\"'”’»」』"


def _no_sentence_can_start_here(before: str, gap: str, after: str) -> bool:
    """A piece that starts with closing or inner punctuation (``"``, ``,``, ``)``) or is
    punctuation only is the tail of the previous sentence: pysbd emits a lone ``"`` when a
    quotation opened in an earlier paragraph closes, and both libraries split
    ``team., and``-style typos."""
    if not re.search(r"\w", after):
        return True
    return after[0] in ",;:)]}”’›»、，。"


# -- Korean ------------------------------------------------------------------------------


@cache
def _kiwi() -> Kiwi:
    """One Kiwi per process, loaded on first use: loading the model takes seconds and
    ~200 MB, which English-only runs should not pay. Inside a pool (``--workers``) each
    process is one of several already, so Kiwi gets one thread instead of one per core."""
    import multiprocessing

    from kiwipiepy import Kiwi

    return Kiwi(num_workers=1 if multiprocessing.parent_process() is not None else None)


def _kiwi_starts(texts: Sequence[str]) -> list[list[int]]:
    if not any(text.strip() for text in texts):
        return [[] for _ in texts]
    batches = _kiwi().split_into_sents(list(texts))
    return [
        [start for sentence in sentences for start in _with_stray_quote_moved(text, sentence)]
        for text, sentences in zip(texts, batches, strict=True)
    ]


# A quoted phrase that kiwipiepy hung on the end of the previous sentence.
_TRAILING_QUOTE = re.compile(r"[.!?…]\s+([\"“‘'「『][^\"“”‘’'「」『』\n]{1,80}[\"”’'」』])$")


def _with_stray_quote_moved(text: str, sentence: Sentence) -> list[int]:
    """Starts for one kiwipiepy sentence: its own, plus the opening quote it swallowed.

    When a sentence opens with a short quotation (``했다. ‘정말’이라는 말도 했다.``),
    kiwipiepy ends the previous sentence after the closing quote instead of before the
    opening one, giving ``했다. ‘정말’`` + ``이라는 말도 했다.``. A cut at the opening
    quote restores the real boundary; the quotative rule below then rejoins the quote
    with its particle.
    """
    start, end = sentence.start, sentence.end
    stray = _TRAILING_QUOTE.search(text, start, end)
    return [start, stray.start(1)] if stray else [start]


# Particles and endings that continue a sentence right after a closing quote:
# ``"…입니다." 라고 말했다``, ``"…좋다" 고 밝혔다``. Kiwi splits when a space precedes them.
_KOREAN_QUOTATIVE = re.compile(
    r"(?:이)?(?:라고|라며|라면서|라는|란|라|고|며|면서|하고|하며|하는)(?![가-힣])"
)

# Syllables that end a Korean sentence when the writer left out the final punctuation
# (``이렇게 말했다 "…``). Kiwi also splits after endings that are usually not final
# (``안토니우스 구나 | 완 아궁은``, a name read as the exclamation ``-구나``): those
# boundaries are kept only when punctuation backs them.
_KOREAN_FINAL_SYLLABLES = "다요죠까라자네"


def _korean_quotative_continues(before: str, gap: str, after: str) -> bool:
    return _ends_with_closing_quote(before) and bool(_KOREAN_QUOTATIVE.match(after))


def _korean_particle_on_quote(before: str, gap: str, after: str) -> bool:
    """``‘지정생존자’ | 는 습격에…``: Hangul written right against a quoted phrase is its
    particle. (After a quoted *sentence*, ``"…습니다."그가 말했다``, it is a new sentence
    with a missing space.)"""
    return (
        _ends_with_closing_quote(before)
        and not gap
        and _without_closers(before)[-1:] not in _TERMINAL
        and bool(re.match(r"[가-힣]", after))
    )


def _korean_unpunctuated_non_final(before: str, gap: str, after: str) -> bool:
    core = _without_closers(before)
    if not core or "\n" in gap:
        return False
    return core[-1] not in _TERMINAL and core[-1] not in _KOREAN_FINAL_SYLLABLES


_KOREAN_MERGE_RULES: tuple[MergeRule, ...] = (
    _no_sentence_can_start_here,
    _korean_quotative_continues,
    _korean_particle_on_quote,
    _korean_unpunctuated_non_final,
)


# -- English and other languages ---------------------------------------------------------


@cache
def _segmenter(code: str) -> pysbd.Segmenter:
    """pysbd for the language, or its English rules for languages it does not know."""
    language = code if code in PYSBD_LANGUAGES else "en"
    return pysbd.Segmenter(language=language, clean=False)


# A paragraph with no sentence mark or line break before its final marks (and closing
# quotes) is one sentence, and pysbd is not asked: news is full of one-sentence paragraphs,
# and pysbd's many regex passes were most of the English segmentation time (on NTREX, 1,811
# of 1,997 paragraphs; 1.34 -> 0.16 s, the same sentences).
_INNER_MARK = re.compile(rf"[{re.escape(_TERMINAL)}\n\r]")
_FINAL_CLOSERS = frozenset(_TERMINAL + "\"'”’»)]")


def _one_sentence(text: str) -> bool:
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] in _FINAL_CLOSERS):
        end -= 1
    return not _INNER_MARK.search(text, 0, end)


def _pysbd_starts(text: str, code: str) -> list[int]:
    """Where pysbd's sentences start in ``text``.

    pysbd's own ``char_span`` re-finds every sentence with a regex over the whole text,
    which is quadratic and silently drops a sentence it cannot find; here each sentence is
    looked up once, left to right. A sentence pysbd altered is skipped: its text then
    simply stays in the sentence before it.
    """
    if not text.strip():
        return []
    if _one_sentence(text):
        return [len(text) - len(text.lstrip())]
    starts = []
    cursor = 0
    for sentence in _segmenter(code).processor(text).process():
        sentence = sentence.strip()
        if not sentence:
            continue
        found = text.find(sentence, cursor)
        if found >= 0:
            starts.append(found)
            cursor = found + len(sentence)
    return starts


def _latin_lowercase_continuation(before: str, gap: str, after: str) -> bool:
    """``Why? she asked.``: a sentence does not start with a lower-case word (brand names
    such as eBay or iPhone, with a capital inside, are exempt)."""
    word = re.match(r"[^\W\d_][\w'’-]*", after)
    return bool(word) and word.group().islower()


def _latin_no_final_punctuation(before: str, gap: str, after: str) -> bool:
    """pysbd sometimes splits after a quotation with no final punctuation at all
    (``"Hans" | Geiger died``, ``'you,'" | West said``). Only a line break may end a
    sentence without punctuation."""
    core = _without_closers(before)
    return bool(core) and core[-1] not in _TERMINAL and "\n" not in gap


_SPEECH_VERBS = (
    "said|says|added|adds|asked|asks|told|tells|wrote|writes|reported|reports|explained|"
    "noted|notes|continued|replied|insisted|argued|stated|declared|warned|claimed|recalled|"
    "shouted|screamed|yelled|tweeted|posted|remarked|acknowledged|commented|concluded|"
    "cautioned|quipped|admitted|announced|exclaimed|responded|countered|joked|cried|wondered"
)
_ATTRIBUTION = re.compile(rf"(?:[A-Z][\w'’.-]*\s+){{1,5}}(?:{_SPEECH_VERBS})\b")


def _latin_quote_attribution(before: str, gap: str, after: str) -> bool:
    """``"There's a shark!" Hammel added.``: a quoted exclamation or question followed by
    its speaker is one sentence, as with a lower-case ``he said``."""
    return (
        _ends_with_closing_quote(before)
        and _without_closers(before)[-1:] in ("!", "?")
        and bool(_ATTRIBUTION.match(after))
    )


_CLOCK_CONTINUATIONS = re.compile(
    r"(?:E[SD]?T|C[SD]?T|M[SD]?T|P[SD]?T|GMT|UTC|BST|CES?T|KST|JST|HKT|SGT|AES?T|AEDT|"
    r"Eastern|Central|Mountain|Pacific|Atlantic|Greenwich|"
    r"(?:Seoul|Korea|Korean|Beijing|Tokyo|London|Washington|local)\s+time|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|tomorrow|tonight)\b"
)


def _latin_clock_time(before: str, gap: str, after: str) -> bool:
    """``at 5 a.m. | Eastern time Sunday``: pysbd ends a sentence after a.m./p.m. whenever a
    capital follows, but in news a time zone or weekday usually does."""
    return bool(re.search(r"\b[ap]\.m\.$", before, re.IGNORECASE)) and bool(
        _CLOCK_CONTINUATIONS.match(after)
    )


_LATIN_MERGE_RULES: tuple[MergeRule, ...] = (
    _no_sentence_can_start_here,
    _latin_lowercase_continuation,
    _latin_no_final_punctuation,
    _latin_quote_attribution,
    _latin_clock_time,
)

_SENTENCE_END_INSIDE = re.compile(r"[.!?…][\"'”’)]*\s+\S")


def _split_inside_quotes(text: str, spans: list[Span], code: str) -> list[Span]:
    """Split sentences inside a quotation, which pysbd always keeps whole.

    ``"We need a deal. We want the best deal," he told the BBC.`` becomes two sentences,
    the second carrying the attribution. Korean translations split such quotations too,
    and whole multi-sentence quotes would force the aligner into large merges. The
    quotation's own text is segmented with the same rules, so abbreviations inside it
    are handled exactly as elsewhere.
    """
    result: list[Span] = []
    for start, end in spans:
        cuts = []
        for inner_start, inner_end in _quotations(text, start, end):
            inner = text[inner_start:inner_end]
            if not _SENTENCE_END_INSIDE.search(inner):
                continue
            inner_spans = _merge(
                inner, _tile(inner, _pysbd_starts(inner, code)), _LATIN_MERGE_RULES
            )
            cuts.extend(inner_start + s for s, _ in inner_spans[1:])
        result.extend(_tile_range(text, start, end, cuts) if cuts else [(start, end)])
    return result


def _quotations(text: str, start: int, end: int) -> list[Span]:
    """Inner spans of the double quotations in text[start:end].

    Curly quotes say which way they face. Straight quotes are paired in order, and only
    when their count is even: an odd count means a quotation opened or closed in another
    paragraph, and guessing would pair a closing quote with the next opening one.
    """
    found = [(m.start(1), m.end(1)) for m in re.finditer(r"“([^“”]*)”", text[start:end])]
    straight = [i for i, char in enumerate(text[start:end]) if char == '"']
    if len(straight) % 2 == 0:
        found.extend((a + 1, b) for a, b in zip(straight[::2], straight[1::2], strict=True))
    return [(start + a, start + b) for a, b in found]


def _tile_range(text: str, start: int, end: int, cuts: list[int]) -> list[Span]:
    return [(start + s, start + e) for s, e in _tile(text[start:end], [c - start for c in cuts])]


# -- datelines ---------------------------------------------------------------------------

_REPORTER = r"(?:기자|특파원|통신원|객원기자|선임기자|전문기자|인턴기자|논설위원|위원|리포터|PD)"
_OUTLET_SUFFIX = (
    r"(?:뉴스|뉴스1|일보|신문|경제|방송|닷컴|미디어|타임스|투데이|데일리|저널|포스트|통신|TV)"
)

_KOREAN_DATELINES = [
    # (서울=연합뉴스) 홍길동 기자 = / [서울=뉴시스]홍길동·김철수 기자 = / 【워싱턴=뉴시스】
    re.compile(
        rf"\s*[(\[【〈<]\s*[가-힣A-Za-z·・, ]{{1,20}}=\s*[가-힣A-Za-z0-9 .]{{1,20}}[)\]】〉>]"
        rf"(?:\s*[^=\n]{{0,40}}?{_REPORTER}\s*=|\s*=)?\s*"
    ),
    # [이데일리 홍길동 기자] / [헤럴드경제=홍길동 기자]
    re.compile(rf"\s*[\[【]\s*[^\[\]【】\n]{{1,40}}?{_REPORTER}\s*[\]】]\s*(?:=\s*)?"),
    # [한겨레] / [아시아경제] / [KBS] — a bare outlet name in square brackets
    re.compile(
        rf"\s*[\[【]\s*(?:한겨레|[가-힣A-Za-z0-9]{{0,12}}{_OUTLET_SUFFIX}|[A-Z]{{2,6}})\s*[\]】]\s*"
    ),
    # 홍길동 기자 = (reporter without a bracket)
    re.compile(rf"\s*[가-힣]{{2,4}}(?:[·, ]+[가-힣]{{2,4}})*\s*{_REPORTER}\s*=\s*"),
]

_PLACE = r"[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*)*"
_MONTH = (
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?|January|February|March|April|"
    r"May|June|July|August|September|October|November|December"
)
_LATIN_DATELINES = [
    # SEOUL, Jan. 22 (Yonhap) -- / WASHINGTON (Reuters) - / PORTLAND, Ore. (AP) —
    re.compile(
        rf"\s*{_PLACE}(?:\s*/\s*{_PLACE})*"
        rf"(?:,\s*[A-Z][a-zA-Z.]*(?:\s+[A-Z][a-zA-Z.]*)?)??"
        rf"(?:,?\s*(?:{_MONTH})\s+\d{{1,2}}(?:,\s*\d{{4}})?)?"
        r"\s*\([A-Z][\w .&/-]{0,30}\)\s*(?:--|[-–—])\s*"
    ),
    # LONDON — / SEOUL, Jan. 22 -- (no agency: an all-capital place and a dash are required)
    re.compile(
        rf"\s*[A-Z][A-Z.'’-]+[A-Z.](?:\s+[A-Z][A-Z.'’-]*)*"
        rf"(?:,\s*(?:{_MONTH})\s+\d{{1,2}}(?:,\s*\d{{4}})?)?"
        r"\s*(?:--|[–—]|-(?=\s))\s*"
    ),
]


# Content morphemes: nouns, verb and adjective stems, foreign words, numbers, roots.
_CONTENT_TAGS = ("NN", "VV", "VA", "SL", "SN", "XR", "MAG")


def korean_morphemes(text: str) -> list[str]:
    """Content morphemes of Korean text, for word-level statistics such as a lexicon.

    Particles and endings are dropped: they carry grammar, which has no counterpart in
    an English word, and would otherwise hide the stems (모스크바를 -> 모스크바).
    """
    return [
        token.form.lower()
        for token in _kiwi().tokenize(text)
        if token.tag.startswith(_CONTENT_TAGS)
    ]
