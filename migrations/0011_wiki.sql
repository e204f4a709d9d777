-- Wikis (wiki.md §1): one per project, created when its wiki module is first enabled and
-- kept when the module is disabled. Pages are unique per wiki ignoring case: `title_key`
-- is the lower-cased title (lookups, uniqueness, the index order).
CREATE TABLE wikis (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    start_page TEXT NOT NULL DEFAULT 'Wiki'
);
CREATE UNIQUE INDEX wikis_project ON wikis (project_id);
CREATE TABLE wiki_pages (
    id {ID},
    wiki_id BIGINT NOT NULL REFERENCES wikis (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    parent_id BIGINT REFERENCES wiki_pages (id) ON DELETE SET NULL,
    protected BOOLEAN NOT NULL DEFAULT FALSE,
    created_on BIGINT NOT NULL
);
CREATE UNIQUE INDEX wiki_pages_title ON wiki_pages (wiki_id, title_key);
CREATE INDEX wiki_pages_parent ON wiki_pages (parent_id);
-- every saved text is a version; the page's current one is its highest
CREATE TABLE wiki_content_versions (
    id {ID},
    page_id BIGINT NOT NULL REFERENCES wiki_pages (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    author_id BIGINT,
    text TEXT,
    comments TEXT,
    updated_on BIGINT NOT NULL
);
CREATE UNIQUE INDEX wiki_content_versions_page ON wiki_content_versions (page_id, version);
-- a page's current version, for lists that must not read every version
CREATE TABLE wiki_contents (
    page_id BIGINT PRIMARY KEY REFERENCES wiki_pages (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    updated_on BIGINT
);
-- old titles of renamed pages
CREATE TABLE wiki_redirects (
    id {ID},
    wiki_id BIGINT NOT NULL REFERENCES wikis (id) ON DELETE CASCADE,
    title_key TEXT NOT NULL,
    redirects_to TEXT NOT NULL,
    redirects_to_wiki_id BIGINT NOT NULL
);
CREATE INDEX wiki_redirects_title ON wiki_redirects (wiki_id, title_key);
-- projects whose wiki module is enabled already have a wiki
INSERT INTO wikis (project_id) SELECT DISTINCT project_id FROM enabled_modules WHERE name = 'wiki';
