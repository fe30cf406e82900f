"""Database engines that run the compiled decision query, one module each.

`duckdb` and `sqlite` run in process, `postgres` and `mariadb` on servers,
`spark` in PySpark local mode. Every engine loads a `Dataset` into typed
tables (`load`), runs SQL (`execute`) and returns normalised decisions
(`decisions`); `connect(url)` opens one from a database URL.
"""
from .base import Engine
from .urls import connect

__all__ = ["Engine", "connect"]
