from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"

    def ready(self):
        from consent.hooks import register_withdraw_hook

        from .services import interviews_cancel_for_withdrawal

        register_withdraw_hook(interviews_cancel_for_withdrawal)
