from django.urls import path

from communities import views

urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.community_switch, name="community_switch"),
    path("language/", views.language_set, name="language_set"),
    path("profile/", views.profile, name="profile"),
]
