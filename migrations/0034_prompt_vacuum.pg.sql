-- Lists read the newest issues first through index-only scans, which look at the table
-- for every entry on a page not yet marked all-visible; PostgreSQL marks pages when it
-- vacuums, and by default vacuums a table after a fifth of it changed (200,000 issues
-- of 1,000,000). A subtree's first page walked 6,500 entries of recent issues and read
-- the table for each (7 ms instead of 0.6). These tables are now vacuumed after every
-- thousand rows inserted (such a vacuum reads only the pages changed since the last and
-- no index), and after a fiftieth of their rows were updated or deleted (a vacuum with
-- dead rows to clear reads every index too, so not after each thousand).
ALTER TABLE issues SET (autovacuum_vacuum_insert_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_scale_factor = 0.02);
ALTER TABLE custom_values SET (autovacuum_vacuum_insert_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_scale_factor = 0.02);
ALTER TABLE time_entries SET (autovacuum_vacuum_insert_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_scale_factor = 0.02);
