"""Pairing English articles with Korean originals: links, content, bad input, CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligners.embedding import Encoder
from cli import main
from corpus.article import Article, Paragraph
from corpus.pairing import list_pairs, pair_store
from corpus.segment import segment_article
from corpus.store import Store
from corpus.urls import url_key

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NTREX = SHARED / "evaldata" / "ntrex128-en-ko"

STORIES = {
    "rates": (
        "Central bank raises rates to 3.5%",
        [
            "The Bank of Korea raised its key interest rate to 3.5% on Thursday.",
            "It was the seventh increase since April 2022, the bank said.",
            "Governor Rhee Chang-yong warned that inflation remained high.",
        ],
        "한국은행, 기준금리 3.5%로 인상",
        [
            "한국은행이 목요일 기준금리를 3.5%로 인상했다.",
            "2022년 4월 이후 일곱 번째 인상이라고 한국은행은 밝혔다.",
            "이창용 총재는 물가가 여전히 높다고 경고했다.",
        ],
    ),
    "flood": (
        "Heavy rain floods Seoul subway stations",
        [
            "Record rainfall of 141 millimetres an hour flooded subway stations in Seoul.",
            "Twelve people were evacuated from a flooded basement in Gwanak District.",
            "The weather agency expects more rain through the weekend.",
        ],
        "폭우로 서울 지하철역 침수",
        [
            "시간당 141밀리미터의 기록적인 폭우로 서울 지하철역들이 침수됐다.",
            "관악구의 침수된 반지하에서 12명이 대피했다.",
            "기상청은 주말까지 비가 더 올 것으로 내다봤다.",
        ],
    ),
}
START = datetime(2024, 5, 1, 9, tzinfo=UTC)


def article(ident, lang, title, body, *, url=None, original_url=None, published=START):
    return Article(
        id=ident,
        language=lang,
        title=title,
        paragraphs=[Paragraph(text) for text in body],
        url=url,
        original_url=original_url,
        published=published,
        source_format="test",
        content_hash=f"{ident}:{title}:{len(body)}:{published}",
    )


def english(story, ident, **kw):
    title, body, _, _ = STORIES[story]
    return article(ident, "en", title, body, **kw)


def korean(story, ident, **kw):
    _, _, title, body = STORIES[story]
    return article(ident, "ko", title, body, **kw)


def add(store: Store, *articles: Article) -> None:
    for item in articles:
        store.add_article(item, None, segment_article(item))


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "s.sqlite") as opened:
        yield opened


def rows(store: Store, unpaired: bool = False) -> dict[str, tuple]:
    return {
        r.en_id: (r.ko_id, r.method, r.confidence, r.flags, r.note)
        for r in list_pairs(store, unpaired=unpaired)
        if r.en_id
    }


KO_URL = "https://www.hani.co.kr/arti/economy/economy_general/1100001.html"


def test_url_key_normalises_scheme_host_query_fragment_and_slash():
    assert url_key("http://m.hani.co.kr/arti/politics/1100001.html?_fr=mt1#top") == url_key(KO_URL)
    assert url_key("https://www.example.com/news/a/?utm_source=x#c") == "example.com/news/a"
    assert url_key("example.com/read.php?utm_medium=y&id=7") == "example.com/read.php?id=7"
    assert url_key("https://example.com/read.php?id=8") != url_key("example.com/read.php?id=7")
    assert url_key("") is None and url_key(None) is None


def test_link_pairs_across_url_spellings(store, encoder):
    add(
        store,
        english("rates", "en-1", original_url="http://m.hani.co.kr/arti/a/1100001.html?x=1"),
        korean("rates", "ko-1", url=KO_URL),
        korean("flood", "ko-2", url="https://www.hani.co.kr/arti/b/1100002.html"),
    )
    summary = pair_store(store, encoder=encoder)
    assert rows(store) == {"en-1": ("ko-1", "link", 1.0, (), None)}
    assert summary.as_dict()["by_method"] == {"link": 1}


def test_missing_original_is_reported_then_paired_on_a_later_run(store, encoder):
    add(store, english("rates", "en-1", original_url=KO_URL))
    summary = pair_store(store, encoder=encoder)
    assert rows(store, unpaired=True)["en-1"][4] == f"original not ingested: {KO_URL}"
    assert summary.as_dict()["unpaired"] == {"original not ingested": 1}
    add(store, korean("rates", "ko-1", url=KO_URL))
    pair_store(store, encoder=encoder)
    assert rows(store)["en-1"][:2] == ("ko-1", "link")
    assert "en-1" not in rows(store, unpaired=True)


def test_link_to_a_different_story_is_kept_but_flagged(store, encoder):
    add(
        store,
        english("rates", "en-1", original_url=KO_URL),
        korean("flood", "ko-1", url=KO_URL),
    )
    pair_store(store, encoder=encoder)
    ko, method, confidence, flags, _ = rows(store)["en-1"]
    assert (ko, method, flags) == ("ko-1", "link", ("link_content_mismatch",))
    assert confidence < 1.0


def test_two_english_articles_on_one_original_only_the_better_pairs(store, encoder):
    add(
        store,
        english("rates", "en-good", original_url=KO_URL),
        english("flood", "en-bad", original_url=KO_URL),
        korean("rates", "ko-1", url=KO_URL),
    )
    pair_store(store, encoder=encoder)
    assert rows(store)["en-good"][0] == "ko-1"
    assert rows(store, unpaired=True)["en-bad"][4] == "original already paired to en-good"


def test_allow_many_lets_both_pair(store, encoder):
    add(
        store,
        english("rates", "en-a", original_url=KO_URL),
        english("flood", "en-b", original_url=KO_URL),
        korean("rates", "ko-1", url=KO_URL),
    )
    pair_store(store, encoder=encoder, allow_many=True)
    assert {k: v[0] for k, v in rows(store).items()} == {"en-a": "ko-1", "en-b": "ko-1"}


def test_content_pass_pairs_without_links_and_flags_undated(store, encoder):
    add(
        store,
        english("rates", "en-1"),
        english("flood", "en-2", published=None),
        korean("flood", "ko-2"),
        korean("rates", "ko-1", published=START - timedelta(days=1)),
    )
    pair_store(store, encoder=encoder, min_confidence=0.3)
    paired = rows(store)
    assert paired["en-1"][:2] == ("ko-1", "content")
    assert paired["en-2"][:2] == ("ko-2", "content")
    assert "undated" in paired["en-2"][3] and "undated" not in paired["en-1"][3]
    assert all(0 < v[2] <= 1 for v in paired.values())


def test_date_window_excludes_originals_out_of_reach(store, encoder):
    add(
        store,
        english("rates", "en-1"),
        korean("rates", "ko-1", published=START - timedelta(days=5)),
    )
    pair_store(store, encoder=encoder, min_confidence=0.3)
    assert rows(store, unpaired=True)["en-1"][4] == "no unpaired Korean article in the date window"
    pair_store(store, encoder=encoder, min_confidence=0.3, window_days=6)
    assert rows(store)["en-1"][0] == "ko-1"


def test_empty_and_duplicate_articles_are_reported(store, encoder):
    add(
        store,
        article("en-empty", "en", "Headline only", []),
        english("rates", "en-1"),
        english("rates", "en-1-again", url="https://example.com/copy"),
        korean("rates", "ko-1"),
    )
    summary = pair_store(store, encoder=encoder, min_confidence=0.3)
    unpaired = rows(store, unpaired=True)
    assert unpaired["en-empty"][4] == "empty article (no body text)"
    assert unpaired["en-1-again"][4] == "duplicate of en-1"
    assert rows(store)["en-1"][0] == "ko-1"
    assert summary.as_dict()["unpaired"] == {"empty article": 1, "duplicate": 1}


def test_pairs_stay_unless_redo(store, encoder):
    add(store, english("rates", "en-1", original_url=KO_URL), korean("rates", "ko-1", url=KO_URL))
    pair_store(store, encoder=encoder)
    again = pair_store(store, encoder=encoder)
    assert again.kept == 1 and again.as_dict()["paired"] == 0
    redone = pair_store(store, encoder=encoder, redo=True)
    assert redone.kept == 0 and redone.as_dict()["by_method"] == {"link": 1}
    count = store.db.execute("SELECT COUNT(*) FROM pairs").fetchone()[0]
    assert count == 1


def test_cli_pair_and_pairs(tmp_path, monkeypatch):
    path = tmp_path / "cli.sqlite"
    with Store(path) as store:
        add(
            store,
            english("rates", "en-1", original_url=KO_URL),
            korean("rates", "ko-1", url=KO_URL),
            english("flood", "en-2", original_url="https://www.hani.co.kr/arti/x/9.html"),
            korean("flood", "ko-lonely"),
        )
        # Pair once (the model is loaded once per process) so the vectors land in the
        # store's cache: the command then reuses them instead of encoding again.
        pair_store(store, encoder=Encoder(db=store.db))
    runner = CliRunner()
    result = runner.invoke(main, ["pair", "--store", str(path), "--redo"])
    assert result.exit_code == 0, result.output
    assert "link 1" in result.output and "original not ingested 1" in result.output
    listed = runner.invoke(main, ["pairs", "--store", str(path), "--tsv"])
    assert listed.output.splitlines() == ["en-1\tko-1\tlink\t1.000"]
    lonely = runner.invoke(main, ["pairs", "--store", str(path), "--tsv", "--unpaired"])
    lines = lonely.output.splitlines()
    assert lines[0].startswith("en-2\t-\tnone\t0.000\toriginal not ingested: ")
    assert lines[1].startswith("-\tko-lonely\tnone")
    missing = runner.invoke(main, ["pairs", "--store", str(tmp_path / "nope.sqlite")])
    assert missing.exit_code != 0 and "no such store" in missing.output


@pytest.mark.skipif(not NTREX.is_dir(), reason=f"NTREX-128 not found at {NTREX}")
def test_real_documents_pair_by_content_with_orphans(store, encoder):
    from benchmarks.ntrex_articles import load_documents

    documents = load_documents(NTREX)[:6]
    for d in documents:
        add(store, article(d.english_id, "en", d.english[0], list(d.english[1:]), published=None))
    for d in documents[:4]:
        add(store, article(d.korean_id, "ko", d.korean[0], list(d.korean[1:]), published=None))
    pair_store(store, encoder=encoder)
    paired = {en: v[0] for en, v in rows(store).items()}
    assert paired == {d.english_id: d.korean_id for d in documents[:4]}
    orphans = rows(store, unpaired=True)
    assert set(orphans) == {d.english_id for d in documents[4:]}
    assert all(v[4] for v in orphans.values())
    stored = json.loads(store.db.execute("SELECT flags FROM pairs LIMIT 1").fetchone()[0])
    assert "undated" in stored


def test_two_translations_of_one_original_without_links(store, encoder):
    title, body, _, _ = STORIES["rates"]
    add(
        store,
        english("rates", "en-full"),
        article("en-short", "en", title, body[:2]),
        korean("rates", "ko-1"),
    )
    pair_store(store, encoder=encoder, min_confidence=0.3)
    assert rows(store)["en-full"][0] == "ko-1"
    assert rows(store, unpaired=True)["en-short"][4] == "original already paired to en-full"


@pytest.mark.parametrize(
    "limit",
    [("SWEEP_BATCH", 2), ("WINDOW_KOREAN", 4)],
    ids=["English per step", "Korean per window"],
)
def test_content_pass_keeps_only_the_date_window_in_memory_and_reports_progress(
    store, encoder, monkeypatch, limit
):
    """Two weeks of articles, one story pair a day: the sweep pairs them all while holding the
    text of a few days' articles at a time, not the fortnight's."""
    import corpus.pairing as pairing

    days = 16
    for day in range(days):
        title, body, ko_title, ko_body = STORIES[("rates", "flood")[day % 2]]
        moment = START + timedelta(days=day)
        note, ko_note = f"This is report {day + 100}.", f"이것은 {day + 100}번째 보도다."
        add(
            store,
            article(f"en-{day}", "en", title, [*body, note], published=moment),
            article(f"ko-{day}", "ko", ko_title, [*ko_body, ko_note], published=moment),
        )
    loaded: set[int] = set()
    most = 0
    load, release = pairing._Texts.load, pairing._Texts.release

    def counting_load(self, docs):
        nonlocal most
        load(self, docs)
        loaded.update(d.id for d in docs)
        most = max(most, len(loaded))

    def counting_release(self, docs, **kw):
        release(self, docs, **kw)
        loaded.difference_update(d.id for d in docs)

    monkeypatch.setattr(pairing, *limit)
    monkeypatch.setattr(pairing._Texts, "load", counting_load)
    monkeypatch.setattr(pairing._Texts, "release", counting_release)
    reported: list[tuple[int, int]] = []
    summary = pair_store(
        store,
        encoder=encoder,
        min_confidence=0.3,
        window_days=1,
        progress=lambda done, total: reported.append((done, total)),
    )
    assert summary.by_method["content"] == days
    assert reported[0] == (0, days) and reported[-1] == (days, days)
    assert [done for done, _ in reported] == sorted(done for done, _ in reported)
    assert all(r.ko_id == f"ko-{r.en_id[3:]}" for r in list_pairs(store))
    # two English articles and the Korean ones of their days (1 before, 1 after): ~6
    assert 0 < most <= 8
    assert not loaded
