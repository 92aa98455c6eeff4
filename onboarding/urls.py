from django.urls import path

from onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("", views.apply, name="apply"),
    path("done/", views.done, name="done"),
    path("check-slug/", views.slug_check, name="check_slug"),
]
