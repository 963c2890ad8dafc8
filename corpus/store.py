"""The corpus store: one SQLite file that every stage reads from and writes to.

WAL mode lets readers (``dari stats``, ``dari report``) run while a writer works; every
stage commits per unit of work (one file, one document pair), so an interrupted run keeps
what it finished and a rerun picks up the rest. The raw input is kept compressed so a
document can always be re-read with a better reader.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from corpus.article import Article, Paragraph, content_hash

DEFAULT_STORE = "dari.sqlite"

# Each entry migrates the schema from version i to i + 1. Never edit a released entry:
# append a new one, so that old stores upgrade in place.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        current INTEGER NOT NULL DEFAULT 1,
        lang TEXT NOT NULL,
        title TEXT NOT NULL,
        subtitle TEXT,
        published TEXT,
        byline TEXT,
        url TEXT,
        original_url TEXT,
        link_note TEXT,
        rights TEXT,
        source_path TEXT,
        source_format TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        paragraphs TEXT NOT NULL,
        extra TEXT NOT NULL DEFAULT '{}',
        raw BLOB,
        ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        UNIQUE (article_id, version)
    );
    CREATE INDEX documents_hash ON documents (content_hash);
    CREATE INDEX documents_lang_published ON documents (lang, published);
    CREATE TABLE sentences (
        doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        paragraph INTEGER NOT NULL,
        kind TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (doc_id, idx)
    );
    CREATE TABLE rejects (
        id INTEGER PRIMARY KEY,
        source_path TEXT NOT NULL,
        reason TEXT NOT NULL,
        content_hash TEXT,
        raw BLOB,
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE pairs (
        id INTEGER PRIMARY KEY,
        en_doc INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ko_doc INTEGER REFERENCES documents (id) ON DELETE CASCADE,
        method TEXT NOT NULL,
        confidence REAL NOT NULL,
        flags TEXT NOT NULL DEFAULT '[]',
        note TEXT,
        UNIQUE (en_doc, ko_doc)
    );
    CREATE TABLE alignments (
        pair_id INTEGER NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
        bead INTEGER NOT NULL,
        en_ids TEXT NOT NULL,
        ko_ids TEXT NOT NULL,
        score REAL,
        components TEXT NOT NULL DEFAULT '{}',
        flags TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (pair_id, bead)
    );
    CREATE TABLE aligned_pairs (
        pair_id INTEGER PRIMARY KEY REFERENCES pairs (id) ON DELETE CASCADE,
        aligner TEXT NOT NULL,
        en_coverage REAL NOT NULL,
        ko_coverage REAL NOT NULL,
        flags TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE embeddings (
        text_hash BLOB NOT NULL,
        model TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, text_hash)
    ) WITHOUT ROWID;
    """,
    # Which quality model scored a bead (NULL until scored): lets `dari run` score only
    # what is new, since the aligner's own score fills `score` before the model does.
    "ALTER TABLE alignments ADD COLUMN scored_by TEXT;",
]


@dataclass(frozen=True)
class StoredSentence:
    idx: int
    paragraph: int
    kind: str
    start: int
    end: int
    text: str


class StoreError(Exception):
    """The store file cannot be opened or is not a Dari store."""


