"""A file too large is refused while the request is read, not after it has been kept whole.

`UploadLimitHandler` comes first in FILE_UPLOAD_HANDLERS. On a view marked with
`upload_limit`, it passes a file's bytes on to Django's own handlers (memory, then a
temporary file) only up to the view's maximum. Past it, the part kept so far is closed and
dropped, the rest of the file is read and counted but kept nowhere, and the view gets an
`OversizedUpload`: an empty file that says how large the upload was, which the service then
refuses by its size like any other file too large. The other fields of the form are read as
usual (CSRF's token among them), so the page comes back with a message on the file field
instead of a broken connection or a CSRF failure. On views without the mark the handler
does nothing.

The request body itself is limited by the reverse proxy in front (docs/operations.md):
Django reads what the client sends, here in chunks of 64 KiB that are dropped.
"""

import io
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

View = TypeVar("View", bound=Callable[..., Any])

LIMIT_ATTRIBUTE = "upload_max_bytes"


def upload_limit(max_bytes: Callable[[], int]) -> Callable[[View], View]:
    """Mark a view: each file uploaded to it may have at most `max_bytes()` bytes (read from
    the settings when a request comes, so that a test or a deployment may change it)."""

    def mark(view: View) -> View:
        setattr(view, LIMIT_ATTRIBUTE, max_bytes)
        return view

    return mark


class OversizedUpload(UploadedFile):
    """What is left of a file larger than the view takes: its name and its size, no content."""

    def __init__(self, name: str, content_type: str | None, size: int, charset: str | None):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class UploadLimitHandler(FileUploadHandler):
    """Stops passing a file on at the view's maximum; see the module's description."""

    limit: int | None = None
    received = 0
    passed_on = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        match = getattr(self.request, "resolver_match", None)
        max_bytes = getattr(match.func, LIMIT_ATTRIBUTE, None) if match is not None else None
        self.limit = max_bytes() if callable(max_bytes) else None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.limit is None:
            return raw_data
        self.received += len(raw_data)
        if self.received <= self.limit:
            self.passed_on += len(raw_data)
            return raw_data
        if self.received - len(raw_data) <= self.limit:
            self._drop_what_others_kept()
        return None  # counted, and kept nowhere

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.limit is None or self.received <= self.limit:
            return None  # the next handler gives the file
        return OversizedUpload(self.file_name or "", self.content_type, file_size, self.charset)

    def _drop_what_others_kept(self) -> None:
        """Close the memory buffer or temporary file that the next handlers began."""
        request = self.request
        for handler in request.upload_handlers if request is not None else []:
            kept = getattr(handler, "file", None)
            if handler is not self and kept is not None and hasattr(kept, "close"):
                kept.close()
