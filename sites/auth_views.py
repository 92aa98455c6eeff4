"""Patient authentication on a tenant's storefront."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as django_auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from billing.limits import patients_full_message
from sites import accounts, security
from sites.decorators import storefront_view
from sites.forms import ForgotPasswordForm, PatientLoginForm, SignupForm
from sites.limits import PlanLimitReached


@method_decorator(storefront_view, name="dispatch")
class LoginView(django_auth_views.LoginView):
    template_name = "sites/auth/login.html"
    authentication_form = PatientLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        from django.urls import reverse

        return reverse("storefront:account")


@storefront_view
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are logged out.")
    return redirect("wagtail_serve", "")


@storefront_view
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("storefront:login")
    security.sign_out_everywhere(request)
    messages.success(request, "You are signed out of every other browser and device.")
    return redirect("storefront:account")


@storefront_view
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.register_patient(request, form.cleaned_data)
        except PlanLimitReached as refusal:
            form.add_error(None, patients_full_message(request.tenant, refusal))
        else:
            return redirect("storefront:signup_sent")
    return render(request, "sites/auth/signup.html", {"form": form})


@storefront_view
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "sites/auth/signup_sent.html")


@storefront_view
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    user = accounts.user_for_token(request.tenant, token)
    if user is None or not accounts.awaits_confirmation(user):
        return render(request, "sites/auth/link_invalid.html", status=400)
    user.is_active = True
    user.save(update_fields=["is_active"])
    login(request, user, backend="sites.auth_backends.TenantEmailBackend")
    accounts.send_welcome(request, user)
    messages.success(request, "Your account is confirmed. Welcome!")
    return redirect("storefront:account")


@storefront_view
def forgot_password(request: HttpRequest) -> HttpResponse:
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.send_password_reset(request, form.cleaned_data["email"])
        return render(request, "sites/auth/forgot_password_sent.html")
    return render(request, "sites/auth/forgot_password.html", {"form": form})


@storefront_view
def reset_password(request: HttpRequest, token: str) -> HttpResponse:
    user = accounts.user_for_token(request.tenant, token)
    if user is None:
        return render(request, "sites/auth/link_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()  # changes the password hash, so the link cannot be used again
        messages.success(request, "Your password is changed. Log in with the new one.")
        return redirect("storefront:login")
    return render(request, "sites/auth/reset_password.html", {"form": form})
