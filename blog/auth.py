"""Moderator sessions: loading the signed-in moderator, revocable server-side."""
from blog.extensions import db, login_manager
from blog.models import Moderator


@login_manager.user_loader
def load_moderator(session_id: str) -> Moderator | None:
    """The moderator of a session id 'id:generation', only while that generation is current."""
    moderator_id, _, generation = session_id.partition(":")
    if not (moderator_id.isdigit() and generation.isdigit()):
        return None
    moderator = db.session.get(Moderator, int(moderator_id))
    if moderator is None or moderator.disabled or moderator.session_generation != int(generation):
        return None
    return moderator
