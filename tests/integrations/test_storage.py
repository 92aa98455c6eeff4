"""Files on S3 (a moto server on loopback) and signed, expiring private URLs."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

import boto3
import httpx
import pytest
import time_machine

from budstack.storage import PrivateFileSystemStorage, private_storage, storages_setting
from media.models import TenantImage
from sites.context import tenant_scope
from sites.models import Role
from tests.integrations.smtp import free_port
from tests.test_uploads import photo_with_exif
from tests.themes.zips import make_zip
from themes.installer import install_zip

pytestmark = pytest.mark.django_db

REGION = "eu-west-2"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def moto_url():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, moto_url):
    """A fresh bucket, and the platform's own storage configuration pointed at it."""
    name = f"budstack-{uuid.uuid4().hex[:10]}"
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name=REGION, **CREDENTIALS)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = storages_setting(
        bucket=name,
        prefix="media",
        region=REGION,
        endpoint_url=moto_url,
        access_key=CREDENTIALS["aws_access_key_id"],
        secret_key=CREDENTIALS["aws_secret_access_key"],
        private_expiry=120,
    )

    def keys() -> list[str]:
        listed = s3.list_objects_v2(Bucket=name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    s3.stored = keys
    return s3


def test_uploaded_image_and_its_rendition_land_in_the_bucket(
    settings, bucket, client, make_tenant, make_user
):
    tenant = make_tenant("alpha")
    client.force_login(make_user(tenant, Role.TENANT_ADMIN, email="chief@alpha.example"))
    response = client.post(
        "/admin/images/add/",
        {
            "title": "Greenhouse",
            "file": photo_with_exif("greenhouse.jpg"),
            "collection": tenant.collection.pk,
        },
    )
    assert response.status_code == 302, response.content[:400]
    with tenant_scope(tenant):
        image = TenantImage.objects.get()
        rendition = image.get_rendition("fill-12x12")
    keys = bucket.stored()
    assert f"media/{image.file.name}" in keys and image.file.name.startswith("original_images/greenhouse")
    assert f"media/{rendition.file.name}" in keys and rendition.file.name.startswith("images/")
    # Nothing was written to the local media folder.
    assert not [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    fetched = httpx.get(rendition.url)
    assert fetched.status_code == 200 and fetched.content[:2] == b"\xff\xd8"  # a JPEG


def test_uploaded_theme_files_land_in_the_bucket(bucket):
    install_zip(make_zip())
    keys = bucket.stored()
    assert "media/themes/harbour/1.0/templates/pages/about_page.html" in keys
    assert "media/themes/harbour/1.0/static/storefront.css" in keys


def test_private_files_get_signed_urls_that_expire(bucket):
    storage = private_storage()
    name = storage.save("kyc/alpha/passport.pdf", ContentFile(b"%PDF-1.7 private"))
    assert f"media-private/{name}" in bucket.stored()
    url = storage.url(name)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["120"] and len(query["X-Amz-Signature"][0]) == 64
    assert httpx.get(url).content == b"%PDF-1.7 private"
    # Public media never reach the private prefix, and private names are not media names.
    assert not default_storage.exists(name)


def test_local_private_files_are_served_only_through_fresh_signed_links(settings, client, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    storage = PrivateFileSystemStorage()
    name = storage.save("exports/alpha.csv", ContentFile(b"id,name\n1,Ana\n"))
    assert isinstance(private_storage(), PrivateFileSystemStorage)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "budstack.storage.PrivateFileSystemStorage"},
    }
    url = private_storage().url(name)
    assert url.startswith("/private-files/") and "alpha.csv" not in url
    fresh = client.get(url)
    assert fresh.status_code == 200 and b"".join(fresh.streaming_content) == b"id,name\n1,Ana\n"
    assert fresh["Content-Disposition"].startswith("attachment") and "no-store" in fresh["Cache-Control"]
    assert client.get(url[:-3] + "xx/").status_code == 404  # tampered
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PRIVATE_URL_EXPIRY + 5)):
        assert client.get(url).status_code == 403
    # Not reachable under the public media URL either.
    assert client.get(f"/media/{name}").status_code == 404
