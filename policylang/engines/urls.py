"""`connect(url)`: a database URL (as `run --db URL` takes it) to an open engine.

    duckdb:///relative/path.duckdb    duckdb:////absolute/path    duckdb://  (in memory)
    sqlite:///relative/path.db        sqlite:////absolute/path    sqlite://  (in memory)
    postgresql://user:password@host:port/database   (also postgres://, postgresql+psycopg://)
    mysql://user:password@host:port/database        (also mariadb://, mysql+pymysql://)

as SQLAlchemy writes them, so URLs users already have work unchanged. A URL's
passwords (`user:password@`, `?password=`, `?pass=`, as written or
percent-decoded) never reach a message: URLs are shown `redacted`, driver
messages `scrubbed`.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from ..errors import DataError, UsageError
from .base import Engine

SCHEMES = {"duckdb": "duckdb", "sqlite": "sqlite", "postgresql": "postgres", "postgres": "postgres",
           "mysql": "mariadb", "mariadb": "mariadb"}
FILE_ENGINES = ("duckdb", "sqlite")
DRIVERS = {"postgres": ("PostgreSQL", "psycopg", "postgres"), "mariadb": ("MySQL/MariaDB", "pymysql", "mysql")}
# `scheme://user:password@` (the scheme may be missing, never skipped): the password runs to the last
# `@`, so a raw `@` or `/` in it is hidden whole.
SCHEME = r"[A-Za-z][\w+.-]*://"
USERINFO = re.compile(rf"^(?P<head>(?:{SCHEME}|(?!{SCHEME}))[^:/?#@]*:)(?P<password>.*)@", re.DOTALL)
QUERY_PASSWORD = re.compile(r"(?P<head>[?&;](?:password|pass|passwd|pwd)=)(?P<password>[^&;#]*)", re.IGNORECASE)


def passwords(url: str) -> set[str]:
    """Every password `url` carries, as written and percent-decoded."""
    found = [m.group("password") for m in (USERINFO.match(url), *QUERY_PASSWORD.finditer(url)) if m]
    return {form for password in found for form in (password, unquote(password)) if form}


def redacted(url: str) -> str:
    """`url` with every password replaced by `***`, fit to show in a message."""
    return QUERY_PASSWORD.sub(r"\g<head>***", USERINFO.sub(r"\g<head>***@", url, count=1))


def scrubbed(text: str, url: str) -> str:
    """`text` (a driver's message about `url`) with `url` redacted and any password of it replaced by
    `***`, wherever the driver echoed it."""
    text = text.replace(url, redacted(url))
    for password in sorted(passwords(url), key=len, reverse=True):
        text = text.replace(password, "***")
    return text


def file_path(url: str, rest: str) -> str:
    """The file of `scheme:///path`; `:memory:` for `scheme://`."""
    if not rest:
        return ":memory:"
    if not rest.startswith("/"):
        raise UsageError(f"cannot read the database url `{redacted(url)}`: write `{url.split(':')[0]}:///path/to/file` "
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


def installed_class(kind: str) -> type[Engine]:
    """`engine_class(kind)`; a server driver that is not installed is a usage error naming the extra."""
    try:
        return engine_class(kind)
    except ImportError:
        if kind not in DRIVERS:
            raise
        database, module, extra = DRIVERS[kind]
        raise UsageError(f"the {database} driver `{module}` is not installed; "
                         f"install the driver: pip install 'policylang[{extra}]'") from None


def open_engine(cls: type[Engine], url: str, create: bool) -> Engine:
    scheme, rest = url.split("://", 1)
    if cls.name in FILE_ENGINES:
        path = file_path(url, rest)
        if path == ":memory:":
            return cls.open(path)
        if not create and not Path(path).is_file():
            raise DataError(f"no such database file `{scrubbed(path, url)}`; check the path in the url: "
                            "three slashes before a relative one, four before an absolute one")
        return cls.open(path, create=create) if cls.name == "sqlite" else cls.open(path)
    parts = urlsplit(url)
    if cls.name == "postgres":
        return cls.open(urlunsplit(parts._replace(scheme="postgresql")))
    return cls.open(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                    user=unquote(parts.username or "root"), password=unquote(parts.password or ""),
                    database=unquote(parts.path.lstrip("/")) or None)


def connect(url: str, create: bool = True) -> Engine:
    """Open the engine `url` names. A bad URL or a missing driver raises `UsageError`, a refused
    connection `DataError`. `create=False` (what `run` asks) refuses a database file that does not
    exist, where DuckDB and SQLite would create an empty one."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if "://" not in url or scheme not in SCHEMES:
        known = ", ".join(f"`{s}://`" for s in SCHEMES)
        raise UsageError(f"unsupported database url `{redacted(url)}`: start it with one of {known}")
    cls = installed_class(SCHEMES[scheme])
    try:
        return open_engine(cls, url, create)
    except ValueError as exc:  # a port that is not a number, and the like
        raise UsageError(f"cannot read the database url `{redacted(url)}`: {scrubbed(str(exc), url)}") from None
    except cls.errors as exc:
        if cls.locked(exc):
            raise DataError(f"`{redacted(url)}` is in use by another process (another run writing to it?); "
                            "wait for it to finish, then run again") from None
        hint = "the file's folder exists" if cls.name in FILE_ENGINES else \
            "the server runs and the url names an existing database"
        raise DataError(f"cannot connect to `{redacted(url)}`: {scrubbed(str(exc).strip(), url)}; "
                        f"check that {hint}") from None
