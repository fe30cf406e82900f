"""`connect(url)`: a database URL (as `run --db URL` takes it) to an open engine.

    duckdb:///relative/path.duckdb    duckdb:////absolute/path    duckdb://  (in memory)
    sqlite:///relative/path.db        sqlite:////absolute/path    sqlite://  (in memory)
    postgresql://user:password@host:port/database   (also postgres://, postgresql+psycopg://)
    mysql://user:password@host:port/database        (also mariadb://, mysql+pymysql://)

as SQLAlchemy writes them, so URLs users already have work unchanged.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

from ..errors import DataError, UsageError
from .base import Engine

SCHEMES = {"duckdb": "duckdb", "sqlite": "sqlite", "postgresql": "postgres", "postgres": "postgres",
           "mysql": "mariadb", "mariadb": "mariadb"}
FILE_ENGINES = ("duckdb", "sqlite")


def redacted(url: str) -> str:
    """`url` with its password replaced by `***`, fit to show in a message."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def file_path(url: str, rest: str) -> str:
    """The file of `scheme:///path`; `:memory:` for `scheme://`."""
    if not rest:
        return ":memory:"
    if not rest.startswith("/"):
        raise UsageError(f"cannot read the database url `{url}`: write `{url.split(':')[0]}:///path/to/file` "
                         "(three slashes, four for an absolute path)")
    return rest[1:] or ":memory:"


def engine_class(kind: str) -> type[Engine]:
    """The engine class of `kind` (a value of `SCHEMES`, or `spark`), importing only its driver."""
    if kind == "duckdb":
        from .duckdb import DuckDBEngine as cls
    elif kind == "sqlite":
        from .sqlite import SQLiteEngine as cls
    elif kind == "postgres":
        from .postgres import PostgresEngine as cls
    elif kind == "mariadb":
        from .mariadb import MariaDBEngine as cls
    else:
        from .spark import SparkEngine as cls
    return cls


def open_engine(cls: type[Engine], url: str) -> Engine:
    scheme, rest = url.split("://", 1)
    if cls.name in FILE_ENGINES:
        return cls.open(file_path(url, rest))
    parts = urlsplit(url)
    if cls.name == "postgres":
        return cls.open(urlunsplit(parts._replace(scheme="postgresql")))
    return cls.open(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                    user=unquote(parts.username or "root"), password=unquote(parts.password or ""),
                    database=unquote(parts.path.lstrip("/")) or None)


def connect(url: str) -> Engine:
    """Open the engine `url` names. A bad URL raises `UsageError`, a refused connection `DataError`."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if "://" not in url or scheme not in SCHEMES:
        known = ", ".join(f"`{s}://`" for s in SCHEMES)
        raise UsageError(f"unsupported database url `{redacted(url)}`: start it with one of {known}")
    cls = engine_class(SCHEMES[scheme])
    try:
        return open_engine(cls, url)
    except ValueError as exc:  # a port that is not a number, and the like
        raise UsageError(f"cannot read the database url `{redacted(url)}`: {exc}") from None
    except cls.errors as exc:
        hint = "the file's folder exists" if cls.name in FILE_ENGINES else \
            "the server runs and the url names an existing database"
        raise DataError(f"cannot connect to `{redacted(url)}`: {str(exc).strip()}; check that {hint}") from None
