"""``{% pagecache key %}…{% endpagecache %}``: the enclosed HTML is kept under ``key`` (from
``gwangmyeong_portal.page_cache.key``); an empty key renders it every time (signed-in visitors,
parameters not worth caching). The view passes lazy values, so a cached part costs no query."""

from django import template

from gwangmyeong_portal import page_cache

register = template.Library()


class PageCacheNode(template.Node):
    def __init__(self, nodelist, cache_key):
        self.nodelist = nodelist
        self.cache_key = cache_key

    def render(self, context):
        return page_cache.get_or_set(self.cache_key.resolve(context) or None, lambda: self.nodelist.render(context))


@register.tag
def pagecache(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% pagecache key %} takes exactly one argument")
    nodelist = parser.parse(("endpagecache",))
    parser.delete_first_token()
    return PageCacheNode(nodelist, parser.compile_filter(bits[1]))
