-- Attachments (attachments.md §1): a stored file and the object it belongs to. An upload
-- is an attachment without a container yet. Files live in the file store under
-- `disk_directory/disk_filename`; `digest` is the SHA-256 of their bytes.
CREATE TABLE attachments (
    id {ID},
    container_type TEXT,
    container_id BIGINT,
    filename TEXT NOT NULL,
    disk_directory TEXT NOT NULL,
    disk_filename TEXT NOT NULL,
    filesize BIGINT NOT NULL,
    content_type TEXT,
    digest TEXT NOT NULL,
    downloads BIGINT NOT NULL DEFAULT 0,
    author_id BIGINT NOT NULL,
    created_on BIGINT NOT NULL,
    description TEXT
);
CREATE INDEX attachments_container ON attachments (container_type, container_id);
