-- The holders of a custom field's value in holder id order: a page of issues in id order
-- filtered on one value walks them (`issue_query::value_driven`). It also serves what
-- the index it replaces, on the field and the value, served.
-- Values of at most 200 characters only: PostgreSQL refuses an index row over a third of
-- a page, so the index on every value made saving a long text value (a log pasted into
-- a long text field) fail. Filters on short values say `length(value) <= 200`, which
-- lets the planner use it.
DROP INDEX custom_values_field;
CREATE INDEX custom_values_by_value ON custom_values (custom_field_id, value, customized_type, customized_id)
    WHERE length(value) <= 200;
-- Every other lookup by field (any value, a pattern, numbers, dates, ids compared as
-- text, a user or version in use) reads this one.
CREATE INDEX custom_values_holders ON custom_values (custom_field_id, customized_type, customized_id);
