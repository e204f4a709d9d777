-- How many issues hold each word of their subject, per project, tracker, status and
-- privacy (as `issue_value_counts` for custom values), kept by triggers, and over every
-- project (`issue_word_totals`, kept from it, deferred to commit as `issue_value_totals`).
-- A list filtered by `subject~word` sums them for its total instead of reading every
-- issue whose subject holds the word (a tenth of 1,000,000 issues took 160 ms). Tables
-- of their own: a million distinct words among the custom values made PostgreSQL expect
-- one row for any value.
--
-- A word is a run of characters between spaces and these marks: " \ , . : ; ( ) / - ' ! ? # [ ]
-- (as on SQLite, where each mark costs a nested `replace`), lower-cased as LOWER does
-- (`issue_query::text` compares LOWER(subject)). Any occurrence of a text made only of
-- letters and digits lies inside one word, so the issues holding it are those with a
-- word containing it: `subject_words` lists every word counted, under a trigram index,
-- to find those. Words of one or two characters are not counted (no such text lies
-- inside them), and a word longer than a subject may be through the API (255
-- characters; a program writing the database may write more, and an index row holds
-- about 2,700 bytes) is counted as ' ' (no word is a space): while one is held, lists
-- count their issues.
CREATE FUNCTION carmine_subject_words(subject TEXT) RETURNS SETOF TEXT
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT CASE WHEN length(w) > 255 THEN ' ' ELSE w END
    FROM regexp_split_to_table(lower(subject), '[ "\\,.:;()/''!?#\[\]-]+') AS w
    WHERE length(w) >= 3
$$;
CREATE TABLE issue_word_counts (
    word TEXT NOT NULL,
    project_id BIGINT NOT NULL,
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (word, project_id, tracker_id, status_id, is_private)
);
CREATE TABLE issue_word_totals (
    word TEXT NOT NULL,
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (word, tracker_id, status_id, is_private)
);
CREATE TABLE subject_words (word TEXT PRIMARY KEY);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX subject_words_trgm ON subject_words USING gin (word gin_trgm_ops);
    END IF;
END
$$;
-- a word counted for the first time
CREATE FUNCTION carmine_subject_word_found() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.word <> ' ' THEN
        INSERT INTO subject_words (word) VALUES (NEW.word) ON CONFLICT (word) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER subject_words_found AFTER INSERT ON issue_word_counts
    FOR EACH ROW EXECUTE FUNCTION carmine_subject_word_found();
-- the totals over every project: deferred to commit, an update taking its two rows in
-- one order, as `issue_value_totals`
CREATE FUNCTION carmine_total_word(w TEXT, t BIGINT, s BIGINT, p BOOLEAN, d BIGINT)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO issue_word_totals (word, tracker_id, status_id, is_private, n)
        VALUES (w, t, s, p, d)
        ON CONFLICT (word, tracker_id, status_id, is_private)
        DO UPDATE SET n = issue_word_totals.n + d
$$;
CREATE FUNCTION carmine_total_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM carmine_total_word(NEW.word, NEW.tracker_id, NEW.status_id, NEW.is_private, NEW.n);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM carmine_total_word(OLD.word, OLD.tracker_id, OLD.status_id, OLD.is_private, -OLD.n);
    ELSIF (OLD.word, OLD.tracker_id, OLD.status_id, OLD.is_private)
          < (NEW.word, NEW.tracker_id, NEW.status_id, NEW.is_private) THEN
        PERFORM carmine_total_word(OLD.word, OLD.tracker_id, OLD.status_id, OLD.is_private, -OLD.n);
        PERFORM carmine_total_word(NEW.word, NEW.tracker_id, NEW.status_id, NEW.is_private, NEW.n);
    ELSE
        PERFORM carmine_total_word(NEW.word, NEW.tracker_id, NEW.status_id, NEW.is_private, NEW.n);
        PERFORM carmine_total_word(OLD.word, OLD.tracker_id, OLD.status_id, OLD.is_private, -OLD.n);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER issue_word_totals_counted AFTER INSERT OR UPDATE OR DELETE
    ON issue_word_counts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION carmine_total_words();
-- each issue's words (for counting, and for the lists that ask whether an issue holds
-- a word)
CREATE VIEW issue_subject_words AS
    SELECT i.id AS issue_id, w AS word, i.project_id AS project_id,
           i.tracker_id AS tracker_id, i.status_id AS status_id, i.is_private AS is_private
    FROM issues i, carmine_subject_words(i.subject) AS w;
INSERT INTO issue_word_counts (word, project_id, tracker_id, status_id, is_private, n)
    SELECT word, project_id, tracker_id, status_id, is_private, COUNT(DISTINCT issue_id)
    FROM issue_subject_words GROUP BY word, project_id, tracker_id, status_id, is_private;
-- what an issue's words took away (-1 under its old columns) and added (+1 under the
-- new), in one statement, in key order: two writers meet the rows in the same order
CREATE FUNCTION carmine_count_subject_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO issue_word_counts AS c (word, project_id, tracker_id, status_id, is_private, n)
        SELECT d.word, d.project_id, d.tracker_id, d.status_id, d.is_private, SUM(d.delta)
        FROM (
            SELECT w AS word, OLD.project_id AS project_id, OLD.tracker_id AS tracker_id,
                   OLD.status_id AS status_id, OLD.is_private AS is_private, -1 AS delta
            FROM carmine_subject_words(OLD.subject) AS w WHERE TG_OP <> 'INSERT'
            UNION ALL
            SELECT w, NEW.project_id, NEW.tracker_id, NEW.status_id, NEW.is_private, 1
            FROM carmine_subject_words(NEW.subject) AS w WHERE TG_OP <> 'DELETE'
        ) d
        GROUP BY d.word, d.project_id, d.tracker_id, d.status_id, d.is_private
        HAVING SUM(d.delta) <> 0
        ORDER BY d.word, d.project_id, d.tracker_id, d.status_id, d.is_private
        ON CONFLICT (word, project_id, tracker_id, status_id, is_private)
        DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER subject_words_counted AFTER INSERT OR DELETE ON issues
    FOR EACH ROW EXECUTE FUNCTION carmine_count_subject_words();
CREATE TRIGGER subject_words_counted_update AFTER UPDATE OF subject, project_id, tracker_id,
    status_id, is_private ON issues FOR EACH ROW
    WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.project_id IS DISTINCT FROM NEW.project_id
          OR OLD.tracker_id IS DISTINCT FROM NEW.tracker_id OR OLD.status_id IS DISTINCT FROM NEW.status_id
          OR OLD.is_private IS DISTINCT FROM NEW.is_private)
    EXECUTE FUNCTION carmine_count_subject_words();
