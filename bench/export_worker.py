"""One export, run the way a Celery worker runs it, in its own process so its peak memory is its own.

    python -m bench.export_worker <campaign slug> <user email> <kind> <format>

Started by bench/measure.py with CELERY_TASK_ALWAYS_EAGER=True: the exports app's own service
starts the job and its task runs here, in-process. Prints one `BENCH_JSON {...}` line:
seconds (the service call, Django start-up excluded), rows, file size; or "not built yet".

What it looks for (docs/benchmarks.md, "Plugging in"): the model `exports.ExportJob` and
`exports.services.export_run_sync(job)`, which builds a queued job in this process (the job is
created directly, as `export_request` would, without enqueueing it). Failing that, a service in
`exports/services.py` named in SERVICE_NAMES (called with the keyword arguments it accepts
among campaign/user/kind/format/anonymized; Celery is eager here, so its task runs in-process),
or a task in `exports/tasks.py` named in TASK_NAMES called with the job's id.
"""

import importlib
import inspect
import json
import sys
import time

SERVICE_NAMES = ("export_request", "export_create", "export_start", "export_job_create", "exportjob_create")
TASK_NAMES = ("export_build", "build_export", "run_export", "export_run", "exportjob_build")


def peak_rss_mb() -> float | None:
    """This process's own peak resident memory (VmHWM of its address space).

    Not getrusage's ru_maxrss: on Linux a child started by fork/vfork + exec inherits its
    parent's high-water mark, so it would report the harness's memory, not the export's.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def emit(**data):
    print("BENCH_JSON " + json.dumps({**data, "own_peak_mb": peak_rss_mb()}, default=str), flush=True)


def _function(module_name, names):
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    for name in names:
        if callable(getattr(module, name, None)):
            return getattr(module, name)
    return None


def _call(function, offered: dict):
    parameters = inspect.signature(function).parameters
    return function(**{k: v for k, v in offered.items() if k in parameters})


def _choice(model, field, wanted):
    choices = [value for value, _label in model._meta.get_field(field).choices or ()]
    for value in choices:
        if wanted in str(value).lower():
            return value
    return wanted


def main(slug: str, email: str, kind: str, fmt: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from bench.generate import get_model
    from campaigns.models import Campaign

    ExportJob = get_model("exports.ExportJob")
    if ExportJob is None:
        return emit(status="not built yet", reason="no exports.ExportJob model")
    campaign = Campaign.objects.get(slug=slug)
    user = get_user_model().objects.get(email=email)
    fields = {f.name for f in ExportJob._meta.fields}
    kind_value = _choice(ExportJob, "kind", kind) if "kind" in fields else kind
    format_field = next((f for f in ("format", "fmt", "file_format") if f in fields), None)
    fmt_value = _choice(ExportJob, format_field, fmt) if format_field else fmt
    offered = {
        "campaign": campaign,
        "user": user,
        "requested_by": user,
        "by": user,
        "actor": user,
        "kind": kind_value,
        "format": fmt_value,
        "fmt": fmt_value,
        "file_format": fmt_value,
        "anonymized": True,
    }
    run_sync = _function("exports.services", ("export_run_sync",))
    service = _function("exports.services", SERVICE_NAMES)
    task = _function("exports.tasks", TASK_NAMES)
    if run_sync is not None:
        job = ExportJob.objects.create(**{k: v for k, v in offered.items() if k in fields})
        started = time.perf_counter()
        run_sync(job)
        return _finish(ExportJob, job, time.perf_counter() - started)
    if service is None and task is None:
        return emit(
            status="not built yet",
            reason=f"no exports.services.{'/'.join(SERVICE_NAMES)} nor exports.tasks.{'/'.join(TASK_NAMES)}",
        )
    started = time.perf_counter()
    if service is not None:
        job = _call(service, offered)
        if task is not None and isinstance(job, ExportJob):
            job.refresh_from_db()
            status = str(getattr(job, "status", ""))
            if status and not any(word in status for word in ("done", "complete", "finished", "ready", "succeed")):
                _call(task, {"job_id": job.pk, "pk": job.pk, "export_id": job.pk, "job": job})
    else:
        job = ExportJob.objects.create(
            **{k: v for k, v in offered.items() if k in fields and k not in ("user", "by", "actor")}
        )
        _call(task, {"job_id": job.pk, "pk": job.pk, "export_id": job.pk, "job": job})
    return _finish(ExportJob, job, time.perf_counter() - started)


def _finish(ExportJob, job, seconds: float) -> None:
    job = ExportJob.objects.get(pk=job.pk) if isinstance(job, ExportJob) else job
    file = getattr(job, "file", None)
    size = file.size if file else None
    rows = next((getattr(job, n) for n in ("row_count", "rows", "total") if getattr(job, n, None) is not None), None)
    emit(
        status="measured" if file else "failed",
        reason=None if file else f"the job ended {getattr(job, 'status', '?')}: {getattr(job, 'error', '')}",
        seconds=round(seconds, 3),
        rows=rows,
        mb=round(size / 2**20, 1) if size else None,
    )
    # The harness's files would pile up run after run: measured, they go.
    if file:
        file.delete(save=False)
    job.delete()


if __name__ == "__main__":
    main(*sys.argv[1:5])
