from django.urls import path

from . import views_guides, views_interviews, views_notes, views_predictions

app_name = "interviews"

guide = "<slug:slug>/guides/<int:guide_id>/"
prompt = guide + "prompts/<int:prompt_id>/"
interview = "<slug:slug>/interviews/<int:interview_id>/"

urlpatterns = [
    # Guides, prompts, the prompt coach and the prompt library (views_guides.py)
    path("<slug:slug>/guides/", views_guides.guides, name="guides"),
    path("<slug:slug>/guides/new/", views_guides.guide_create, name="guide_create"),
    path("<slug:slug>/guides/copy/", views_guides.guide_copy, name="guide_copy"),
    path("<slug:slug>/guides/coach/", views_guides.coach, name="coach"),
    path("<slug:slug>/guides/library/", views_guides.library, name="library"),
    path("<slug:slug>/guides/library/add/", views_guides.pattern_add, name="pattern_add"),
    path("<slug:slug>/guides/library/<int:pattern_id>/delete/", views_guides.pattern_delete, name="pattern_delete"),
    path(guide, views_guides.guide, name="guide"),
    path(guide + "edit/", views_guides.guide_edit, name="guide_edit"),
    path(guide + "delete/", views_guides.guide_delete, name="guide_delete"),
    path(guide + "print/", views_guides.guide_print, name="guide_print"),
    path(guide + "prompts/add/", views_guides.prompt_add, name="prompt_add"),
    path(guide + "prompts/reorder/", views_guides.prompt_reorder, name="prompt_reorder"),
    path(prompt + "edit/", views_guides.prompt_edit, name="prompt_edit"),
    path(prompt + "delete/", views_guides.prompt_delete, name="prompt_delete"),
    path(prompt + "move/", views_guides.prompt_move, name="prompt_move"),
    # Predictions first (views_predictions.py)
    path("<slug:slug>/predictions/", views_predictions.predictions, name="predictions"),
    # Scheduling (views_interviews.py)
    path("<slug:slug>/interviews/", views_interviews.interviews, name="list"),
    path("<slug:slug>/interviews/new/", views_interviews.interview_schedule, name="schedule"),
    path(interview + "reschedule/", views_interviews.interview_reschedule, name="reschedule"),
    path(interview + "cancel/", views_interviews.interview_cancel, name="cancel"),
    path(interview + "no-show/", views_interviews.interview_no_show, name="no_show"),
    # The note-taking page and its endpoints (views_notes.py)
    path(interview, views_notes.interview_detail, name="detail"),
    path(interview + "start/", views_notes.interview_start, name="start"),
    path(interview + "debrief/", views_notes.interview_debrief, name="debrief"),
    path(interview + "import/", views_notes.notes_import, name="notes_import"),
    path(interview + "notes/save/", views_notes.note_autosave, name="note_autosave"),
    path(interview + "notes/changes/", views_notes.notes_changes, name="notes_changes"),
    path(interview + "notes/<int:note_id>/delete/", views_notes.note_delete, name="note_delete"),
    path(interview + "notes/<int:note_id>/history/", views_notes.note_history, name="note_history"),
]
