"""Background runs started from the app: where they are."""

from __future__ import annotations


def test_progress_reads_the_file_or_stage_a_background_run_is_at(settings):
    from pipelines.ops import jobs

    assert jobs.progress(settings, "upload") is None  # no run yet
    settings.ensure_dirs()
    log = settings.log_dir / "run-upload.log"
    log.write_text(
        "[1/3] 02_个案_银州区.csv (个案登记)\n    读取 1,100 行，导入 1,083，拒收 17 / read 1,100, "
        "loaded 1,083, rejected 17\n[2/3] 03_服务 清河区.xlsx (服务记录)\n",
        encoding="utf-8",
    )
    assert jobs.progress(settings, "upload") == jobs.Progress(2, 3, "03_服务 清河区.xlsx")
    with log.open("a", encoding="utf-8") as f:
        f.write("[3/3] c.csv (服务人员)\n计算指标 / computing marts\n")
    assert jobs.progress(settings, "upload") == jobs.Progress(
        stage_zh="计算指标", stage_en="computing marts"
    )
