"""Korean and English full-text search over posts, answers and comments.

One interface, two backends: SQLite FTS5 (the embedded default) and PostgreSQL full
text (production), chosen by the connection's vendor. Text becomes terms in
``engines.documents.korean_terms`` (Kiwi morphemes, compound runs, disease-suffix
variants, stemmed English, exact KCD codes); ``indexing`` keeps ``SearchEntry`` rows
in step with the content; ``backends`` ranks; ``queries.search`` applies permissions
and builds results with highlighted snippets and no author names.
"""

from __future__ import annotations

from hybridmd.community.search.indexing import (
    index_answer,
    index_comment,
    index_item,
    index_post,
    reindex_all,
)
from hybridmd.community.search.queries import (
    MAX_LIMIT,
    MAX_OFFSET,
    SearchPage,
    SearchResult,
    search,
)

__all__ = [
    "MAX_LIMIT",
    "MAX_OFFSET",
    "SearchPage",
    "SearchResult",
    "index_answer",
    "index_comment",
    "index_item",
    "index_post",
    "reindex_all",
    "search",
]
