from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: request ids, JSON logs, Prometheus metrics, CSP, Sentry, migration checks."""

    name = "budstack.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from celery.signals import task_failure, task_postrun, task_prerun, task_success

        from budstack.ops import signals

        task_prerun.connect(signals.task_started, dispatch_uid="budstack_ops_prerun")
        task_postrun.connect(signals.task_finished, dispatch_uid="budstack_ops_postrun")
        task_success.connect(signals.task_succeeded, dispatch_uid="budstack_ops_success")
        task_failure.connect(signals.task_failed, dispatch_uid="budstack_ops_failure")
