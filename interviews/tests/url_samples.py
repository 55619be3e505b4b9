"""Sample URL keywords for tests/test_url_access.py: real objects in the given campaign."""

from interviews.factories import InterviewGuideFactory, PromptFactory, PromptPatternFactory


def url_samples(campaign, cast):
    guide = InterviewGuideFactory(campaign=campaign, title="Sample guide")
    prompt = PromptFactory(guide=guide)
    pattern = PromptPatternFactory(campaign=campaign)
    return {"guide_id": guide.pk, "prompt_id": prompt.pk, "pattern_id": pattern.pk}
