-- The holders of a custom field's value in holder id order: a page of issues in id order
-- filtered on one value walks them (`issue_query::value_driven`). It also serves what
-- the index it replaces, on the field and the value, served.
DROP INDEX custom_values_field;
CREATE INDEX custom_values_by_value ON custom_values (custom_field_id, value, customized_type, customized_id);
