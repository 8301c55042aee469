from django.apps import AppConfig


class AiConfig(AppConfig):
    name = "hybridmd.ai"
    label = "ai"
