-- Search (search.md): every searched column in a trigram full-text index, so that a
-- substring of three characters or more (what Redmine's LIKE '%token%' finds) is looked
-- up instead of scanned. SQLite: external-content FTS5 tables kept in step by triggers.

CREATE VIRTUAL TABLE issues_fts USING fts5(subject, description, content='issues', content_rowid='id', tokenize='trigram');
CREATE TRIGGER issues_fts_insert AFTER INSERT ON issues BEGIN
    INSERT INTO issues_fts (rowid, subject, description) VALUES (new.id, new.subject, new.description);
END;
CREATE TRIGGER issues_fts_delete AFTER DELETE ON issues BEGIN
    INSERT INTO issues_fts (issues_fts, rowid, subject, description) VALUES ('delete', old.id, old.subject, old.description);
END;
CREATE TRIGGER issues_fts_update AFTER UPDATE OF subject, description ON issues BEGIN
    INSERT INTO issues_fts (issues_fts, rowid, subject, description) VALUES ('delete', old.id, old.subject, old.description);
    INSERT INTO issues_fts (rowid, subject, description) VALUES (new.id, new.subject, new.description);
END;
INSERT INTO issues_fts (issues_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE journals_fts USING fts5(notes, content='journals', content_rowid='id', tokenize='trigram');
CREATE TRIGGER journals_fts_insert AFTER INSERT ON journals BEGIN
    INSERT INTO journals_fts (rowid, notes) VALUES (new.id, new.notes);
END;
CREATE TRIGGER journals_fts_delete AFTER DELETE ON journals BEGIN
    INSERT INTO journals_fts (journals_fts, rowid, notes) VALUES ('delete', old.id, old.notes);
END;
CREATE TRIGGER journals_fts_update AFTER UPDATE OF notes ON journals BEGIN
    INSERT INTO journals_fts (journals_fts, rowid, notes) VALUES ('delete', old.id, old.notes);
    INSERT INTO journals_fts (rowid, notes) VALUES (new.id, new.notes);
END;
INSERT INTO journals_fts (journals_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE custom_values_fts USING fts5(value, content='custom_values', content_rowid='id', tokenize='trigram');
CREATE TRIGGER custom_values_fts_insert AFTER INSERT ON custom_values BEGIN
    INSERT INTO custom_values_fts (rowid, value) VALUES (new.id, new.value);
END;
CREATE TRIGGER custom_values_fts_delete AFTER DELETE ON custom_values BEGIN
    INSERT INTO custom_values_fts (custom_values_fts, rowid, value) VALUES ('delete', old.id, old.value);
END;
CREATE TRIGGER custom_values_fts_update AFTER UPDATE OF value ON custom_values BEGIN
    INSERT INTO custom_values_fts (custom_values_fts, rowid, value) VALUES ('delete', old.id, old.value);
    INSERT INTO custom_values_fts (rowid, value) VALUES (new.id, new.value);
END;
INSERT INTO custom_values_fts (custom_values_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE attachments_fts USING fts5(filename, description, content='attachments', content_rowid='id', tokenize='trigram');
CREATE TRIGGER attachments_fts_insert AFTER INSERT ON attachments BEGIN
    INSERT INTO attachments_fts (rowid, filename, description) VALUES (new.id, new.filename, new.description);
END;
CREATE TRIGGER attachments_fts_delete AFTER DELETE ON attachments BEGIN
    INSERT INTO attachments_fts (attachments_fts, rowid, filename, description) VALUES ('delete', old.id, old.filename, old.description);
END;
CREATE TRIGGER attachments_fts_update AFTER UPDATE OF filename, description ON attachments BEGIN
    INSERT INTO attachments_fts (attachments_fts, rowid, filename, description) VALUES ('delete', old.id, old.filename, old.description);
    INSERT INTO attachments_fts (rowid, filename, description) VALUES (new.id, new.filename, new.description);
END;
INSERT INTO attachments_fts (attachments_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE news_fts USING fts5(title, summary, description, content='news', content_rowid='id', tokenize='trigram');
CREATE TRIGGER news_fts_insert AFTER INSERT ON news BEGIN
    INSERT INTO news_fts (rowid, title, summary, description) VALUES (new.id, new.title, new.summary, new.description);
END;
CREATE TRIGGER news_fts_delete AFTER DELETE ON news BEGIN
    INSERT INTO news_fts (news_fts, rowid, title, summary, description) VALUES ('delete', old.id, old.title, old.summary, old.description);
END;
CREATE TRIGGER news_fts_update AFTER UPDATE OF title, summary, description ON news BEGIN
    INSERT INTO news_fts (news_fts, rowid, title, summary, description) VALUES ('delete', old.id, old.title, old.summary, old.description);
    INSERT INTO news_fts (rowid, title, summary, description) VALUES (new.id, new.title, new.summary, new.description);
END;
INSERT INTO news_fts (news_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE wiki_pages_fts USING fts5(title, content='wiki_pages', content_rowid='id', tokenize='trigram');
CREATE TRIGGER wiki_pages_fts_insert AFTER INSERT ON wiki_pages BEGIN
    INSERT INTO wiki_pages_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER wiki_pages_fts_delete AFTER DELETE ON wiki_pages BEGIN
    INSERT INTO wiki_pages_fts (wiki_pages_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER wiki_pages_fts_update AFTER UPDATE OF title ON wiki_pages BEGIN
    INSERT INTO wiki_pages_fts (wiki_pages_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO wiki_pages_fts (rowid, title) VALUES (new.id, new.title);
END;
INSERT INTO wiki_pages_fts (wiki_pages_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE wiki_texts_fts USING fts5(text, content='wiki_content_versions', content_rowid='id', tokenize='trigram');
CREATE TRIGGER wiki_texts_fts_insert AFTER INSERT ON wiki_content_versions BEGIN
    INSERT INTO wiki_texts_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER wiki_texts_fts_delete AFTER DELETE ON wiki_content_versions BEGIN
    INSERT INTO wiki_texts_fts (wiki_texts_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER wiki_texts_fts_update AFTER UPDATE OF text ON wiki_content_versions BEGIN
    INSERT INTO wiki_texts_fts (wiki_texts_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO wiki_texts_fts (rowid, text) VALUES (new.id, new.text);
END;
INSERT INTO wiki_texts_fts (wiki_texts_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE projects_fts USING fts5(name, identifier, description, content='projects', content_rowid='id', tokenize='trigram');
CREATE TRIGGER projects_fts_insert AFTER INSERT ON projects BEGIN
    INSERT INTO projects_fts (rowid, name, identifier, description) VALUES (new.id, new.name, new.identifier, new.description);
END;
CREATE TRIGGER projects_fts_delete AFTER DELETE ON projects BEGIN
    INSERT INTO projects_fts (projects_fts, rowid, name, identifier, description) VALUES ('delete', old.id, old.name, old.identifier, old.description);
END;
CREATE TRIGGER projects_fts_update AFTER UPDATE OF name, identifier, description ON projects BEGIN
    INSERT INTO projects_fts (projects_fts, rowid, name, identifier, description) VALUES ('delete', old.id, old.name, old.identifier, old.description);
    INSERT INTO projects_fts (rowid, name, identifier, description) VALUES (new.id, new.name, new.identifier, new.description);
END;
INSERT INTO projects_fts (projects_fts) VALUES ('rebuild');
