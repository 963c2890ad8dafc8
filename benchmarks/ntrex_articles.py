"""Render the NTREX-128 en–ko documents as Hankyoreh-style article pages (or JSONL articles).

NTREX-128 gives 123 real English news documents with a professional Korean translation, line
for line. Rendered as English-edition pages and Korean 2023-layout pages, they exercise the
whole pipeline (read → pair → align) on real text with a known answer: page *i* in English
pairs with page *i* in Korean, and line *j* of one with line *j* of the other.

Only the wrapping is synthetic: URLs, article numbers, dates and page chrome (navigation,
related / most-viewed lists, footer, rights notice). Article text is copied unchanged, one
paragraph per line, the first line being the headline. The chrome deliberately links other
Hankyoreh articles (including Korean originals of *other* documents), so a reader that takes
links from outside the article would pair pages wrongly.

Usage::

    python -m benchmarks.ntrex_articles OUT_DIR --docs 0-19 --link-first 10
    python -m benchmarks.ntrex_articles articles.jsonl --format jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from hashlib import sha256
from html import escape
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared/evaldata/ntrex128-en-ko"
ENGLISH_FILE = "newstest2019-src.eng.txt"
KOREAN_FILE = "newstest2019-ref.kor.txt"
SPANS_FILE = "doc_spans.derived.tsv"

KST = timezone(timedelta(hours=9), "KST")
_FIRST_DAY = datetime(2024, 3, 4, tzinfo=KST)
DOCUMENTS_PER_SPAN = 1000
SPAN_DAYS = 61
_ID_MODULUS = 100_003  # prime, so the multiplier below permutes article numbers
ENGLISH_SECTION = "e_international"
KOREAN_SECTION = "international/international_general"
ENGLISH_RIGHTS = "ⓒ The Hankyoreh. All Rights Reserved."
KOREAN_RIGHTS = "© 한겨레신문사 All Rights Reserved. 무단 전재, 재배포, AI 학습 및 활용 금지"
ORIGINAL_BUTTON_ALT = "button that move to original korean article (클릭시 원문으로 이동하는 버튼)"


@dataclass(frozen=True)
class NtrexDocument:
    """One NTREX document: the headline is line 0, each later line a body paragraph."""

    index: int
    doc_id: str
    english: tuple[str, ...]
    korean: tuple[str, ...]

    @property
    def english_number(self) -> int:
        return 1_200_000 + (self.index * 48271 + 71) % _ID_MODULUS

    @property
    def korean_number(self) -> int:
        return 1_100_000 + (self.index * 69621 + 13) % _ID_MODULUS

    @property
    def english_url(self) -> str:
        return (
            "https://english.hani.co.kr/arti/english_edition/"
            f"{ENGLISH_SECTION}/{self.english_number}.html"
        )

    @property
    def korean_url(self) -> str:
        return f"https://www.hani.co.kr/arti/{KOREAN_SECTION}/{self.korean_number}.html"

    @property
    def english_id(self) -> str:
        return f"hani-en-{self.english_number}"

    @property
    def korean_id(self) -> str:
        return f"hani-ko-{self.korean_number}"

    @property
    def english_published(self) -> datetime:
        """Spread over two months per 1,000 documents (~16 a day), so dates alone cannot
        pair them. A bigger corpus covers a longer span at the same density, as a growing
        archive does, rather than packing ever more articles into each day."""
        span = self.index // DOCUMENTS_PER_SPAN
        day = span * SPAN_DAYS + (self.index * 37) % SPAN_DAYS
        minutes = 6 * 60 + (self.index * 97) % (14 * 60)
        return _FIRST_DAY + timedelta(days=day, minutes=minutes)

    @property
    def korean_published(self) -> datetime:
        """The Korean original comes out a day before its English edition."""
        return self.english_published - timedelta(days=1, minutes=(self.index * 53) % 300)


def _read_lines(path: Path) -> list[str]:
    """Lines split on "\\n" only: str.splitlines would also break on U+2028 and U+0085."""
    text = path.read_text(encoding="utf-8")
    return text.removesuffix("\n").split("\n")


def load_documents(data_dir: Path = DEFAULT_DATA_DIR) -> list[NtrexDocument]:
    """All 123 documents, each with its English and Korean lines (line i ↔ line i)."""
    english = _read_lines(data_dir / ENGLISH_FILE)
    korean = _read_lines(data_dir / KOREAN_FILE)
    if len(english) != len(korean):
        raise ValueError(f"{data_dir}: {len(english)} English lines but {len(korean)} Korean")
    documents = []
    with (data_dir / SPANS_FILE).open(encoding="utf-8", newline="") as spans:
        for row in csv.DictReader(spans, delimiter="\t"):
            first = int(row["first_line_0based"])
            last = int(row["last_line_0based_inclusive"])
            documents.append(
                NtrexDocument(
                    index=int(row["doc_index"]),
                    doc_id=row["doc_id"],
                    english=tuple(english[first : last + 1]),
                    korean=tuple(korean[first : last + 1]),
                )
            )
    return documents


def parse_selection(spec: str, count: int) -> list[int]:
    """ "all", or comma-separated 0-based indexes and ranges: "0-19", "3,5,10-12"."""
    if spec.strip().lower() == "all":
        return list(range(count))
    chosen: list[int] = []
    for part in spec.split(","):
        start, _, end = part.strip().partition("-")
        first, last = int(start), int(end or start)
        if not 0 <= first <= last < count:
            raise ValueError(f"document range {part.strip()!r} is outside 0-{count - 1}")
        chosen.extend(i for i in range(first, last + 1) if i not in chosen)
    return chosen


def _kst_stamp(moment: datetime) -> str:
    return moment.astimezone(KST).strftime("%Y-%m-%d %H:%M")


def _neighbours(
    document: NtrexDocument, corpus: Sequence[NtrexDocument], count: int
) -> list[NtrexDocument]:
    """Other documents for the chrome lists, fixed by position so output never varies."""
    position = next(i for i, d in enumerate(corpus) if d.index == document.index)
    return [corpus[(position + step) % len(corpus)] for step in range(1, count + 1)]


def _class_hash(name: str, build: int) -> str:
    """A CSS-module style suffix; it changes with the "site build", as on the real site."""
    return sha256(f"{name}:{build}".encode()).hexdigest()[:5]


def _module_class(name: str, build: int) -> str:
    return f"{name}__{_class_hash(name, build)}"


def render_english_page(
    document: NtrexDocument, corpus: Sequence[NtrexDocument], *, link_korean: bool
) -> str:
    """An english.hani.co.kr page; with ``link_korean`` it carries the "original article" button.

    Chrome links are the trap: "Most viewed" lists Korean originals of other documents.
    """
    headline, *body = document.english
    posted = _kst_stamp(document.english_published)
    modified = _kst_stamp(document.english_published + timedelta(minutes=42))
    paragraphs = "<br /><br />\n".join(escape(line, quote=False) for line in body)
    button = (
        f'    <div class="article-alignC"><a href="{escape(document.korean_url)}" '
        f'target="_blank"><img src="https://english.hani.co.kr/images/btn_original.png" '
        f'alt="{escape(ORIGINAL_BUTTON_ALT)}"></a></div>\n'
        if link_korean
        else ""
    )
    related = "".join(
        f'      <li><a href="{escape(other.english_url)}">{escape(other.english[0])}</a></li>\n'
        for other in _neighbours(document, corpus, 3)
    )
    most_viewed = "".join(
        f'      <li><a href="{escape(other.korean_url)}">{escape(other.english[0])}</a></li>\n'
        for other in _neighbours(document, corpus, 6)[3:]
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(headline)} : International : News : The Hankyoreh</title>
<link rel="canonical" href="{escape(document.english_url)}">
<meta property="og:url" content="{escape(document.english_url)}">
<meta property="og:title" content="{escape(headline)}">
</head>
<body>
<nav class="gnb">
  <a href="https://english.hani.co.kr/arti/english_edition/e_national/">National</a>
  <a href="https://english.hani.co.kr/arti/english_edition/e_northkorea/">North Korea</a>
  <a href="https://english.hani.co.kr/arti/english_edition/e_international/">International</a>
</nav>
<div id="contents">
  <div class="article-head">
    <h4 class="title">{escape(headline, quote=False)}</h4>
    <p class="date-time"><span>Posted on : {posted} KST</span>
      <span>Modified on : {modified} KST</span></p>
  </div>
  <div class="article-text">
    <div class="text">{paragraphs}</div>
    <p>Please direct questions or comments to
      [<a href="mailto:english@hani.co.kr">english@hani.co.kr</a>]</p>
{button}  </div>
  <div class="article-box related">
    <h3>Related stories</h3>
    <ul>
{related}    </ul>
  </div>
  <div class="section-right most-viewed">
    <h3>Most viewed articles</h3>
    <ol>
{most_viewed}    </ol>
  </div>
</div>
<div id="footer"><p class="copyright">{escape(ENGLISH_RIGHTS)}</p></div>
</body>
</html>
"""


