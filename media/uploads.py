"""What an uploaded file really is, and what it must not carry.

Extensions are the uploader's claim; these checks read the content. Documents must be
what their extension says (a ".pdf" that is an executable is refused). Images keep
their pixels but lose EXIF and XMP metadata (camera serials, GPS positions, names),
which matters where patients see or send pictures.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.utils.text import slugify

from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# Office formats are zip containers; each names its kind in its own way.
_ZIP_MARKERS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "odt": "mimetype",
}
_RESAVE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}


def normalised_filename(name: str, *, max_length: int = 80) -> str:
    """``Scan 03 (Jürgen's COA).PDF`` -> ``scan-03-jurgens-coa.pdf``."""
    path = PurePosixPath(name.replace("\\", "/")).name
    stem, dot, suffix = path.rpartition(".")
    if not dot:
        stem, suffix = path, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    clean_stem = slugify(ascii_stem)[:max_length] or "file"
    clean_suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())[:10]
    return f"{clean_stem}.{clean_suffix}" if clean_suffix else clean_stem


def _head(file, size: int = 8192) -> bytes:
    file.seek(0)
    data = file.read(size)
    file.seek(0)
    return data


def document_problems(file, extension: str, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> list[str]:
    """Why ``file`` is not an acceptable ``.extension`` document (empty when it is)."""
    problems = []
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        problems.append(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
        return problems
    head = _head(file)
    extension = extension.lower()
    if extension == "pdf":
        if not head.startswith(b"%PDF-"):
            problems.append("This is not a PDF file, whatever its name says.")
    elif extension in _ZIP_MARKERS:
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
            file.seek(0)
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        if _ZIP_MARKERS[extension] not in names:
            problems.append(f"This is not a .{extension} document, whatever its name says.")
    elif extension in {"csv", "txt"}:
        if b"\x00" in head:
            problems.append(f"A .{extension} file must be plain text.")
        else:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as error:
                # A multi-byte character cut at the end of the sample is fine.
                if error.start < len(head) - 4:
                    problems.append(f"A .{extension} file must be UTF-8 text.")
    return problems


def without_metadata(file) -> ContentFile | None:
    """A copy of the image without EXIF/XMP/text metadata, or None if it has none.

    The EXIF orientation is applied to the pixels first, so the picture still stands the
    right way up. Animated and unusual formats are left alone.
    """
    try:
        file.seek(0)
        image = Image.open(file)
        image_format = image.format
        if image_format not in _RESAVE_FORMATS or getattr(image, "is_animated", False):
            return None
        exif = image.getexif()
        has_metadata = bool(exif) or "xmp" in image.info or "XML:com.adobe.xmp" in image.info
        if image_format == "PNG":
            has_metadata = has_metadata or any(
                key not in {"dpi", "gamma", "transparency", "icc_profile", "srgb", "aspect"}
                for key in image.info
            )
        if not has_metadata:
            return None
        image.load()
        upright = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        options = {"icc_profile": image.info["icc_profile"]} if "icc_profile" in image.info else {}
        if image_format == "JPEG":
            options.update(quality=95, subsampling="keep" if upright is image else 0)
        if image_format == "PNG" and "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
        upright.save(out, _RESAVE_FORMATS[image_format], **options)
        return ContentFile(out.getvalue())
    except (UnidentifiedImageError, OSError, ValueError):
        return None  # Wagtail's own checks refuse files that are not images
    finally:
        file.seek(0)
