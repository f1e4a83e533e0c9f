"""Health checks for the load balancer: never cached, no cookies, plain text, whatever the Host header says."""

from django.apps import apps
from django.db import Error, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from .middleware import is_outage


def _text(body, status=200):
    return HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)


@never_cache
def healthz(request):
    """The process is up and answering; the database is not touched."""
    return _text("ok\n")


@never_cache
def readyz(request):
    """Ready to serve pages: the database answers, every migration is applied and every content table answers."""
    try:
        with transaction.atomic():  # a failed check must not spoil a transaction around it
            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                return _text("not ready: migrations not applied\n", status=503)
            for model in apps.get_app_config("faq").get_models():
                model._base_manager.exists()
    except Error as error:
        if is_outage(error):
            return _text("database unavailable\n", status=503)
        return _text("not ready: content tables unavailable\n", status=503)
    return _text("ready\n")


CHECKS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answer /healthz and /readyz before Django checks the Host header: load balancers and Kubernetes probe with
    the server's IP address, which does not belong in ALLOWED_HOSTS. Only these two exact paths skip the check,
    and their answers build nothing from the Host. It sits above SessionMiddleware (no cookie) and
    CommonMiddleware (where Django checks the Host), below the middleware that adds security headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        check = CHECKS.get(request.path_info)
        return check(request) if check else self.get_response(request)