def render_korean_page(document: NtrexDocument, corpus: Sequence[NtrexDocument]) -> str:
    """A www.hani.co.kr page in the 2023 CSS-module layout, hash suffixes varying by document."""
    headline, *body = document.korean
    build = document.index % 3

    def css(name: str) -> str:
        return _module_class(name, build)

    posted = _kst_stamp(document.korean_published)
    modified = _kst_stamp(document.korean_published + timedelta(minutes=95))
    ad = (
        f'    <div class="{css("ArticleDetailContent_adWrap")}">'
        f'<div class="{css("ArticleDetailContent_adFlex")}">광고</div></div>\n'
    )
    lines = [f'    <p class="text">{escape(line, quote=False)}</p>\n' for line in body]
    lines.insert(min(2, len(lines)), ad)
    related = "".join(
        f'      <li><a href="{escape(other.korean_url)}">{escape(other.korean[0])}</a></li>\n'
        for other in _neighbours(document, corpus, 3)
    )
    return f"""<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>{escape(headline)}</title>
<link rel="canonical" href="{escape(document.korean_url)}">
<meta property="og:url" content="{escape(document.korean_url)}">
<meta property="og:title" content="{escape(headline)}">
</head>
<body>
<header class="{css("Header_header")}">
  <nav class="{css("Header_nav")}">
    <a href="https://www.hani.co.kr/arti/politics">정치</a>
    <a href="https://www.hani.co.kr/arti/society">사회</a>
    <a href="https://www.hani.co.kr/arti/international">국제</a>
  </nav>
</header>
<main class="{css("ArticleDetailView_main")}">
<div class="{css("ArticleDetailView_articleDetail")}">
  <div class="{css("ArticleDetailView_breadcrumb")}">
    <a href="https://www.hani.co.kr/arti/international">국제</a>
    <a href="https://www.hani.co.kr/arti/{KOREAN_SECTION}">국제일반</a>
  </div>
  <h3 class="{css("ArticleDetailView_title")}">{escape(headline, quote=False)}</h3>
  <ul class="{css("ArticleDetailView_dateList")}">
    <li class="{css("ArticleDetailView_dateListItem")}">등록 <span>{posted}</span></li>
    <li class="{css("ArticleDetailView_dateListItem")}">수정 <span>{modified}</span></li>
  </ul>
  <div class="{css("ArticleDetailAudioPlayer_wrap")}">
    <button type="button">기사를 읽어드립니다</button>
  </div>
  <div class="article-text">
{"".join(lines)}  </div>
  <div class="{css("ArticleDetailView_relatedArticle")}">
    <h4>관련기사</h4>
    <ul>
{related}    </ul>
  </div>
</div>
</main>
<footer class="{css("Footer_footer")}">
  <p class="{css("Footer_copyright")}">{escape(KOREAN_RIGHTS)}</p>
</footer>
</body>
</html>
"""


