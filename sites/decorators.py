from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse


def storefront_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Views that only exist below a tenant: on the bare platform they are a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if getattr(request, "tenant", None) is None:
            raise Http404("No storefront here")
        return view(request, *args, **kwargs)

    return wrapper
