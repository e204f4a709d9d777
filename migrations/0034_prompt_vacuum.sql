-- Nothing on SQLite: it has no visibility map (see the PostgreSQL text).
SELECT 1;
