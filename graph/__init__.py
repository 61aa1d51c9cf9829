"""legal-news-kg: news articles on legal disputes as a knowledge graph of actors and legal relations."""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("legal-news-kg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.1.0"
