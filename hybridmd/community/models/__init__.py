"""Community models, split by noun."""

from hybridmd.community.models.boards import Board, Tag
from hybridmd.community.models.notifications import (
    Notification,
    NotificationKind,
    NotificationPreference,
    Page,
    PagingPreference,
)
from hybridmd.community.models.polls import (
    Poll,
    PollBallot,
    PollChoice,
    PollOption,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from hybridmd.community.models.posts import (
    Answer,
    Bookmark,
    Comment,
    Moderated,
    Post,
    PostAttachment,
    PostRevision,
    Report,
    Visibility,
    Vote,
)
from hybridmd.community.models.search import SearchEntry

__all__ = [
    "Answer",
    "Board",
    "Bookmark",
    "Comment",
    "Moderated",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Page",
    "PagingPreference",
    "Poll",
    "PollBallot",
    "PollChoice",
    "PollOption",
    "Post",
    "PostAttachment",
    "PostRevision",
    "Report",
    "SearchEntry",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "Tag",
    "Visibility",
    "Vote",
]
