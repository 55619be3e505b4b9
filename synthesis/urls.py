from django.urls import path

from . import views

app_name = "synthesis"

board = "<slug:slug>/synthesis/"
highlight = board + "highlights/<int:highlight_id>/"
theme = "<slug:slug>/themes/<int:theme_id>/"
tag = board + "tags/<int:tag_id>/"

urlpatterns = [
    path(board, views.board, name="board"),
    path(board + "notes/", views.notes, name="notes"),
    path(board + "highlights/new/", views.highlight_create, name="highlight_create"),
    path(highlight, views.highlight_detail, name="highlight"),
    path(highlight + "move/", views.highlight_move, name="highlight_move"),
    path(highlight + "tags/", views.highlight_tags, name="highlight_tags"),
    path(highlight + "toggle/", views.highlight_toggle, name="highlight_toggle"),
    path(highlight + "memo/", views.highlight_memo, name="highlight_memo"),
    path(highlight + "delete/", views.highlight_delete, name="highlight_delete"),
    path(board + "themes/new/", views.theme_create, name="theme_create"),
    path(board + "codebook/", views.codebook, name="codebook"),
    path(board + "tags/new/", views.tag_create, name="tag_create"),
    path(tag, views.tag, name="tag"),
    path(tag + "merge/", views.tag_merge, name="tag_merge"),
    path(tag + "memo/", views.tag_memo, name="tag_memo"),
    path(board + "predictions/", views.predictions, name="predictions"),
    path(board + "predictions/<int:prediction_id>/mark/", views.prediction_mark, name="prediction_mark"),
    path(theme, views.theme, name="theme"),
    path(theme + "edit/", views.theme_edit, name="theme_edit"),
    path(theme + "merge/", views.theme_merge, name="theme_merge"),
    path(theme + "split/", views.theme_split, name="theme_split"),
    path(theme + "delete/", views.theme_delete, name="theme_delete"),
    path(theme + "publish/", views.theme_publish, name="theme_publish"),
    path(theme + "refine/", views.theme_refine, name="theme_refine"),
    path("<slug:slug>/root-causes/", views.root_causes, name="root_causes"),
    path("<slug:slug>/root-causes/<int:theme_id>/why/", views.why_add, name="why_add"),
    path("<slug:slug>/root-causes/<int:theme_id>/cause/", views.cause_add, name="cause_add"),
    path("<slug:slug>/findings/", views.findings, name="findings"),
    path("<slug:slug>/search/", views.search, name="search"),
]
