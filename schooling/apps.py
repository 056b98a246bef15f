from django.apps import AppConfig


class SchoolingConfig(AppConfig):
    name = "schooling"
