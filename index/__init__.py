"""The search core: posts, analysis, the Whoosh index and ranking. Never imports `bot` or `telegram`."""

from index.analysis import fold
from index.embedding import Embedder, EmbedderUnavailable, load_embedder
from index.engine import Index, IndexUnavailable
from index.glossary import Glossary, term_key
from index.posts import LoadResult, Post, PostError, PostFiles, load_posts, scan_posts
from index.results import Filters, Hit, Results, SyncReport
from index.semantic import EmbedReport, SemanticStatus, vectors_id
from index.vectorstore import stored_hashes

__all__ = [
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
    "PostFiles",
    "Results",
    "SemanticStatus",
    "SyncReport",
    "fold",
    "load_embedder",
    "load_posts",
    "scan_posts",
    "stored_hashes",
    "term_key",
    "vectors_id",
]
