"""The `dari` command line: parses options and calls into corpus/ and aligners/."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

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


# The largest --max-total: bead shapes grow with its square (a million exhausted memory).
MAX_BEAD_TOTAL = 10

direction_option = click.option(
    "--direction",
    type=click.Choice(export.DIRECTIONS),
    default="en-ko",
    show_default=True,
    help="Translation direction the corpus declares: TMX srclang, and the source side "
    "first in every format (bead types still count English-Korean). The Hankyoreh English "
    "editions are translations of the Korean originals, so a CAT-tool user translating "
    "Korean into English wants ko-en.",
)


def workers_option(what: str):
    return click.option(
        "--workers", type=click.IntRange(min=1), default=1, show_default=True, help=what
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dari")
def main() -> None:
    """Dari (다리): English news articles + Korean originals -> scored parallel corpora."""


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@workers_option("Processes splitting sentences.")
def ingest_command(paths: tuple[str, ...], store_path: str, workers: int) -> None:
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
            counts = ingest_paths(paths, store, on_event, workers=workers)
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

    from corpus.ingest import format_stats

    with _open_existing_store(store_path) as store:
        stats = store.stats()
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
    help="Drop pairs carrying any of these flags, e.g. boilerplate,duplicate; "
    "partial_translation drops every pair of a partially translated document.",
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
    help="BCP 47 tags for the English and the Korean text, in either order, e.g. "
    "ko-KR,en-US (each tag labels the text of its own language).",
)
@direction_option
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
    direction: str,
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
            codes=export.parse_lang_codes(lang_codes, direction),
            creation_date=export.resolve_creation_date(creation_date),
            header=header,
            force=force,
        )
        export.export_store(store_path, options, report=lambda line: click.echo(line, err=True))
    except export.ExportError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        _interrupted(_output_kept(output))


@main.command("align")
@click.argument("src_file", required=False, type=click.Path(dir_okay=False))
@click.argument("tgt_file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    default=None,
    type=click.Path(allow_dash=True),
    help="Output file (default: stdout); with --batch, the output folder.",
)
@click.option(
    "--batch",
    "list_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Align many pairs: a file of SRC<TAB>TGT[<TAB>NAME] lines (paths relative to it); "
    "one output file per pair in the -o folder.",
)
@click.option("--format", "fmt", type=click.Choice(["links", "tsv", "jsonl"]), default="links")
@click.option(
    "--aligner",
    "aligner_name",
    default=None,
    help="Aligner to use [default: dari, or bleualign with --translations].",
)
@click.option("--presegmented", is_flag=True, help="Inputs hold one sentence a line.")
@click.option("--src-lang", default=None, help="Language of SRC_FILE (detected if absent).")
@click.option("--tgt-lang", default=None, help="Language of TGT_FILE (detected if absent).")
@click.option(
    "--max-total",
    type=click.IntRange(min=2, max=MAX_BEAD_TOTAL),
    default=5,
    show_default=True,
    help="Largest bead (sentences); 2 allows 1-1 beads only. The search grows with the "
    "square of it, so it stops at 10 (vecalign's largest published setting is 8).",
)
@click.option(
    "--translations",
    "translations_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Your machine translation of SRC_FILE into TGT_FILE's language, one line per "
    "SRC_FILE sentence line; needs --presegmented. Aligns Bleualign-style.",
)
@click.option(
    "--mt-metric",
    type=click.Choice(["chrf", "bleu"]),
    default="chrf",
    show_default=True,
    help="Sentence-level metric that compares --translations with TGT_FILE.",
)
def align_command(
    src_file: str | None,
    tgt_file: str | None,
    output: str | None,
    list_file: str | None,
    fmt: str,
    aligner_name: str | None,
    presegmented: bool,
    src_lang: str | None,
    tgt_lang: str | None,
    max_total: int,
    translations_file: str | None,
    mt_metric: str,
) -> None:
    """Align the sentences of two documents (one paragraph, or one sentence, a line).

    Links are written one bead a line as [i, j]:[k]:score with 0-based sentence ids;
    [3]:[] is a sentence with no counterpart.

    With --translations FILE (one machine translation per line of a --presegmented
    SRC_FILE), candidates are scored by chrF or BLEU of the translations against
    TGT_FILE instead of across languages.
    """
    from aligners.bleualign import aligner_for_documents
    from aligners.documents import DocumentError, align_documents, align_list, write_beads
    from corpus.export.atomic import atomic_file, check_not_input, check_target
    from corpus.export.lines import utf8_text

    if list_file:
        if src_file or tgt_file or translations_file or not output or output == "-":
            raise click.UsageError(
                "--batch LIST takes no SRC_FILE/TGT_FILE or --translations, and needs -o FOLDER"
            )
        try:
            check_not_input(output, [("the --batch list", list_file)])
            aligner = aligner_for_documents(aligner_name, None, mt_metric, max_total=max_total)
            summary = align_list(
                list_file,
                output,
                aligner,
                fmt,
                lambda line: click.echo(line, err=True),
                presegmented=presegmented,
                src_lang=src_lang,
                tgt_lang=tgt_lang,
            )
        except (DocumentError, ValueError, export.ExportError) as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"{exc.filename or output}: {exc.strerror}") from None
        except KeyboardInterrupt:
            _interrupted(f"the files finished in {output} are kept, none is partial")
        click.echo(f"aligned {summary.aligned} pairs into {output}; {summary.failed} failed")
        raise SystemExit(1 if summary.failed else 0)
    if not (src_file and tgt_file):
        raise click.UsageError("give SRC_FILE and TGT_FILE, or --batch LIST")
    output = output or "-"
    if translations_file and not presegmented:
        raise click.UsageError(
            "--translations needs --presegmented: give SRC_FILE one sentence a line and "
            "FILE its translation line for line"
        )
    try:
        if output != "-":
            inputs = [("SRC_FILE", src_file), ("TGT_FILE", tgt_file)]
            check_not_input(output, [*inputs, ("the --translations file", translations_file)])
            check_target(Path(output), force=True)
        aligner = aligner_for_documents(
            aligner_name, translations_file, mt_metric, max_total=max_total
        )
        src, tgt, beads = align_documents(
            src_file,
            tgt_file,
            aligner,
            presegmented=presegmented,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
        )
        if output == "-":
            with click.open_file("-", "w", encoding="utf-8") as out:
                write_beads(beads, src, tgt, fmt, out)
        else:
            with atomic_file(Path(output), compress=False) as raw, utf8_text(raw) as out:
                write_beads(beads, src, tgt, fmt, out)
    except (DocumentError, ValueError, export.ExportError) as exc:
        raise click.ClickException(str(exc)) from None
    except BrokenPipeError:
        raise  # `| head` closed stdout: Click exits quietly, as Unix tools do
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or output}: {exc.strerror}") from None
    except KeyboardInterrupt:
        _interrupted(_output_kept(output))


@main.command("eval")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_command(files: tuple[str, ...], as_json: bool) -> None:
    """Strict and lax precision/recall/F1 of predicted links against gold.

    FILES are GOLD PRED pairs (GOLD PRED [GOLD PRED ...]), pooled over the documents
    with the Text+Berg protocol: deletions count against precision, never for recall.
    """
    import json

    from aligners.evaluation import LinkFormatError, read_links, score_documents

    if len(files) % 2:
        raise click.UsageError("give GOLD PRED pairs: an even number of files")
    try:
        pairs = [(read_links(files[k]), read_links(files[k + 1])) for k in range(0, len(files), 2)]
    except LinkFormatError as exc:
        raise click.ClickException(str(exc)) from None
    scores = score_documents(pairs)
    if as_json:
        click.echo(json.dumps(scores.as_dict(), indent=2))
        return
    click.echo(f"documents {len(pairs)}")
    for name in ("strict", "lax"):
        p, r, f1 = (getattr(scores, f"{name}_{part}") for part in ("precision", "recall", "f1"))
        click.echo(f"{name:7} P {p:.4f}  R {r:.4f}  F1 {f1:.4f}")


@main.command("run")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "outdir", required=True, help="Folder for the corpus files.")
@store_option
@workers_option("Processes splitting sentences, aligning and scoring.")
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    default=None,
    help="Align and score on this Dask scheduler's cluster (e.g. tcp://host:8786) "
    "instead of --workers.",
)
@click.option(
    "--formats",
    default="tmx,jsonl",
    show_default=True,
    help=f"Comma-separated export formats ({', '.join(export.FORMATS)}).",
)
@click.option("--min-score", type=float, default=None, help="Export pairs scoring at least X.")
@direction_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bars and no summary text.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Log each stage and the export reports.")
def run_command(
    inputs: tuple[str, ...],
    outdir: str,
    store_path: str,
    workers: int,
    dask_address: str | None,
    formats: str,
    min_score: float | None,
    direction: str,
    quiet: bool,
    as_json: bool,
    verbose: bool,
) -> None:
    """Ingest, pair, align, score and export in one go; reruns only do new work.

    Problem files and pairs are listed on stderr and the exit status is 1, but the
    rest of the corpus is still written. Interrupted runs keep what they finished.
    """
    import json
    import logging

    from corpus.export import ExportError
    from corpus.pipeline import PipelineError, parse_formats, run_pipeline

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    try:
        summary = run_pipeline(
            inputs,
            outdir,
            store_path=store_path,
            workers=workers,
            formats=parse_formats(formats),
            min_score=min_score,
            quiet=quiet,
            dask_address=dask_address,
            codes=export.parse_lang_codes("en,ko", direction),
        )
    except (PipelineError, ExportError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("interrupted: finished work is kept in the store; rerun to continue", err=True)
        raise SystemExit(130) from None
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    elif not quiet:
        click.echo("\n".join(summary.lines()))
    if summary.failed:
        raise SystemExit(1)


@main.command("score")
@store_option
@click.option(
    "--pairs",
    "pairs_path",
    default=None,
    help="Score an 'english<TAB>korean' file ('-' = stdin) instead of the store.",
)
@click.option("-o", "--output", default=None, help="--pairs: output file; --train: model file.")
@click.option("--model", "model_path", default=None, help="Quality model file (default: shipped).")
@click.option("--train", is_flag=True, help="Train a model on the store's confident alignments.")
@click.option("--with-flags", is_flag=True, help="--pairs: add a flags column before the score.")
@click.option(
    "--translations",
    "translations_path",
    default=None,
    help="--pairs: English MT of each line's Korean side, one per line; chrF/BLEU become "
    "features (--model then names a translations model).",
)
@workers_option("Processes scoring the store's pairs (same scores).")
def score_command(
    store_path: str,
    pairs_path: str | None,
    output: str | None,
    model_path: str | None,
    train: bool,
    with_flags: bool,
    translations_path: str | None,
    workers: int,
) -> None:
    """Score aligned pairs: probability (0-1) that the two sides translate each other.

    Without --pairs, (re)scores every aligned pair in the store and sets rule flags
    (number_mismatch, partial, untranslated, boilerplate, ...). With --pairs, each line
    is written back with its score appended as the last column, bicleaner style; lines
    that cannot be scored are reported on stderr, written with score 0 after an
    'unscorable:<reason>' column, and make the exit status 1.
    """
    import json

    from aligners import quality, scoring
    from corpus.export.atomic import check_not_input, check_target
    from corpus.store import StoreError

    if train and pairs_path:
        raise click.UsageError("--train learns from the store; it cannot be combined with --pairs")
    if train and not output:
        raise click.UsageError("--train needs -o MODEL (where to write the model)")
    if translations_path and not pairs_path:
        raise click.UsageError("--translations goes with --pairs")
    if with_flags and not pairs_path:
        raise click.UsageError("--with-flags goes with --pairs")
    if output and not (pairs_path or train):
        raise click.UsageError("-o goes with --pairs or --train (the store is scored in place)")
    if workers > 1 and (pairs_path or train):
        raise click.UsageError("--workers goes with scoring the store, not with --pairs or --train")
    if train and Path(output).is_dir():
        raise click.UsageError(f"-o {output}: is a directory; give the model file's path")
    try:
        if output and output != "-":
            check_target(Path(output), force=True)
            check_not_input(
                output, _score_inputs(store_path, pairs_path, translations_path, model_path, train)
            )
        if train:
            with _open_existing_store(store_path) as store:
                model = scoring.train_on_store(store, report=lambda m: click.echo(m, err=True))
            model.save(output)
            click.echo(f"wrote {output}")
            return
        warn = lambda message: click.echo(message, err=True)  # noqa: E731
        if translations_path:
            from aligners import mt_quality

            mt_model = mt_quality.MtQualityModel.load(model_path)
            counts = mt_quality.score_pairs_file_with_translations(
                pairs_path, translations_path, output or "-", mt_model, warn, with_flags
            )
        elif pairs_path:
            model = quality.QualityModel.load(model_path)
            counts = quality.score_pairs_file(pairs_path, output or "-", model, warn, with_flags)
        if pairs_path:
            if counts["unscorable"]:
                click.echo(
                    f"{counts['unscorable']} line(s) could not be scored (score 0)", err=True
                )
                raise SystemExit(1)
            return
        model = quality.QualityModel.load(model_path)
        with _open_existing_store(store_path) as store:
            summary = scoring.score_store(store, model=model, workers=workers)
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    except (quality.QualityModelError, StoreError, export.ExportError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or pairs_path}: {exc.strerror}") from None
    except KeyboardInterrupt:
        _interrupted(
            _output_kept(output)
            if pairs_path or train
            else "scores of finished document pairs are kept; rerun to continue"
        )


def _score_inputs(
    store_path: str,
    pairs_path: str | None,
    translations_path: str | None,
    model_path: str | None,
    train: bool,
) -> list[tuple[str, str | Path | None]]:
    """What `dari score` reads, which its -o must not overwrite."""
    from aligners import mt_quality, quality

    if train:
        return [("the store", store_path)]
    default = mt_quality.DEFAULT_MT_MODEL_PATH if translations_path else quality.DEFAULT_MODEL_PATH
    return [
        ("the --pairs input", pairs_path),
        ("the --translations file", translations_path),
        ("the model", model_path or default),
    ]


def _output_kept(output: str | None) -> str:
    """What an interrupted write left: outputs are replaced only once complete."""
    if output in (None, "-"):
        return "stdout has what was written so far"
    return f"{output} is as it was before"


def _interrupted(what: str) -> NoReturn:
    """Ctrl-C: one line saying what was kept, exit status 130 (as the shell reports it)."""
    click.echo(f"interrupted: {what}", err=True)
    raise SystemExit(130)


def _open_existing_store(store_path: str):
    """The store, or a one-line error when it is missing or not a Dari store."""
    from corpus.store import Store, StoreError

    if not Path(store_path).is_file():
        raise click.ClickException(f"{store_path}: no such store (run 'dari ingest' first)")
    try:
        return Store(store_path)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


@main.command("pair")
@store_option
@click.option(
    "--window-days",
    type=click.FloatRange(min=0),
    default=3.0,
    show_default=True,
    help="Korean candidates published up to N days before (and 1 day after) the English.",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Leave an English article unpaired below this content-match confidence.",
)
@click.option("--redo", is_flag=True, help="Forget earlier pairs and pair everything again.")
@click.option("--allow-many", is_flag=True, help="Let several English articles share an original.")
def pair_command(
    store_path: str, window_days: float, min_confidence: float, redo: bool, allow_many: bool
) -> None:
    """Pair each English article with its Korean original (links first, then content)."""
    from corpus.pairing import pair_store

    with _open_existing_store(store_path) as store:
        summary = pair_store(
            store,
            window_days=window_days,
            min_confidence=min_confidence,
            redo=redo,
            allow_many=allow_many,
        )
    click.echo(summary.text())


@main.command("pairs")
@store_option
@click.option("--tsv", is_flag=True, help="en_id, ko_id, method, confidence; tab-separated.")
@click.option("--unpaired", is_flag=True, help="List the articles left unpaired, with reasons.")
def pairs_command(store_path: str, tsv: bool, unpaired: bool) -> None:
    """List document pairs (or, with --unpaired, the articles left alone and why)."""
    from corpus.pairing import format_pair_rows, list_pairs

    with _open_existing_store(store_path) as store:
        rows = list_pairs(store, unpaired=unpaired)
    for line in format_pair_rows(rows, tsv=tsv, unpaired=unpaired):
        click.echo(line)


@main.command("report")
@click.option(
    "-o",
    "--output",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The HTML file to write (replaced if it exists).",
)
@store_option
@click.option(
    "--min-score",
    type=float,
    default=None,
    help="Start the page with rows scoring below X hidden (the slider can show them again).",
)
@click.option("--doc", default=None, help="Only this document pair: pair number or article id.")
def report_command(output: str, store_path: str, min_score: float | None, doc: str | None) -> None:
    """Write one self-contained HTML page for reviewing pairs and alignments.

    The page opens from disk with no network: corpus summary, a sortable pairs table,
    and each pair's sentences side by side with scores, flags, filters and search.
    """
    from corpus.report import ReportError, write_report

    try:
        result = write_report(store_path, output, min_score=min_score, doc=doc)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"wrote {result.output}: {result.document_pairs} document pairs, "
        f"{result.sentence_pairs} sentence pairs, {result.bytes / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
