import factory

from .models import ExportJob


class ExportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportJob

    campaign = factory.SubFactory("campaigns.factories.CampaignFactory")
    kind = ExportJob.Kind.NOTES
    format = ExportJob.Format.CSV
    requested_by = factory.SubFactory("campaigns.factories.UserFactory")