LinkRule = Callable[[NtrexDocument], bool]


def link_first(documents: Sequence[NtrexDocument], count: int | None) -> LinkRule:
    """English pages of the first ``count`` chosen documents link their Korean page (None: all)."""
    linked = {d.index for d in (documents if count is None else documents[:count])}
    return lambda document: document.index in linked


def english_file_name(document: NtrexDocument) -> str:
    return f"{document.english_id}.html"


def korean_file_name(document: NtrexDocument) -> str:
    return f"{document.korean_id}.html"


def write_html_pages(
    documents: Sequence[NtrexDocument],
    out_dir: Path,
    links: LinkRule,
    corpus: Sequence[NtrexDocument] | None = None,
) -> list[Path]:
    """Write an English and a Korean page for every document; return the paths written."""
    corpus = corpus or documents
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for document in documents:
        pages = {
            english_file_name(document): render_english_page(
                document, corpus, link_korean=links(document)
            ),
            korean_file_name(document): render_korean_page(document, corpus),
        }
        for name, page in pages.items():
            path = out_dir / name
            path.write_text(page, encoding="utf-8", newline="\n")
            written.append(path)
    return written


def article_records(documents: Sequence[NtrexDocument], links: LinkRule) -> list[dict]:
    """JSONL-ready articles for the pairing benchmark; paragraphs separated by blank lines."""
    records = []
    for document in documents:
        english_headline, *english_body = document.english
        korean_headline, *korean_body = document.korean
        records.append(
            {
                "id": document.english_id,
                "lang": "en",
                "title": english_headline,
                "published": document.english_published.astimezone(UTC).isoformat(),
                "url": document.english_url,
                "original_url": document.korean_url if links(document) else None,
                "text": "\n\n".join(english_body),
            }
        )
        records.append(
            {
                "id": document.korean_id,
                "lang": "ko",
                "title": korean_headline,
                "published": document.korean_published.astimezone(UTC).isoformat(),
                "url": document.korean_url,
                "original_url": None,
                "text": "\n\n".join(korean_body),
            }
        )
    return records


