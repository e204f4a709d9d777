-- The values a custom field of format "enumeration" offers (Redmine's
-- custom_field_enumerations); a value holds the enumeration's id.
CREATE TABLE custom_field_enumerations (
    id {ID},
    custom_field_id BIGINT NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    position BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX custom_field_enumerations_field ON custom_field_enumerations (custom_field_id, position);
