"""The `dari` command line: parses options and calls into corpus/ and aligners/."""

from __future__ import annotations

import click

from corpus import export
from corpus.store import DEFAULT_STORE

store_option = click.option(
    "--store",
    "store_path",
    default=DEFAULT_STORE,
    show_default=True,
    envvar="DARI_STORE",
    type=click.Path(dir_okay=False),
    help="SQLite corpus store.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dari")
def main() -> None:
    """Dari (다리): English news articles + Korean originals -> scored parallel corpora."""


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
def ingest_command(paths: tuple[str, ...], store_path: str) -> None:
    """Read article files and folders (recursively) into the store.

    Unreadable files are listed on stderr as 'path: reason' and recorded as rejects;
    the exit status is 1 if any file or line failed.
    """
    from corpus.ingest import IngestCounts, IngestEvent, ingest_paths, report_problems
    from corpus.store import Store, StoreError

    try:
        store = Store(store_path)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    so_far = IngestCounts()

    def on_event(event: IngestEvent) -> None:
        so_far.count(event)
        report_problems(event)

    with store:
        try:
            counts = ingest_paths(paths, store, on_event)
        except KeyboardInterrupt:
            click.echo(
                f"interrupted: {so_far.new} new and {so_far.versions} new versions stored "
                "are kept; rerun to continue",
                err=True,
            )
            raise SystemExit(130) from None
    click.echo(f"ingested {counts.summary()} (store: {store_path})")
    if counts.rejected:
        raise SystemExit(1)


@main.command("stats")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats_command(store_path: str, as_json: bool) -> None:
    """Counts per language and source, pairing, old versions and rejected files."""
    import json
    from pathlib import Path

    from corpus.ingest import format_stats
    from corpus.store import Store, StoreError

    if not Path(store_path).is_file():
        raise click.ClickException(f"{store_path}: no such store (run 'dari ingest' first)")
    try:
        with Store(store_path) as store:
            stats = store.stats()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        click.echo(format_stats(stats, store_path))


@main.command("export")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(export.FORMATS),
)
@click.option(
    "-o",
    "--output",
    required=True,
    help="Output path, '-' for stdout (tmx, tsv, jsonl). A .gz suffix compresses; "
    "xces writes a directory; moses writes PATH.en and PATH.ko.",
)
@store_option
@click.option(
    "--min-score",
    type=float,
    default=None,
    help="Keep pairs scoring at least X (unscored pairs are dropped).",
)
@click.option("--types", default=None, help="Bead types to keep, e.g. 1-1,2-1.")
@click.option(
    "--dedupe", is_flag=True, help="Drop repeated pairs (case, width and spacing ignored)."
)
@click.option(
    "--exclude-flags",
    default=None,
    help="Drop pairs carrying any of these flags, e.g. boilerplate,duplicate.",
)
@click.option(
    "--exclude-restricted",
    is_flag=True,
    help="Drop pairs whose rights notice forbids reuse or AI training.",
)
@click.option(
    "--lang-codes",
    default="en,ko",
    show_default=True,
    help="Language tags written for the two sides, e.g. en-US,ko-KR.",
)
@click.option(
    "--creation-date",
    default=None,
    help="ISO date for the TMX header (default: SOURCE_DATE_EPOCH, else now).",
)
@click.option("--header", is_flag=True, help="TSV: write a header line.")
@click.option("--force", is_flag=True, help="Overwrite an existing output.")
def export_command(
    fmt: str,
    output: str,
    store_path: str,
    min_score: float | None,
    types: str | None,
    dedupe: bool,
    exclude_flags: str | None,
    exclude_restricted: bool,
    lang_codes: str,
    creation_date: str | None,
    header: bool,
    force: bool,
) -> None:
    """Write the aligned pairs as TMX, XCES, Moses, TSV, JSONL or Parquet."""
    try:
        options = export.ExportOptions(
            format=fmt,
            output=output,
            filters=export.ExportFilters(
                min_score=export.check_min_score(min_score),
                types=export.parse_types(types),
                exclude_flags=export.parse_flags(exclude_flags),
                exclude_restricted=exclude_restricted,
                dedupe=dedupe,
            ),
            codes=export.parse_lang_codes(lang_codes),
            creation_date=export.resolve_creation_date(creation_date),
            header=header,
            force=force,
        )
        export.export_store(store_path, options, report=lambda line: click.echo(line, err=True))
    except export.ExportError as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":
    main()
