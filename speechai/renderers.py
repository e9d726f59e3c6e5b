"""The API's JSON renderer: orjson (C) in place of the standard library's
encoder, which took most of the CPU time of a 100-job page."""

import orjson
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Anything orjson does not know (lazy strings, Decimal, ...) as DRF encodes it.
DRF_ENCODER = JSONEncoder()


class FastJSONRenderer(JSONRenderer):
    """Same media type and output as DRF's JSONRenderer (compact, UTF-8; NaN
    as null), without the `indent` media type parameter."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=DRF_ENCODER.default, option=orjson.OPT_NON_STR_KEYS)


class ApiContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, answered at once for what most calls send (no
    Accept header or `*/*`, no ?format=): the first renderer, as DRF would
    choose it after parsing the header."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            renderers
            and not format_suffix
            and request.META.get("HTTP_ACCEPT", "*/*") == "*/*"
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
