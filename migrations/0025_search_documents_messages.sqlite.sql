-- Search (search.md) of documents and forum messages, as migration 14 indexes the other
-- types: trigram FTS5 tables kept in step by triggers.
CREATE VIRTUAL TABLE documents_fts USING fts5(title, description, content='documents', content_rowid='id', tokenize='trigram');
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;
CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, description ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO documents_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
INSERT INTO documents_fts (documents_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE messages_fts USING fts5(subject, content, content='messages', content_rowid='id', tokenize='trigram');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, subject, content) VALUES (new.id, new.subject, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, content) VALUES ('delete', old.id, old.subject, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, content) VALUES ('delete', old.id, old.subject, old.content);
    INSERT INTO messages_fts (rowid, subject, content) VALUES (new.id, new.subject, new.content);
END;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
