from django.urls import path

from . import views

urlpatterns = [
    path("people/<uuid:person_id>/orders/new/", views.order_create, name="order-create"),
    path("orders/<uuid:order_id>/", views.order_detail, name="order-detail"),
    path("orders/<uuid:order_id>/extend/", views.order_extend, name="order-extend"),
    path("orders/<uuid:order_id>/end/", views.order_end, name="order-end"),
    path("orders/<uuid:order_id>/conclude/", views.order_conclude, name="order-conclude"),
    path("legal-status/<str:order_type>/", views.order_type_explained, name="order-type-explained"),
]
