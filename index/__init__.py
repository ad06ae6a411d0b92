"""The search core: posts, analysis, the Whoosh index and ranking. Never imports `bot` or `telegram`."""

from index.engine import Index, IndexUnavailable
from index.posts import LoadResult, Post, PostError, load_posts
from index.results import Hit, Results, SyncReport

__all__ = [
    "Hit",
    "Index",
    "IndexUnavailable",
    "LoadResult",
    "Post",
    "PostError",
    "Results",
    "SyncReport",
    "load_posts",
]
