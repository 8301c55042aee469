"""Every write in the community, split by noun: posts, moderation, polls, notifications, paging."""
