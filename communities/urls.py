from django.urls import path

from communities import views

urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.community_switch, name="community_switch"),
    path("language/", views.language_set, name="language_set"),
    path("profile/", views.profile, name="profile"),
    path("communities/new/", views.community_create, name="community_create"),
    path("join/<str:token>/", views.invitation_join, name="invitation_join"),
    path("c/<int:community_id>/", views.community_detail, name="community_detail"),
    path("c/<int:community_id>/settings/", views.community_edit, name="community_edit"),
    path("c/<int:community_id>/checklist/hide/", views.checklist_hide, name="checklist_hide"),
    path("c/<int:community_id>/leave/", views.community_leave, name="community_leave"),
    path("c/<int:community_id>/members/", views.member_list, name="member_list"),
    path("c/<int:community_id>/members/<int:pk>/approve/", views.member_approve, name="member_approve"),
    path("c/<int:community_id>/members/<int:pk>/reject/", views.member_reject, name="member_reject"),
    path("c/<int:community_id>/members/<int:pk>/promote/", views.member_promote, name="member_promote"),
    path("c/<int:community_id>/members/<int:pk>/demote/", views.member_demote, name="member_demote"),
    path("c/<int:community_id>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("c/<int:community_id>/members/<int:pk>/inactive/", views.member_inactivate, name="member_inactivate"),
    path("c/<int:community_id>/members/<int:pk>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("c/<int:community_id>/invitations/", views.invitation_list, name="invitation_list"),
    path("c/<int:community_id>/invitations/email/", views.invitation_email, name="invitation_email"),
    path("c/<int:community_id>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
