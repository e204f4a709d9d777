#!/usr/bin/env python3
"""Writes SQL that recreates a Redmine SQLite database on PostgreSQL or MySQL/MariaDB, with
the column types Rails gives Redmine's schema there, and every row:

    tests/import/load_fixture.py postgres redmine.sqlite3 | psql ...
    tests/import/load_fixture.py mysql redmine.sqlite3 | mariadb ...

So `carmine import` reads each database as a Redmine on it would be: timestamps,
booleans, binary wiki versions and texts in the server's own types, not as text."""

import sqlite3
import sys

PG = {
    "integer": "integer", "integer(8)": "bigint", "text": "text", "datetime": "timestamp",
    "datetime(6)": "timestamp(6)", "date": "date", "float": "double precision",
    "boolean": "boolean", "blob": "bytea",
}
MY = {
    "integer": "int", "integer(8)": "bigint", "text": "longtext", "datetime": "datetime(6)",
    "datetime(6)": "datetime(6)", "date": "date", "float": "double", "boolean": "tinyint(1)",
    "blob": "longblob",
}


def column_type(dialect, declared):
    d = declared.lower()
    if d.startswith("varchar"):
        if dialect == "mysql" and d == "varchar":
            return "varchar(255)"
        return d if dialect == "mysql" else d.replace("varchar", "character varying")
    return (PG if dialect == "postgres" else MY)[d]


def literal(dialect, declared, value):
    if value is None:
        return "NULL"
    d = declared.lower()
    if d == "boolean":
        truth = value in (1, "1", "t", "true")
        if dialect == "postgres":
            return "TRUE" if truth else "FALSE"
        return "1" if truth else "0"
    if isinstance(value, bytes) or d == "blob":
        raw = value if isinstance(value, bytes) else str(value).encode()
        return ("'\\x%s'::bytea" % raw.hex()) if dialect == "postgres" else "X'%s'" % raw.hex()
    if isinstance(value, (int, float)) and d not in ("text",) and not d.startswith("varchar"):
        return repr(value)
    text = str(value)
    if dialect == "mysql":
        # the client reads lines: a carriage return inside a string must be escaped
        for raw, escaped in (("\\", "\\\\"), ("'", "\\'"), ("\r", "\\r"), ("\n", "\\n"),
                             ("\0", "\\0"), ("\x1a", "\\Z")):
            text = text.replace(raw, escaped)
        return "'" + text + "'"
    return "'" + text.replace("'", "''") + "'"


def main():
    dialect, path = sys.argv[1], sys.argv[2]
    q = '"' if dialect == "postgres" else "`"
    db = sqlite3.connect(path)
    out = sys.stdout
    if dialect == "mysql":
        out.write("SET NAMES utf8mb4;\n")
    out.write("BEGIN;\n" if dialect == "postgres" else "START TRANSACTION;\n")
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for t in tables:
        cols = list(db.execute(f"PRAGMA table_info('{t}')"))
        defs = []
        for _, name, declared, notnull, _, pk in cols:
            sql_type = column_type(dialect, declared)
            if pk and name == "id":
                defs.append(f"{q}{name}{q} {'bigint' if dialect == 'mysql' else 'integer'} PRIMARY KEY")
            else:
                defs.append(f"{q}{name}{q} {sql_type}{' NOT NULL' if notnull else ''}")
        suffix = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" if dialect == "mysql" else ""
        out.write(f"CREATE TABLE {q}{t}{q} ({', '.join(defs)}){suffix};\n")
        names = ", ".join(f"{q}{c[1]}{q}" for c in cols)
        rows = db.execute(f'SELECT * FROM "{t}"').fetchall()
        for i in range(0, len(rows), 200):
            values = ",\n".join(
                "(" + ", ".join(literal(dialect, c[2], v) for c, v in zip(cols, row)) + ")"
                for row in rows[i:i + 200])
            out.write(f"INSERT INTO {q}{t}{q} ({names}) VALUES\n{values};\n")
    out.write("COMMIT;\n")


if __name__ == "__main__":
    main()
