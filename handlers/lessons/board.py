"""The branch's points board under /lessons: the member's points and rank, and the top ten (kept apart from
the list so the two change independently)."""
from __future__ import annotations

from handlers.session import Turn
from storage import lessons


async def say_board(turn: Turn) -> None:
    """One message before the lesson list; nothing for a member with no branch."""
    board = await lessons.board_standing(turn.session, turn.me)
    if board is not None:
        turn.say("lesson_board", branch=board["branch"], board=board)
