from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"
    default_auto_field = "django.db.models.BigAutoField"
