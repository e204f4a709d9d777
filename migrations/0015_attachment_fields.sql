-- Attachment-format custom fields (reference-data.md §6.3): the extensions their file may
-- have (comma-separated; empty: any). The attachment of such a value has the custom value
-- row as its container ('CustomValue').
ALTER TABLE custom_fields ADD COLUMN extensions_allowed TEXT;
-- a stored file is removed only with the last attachment row that names it
CREATE INDEX attachments_disk_file ON attachments (disk_directory, disk_filename);
