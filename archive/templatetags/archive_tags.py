from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()

# Facet names on the page and the URL parameter each sets.
FACET_PARAMETERS = {"city": "city", "initiative": "initiative", "outlet": "outlet"}


@register.simple_tag
def querystring_for(params, **changes):
    """The URL query of a search with some parameters changed (an empty value drops one)."""
    return urlencode(params.as_query(**changes))


@register.simple_tag
def facet_query(params, name, value):
    """The search narrowed to one facet value (a year narrows from and to that year)."""
    if name == "year":
        return urlencode(params.as_query(**{"from": value, "to": value, "page": ""}))
    return urlencode(params.as_query(**{FACET_PARAMETERS[name]: value, "page": ""}))


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.simple_tag
def search_url(**params):
    """A link to the search narrowed by these parameters, e.g. {% search_url outlet=article.outlet %}."""
    query = urlencode({name: value for name, value in params.items() if value not in ("", None)})
    return reverse("archive:search") + (f"?{query}" if query else "")
