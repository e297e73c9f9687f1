"""The delivery guarantees are configuration: assert them (reference/reliability.md J1)."""

import pytest

from reflector.config.loading import Config
from reflector.video_platforms.jitsi import JitsiSettings
from reflector.video_platforms.registry import PLATFORMS
from reflector.video_platforms.whereby import WherebySettings
from reflector.worker.celery_app import job_specs, make_celery, periodic_specs


@pytest.fixture(params=["sqlite", "redis"])
def celery_config(request, config: Config) -> Config:
    broker = None if request.param == "sqlite" else "redis://127.0.0.1:6379/0"
    settings = config.settings.model_copy(update={"CELERY_BROKER_URL": broker})
    return Config(settings=settings, platforms=config.platforms)


def test_delivery_guarantees(celery_config):
    conf = make_celery(celery_config, PLATFORMS).conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.task_ignore_result is True


def test_every_task_has_soft_and_hard_time_limits(celery_config):
    app = make_celery(celery_config, PLATFORMS)
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert {task.name for task in ours} == {
        spec.name for spec in [*job_specs(PLATFORMS), *periodic_specs(celery_config, PLATFORMS)]
    }
    for task in ours:
        assert 0 < task.soft_time_limit < task.time_limit, task.name


def test_redis_visibility_timeout_outlasts_every_run(celery_config):
    app = make_celery(celery_config, PLATFORMS)
    longest = max(
        task.time_limit for name, task in app.tasks.items() if not name.startswith("celery.")
    )
    options = app.conf.broker_transport_options
    if celery_config.settings.broker_is_embedded:
        assert app.conf.broker_transport == "reflector.worker.sqlite_broker:Transport"
    else:
        assert options["visibility_timeout"] >= 2 * longest


def test_the_scheduler_runs_the_core_and_each_platforms_periodic_work(celery_config):
    schedule = make_celery(celery_config, PLATFORMS).conf.beat_schedule
    assert {"reflector.meeting_lifecycle", "mock.reconcile_sessions"} <= set(schedule)
    for entry in schedule.values():
        assert entry["options"]["expires"] == entry["schedule"]


def test_every_platform_with_a_sessions_api_is_reconciled_and_no_other(config: Config):
    whereby = WherebySettings(
        _env_file=None, api_key="whereby-key", webhook_secret="a-whereby-webhook-secret"
    )
    jitsi = JitsiSettings(_env_file=None)
    platforms = {**config.platforms, "whereby": whereby, "jitsi": jitsi}
    schedule = periodic_specs(Config(settings=config.settings, platforms=platforms), PLATFORMS)
    reconciled = {task.name for task in schedule if task.name.endswith(".reconcile_sessions")}
    assert reconciled == {"mock.reconcile_sessions", "whereby.reconcile_sessions"}
