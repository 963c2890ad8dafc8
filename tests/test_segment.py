"""Sentence segmentation on hand-checked news cases, with the real kiwipiepy and pysbd."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.article import Article, Paragraph
from corpus.segment import segment_article, split_paragraphs, split_sentences, strip_dateline

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NTREX = SHARED / "evaldata" / "ntrex128-en-ko"


def sentences(text: str, lang: str) -> list[str]:
    spans = split_sentences(text, lang)
    for start, end in spans:
        piece = text[start:end]
        assert piece and piece == piece.strip(), f"span {start}:{end} is {piece!r}"
    return [text[start:end] for start, end in spans]


def assert_only_whitespace_between(text: str, spans: list[tuple[int, int]]) -> None:
    """Sentences come in order and nothing but whitespace lies outside them."""
    edges = [0, *(edge for span in spans for edge in span), len(text)]
    for gap_start, gap_end in zip(edges[::2], edges[1::2], strict=True):
        assert gap_start <= gap_end
        assert not text[gap_start:gap_end].strip(), text[gap_start:gap_end]


ENGLISH_CASES = [
    (
        "The U.S. Senate voted 51-49 on Dec. 14. The bill now goes to the House.",
        ["The U.S. Senate voted 51-49 on Dec. 14.", "The bill now goes to the House."],
    ),
    (
        "Mr. Moon met Mrs. Kim at 10 a.m. on Tuesday. They spoke for an hour.",
        ["Mr. Moon met Mrs. Kim at 10 a.m. on Tuesday.", "They spoke for an hour."],
    ),
    (
        '"We will not back down," he said. "The people have spoken."',
        ['"We will not back down," he said.', '"The people have spoken."'],
    ),
    ('"It is over." Then he left the room.', ['"It is over."', "Then he left the room."]),
    (
        "President John F. Kennedy was shot in Dallas in 1963. He was 46.",
        ["President John F. Kennedy was shot in Dallas in 1963.", "He was 46."],
    ),
    (
        "The economy grew 3.5 percent in the third quarter. Analysts had expected 3.2 percent.",
        [
            "The economy grew 3.5 percent in the third quarter.",
            "Analysts had expected 3.2 percent.",
        ],
    ),
    (
        "Shares of Samsung Electronics rose 2.3% to 71,500 won. The KOSPI gained 0.8%.",
        ["Shares of Samsung Electronics rose 2.3% to 71,500 won.", "The KOSPI gained 0.8%."],
    ),
    (
        "The talks stalled... Then North Korea fired a missile.",
        ["The talks stalled...", "Then North Korea fired a missile."],
    ),
    (
        'He said the deal was "dead on arrival." The White House disagreed.',
        ['He said the deal was "dead on arrival."', "The White House disagreed."],
    ),
    # pysbd splits before a lower-case attribution after a question mark
    ("Why? she asked.", ["Why? she asked."]),
    # ... and before a capitalised speaker after a quoted exclamation
    (
        '"There\'s a shark in the water!" Hammel added.',
        ['"There\'s a shark in the water!" Hammel added.'],
    ),
    ('"Are you ready?" CNN reported.', ['"Are you ready?" CNN reported.']),
    # pysbd keeps quotations whole; the Korean side splits them, so we do too
    (
        '"We need to have a deal. We want the best deal," he told BBC Radio 4.',
        ['"We need to have a deal.', 'We want the best deal," he told BBC Radio 4.'],
    ),
    (
        "\"I didn't do it. I didn't leak,\" Feinstein said.",
        ["\"I didn't do it.", "I didn't leak,\" Feinstein said."],
    ),
    (
        "The meeting starts at 9 a.m. Eastern time on Monday.",
        ["The meeting starts at 9 a.m. Eastern time on Monday."],
    ),
    (
        "The rally is scheduled for 7 p.m. ET tonight.",
        ["The rally is scheduled for 7 p.m. ET tonight."],
    ),
    (
        "The dollar traded at 1,320.50 won at 3:30 p.m. The won weakened for a third day.",
        ["The dollar traded at 1,320.50 won at 3:30 p.m.", "The won weakened for a third day."],
    ),
    (
        "Gov. Andrew Cuomo and Sen. Chuck Schumer attended. Rep. Maxine Waters did not.",
        ["Gov. Andrew Cuomo and Sen. Chuck Schumer attended.", "Rep. Maxine Waters did not."],
    ),
    (
        "U.S. Sens. Lindsey Graham and Mike Lee spoke on Sunday.",
        ["U.S. Sens. Lindsey Graham and Mike Lee spoke on Sunday."],
    ),
    (
        "The case, Roe v. Wade, was decided in 1973.",
        ["The case, Roe v. Wade, was decided in 1973."],
    ),
    (
        "Apple Inc. said revenue rose. Microsoft Corp. reported a loss.",
        ["Apple Inc. said revenue rose.", "Microsoft Corp. reported a loss."],
    ),
    (
        "He won the U.S. Open in 2018. He retired a year later.",
        ["He won the U.S. Open in 2018.", "He retired a year later."],
    ),
    (
        "Dr. Christine Blasey Ford testified on Thursday. Judge Brett Kavanaugh denied it.",
        ["Dr. Christine Blasey Ford testified on Thursday.", "Judge Brett Kavanaugh denied it."],
    ),
    (
        "The No. 2 official at the U.N. resigned on Friday.",
        ["The No. 2 official at the U.N. resigned on Friday."],
    ),
    (
        "Kim Jong Un met Moon Jae-in in Pyongyang on Sept. 19, 2018. They signed a military pact.",
        [
            "Kim Jong Un met Moon Jae-in in Pyongyang on Sept. 19, 2018.",
            "They signed a military pact.",
        ],
    ),
    # a headline without final punctuation
    (
        "North Korea fires ballistic missile into East Sea",
        ["North Korea fires ballistic missile into East Sea"],
    ),
    # a quotation that opened in the previous paragraph: pysbd made the lone '"' a sentence
    ('Now we have this great relationship."', ['Now we have this great relationship."']),
    (
        "It's very amusing. Now we know about Paddington's success.\"",
        ["It's very amusing.", "Now we know about Paddington's success.\""],
    ),
    # pysbd split after a quoted name with no punctuation at all
    (
        '"Hans" Geiger died in 1945, just short of his 63rd birthday.',
        ['"Hans" Geiger died in 1945, just short of his 63rd birthday.'],
    ),
    (
        "\"It means 'you,'\" West said.",
        ["\"It means 'you,'\" West said."],
    ),
    (
        "It cost $1.5 billion (about 2 trillion won). That is a record.",
        ["It cost $1.5 billion (about 2 trillion won).", "That is a record."],
    ),
    (
        'He asked, "Who will pay for this?" No one answered.',
        ['He asked, "Who will pay for this?"', "No one answered."],
    ),
    (
        "The storm hit St. Louis on Monday. Power was cut to 20,000 homes.",
        ["The storm hit St. Louis on Monday.", "Power was cut to 20,000 homes."],
    ),
    (
        "According to the U.S. Geological Survey, the quake struck at a depth of 10 km. "
        "No tsunami warning was issued.",
        [
            "According to the U.S. Geological Survey, the quake struck at a depth of 10 km.",
            "No tsunami warning was issued.",
        ],
    ),
    (
        "Ms. Kim, 42, works at the Bank of Korea. She joined in 2005.",
        ["Ms. Kim, 42, works at the Bank of Korea.", "She joined in 2005."],
    ),
    (
        'Pompeo said: "Enforcement of sanctions must continue until we denuclearize."',
        ['Pompeo said: "Enforcement of sanctions must continue until we denuclearize."'],
    ),
    ("He paused \u2026 then went on.", ["He paused \u2026 then went on."]),
    (
        "The plan has three parts: 1. cut taxes, 2. raise spending, 3. reform pensions.",
        ["The plan has three parts: 1. cut taxes, 2. raise spending, 3. reform pensions."],
    ),
    (
        "He earned a Ph.D. from MIT. He then joined Google.",
        ["He earned a Ph.D. from MIT.", "He then joined Google."],
    ),
    (
        "“I am angry. I am sad,” she said, adding: “That is all.”",
        ["“I am angry.", "I am sad,” she said, adding: “That is all.”"],
    ),
    (
        "Samsung (005930.KS) shares closed up 1.1%. LG fell.",
        ["Samsung (005930.KS) shares closed up 1.1%.", "LG fell."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH_CASES)
def test_english_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text, "en") == expected


KOREAN_CASES = [
    (
        '그는 "경제가 어렵다."라고 말했다. 금리는 3.5%로 올랐다.',
        ['그는 "경제가 어렵다."라고 말했다.', "금리는 3.5%로 올랐다."],
    ),
    (
        "정부는 2024.1.22 새 대책을 발표했다. 시행은 다음 달이다.",
        ["정부는 2024.1.22 새 대책을 발표했다.", "시행은 다음 달이다."],
    ),
    (
        "워싱턴 D.C.에서 커트 M. 캠벨 부장관이 말했다. 회담은 1시간 이어졌다.",
        ["워싱턴 D.C.에서 커트 M. 캠벨 부장관이 말했다.", "회담은 1시간 이어졌다."],
    ),
    (
        "한국은행은 기준금리를 연 3.50%로 동결했다고 밝혔다. "
        '이창용 총재는 "물가가 안정되고 있다"고 말했다.',
        [
            "한국은행은 기준금리를 연 3.50%로 동결했다고 밝혔다.",
            '이창용 총재는 "물가가 안정되고 있다"고 말했다.',
        ],
    ),
    (
        '회사 측은 "매출이 늘었다. 내년에도 늘 것"이라고 밝혔다.',
        ['회사 측은 "매출이 늘었다. 내년에도 늘 것"이라고 밝혔다.'],
    ),
    (
        '그는 "잘 모르겠다. 나중에 얘기하자"라고 했다.',
        ['그는 "잘 모르겠다. 나중에 얘기하자"라고 했다.'],
    ),
    (
        '"우리는 잘 하고 있습니다." 그가 말했다.',
        ['"우리는 잘 하고 있습니다."', "그가 말했다."],
    ),
    # kiwipiepy splits off a quotative particle written after a space
    ('"좋아질 것입니다.” 라고 그가 말했다.', ['"좋아질 것입니다.” 라고 그가 말했다.']),
    ('그는 "좋다" 고 말했다.', ['그는 "좋다" 고 말했다.']),
    (
        '"정말 기쁩니다!" 라며 손흥민은 웃었다. 팀은 2-1로 이겼다.',
        ['"정말 기쁩니다!" 라며 손흥민은 웃었다.', "팀은 2-1로 이겼다."],
    ),
    (
        "삼성전자 주가는 3.5% 오른 7만1천원에 마감했다… 외국인이 순매수했다.",
        ["삼성전자 주가는 3.5% 오른 7만1천원에 마감했다…", "외국인이 순매수했다."],
    ),
    (
        "▲서울 3명 ▲부산 2명 ▲대구 1명 등이다. 나머지는 조사 중이다.",
        ["▲서울 3명 ▲부산 2명 ▲대구 1명 등이다.", "나머지는 조사 중이다."],
    ),
    (
        "정부는 ▲일자리 창출 ▲물가 안정 ▲수출 확대 등 3대 과제를 제시했다.",
        ["정부는 ▲일자리 창출 ▲물가 안정 ▲수출 확대 등 3대 과제를 제시했다."],
    ),
    (
        '북한, 동해상으로 탄도미사일 발사…합참 "추가 발사 대비"',
        ['북한, 동해상으로 탄도미사일 발사…합참 "추가 발사 대비"'],
    ),
    (
        "존 F. 케네디 전 대통령은 1963년 암살됐다. 당시 46세였다.",
        ["존 F. 케네디 전 대통령은 1963년 암살됐다.", "당시 46세였다."],
    ),
    (
        "일본제철은 U.S. 스틸 인수를 추진하고 있다. 미국 정부는 반대했다.",
        ["일본제철은 U.S. 스틸 인수를 추진하고 있다.", "미국 정부는 반대했다."],
    ),
    # kiwipiepy read the name "구나" as an exclamatory ending and split there
    (
        "안토니우스 구나 완 아궁은 관제탑을 떠나지 않았다.",
        ["안토니우스 구나 완 아궁은 관제탑을 떠나지 않았다."],
    ),
    (
        "Mr. Smith는 동의했다. 다른 위원들은 반대했다.",
        ["Mr. Smith는 동의했다.", "다른 위원들은 반대했다."],
    ),
    (
        '이어 "북한이 도발하면 강력히 대응하겠다"며 "한미 동맹은 굳건하다"고 강조했다.',
        ['이어 "북한이 도발하면 강력히 대응하겠다"며 "한미 동맹은 굳건하다"고 강조했다.'],
    ),
    (
        "통계청에 따르면 지난달 소비자물가는 전년 동월 대비 2.8% 상승했다. 석 달 만에 최고치다.",
        [
            "통계청에 따르면 지난달 소비자물가는 전년 동월 대비 2.8% 상승했다.",
            "석 달 만에 최고치다.",
        ],
    ),
    (
        "코스피는 전 거래일보다 12.34포인트(0.45%) 내린 2,650.12에 장을 마쳤다. "
        "외국인은 3천억원어치를 팔았다.",
        [
            "코스피는 전 거래일보다 12.34포인트(0.45%) 내린 2,650.12에 장을 마쳤다.",
            "외국인은 3천억원어치를 팔았다.",
        ],
    ),
    (
        "이 회사는 오는 3월 31일까지 신청을 받는다. 자세한 내용은 홈페이지(www.example.co.kr)에서 "
        "확인할 수 있다.",
        [
            "이 회사는 오는 3월 31일까지 신청을 받는다.",
            "자세한 내용은 홈페이지(www.example.co.kr)에서 확인할 수 있다.",
        ],
    ),
    (
        "무엇이 문제인가? 전문가들은 구조적 요인을 꼽는다.",
        ["무엇이 문제인가?", "전문가들은 구조적 요인을 꼽는다."],
    ),
    (
        '윤석열 대통령은 22일 "국민 여러분께 송구하다"고 밝혔다.',
        ['윤석열 대통령은 22일 "국민 여러분께 송구하다"고 밝혔다.'],
    ),
    (
        '바이든 대통령은 "We stand with Korea."라고 말했다. 회견은 짧게 끝났다.',
        ['바이든 대통령은 "We stand with Korea."라고 말했다.', "회견은 짧게 끝났다."],
    ),
    # a sentence the writer ended without a full stop, before a quotation
    (
        '골드스미스 씨는 이렇게 이야기했다 "크롬웰은 더 많이 인정받았습니다.',
        ["골드스미스 씨는 이렇게 이야기했다", '"크롬웰은 더 많이 인정받았습니다.'],
    ),
    # ... but a comma never ends one
    (
        "이것을 상상해보세요, 당신은 밤새 경기를 지켜봤습니다.",
        ["이것을 상상해보세요, 당신은 밤새 경기를 지켜봤습니다."],
    ),
    (
        '"여성들은 잊지 않을 것입니다. 11월에도 잊지 않을 것입니다." 한 대변인이 말했다.',
        ['"여성들은 잊지 않을 것입니다.', '11월에도 잊지 않을 것입니다."', "한 대변인이 말했다."],
    ),
    (
        "오전 9시 30분 현재 원/달러 환율은 1,320.5원이다. 전날보다 2.1원 올랐다.",
        ["오전 9시 30분 현재 원/달러 환율은 1,320.5원이다.", "전날보다 2.1원 올랐다."],
    ),
    (
        "사고는 15일 오후 3시께 발생했다...경찰은 원인을 조사 중이다.",
        ["사고는 15일 오후 3시께 발생했다...", "경찰은 원인을 조사 중이다."],
    ),
    (
        '미국 국무부는 "북한과 대화할 준비가 돼 있다"며 "조건 없이 만나자"고 제안했다. '
        "북한은 응답하지 않았다.",
        [
            '미국 국무부는 "북한과 대화할 준비가 돼 있다"며 "조건 없이 만나자"고 제안했다.',
            "북한은 응답하지 않았다.",
        ],
    ),
    (
        "이번 조치는 1일부터 시행된다. 단, 예외가 있다.",
        ["이번 조치는 1일부터 시행된다.", "단, 예외가 있다."],
    ),
    (
        '제임스 김 주한미국상공회의소(AMCHAM) 회장은 "한국 시장은 매력적"이라고 평가했다.',
        ['제임스 김 주한미국상공회의소(AMCHAM) 회장은 "한국 시장은 매력적"이라고 평가했다.'],
    ),
    (
        'A씨는 경찰 조사에서 "술을 마시지 않았다"고 진술한 것으로 알려졌다. '
        "그러나 CCTV 영상은 달랐다.",
        [
            'A씨는 경찰 조사에서 "술을 마시지 않았다"고 진술한 것으로 알려졌다.',
            "그러나 CCTV 영상은 달랐다.",
        ],
    ),
    (
        "미국은 해군을 봉쇄에 쓸 수 있다 - 내무 장관",
        ["미국은 해군을 봉쇄에 쓸 수 있다 - 내무 장관"],
    ),
    ("기자회견 하는 홍길동 장관", ["기자회견 하는 홍길동 장관"]),
    # kiwipiepy hangs a short quotation that opens a sentence on the previous one
    (
        "“이건 아니다”라고 했다. ‘정말’이라는 말도 했다.",
        ["“이건 아니다”라고 했다.", "‘정말’이라는 말도 했다."],
    ),
    (
        "전문가는 그것을 달리 불렀다. ‘문화의 선물’은 대체할 수 없다는 것이다.",
        ["전문가는 그것을 달리 불렀다.", "‘문화의 선물’은 대체할 수 없다는 것이다."],
    ),
    (
        "닐 베어는 “사람들이 이끌린다.”라고 말했다. ‘지정생존자’는 대통령이 되는 이야기다.",
        ["닐 베어는 “사람들이 이끌린다.”라고 말했다.", "‘지정생존자’는 대통령이 되는 이야기다."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), KOREAN_CASES)
def test_korean_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text, "ko") == expected


def test_enough_hand_checked_cases_per_language() -> None:
    assert len(ENGLISH_CASES) >= 30
    assert len(KOREAN_CASES) >= 30


@pytest.mark.parametrize("lang", ["en", "ko", "is"])
@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_input_has_no_sentences(text: str, lang: str) -> None:
    assert split_sentences(text, lang) == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("  The vote was held on Dec. 14.   It passed easily.  ", "en"),
        ("\t정부는 22일 발표했다.   시행은 다음 달이다.\n", "ko"),
        ("😀 그는 갔다. 그녀도 갔다. 🎉끝났다.", "ko"),
    ],
)
def test_offsets_round_trip_and_exclude_whitespace(text: str, lang: str) -> None:
    spans = split_sentences(text, lang)
    assert len(spans) >= 2
    assert all(text[start:end] == text[start:end].strip() for start, end in spans)
    assert_only_whitespace_between(text, spans)


def test_unknown_language_falls_back_to_english_rules() -> None:
    text = "Forseti Íslands sagði þetta í gær. Hann fer til Reykjavíkur á morgun."
    assert sentences(text, "is") == [
        "Forseti Íslands sagði þetta í gær.",
        "Hann fer til Reykjavíkur á morgun.",
    ]


def test_other_scripts_keep_their_own_sentence_ends() -> None:
    text = "भारत ने आज घोषणा की। प्रधानमंत्री ने भाषण दिया।"
    assert sentences(text, "hi") == ["भारत ने आज घोषणा की।", "प्रधानमंत्री ने भाषण दिया।"]


def test_language_tags_with_region_are_accepted() -> None:
    assert sentences("정부는 발표했다. 시행은 다음 달이다.", "ko-KR") == [
        "정부는 발표했다.",
        "시행은 다음 달이다.",
    ]
    assert sentences("It rose. It fell.", "EN_us") == ["It rose.", "It fell."]


def test_batched_paragraphs_match_one_by_one() -> None:
    paragraphs = [c[0] for c in KOREAN_CASES[:8]] + ["", "   "]
    assert split_paragraphs(paragraphs, "ko") == [split_sentences(p, "ko") for p in paragraphs]


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        (
            "(서울=연합뉴스) 홍길동 기자 = 정부는 22일 대책을 발표했다.",
            "(서울=연합뉴스) 홍길동 기자 = ",
        ),
        ("[한겨레] 정부는 22일 대책을 발표했다.", "[한겨레] "),
        (
            "(워싱턴=연합뉴스) 김아무개 특파원 = 미국 국무부는 21일 밝혔다.",
            "(워싱턴=연합뉴스) 김아무개 특파원 = ",
        ),
        ("[서울=뉴시스]홍길동 기자 = 코스피가 올랐다.", "[서울=뉴시스]홍길동 기자 = "),
        (
            "(서울=뉴스1) 홍길동 이철수 기자 = 코스피가 올랐다.",
            "(서울=뉴스1) 홍길동 이철수 기자 = ",
        ),
        ("[이데일리 홍길동 기자] 한국은행이 금리를 동결했다.", "[이데일리 홍길동 기자] "),
        ("【베이징=뉴시스】 중국이 발표했다.", "【베이징=뉴시스】 "),
        ("정부는 22일 대책을 발표했다.", ""),
        ("[속보] 정부, 대책 발표", ""),
        ("(1달러=1,300원) 환율이 올랐다.", ""),
    ],
)
def test_korean_datelines(text: str, dateline: str) -> None:
    assert text[: strip_dateline(text, "ko")] == dateline


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("SEOUL, Jan. 22 (Yonhap) -- South Korea's exports rose.", "SEOUL, Jan. 22 (Yonhap) -- "),
        ("WASHINGTON (Reuters) - The U.S. Senate voted.", "WASHINGTON (Reuters) - "),
        ("NEW YORK, March 3 (AP) — Stocks fell.", "NEW YORK, March 3 (AP) — "),
        ("PORTLAND, Ore. (AP) — A man was arrested.", "PORTLAND, Ore. (AP) — "),
        ("SAN FRANCISCO/NEW YORK (Reuters) - Apple said.", "SAN FRANCISCO/NEW YORK (Reuters) - "),
        ("LONDON — Britain's economy shrank.", "LONDON — "),
        ("South Korea said on Monday it would respond.", ""),
        ("NATO (North Atlantic Treaty Organization) members met.", ""),
        ("I (and many others) think so.", ""),
        ("US - China trade talks resumed on Monday.", ""),
    ],
)
def test_english_datelines(text: str, dateline: str) -> None:
    assert text[: strip_dateline(text, "en")] == dateline


def _check_offsets(article: Article) -> list:
    stored = segment_article(article)
    full = article.text
    for sentence in stored:
        assert full[sentence.start : sentence.end] == sentence.text
    assert [s.idx for s in stored] == list(range(len(stored)))
    return stored


def test_segment_article_english() -> None:
    article = Article(
        id="en-1",
        language="en",
        title="U.S. Weighs Sanctions on North Korea",
        paragraphs=[
            Paragraph("WASHINGTON (Reuters) - The U.S. is weighing sanctions. Talks stalled."),
            Paragraph(""),
            Paragraph("Officials at the White House, Seoul", "caption"),
            Paragraph('"We are ready," Mr. Smith said. "Are they?"'),
        ],
    )
    stored = _check_offsets(article)
    assert [(s.paragraph, s.kind, s.text) for s in stored] == [
        (0, "heading", "U.S. Weighs Sanctions on North Korea"),
        (1, "body", "The U.S. is weighing sanctions."),
        (1, "body", "Talks stalled."),
        (3, "caption", "Officials at the White House, Seoul"),
        (4, "body", '"We are ready," Mr. Smith said.'),
        (4, "body", '"Are they?"'),
    ]


def test_segment_article_korean_drops_dateline_of_first_body_paragraph_only() -> None:
    article = Article(
        id="ko-1",
        language="ko",
        title="[속보] 정부, 새 부동산 대책 발표",
        paragraphs=[
            Paragraph("사진은 서울 아파트 단지 (서울=연합뉴스)", "caption"),
            Paragraph(
                "(서울=연합뉴스) 홍길동 기자 = 정부는 22일 대책을 발표했다. 시행은 다음 달이다."
            ),
            Paragraph('홍 장관은 "시장이 안정될 것"이라고 말했다.'),
        ],
    )
    stored = _check_offsets(article)
    assert [(s.paragraph, s.kind, s.text) for s in stored] == [
        (0, "heading", "[속보] 정부, 새 부동산 대책 발표"),
        (1, "caption", "사진은 서울 아파트 단지 (서울=연합뉴스)"),
        (2, "body", "정부는 22일 대책을 발표했다."),
        (2, "body", "시행은 다음 달이다."),
        (3, "body", '홍 장관은 "시장이 안정될 것"이라고 말했다.'),
    ]


def test_segment_article_with_nothing_in_it() -> None:
    article = Article(id="e", language="ko", title="", paragraphs=[Paragraph(""), Paragraph("  ")])
    assert segment_article(article) == []


def test_segment_article_dateline_only_paragraph_yields_nothing() -> None:
    article = Article(
        id="d",
        language="en",
        title="Exports rise",
        paragraphs=[Paragraph("SEOUL, Jan. 22 (Yonhap) -- "), Paragraph("Exports rose.")],
    )
    stored = _check_offsets(article)
    assert [(s.paragraph, s.text) for s in stored] == [(0, "Exports rise"), (2, "Exports rose.")]


def _ntrex_lines(name: str) -> list[str]:
    if not NTREX.is_dir():
        pytest.skip(f"NTREX data not found at {NTREX}")
    return (NTREX / name).read_text(encoding="utf-8").split("\n")[:1997]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "lang", "low", "high"),
    [
        # The dataset README counts 251 Korean and 135 English lines with a sentence-final
        # mark inside them; most English ones are abbreviations (Mr., U.S.), not sentences.
        ("newstest2019-ref.kor.txt", "ko", 200, 290),
        ("newstest2019-src.eng.txt", "en", 1, 30),
    ],
)
def test_ntrex_lines(name: str, lang: str, low: int, high: int) -> None:
    lines = _ntrex_lines(name)
    spans = split_paragraphs(lines, lang)
    for line, line_spans in zip(lines, spans, strict=True):
        assert line_spans, line
        assert_only_whitespace_between(line, line_spans)
    multi = sum(len(s) > 1 for s in spans)
    assert low <= multi <= high


@pytest.mark.parametrize(
    ("tag", "primary"),
    [("ko-KR", "ko"), (" EN_us ", "en"), ("de", "de"), ("", ""), (None, ""), ("  ", "")],
)
def test_primary_language_reads_any_spelling_of_a_tag(tag, primary):
    from corpus.language import primary_language

    assert primary_language(tag) == primary


ONE_SENTENCE_CASES = [
    'He said the talks would resume "as soon as possible."',
    "Prices rose 3.5% in May",  # an inner mark: asks pysbd
    "Mr. Kim arrived on Tuesday.",
    "The first line\nand the second.",
    "Why? She did not say.",
    "  Leading spaces, one sentence!  ",
]


def test_one_sentence_paragraphs_skip_pysbd_with_the_same_sentences(monkeypatch):
    """The shortcut for paragraphs without an inner sentence mark must not change a
    single boundary: compared with pysbd on every paragraph."""
    import corpus.segment as segment

    texts = list(ONE_SENTENCE_CASES)
    english = NTREX / "newstest2019-src.eng.txt"
    if english.exists():
        texts += [line for line in english.read_text(encoding="utf-8").split("\n") if line][:400]
    fast = segment.split_paragraphs(texts, "en")
    monkeypatch.setattr(segment, "_one_sentence", lambda text: False)
    assert fast == segment.split_paragraphs(texts, "en")
    monkeypatch.undo()
    assert segment._one_sentence(ONE_SENTENCE_CASES[0])
    assert not any(segment._one_sentence(t) for t in ONE_SENTENCE_CASES[2:5])