def write_jsonl(records: Sequence[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


PAIRS_HEADER = ("english_file", "korean_file", "ntrex_doc_id", "body_paragraphs", "linked")


def write_pairs(documents: Sequence[NtrexDocument], links: LinkRule, path: Path) -> None:
    """The answer key: which English page pairs with which Korean page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(PAIRS_HEADER)
        for d in documents:
            writer.writerow(
                [
                    english_file_name(d),
                    korean_file_name(d),
                    d.doc_id,
                    len(d.english) - 1,
                    "yes" if links(d) else "no",
                ]
            )


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ntrex_articles",
        description="Render NTREX-128 en-ko documents as Hankyoreh-style article pages or JSONL.",
    )
    parser.add_argument("out", type=Path, help="output directory (html) or .jsonl file (jsonl)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="NTREX folder")
    parser.add_argument("--docs", default="all", help='0-based documents: "all", "0-19", "3,7"')
    parser.add_argument(
        "--link-first",
        type=int,
        default=None,
        metavar="N",
        help="only the first N chosen English pages link their Korean page (default: all; 0: none)",
    )
    parser.add_argument("--format", choices=("html", "jsonl"), default="html")
    parser.add_argument("--pairs", type=Path, help="also write the pairing answer key (TSV)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        corpus = load_documents(args.data)
        chosen = [corpus[i] for i in parse_selection(args.docs, len(corpus))]
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    links = link_first(chosen, args.link_first)
    if args.format == "jsonl":
        write_jsonl(article_records(chosen, links), args.out)
        print(f"wrote {2 * len(chosen)} articles to {args.out}")
    else:
        written = write_html_pages(chosen, args.out, links, corpus)
        print(f"wrote {len(written)} pages to {args.out}")
    if args.pairs:
        write_pairs(chosen, links, args.pairs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
