from django.db import models

from .models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    campaign=None,
    target: models.Model | None = None,
    target_repr: str = "",
    detail: dict | None = None,
    request=None,
) -> AuditEvent:
    """Record one audited access or change. Every app calls this, and only this."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "",
        campaign=campaign,
        campaign_slug=campaign.slug if campaign is not None else "",
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr or (str(target) if target is not None else ""))[:200],
        detail=detail or {},
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
    )
