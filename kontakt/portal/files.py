"""Files a resident sends, on the web form and on My pages: the type read from the content,
and a photo drawn anew from its pixels so that nothing else it carried (EXIF with the place
it was taken, comments, data hidden after the picture) reaches the case."""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from kontakt.cases import attachments

IMAGE_MAX_PIXELS = 50_000_000
REENCODED = {"image/jpeg": "JPEG", "image/png": "PNG"}


def refused(message: str, field: str = "attachments") -> ValidationError:
    return ValidationError({field: [message]})


def upload_prepare(upload: UploadedFile, *, field: str = "attachments") -> UploadedFile:
    """The file as it may join a case: its type read from its content (a ValidationError on
    `attachments` otherwise), and a JPEG or PNG drawn anew, so that nothing but its pixels
    is kept: no EXIF (the place a photo was taken), no comments, nothing hidden after it.
    Other types (a HEIC photo among them) stay as they are: the case page offers those
    only as downloads."""
    try:
        checked = attachments.check_upload(upload)
    except ValidationError as error:
        raise refused(describe_refusal(upload, error), field) from None
    if checked.content_type not in REENCODED:
        upload.seek(0)
        return upload
    try:
        data = _reencode(upload, REENCODED[checked.content_type])
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise refused(
            _("“%(name)s”: the picture could not be read.") % {"name": checked.name}, field
        ) from None
    return SimpleUploadedFile(checked.name, data, content_type=checked.content_type)


def describe_refusal(upload: UploadedFile, error: ValidationError) -> str:
    messages = [str(m) for m in error.messages]
    return _("“%(name)s”: %(reason)s") % {
        "name": (upload.name or "")[:80],
        "reason": " ".join(messages),
    }


def _reencode(upload: UploadedFile, kind: str) -> bytes:
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.width * image.height > IMAGE_MAX_PIXELS:
                raise ValueError("too many pixels")
            image.load()
            # Turned upright by its EXIF orientation, in place (a copy costs as much as
            # decoding), before the EXIF goes.
            ImageOps.exif_transpose(image, in_place=True)
            upright = image
            return _encode(upright, kind, upload)
    except UnidentifiedImageError as error:
        raise ValueError("not an image") from error


def _encode(upright: Image.Image, kind: str, upload: UploadedFile) -> bytes:
    if kind == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    if kind == "PNG" and upright.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
        upright = upright.convert("RGBA")
    # Only pixels: no EXIF, ICC profile, comments or text chunks go with the copy.
    upright.info = {}
    out = io.BytesIO()
    if kind == "JPEG":
        upright.save(out, "JPEG", quality=85)
    else:
        upright.save(out, "PNG")
    upload.seek(0)
    return out.getvalue()
