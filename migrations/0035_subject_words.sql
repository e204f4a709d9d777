-- How many issues hold each word of their subject, per project, tracker, status and
-- privacy (as `issue_value_counts` for custom values), kept by triggers, and over every
-- project (`issue_word_totals`, kept from it). A list filtered by `subject~word` sums
-- them for its total instead of reading every issue whose subject holds the word (a
-- tenth of 1,000,000 issues took 160 ms). Tables of their own: a million distinct words
-- among the custom values made PostgreSQL expect one row for any value.
--
-- A word is a run of characters between spaces and these marks: " \ , . : ; ( ) / - ' ! ? # [ ]
-- lower-cased as LOWER does (`issue_query::text` compares LOWER(subject)). Any
-- occurrence of a text made only of letters and digits lies inside one word, so the
-- issues holding it are those with a word containing it: `subject_words` lists every
-- word counted, under a trigram index, to find those. Words of one or two characters
-- are not counted (no such text lies inside them), and a word longer than a subject may
-- be through the API (255 characters; a program writing the database may write more) is
-- counted as ' ' (no word is a space): while one is held, lists count their issues.
--
-- SQLite has no function that splits text: the subject becomes a JSON array (the marks
-- replaced by spaces, `json_quote`, each space the end of a string) that `json_each`
-- reads. The marks are few: each is one more nested `replace`, and other programs'
-- SQLite (the sqlite3 shell's parser stops at about 25) must still read the schema.
CREATE TABLE issue_word_counts (
    word TEXT NOT NULL,
    project_id BIGINT NOT NULL,
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (word, project_id, tracker_id, status_id, is_private)
) WITHOUT ROWID;
CREATE TABLE issue_word_totals (
    word TEXT NOT NULL,
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (word, tracker_id, status_id, is_private)
) WITHOUT ROWID;
CREATE TABLE subject_words (
    id INTEGER PRIMARY KEY,
    word TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE subject_words_fts USING fts5(word, content='subject_words', content_rowid='id', tokenize='trigram');
CREATE TRIGGER subject_words_fts_insert AFTER INSERT ON subject_words BEGIN
    INSERT INTO subject_words_fts (rowid, word) VALUES (new.id, new.word);
END;
CREATE TRIGGER subject_words_fts_delete AFTER DELETE ON subject_words BEGIN
    INSERT INTO subject_words_fts (subject_words_fts, rowid, word) VALUES ('delete', old.id, old.word);
END;
-- a word counted for the first time, and the totals over every project
CREATE TRIGGER issue_word_totals_counts_insert AFTER INSERT ON issue_word_counts BEGIN
    INSERT INTO subject_words (word) SELECT new.word WHERE new.word <> ' '
        ON CONFLICT (word) DO NOTHING;
    INSERT INTO issue_word_totals (word, tracker_id, status_id, is_private, n)
        VALUES (new.word, new.tracker_id, new.status_id, new.is_private, new.n)
        ON CONFLICT (word, tracker_id, status_id, is_private) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER issue_word_totals_counts_delete AFTER DELETE ON issue_word_counts BEGIN
    UPDATE issue_word_totals SET n = n - old.n WHERE word = old.word
        AND tracker_id = old.tracker_id AND status_id = old.status_id AND is_private = old.is_private;
END;
-- (a count row changes its count only, but for another program's writes)
CREATE TRIGGER issue_word_totals_counts_update AFTER UPDATE ON issue_word_counts
WHEN old.word = new.word AND old.tracker_id = new.tracker_id AND old.status_id = new.status_id
    AND old.is_private = new.is_private BEGIN
    UPDATE issue_word_totals SET n = n + new.n - old.n WHERE word = new.word
        AND tracker_id = new.tracker_id AND status_id = new.status_id AND is_private = new.is_private;
END;
CREATE TRIGGER issue_word_totals_counts_move AFTER UPDATE ON issue_word_counts
WHEN old.word <> new.word OR old.tracker_id <> new.tracker_id OR old.status_id <> new.status_id
    OR old.is_private <> new.is_private BEGIN
    UPDATE issue_word_totals SET n = n - old.n WHERE word = old.word
        AND tracker_id = old.tracker_id AND status_id = old.status_id AND is_private = old.is_private;
    INSERT INTO issue_word_totals (word, tracker_id, status_id, is_private, n)
        VALUES (new.word, new.tracker_id, new.status_id, new.is_private, new.n)
        ON CONFLICT (word, tracker_id, status_id, is_private) DO UPDATE SET n = n + excluded.n;
END;
-- each issue's words, once or more each (for counting, and for the lists that ask
-- whether an issue holds a word)
CREATE VIEW issue_subject_words AS
    SELECT i.id AS issue_id, CASE WHEN length(w.value) > 255 THEN ' ' ELSE w.value END AS word, i.project_id AS project_id,
           i.tracker_id AS tracker_id, i.status_id AS status_id, i.is_private AS is_private
    FROM issues i, json_each('[' || replace(json_quote(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(i.subject), '"', ' '), '\', ' '), ',', ' '), '.', ' '), ':', ' '), ';', ' '), '(', ' '), ')', ' '), '/', ' '), '-', ' '), '''', ' '), '!', ' '), '?', ' '), '#', ' '), '[', ' '), ']', ' ')), ' ', '","') || ']') AS w
    WHERE length(w.value) >= 3;
INSERT INTO issue_word_counts (word, project_id, tracker_id, status_id, is_private, n)
    SELECT word, project_id, tracker_id, status_id, is_private, COUNT(DISTINCT issue_id)
    FROM issue_subject_words GROUP BY word, project_id, tracker_id, status_id, is_private;
CREATE TRIGGER issue_word_counts_insert AFTER INSERT ON issues BEGIN
    INSERT INTO issue_word_counts (word, project_id, tracker_id, status_id, is_private, n)
        SELECT DISTINCT CASE WHEN length(w.value) > 255 THEN ' ' ELSE w.value END, new.project_id, new.tracker_id, new.status_id,
               new.is_private, 1
        FROM json_each('[' || replace(json_quote(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(new.subject), '"', ' '), '\', ' '), ',', ' '), '.', ' '), ':', ' '), ';', ' '), '(', ' '), ')', ' '), '/', ' '), '-', ' '), '''', ' '), '!', ' '), '?', ' '), '#', ' '), '[', ' '), ']', ' ')), ' ', '","') || ']') AS w
        WHERE length(w.value) >= 3
        ON CONFLICT (word, project_id, tracker_id, status_id, is_private)
        DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_word_counts_delete AFTER DELETE ON issues BEGIN
    UPDATE issue_word_counts SET n = n - 1
        WHERE project_id = old.project_id AND tracker_id = old.tracker_id
        AND status_id = old.status_id AND is_private = old.is_private
        AND word IN (SELECT CASE WHEN length(w.value) > 255 THEN ' ' ELSE w.value END
            FROM json_each('[' || replace(json_quote(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(old.subject), '"', ' '), '\', ' '), ',', ' '), '.', ' '), ':', ' '), ';', ' '), '(', ' '), ')', ' '), '/', ' '), '-', ' '), '''', ' '), '!', ' '), '?', ' '), '#', ' '), '[', ' '), ']', ' ')), ' ', '","') || ']') AS w
            WHERE length(w.value) >= 3);
END;
CREATE TRIGGER issue_word_counts_update AFTER UPDATE OF subject, project_id, tracker_id,
    status_id, is_private ON issues
WHEN old.subject IS NOT new.subject OR old.project_id IS NOT new.project_id
    OR old.tracker_id IS NOT new.tracker_id OR old.status_id IS NOT new.status_id
    OR old.is_private IS NOT new.is_private BEGIN
    UPDATE issue_word_counts SET n = n - 1
        WHERE project_id = old.project_id AND tracker_id = old.tracker_id
        AND status_id = old.status_id AND is_private = old.is_private
        AND word IN (SELECT CASE WHEN length(w.value) > 255 THEN ' ' ELSE w.value END
            FROM json_each('[' || replace(json_quote(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(old.subject), '"', ' '), '\', ' '), ',', ' '), '.', ' '), ':', ' '), ';', ' '), '(', ' '), ')', ' '), '/', ' '), '-', ' '), '''', ' '), '!', ' '), '?', ' '), '#', ' '), '[', ' '), ']', ' ')), ' ', '","') || ']') AS w
            WHERE length(w.value) >= 3);
    INSERT INTO issue_word_counts (word, project_id, tracker_id, status_id, is_private, n)
        SELECT DISTINCT CASE WHEN length(w.value) > 255 THEN ' ' ELSE w.value END, new.project_id, new.tracker_id, new.status_id,
               new.is_private, 1
        FROM json_each('[' || replace(json_quote(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(new.subject), '"', ' '), '\', ' '), ',', ' '), '.', ' '), ':', ' '), ';', ' '), '(', ' '), ')', ' '), '/', ' '), '-', ' '), '''', ' '), '!', ' '), '?', ' '), '#', ' '), '[', ' '), ']', ' ')), ' ', '","') || ']') AS w
        WHERE length(w.value) >= 3
        ON CONFLICT (word, project_id, tracker_id, status_id, is_private)
        DO UPDATE SET n = n + 1;
END;
