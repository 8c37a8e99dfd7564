from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.delivery import services
from portal.delivery.as4.errors import OTHER, EbmsError
from portal.delivery.inbound import error_answer

CHUNK = 1 << 20


def _read_limited(request: HttpRequest, limit: int) -> bytes | None:
    """The raw request body, or None if it exceeds ``limit`` (Django's form-data limits do not
    apply to AS4 messages, which are routinely larger)."""
    chunks, size = [], 0
    while chunk := request.read(CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@csrf_exempt
@require_POST
def as4_endpoint(request: HttpRequest) -> HttpResponse:
    data = _read_limited(request, settings.DELIVERY_MAX_MESSAGE_BYTES)
    if data is None:
        answer = error_answer(
            EbmsError(OTHER, f"the message exceeds {settings.DELIVERY_MAX_MESSAGE_BYTES} bytes"),
            domain="invalid",
        )
    else:
        answer = services.receive(data, request.META.get("CONTENT_TYPE"))
    return HttpResponse(answer.body, content_type=answer.content_type, status=answer.status)
