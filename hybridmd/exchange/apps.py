from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "hybridmd.exchange"
    label = "exchange"
