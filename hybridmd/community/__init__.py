"""The physician community: boards, questions, answers, paging, polls, search."""
