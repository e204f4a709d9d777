-- Values of custom fields; a multi-value field has one row per value.
CREATE TABLE custom_values (
    id {ID},
    customized_type TEXT NOT NULL,
    customized_id BIGINT NOT NULL,
    custom_field_id BIGINT NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    value TEXT
);
CREATE INDEX custom_values_customized ON custom_values (customized_type, customized_id);
CREATE INDEX custom_values_field ON custom_values (custom_field_id, value);
