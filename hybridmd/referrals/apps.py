from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "hybridmd.referrals"
    label = "referrals"
