"""Uploads are what they claim to be, carry no hidden metadata, and have tame names."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from PIL import Image as PILImage

from media.models import TenantDocument, TenantImage
from media.uploads import normalised_filename
from sites.context import tenant_scope
from sites.models import Role

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112
CAMERA_SERIAL = 0xA431


def photo_with_exif(name: str = "IMG 0042 (Jürgen).JPG", orientation: int = 6) -> SimpleUploadedFile:
    image = PILImage.new("RGB", (40, 20), (180, 40, 40))
    exif = PILImage.Exif()
    exif[ORIENTATION] = orientation
    exif[CAMERA_SERIAL] = "SERIAL-123456"
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS_IFD)[2] = (51.0, 30.0, 12.0)  # latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def admin_client(client, make_tenant, make_user):
    tenant = make_tenant("alpha")
    client.force_login(make_user(tenant, Role.TENANT_ADMIN, email="chief@alpha.example"))
    client.tenant = tenant
    return client


def _stored_image(tenant) -> TenantImage:
    with tenant_scope(tenant):
        return TenantImage.objects.get()


def test_photos_lose_their_exif_but_stay_upright(admin_client):
    tenant = admin_client.tenant
    response = admin_client.post(
        "/admin/images/add/",
        {"title": "Our greenhouse", "file": photo_with_exif(), "collection": tenant.collection.pk},
    )
    assert response.status_code == 302, response.content[:400]
    image = _stored_image(tenant)
    with image.open_file() as stored:
        kept = PILImage.open(stored)
        kept.load()
    assert not kept.getexif()
    assert b"SERIAL-123456" not in image.file.open("rb").read()
    # Orientation 6 (rotate 90°) is applied to the pixels: the 40x20 photo is now 20x40.
    assert kept.size == (20, 40)
    assert (image.width, image.height) == (20, 40)
    assert image.file.name.startswith("original_images/img-0042-jurgen")


def test_svg_is_refused(admin_client):
    svg = SimpleUploadedFile(
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
    )
    response = admin_client.post(
        "/admin/images/add/", {"title": "Logo", "file": svg, "collection": admin_client.tenant.collection.pk}
    )
    assert response.status_code == 200
    assert b"Not a supported image format" in response.content or b"not a valid" in response.content.lower()
    with tenant_scope(admin_client.tenant):
        assert not TenantImage.objects.exists()


def test_a_decompression_bomb_is_refused(admin_client):
    buffer = io.BytesIO()
    PILImage.new("1", (9000, 9000)).save(buffer, "PNG")  # 81 megapixels, a few kB on disk
    bomb = SimpleUploadedFile("pixel.png", buffer.getvalue(), "image/png")
    response = admin_client.post(
        "/admin/images/add/", {"title": "Bomb", "file": bomb, "collection": admin_client.tenant.collection.pk}
    )
    assert response.status_code == 200
    assert b"pixels" in response.content
    with tenant_scope(admin_client.tenant):
        assert not TenantImage.objects.exists()


def _post_document(client, name: str, content: bytes):
    return client.post(
        "/admin/documents/add/",
        {
            "title": "Lab certificate",
            "file": SimpleUploadedFile(name, content),
            "collection": client.tenant.collection.pk,
        },
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("coa.pdf", b"MZ\x90\x00\x03 this is a Windows program", b"This is not a PDF file"),
        ("terms.docx", b"%PDF-1.7 not a word file", b"This is not a .docx document"),
        ("stock.xlsx", b"PK\x03\x04 broken", b"This is not a .xlsx document"),
        ("patients.csv", b"name,dose\x00\x00\x00", b"must be plain text"),
        ("notes.exe", b"MZ", b"extension"),
    ],
)
def test_documents_must_be_what_their_extension_says(admin_client, name, content, message):
    response = _post_document(admin_client, name, content)
    assert response.status_code == 200
    assert message in response.content
    with tenant_scope(admin_client.tenant):
        assert not TenantDocument.objects.exists()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "stored_as"),
    [
        (
            "Certificate of Analysis (Batch #7).PDF",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
            "documents/certificate-of-analysis-batch-7.pdf",
        ),
        ("Terms ü.docx", _docx(), "documents/terms-u.docx"),
        ("prices.csv", "strain,price\nAurora,9.50 €\n".encode(), "documents/prices.csv"),
    ],
)
def test_genuine_documents_are_kept_under_a_tame_name(admin_client, name, content, stored_as):
    response = _post_document(admin_client, name, content)
    assert response.status_code == 302, response.content[:400]
    with tenant_scope(admin_client.tenant):
        document = TenantDocument.objects.get()
    assert document.file.name.startswith(stored_as.rsplit(".", 1)[0])
    assert document.file.name.endswith("." + stored_as.rsplit(".", 1)[1])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\Scan 01.PDF", "scan-01.pdf"),
        ("<script>.png", "script.png"),
        ("....", "file"),
        ("Ünïcödé naïve café.JPEG", "unicode-naive-cafe.jpeg"),
    ],
)
def test_filenames_are_normalised(name, expected):
    assert normalised_filename(name) == expected


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), (10, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("banner.png", b"<html><script>alert(document.cookie)</script></html>"),  # a page posing as a picture
        ("photo.jpg", _png()),  # a real picture whose name lies about its type
        ("logo.png", b"%PDF-1.4\n" + b"0" * 200),
    ],
)
def test_images_are_judged_by_their_content_not_their_name(admin_client, name, content):
    response = admin_client.post(
        "/admin/images/add/",
        {
            "title": "Disguised",
            "file": SimpleUploadedFile(name, content),
            "collection": admin_client.tenant.collection.pk,
        },
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content or b"error-message" in response.content
    with tenant_scope(admin_client.tenant):
        assert not TenantImage.objects.exists()


def test_documents_over_the_size_limit_are_refused(admin_client, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024 * 1024
    response = _post_document(admin_client, "big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    assert response.status_code == 200
    assert b"This file is too big" in response.content
    with tenant_scope(admin_client.tenant):
        assert not TenantDocument.objects.exists()
