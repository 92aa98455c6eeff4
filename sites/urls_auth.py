from django.urls import path

from sites import auth_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.logout_view, name="logout"),
    path("sign-out-everywhere/", auth_views.sign_out_everywhere, name="sign_out_everywhere"),
    path("signup/", auth_views.signup, name="signup"),
    path("signup/sent/", auth_views.signup_sent, name="signup_sent"),
    path("confirm/<str:token>/", auth_views.confirm, name="confirm"),
    path("forgot-password/", auth_views.forgot_password, name="forgot_password"),
    path("reset-password/<str:token>/", auth_views.reset_password, name="reset_password"),
]