class Store:
    def __init__(self, path: str | Path, timeout: float = 30.0):
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: not a usable SQLite store ({exc})") from exc
        # A store that cannot be set up (not SQLite, another program's database, a newer
        # schema) must not leave its connection open behind the error.
        try:
            self._set_up()
        except sqlite3.Error as exc:
            self.db.close()
            raise StoreError(f"{self.path}: not a usable SQLite store ({exc})") from exc
        except BaseException:
            self.db.close()
            raise

    def _set_up(self) -> None:
        # Checked before anything is written: WAL mode and Dari's tables must never be
        # added to another program's database that happens to be named as the store.
        self._refuse_foreign_database()
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.row_factory = sqlite3.Row
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _refuse_foreign_database(self) -> None:
        """A file at schema version 0 that already holds tables was made by another program."""
        if self.schema_version != 0:
            return
        tables = [
            row[0]
            for row in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        ]
        if tables:
            listed = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
            raise StoreError(
                f"{self.path}: not a Dari store, another program's SQLite database "
                f"(table{'s' if len(tables) > 1 else ''} {listed} already "
                f"exist{'' if len(tables) > 1 else 's'}); choose another --store"
            )

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: store schema version {version} is newer than this Dari "
                f"({len(MIGRATIONS)}); upgrade Dari"
            )
        for number in range(version, len(MIGRATIONS)):
            # executescript() commits any open transaction first, so the transaction
            # has to live inside the script for a migration to be all-or-nothing.
            script = (
                f"BEGIN IMMEDIATE;\n{MIGRATIONS[number]}\n"
                f"PRAGMA user_version = {number + 1};\nCOMMIT;"
            )
            try:
                self.db.executescript(script)
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work: everything in it is committed, or nothing."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- documents -------------------------------------------------------------------

    def has_content(self, content_hash: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM documents WHERE content_hash = ? LIMIT 1", (content_hash,)
        ).fetchone()
        return row is not None

    def add_article(
        self, article: Article, raw: bytes | None, sentences: Iterable[StoredSentence]
    ) -> tuple[int, str]:
        """Store an article with its sentences; return (document id, 'new'|'version'|'same').

        The same article id with new content becomes a new version; the old one is kept
        but no longer current.
        """
        with self.transaction() as db:
            same = db.execute(
                "SELECT id FROM documents WHERE article_id = ? AND content_hash = ?",
                (article.id, article.content_hash),
            ).fetchone()
            if same is not None:
                return same["id"], "same"
            previous = db.execute(
                "SELECT MAX(version) FROM documents WHERE article_id = ?", (article.id,)
            ).fetchone()[0]
            version = (previous or 0) + 1
            if previous:
                db.execute("UPDATE documents SET current = 0 WHERE article_id = ?", (article.id,))
            cursor = db.execute(
                """INSERT INTO documents (article_id, version, lang, title, subtitle, published,
                byline, url, original_url, link_note, rights, source_path, source_format,
                content_hash, paragraphs, extra, raw)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    article.id,
                    version,
                    article.language,
                    article.title,
                    article.subtitle,
                    article.published.isoformat() if article.published else None,
                    article.byline,
                    article.url,
                    article.original_url,
                    article.link_note,
                    article.rights,
                    article.source_path,
                    article.source_format,
                    article.content_hash,
                    json.dumps([[p.text, p.kind] for p in article.paragraphs], ensure_ascii=False),
                    json.dumps(article.extra, ensure_ascii=False),
                    zlib.compress(raw, 6) if raw is not None else None,
                ),
            )
            doc_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((doc_id, s.idx, s.paragraph, s.kind, s.start, s.end, s.text) for s in sentences),
            )
            return doc_id, "version" if previous else "new"

    def add_reject(self, source_path: str, reason: str, raw: bytes | None = None) -> None:
        """Record a file that could not be read; the raw bytes stay recoverable.

        The same bytes rejected again replace the earlier record, so reruns do not
        inflate the count of rejects.
        """
        digest = content_hash(raw) if raw is not None else None
        with self.transaction() as db:
            db.execute(
                "DELETE FROM rejects WHERE source_path = ? AND content_hash IS ?",
                (source_path, digest),
            )
            db.execute(
                "INSERT INTO rejects (source_path, reason, content_hash, raw) VALUES (?, ?, ?, ?)",
                (source_path, reason, digest, zlib.compress(raw, 6) if raw is not None else None),
            )

    def clear_rejects(self, source_path: str) -> None:
        """Forget earlier failures of a file, and of its lines (``path:N``), once it reads."""
        where = "source_path = ? OR substr(source_path, 1, ?) = ?"
        params = (source_path, len(source_path) + 1, source_path + ":")
        if self.db.execute(f"SELECT 1 FROM rejects WHERE {where} LIMIT 1", params).fetchone():
            with self.transaction() as db:
                db.execute(f"DELETE FROM rejects WHERE {where}", params)

    def article(self, doc_id: int) -> Article:
        row = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return _row_to_article(row)

    def articles(
        self, lang: str | None = None, current_only: bool = True
    ) -> Iterator[tuple[int, Article]]:
        query = "SELECT * FROM documents WHERE 1 = 1"
        params: list[object] = []
        if current_only:
            query += " AND current = 1"
        if lang:
            query += " AND lang = ?"
            params.append(lang)
        for row in self.db.execute(query + " ORDER BY id", params):
            yield row["id"], _row_to_article(row)

    def raw(self, doc_id: int) -> bytes | None:
        row = self.db.execute("SELECT raw FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return zlib.decompress(row["raw"]) if row and row["raw"] is not None else None

    def sentences(self, doc_id: int) -> list[StoredSentence]:
        rows = self.db.execute(
            "SELECT idx, paragraph, kind, start, end, text FROM sentences "
            "WHERE doc_id = ? ORDER BY idx",
            (doc_id,),
        )
        return [StoredSentence(*row) for row in rows]

    # -- statistics ------------------------------------------------------------------

    def stats(self) -> dict[str, object]:
        db = self.db
        by_lang_source = [
            dict(row)
            for row in db.execute(
                "SELECT lang, source_format, COUNT(*) AS documents, "
                "SUM((SELECT COUNT(*) FROM sentences s WHERE s.doc_id = d.id)) AS sentences "
                "FROM documents d WHERE current = 1 GROUP BY lang, source_format ORDER BY lang"
            )
        ]
        paired = db.execute(
            "SELECT COUNT(DISTINCT en_doc) FROM pairs WHERE ko_doc IS NOT NULL"
        ).fetchone()[0]
        total = db.execute("SELECT COUNT(*) FROM documents WHERE current = 1").fetchone()[0]
        old_versions = db.execute("SELECT COUNT(*) FROM documents WHERE current = 0").fetchone()[0]
        rejects = [
            dict(row)
            for row in db.execute(
                "SELECT source_path, reason FROM rejects ORDER BY id DESC LIMIT 50"
            )
        ]
        reject_count = db.execute("SELECT COUNT(*) FROM rejects").fetchone()[0]
        return {
            "documents": total,
            "old_versions": old_versions,
            "by_language_and_source": by_lang_source,
            "paired_english_documents": paired,
            "rejected_files": reject_count,
            "recent_rejects": rejects,
        }


def _row_to_article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["article_id"],
        language=row["lang"],
        title=row["title"],
        paragraphs=[Paragraph(text, kind) for text, kind in json.loads(row["paragraphs"])],
        subtitle=row["subtitle"],
        published=datetime.fromisoformat(row["published"]) if row["published"] else None,
        byline=row["byline"],
        url=row["url"],
        original_url=row["original_url"],
        link_note=row["link_note"],
        rights=row["rights"],
        source_path=row["source_path"],
        source_format=row["source_format"],
        content_hash=row["content_hash"],
        extra=json.loads(row["extra"]),
    )
