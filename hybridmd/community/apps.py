from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "hybridmd.community"
    label = "community"
