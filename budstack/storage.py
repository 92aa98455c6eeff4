"""Where files live: public media in the default storage, private files in ``private``.

With ``AWS_BUCKET_NAME`` set, both go to S3 (or an S3-compatible server at
``AWS_S3_ENDPOINT_URL``) through django-storages: media (images, renditions, documents,
uploaded themes) under ``AWS_FOLDER_PREFIX``, private files (KYC uploads, exports,
private certificates) under ``AWS_PRIVATE_FOLDER_PREFIX``, always with signed URLs that
expire after ``PRIVATE_URL_EXPIRY`` seconds. Without a bucket both are local folders
under ``var/``; local private files get the same kind of signed, expiring URL, served by
:func:`serve_private_file`.

``storages_setting()`` builds Django's ``STORAGES`` from these values; the settings
modules call it, and tests call it to point the real configuration at a local server.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage

PRIVATE_SALT = "budstack.private-file"


def storages_setting(
    *,
    bucket: str = "",
    prefix: str = "",
    private_prefix: str = "",
    region: str | None = None,
    endpoint_url: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    signed_media_urls: bool = True,
    custom_domain: str | None = None,
    private_expiry: int = 300,
) -> dict[str, dict[str, Any]]:
    """Django's ``STORAGES`` (``default``, ``private``, ``staticfiles``)."""
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    if not bucket:
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "private": {"BACKEND": "budstack.storage.PrivateFileSystemStorage"},
            "staticfiles": staticfiles,
        }
    common = {
        "bucket_name": bucket,
        "region_name": region or None,
        "endpoint_url": endpoint_url or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "file_overwrite": False,
        "default_acl": None,  # the bucket's policy decides (ACLs are off on new buckets)
    }
    media = {
        **common,
        "location": prefix.strip("/"),
        "querystring_auth": signed_media_urls,
        "custom_domain": custom_domain or None,
    }
    private = {
        **common,
        # A sibling of the media prefix, never inside it: no media name can reach it.
        "location": (
            private_prefix or (f"{prefix.strip('/')}-private" if prefix.strip("/") else "private")
        ).strip("/"),
        "querystring_auth": True,
        "querystring_expire": private_expiry,
        "custom_domain": None,  # a CDN domain would drop the signature
    }
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": media},
        "private": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": private},
        "staticfiles": staticfiles,
    }


def private_storage():
    """The storage for files only their owner and the dispensary may read."""
    from django.core.files.storage import storages

    return storages["private"]


def _signer():
    from django.core import signing

    return signing.TimestampSigner(salt=PRIVATE_SALT)


class PrivateFileSystemStorage(FileSystemStorage):
    """Local private files (development): never under MEDIA_URL; URLs are signed and expire."""

    def __init__(self, location: str | None = None, **kwargs: Any) -> None:
        from django.conf import settings

        super().__init__(location=location or settings.PRIVATE_MEDIA_ROOT, base_url=None, **kwargs)

    def url(self, name: str) -> str:
        from django.urls import reverse

        token = _signer().sign_object({"name": name})
        return reverse("private_file", args=[token])


def serve_private_file(request, token: str):
    """Serve a local private file for a URL made by ``PrivateFileSystemStorage.url``."""
    from django.conf import settings
    from django.core import signing
    from django.http import FileResponse, Http404, HttpResponseForbidden

    try:
        name = _signer().unsign_object(token, max_age=settings.PRIVATE_URL_EXPIRY)["name"]
    except signing.SignatureExpired:
        return HttpResponseForbidden("This link has expired.")
    except (signing.BadSignature, KeyError, TypeError):
        raise Http404("No such file.") from None
    storage = private_storage()
    if not isinstance(storage, PrivateFileSystemStorage) or not storage.exists(name):
        raise Http404("No such file.")
    response = FileResponse(storage.open(name, "rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
