"""{% coach_warnings warnings open_details %}: the coach's warning list, from interviews.guide_markup."""

from django import template

from interviews.guide_markup import WarningsMarkup

register = template.Library()


@register.simple_tag
def coach_warnings(warnings, open_details=False):
    return WarningsMarkup().render(warnings, open_details=bool(open_details))
