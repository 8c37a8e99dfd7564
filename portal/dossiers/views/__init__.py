"""The entrepreneur's dossier pages: ``builder`` (the dossier and its steps, the review, the
application page), ``documents`` (uploads and the eSafe) and ``signing`` (the signing step)."""
