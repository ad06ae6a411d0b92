"""The search core: posts, analysis, the Whoosh index and ranking. Never imports `bot` or `telegram`."""

from index.analysis import fold
from index.embedding import Embedder, EmbedderUnavailable, load_embedder
from index.engine import BIG_SYNC, Index, IndexUnavailable, give_back_memory
from index.glossary import Glossary, term_key
from index.posts import LoadResult, Post, PostError, load_posts
from index.results import Filters, Hit, Results, SyncReport
from index.semantic import EmbedReport, SemanticStatus, vectors_id
from index.vectorstore import stored_hashes

__all__ = [
    "BIG_SYNC",
    "EmbedReport",
    "Embedder",
    "EmbedderUnavailable",
    "Filters",
    "Glossary",
    "Hit",
    "Index",
    "IndexUnavailable",
    "LoadResult",
    "Post",
    "PostError",
    "Results",
    "SemanticStatus",
    "SyncReport",
    "fold",
    "give_back_memory",
    "load_embedder",
    "load_posts",
    "stored_hashes",
    "term_key",
    "vectors_id",
]
