from django.apps import AppConfig


class ClinicalFilesConfig(AppConfig):
    name = "hybridmd.clinical_files"
    label = "clinical_files"
