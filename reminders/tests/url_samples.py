def url_samples(campaign, cast):
    from reminders.factories import EmailFactory
    from reminders.models import Email, Kind

    failed = EmailFactory(campaign=campaign, status=Email.Status.FAILED, reason="Gave up after 5 tries")
    return {"kind": Kind.REMINDER_PARTICIPANT, "language": "es", "email_id": failed.pk}
