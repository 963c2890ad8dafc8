"""`dari run --dask`: pairs aligned and scored as tasks on a Dask cluster give the local
run's corpus."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from test_batch import write_articles
from test_pipeline import EPOCH, corpus_files, first_run  # noqa: F401  (first_run: a fixture)

import aligners.parallel as parallel
from cli import main
from corpus.pipeline import PipelineError, run_pipeline

distributed = pytest.importorskip("distributed", reason="needs the 'dask' extra (distributed)")

# Nothing listens on port 1; the short timeout keeps the refusal quick.
NOWHERE = "tcp://127.0.0.1:1"


@pytest.fixture(scope="module")
def cluster():
    """One in-process worker with one thread: quick to start, nothing to spawn."""
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as local:
        yield local


@pytest.mark.slow
def test_dask_run_writes_the_local_runs_corpus(first_run, cluster, tmp_path, monkeypatch):  # noqa: F811
    source, reference, local = first_run
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    outdir = tmp_path / "out"
    summary = run_pipeline(
        [source],
        outdir,
        store_path=outdir / "dari.sqlite",
        quiet=True,
        dask_address=cluster.scheduler_address,
    )
    assert summary.alignment == local.alignment
    assert summary.alignment["aligned"] == 3
    # The pairs were really aligned and scored as cluster tasks, not in this process.
    assert {"align_task", "score_task"} <= set(cluster.scheduler.task_prefixes)
    assert corpus_files(outdir) == corpus_files(reference)


def test_unreachable_scheduler_is_one_line_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "DASK_CONNECT_TIMEOUT", 0.5)
    source = write_articles(tmp_path / "articles.jsonl")
    outdir = tmp_path / "out"
    with pytest.raises(PipelineError, match=f"--dask {NOWHERE}: cannot reach a Dask scheduler"):
        run_pipeline([source], outdir, store_path=outdir / "dari.sqlite", dask_address=NOWHERE)
    store = ["--store", str(outdir / "dari.sqlite")]
    result = CliRunner().invoke(
        main, ["run", str(source), "-o", str(outdir), *store, "--dask", NOWHERE]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: --dask {NOWHERE}: cannot reach")
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert not (outdir / "dari.sqlite").exists()  # refused before touching the store
