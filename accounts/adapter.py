from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Staff join through a campaign invitation (campaigns.services.invitation_accept);
        # public sign-up only opens when a deployment asks for it.
        return settings.OPEN_SIGNUP
