"""The API's own parser and renderer: where apps.core.input meets DRF.

Set as the defaults in settings.REST_FRAMEWORK, so every API view gets them
without saying so.
"""

from __future__ import annotations

import codecs

from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError, ValidationError

from apps.core.input import InputRefused, loads_json


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with MemStack's input rules (apps.core.input).

    Malformed JSON, JSON nested too deep and a top-level NaN are a 400 with
    `detail`; bad text or a NaN inside a field is a 400 naming that field,
    like any other field error.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads_json(text)
        except InputRefused as refused:
            if refused.field is None:
                raise ParseError(f"JSON parse error - {refused.message}") from None
            raise ValidationError({refused.field: [refused.where()]}) from None
        except ValueError as exc:  # malformed JSON, or bytes that are not text in `encoding`
            raise ParseError(f"JSON parse error - {exc}") from None


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML rendering of the API, for views that read through selectors.

    DRF asks a list view for its `queryset` only to draw the forms of its
    filter backends. Our views have none (they filter with a serializer of
    their own and call a selector), and no `queryset`, so there is nothing
    to draw and nothing to ask for.
    """

    def get_filter_form(self, data, view, request):
        if not getattr(view, "filter_backends", None):
            return None
        return super().get_filter_form(data, view, request)
