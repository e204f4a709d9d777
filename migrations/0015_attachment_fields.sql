-- Attachment-format custom fields (reference-data.md §6.3): the extensions their file may
-- have (comma-separated; empty: any). The attachment of such a value has the custom value
-- row as its container ('CustomValue').
ALTER TABLE custom_fields ADD COLUMN extensions_allowed TEXT;
