from django.urls import include, path

from residents import field_urls, permit_views, simulation_views, views

app_name = "residents"

urlpatterns = [
    path("residence/", views.registrations, name="registrations"),
    path("residence/me/", views.person_new, name="person_new"),
    path("residence/persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("residence/register/", views.registration_new, name="registration_new"),
    path("residence/addresses/", views.address_search, name="address_search"),
    path("residence/<int:pk>/depart/", views.registration_depart, name="registration_depart"),
    path("residence/<int:pk>/certificate/", views.certificate, name="certificate"),
    path(
        "residence/<int:pk>/certificate.pdf",
        permit_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("family/", views.family, name="family"),
    path("family/add/", views.dependant_new, name="dependant_new"),
    path("permit/", views.permit_guide, name="permit_guide"),
    path("permit/apply/", views.permit_start, name="permit_start"),
    path("permit/applications/<int:pk>/", views.permit_application, name="permit_application"),
    path("permit/applications/<int:pk>/materials/", views.material_add, name="material_add"),
    path(
        "permit/applications/<int:pk>/delivery/",
        permit_views.permit_delivery_choice,
        name="permit_delivery_choice",
    ),
    path("permit/applications/<int:pk>/check/", views.permit_check, name="permit_check"),
    path("permit/applications/<int:pk>/receipt/", views.permit_receipt, name="permit_receipt"),
    path("permit/applications/<int:pk>/withdraw/", views.permit_withdraw, name="permit_withdraw"),
    path("permit/materials/<int:pk>/", views.material_file, name="material_file"),
    path("permit/materials/<int:pk>/remove/", views.material_remove, name="material_remove"),
    path("permit/mine/", views.permits, name="permits"),
    path("permit/transfer/", permit_views.permit_transfer, name="permit_transfer"),
    path("permit/<int:pk>/", views.permit_detail, name="permit"),
    path("permit/<int:pk>/qr/", permit_views.permit_qr, name="permit_qr"),
    path("permit/<int:pk>/card.pdf", permit_views.permit_card_pdf, name="permit_card_pdf"),
    path("verify/card/<str:number>", permit_views.verify_card, name="verify_card"),
    path(
        "verify/certificate/<str:token>",
        permit_views.verify_certificate,
        name="verify_certificate",
    ),
    path("permit/<int:pk>/endorse/", views.permit_endorse, name="permit_endorse"),
    path("permit/<int:pk>/reissue/", views.permit_reissue, name="permit_reissue"),
    path("verify/<str:token>", views.verify, name="verify"),
    path("review/deliveries/", permit_views.staff_deliveries, name="staff_deliveries"),
    path("review/permits/<int:case_id>/", views.review_permit, name="review_permit"),
    path("staff/persons/", views.staff_persons, name="staff_persons"),
    path("staff/late-declarations/", views.late_declarations, name="late_declarations"),
    path(
        "staff/late-declarations/<int:pk>/verify/",
        views.late_declaration_verify,
        name="late_declaration_verify",
    ),
    path("staff/persons/<int:pk>/", views.staff_person, name="staff_person"),
    path("field/", include(field_urls.page_patterns)),
    path("registry-truth/", simulation_views.registry_truth, name="registry_truth"),
]
