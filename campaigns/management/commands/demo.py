"""Load the demo district: two campaigns, one user per role and an outsider.

Idempotent: running it again changes nothing that is already there. Other apps extend the
demo by adding a `demo.py` module with a `load(campaigns, users)` function; this command
calls each one after the foundation data exists.
"""

import importlib

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from campaigns.models import Campaign, District, Membership, Role
from campaigns.services import campaign_create

DEMO_PASSWORD = "demo-password"
DEMO_USERS = {
    "lead": ("lead@example.org", "Lena Ortiz"),
    "interviewer": ("interviewer@example.org", "Ivan Brooks"),
    "analyst": ("analyst@example.org", "Ana Park"),
    "viewer": ("viewer@example.org", "Victor Hale"),
    "outsider": ("outsider@example.org", "Omar Quinn"),
}
DEMO_CAMPAIGNS = [
    {
        "slug": "attendance-policy",
        "title": "Chronic absence and the new attendance policy",
        "policy_context": (
            "The district's attendance policy sends automated letters and refers families to court "
            "after 10 unexcused absences. Absence is highest among students learning English, "
            "students experiencing housing instability, and students with IEPs."
        ),
        "issue_statement": (
            "Students who miss school often are pushed further away by letters and referrals, "
            "and we do not know what keeps them from coming."
        ),
        "goals": [
            "Hear from at least 40 students and families most affected by absence rules",
            "Understand what gets in the way of coming to school, in their words",
            "Recommend changes to the attendance policy before the spring board meeting",
        ],
        "checklist_inequity": (
            "By hearing first from families the policy punishes most, and by testing our "
            "assumption that absence is about motivation."
        ),
        "checklist_perspectives": (
            "Students with many absences, families who speak Spanish or Vietnamese at home, "
            "students in temporary housing, and attendance clerks."
        ),
        "checklist_next_step": "Finish the interview guide and invite the first 20 participants.",
        "status": Campaign.Status.INTERVIEWING,
    },
    {
        "slug": "family-engagement",
        "title": "Family engagement in middle school",
        "policy_context": (
            "Family conferences and PTA meetings draw few families at our three middle schools. "
            "The board wants to know why before funding a new engagement plan."
        ),
        "issue_statement": "Many families do not take part in school decisions, and we do not know why.",
        "goals": ["Learn what would make school feel welcoming to families who rarely come"],
        "status": Campaign.Status.PLANNING,
    },
]


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = self._users()
            campaigns = self._campaigns(users)
            for app_config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{app_config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{app_config.name}.demo":
                        raise
                    continue
                module.load(campaigns=campaigns, users=users)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with any of these (password: demo-password):"))
        for role, (email, _name) in DEMO_USERS.items():
            self.stdout.write(f"  {role:<12} {email}")

    def _users(self):
        User = get_user_model()
        users = {}
        for role, (email, name) in DEMO_USERS.items():
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            users[role] = user
        return users

    def _campaigns(self, users):
        district, _ = District.objects.get_or_create(slug="riverside", defaults={"name": "Riverside Unified"})
        campaigns = []
        for spec in DEMO_CAMPAIGNS:
            campaign = Campaign.objects.filter(slug=spec["slug"]).first()
            if campaign is None:
                campaign = campaign_create(
                    title=spec["title"],
                    slug=spec["slug"],
                    policy_context=spec["policy_context"],
                    issue_statement=spec["issue_statement"],
                    goals=spec["goals"],
                    district=district,
                    created_by=users["lead"],
                )
                campaign.status = spec["status"]
                for field in ("checklist_inequity", "checklist_perspectives", "checklist_next_step"):
                    setattr(campaign, field, spec.get(field, ""))
                campaign.save()
            for role in (Role.INTERVIEWER, Role.ANALYST, Role.VIEWER):
                Membership.objects.get_or_create(user=users[role.value], campaign=campaign, defaults={"role": role})
            campaigns.append(campaign)
        return campaigns
