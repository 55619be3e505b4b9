from django import template

from ..selectors import reminders_for_interview

register = template.Library()


@register.inclusion_tag("reminders/_interview_reminders.html")
def interview_reminders(interview):
    """`{% load reminders %}{% interview_reminders interview %}`: the interview's emails and their states."""
    return {"emails": reminders_for_interview(interview), "interview": interview}
