-- Which trackers an issue custom field applies to, and which roles may see it when it is
-- not visible to all.
CREATE TABLE custom_fields_trackers (
    custom_field_id BIGINT NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    tracker_id BIGINT NOT NULL REFERENCES trackers (id) ON DELETE CASCADE,
    PRIMARY KEY (custom_field_id, tracker_id)
);

CREATE TABLE custom_fields_roles (
    custom_field_id BIGINT NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    role_id BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (custom_field_id, role_id)
);
