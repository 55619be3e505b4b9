"""What needs me today, on the home page.

Each app may offer `<app>/dashboard.py` with `needs(user, memberships) -> list[Need]`, using a
fixed number of queries whatever the data size. The home page shows them in app order.
"""

import importlib
from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Need:
    campaign_title: str
    label: str
    count: int
    url: str
    kind: str = "info"  # info, warning, success: also shown as text, never by colour alone


def collect(user, memberships) -> list[Need]:
    needs: list[Need] = []
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.dashboard"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        needs.extend(module.needs(user, memberships))
    return needs
