from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Applicants' documents and signed PDFs: on disk, never behind a public URL.

    Views that check who may see a file stream it (``FileResponse(storage.open(name))``)."""

    def url(self, name: str | None) -> str:
        raise ValueError(
            "Private files have no public URL; serve them through a view that checks permission."
        )
