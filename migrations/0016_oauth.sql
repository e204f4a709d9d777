-- OAuth2 (Redmine 6.1's doorkeeper tables): applications, authorization codes (grants)
-- and access tokens with their refresh tokens. Secrets are stored as argon2 hashes,
-- codes and tokens as SHA-256 hashes; `scopes` are space-separated permission names.
CREATE TABLE oauth_applications (
    id {ID},
    name TEXT NOT NULL,
    uid TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL DEFAULT '',
    confidential BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth_applications_uid ON oauth_applications (uid);
CREATE TABLE oauth_grants (
    id {ID},
    application_id BIGINT NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    code_challenge TEXT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX oauth_grants_code ON oauth_grants (code_hash);
CREATE TABLE oauth_tokens (
    id {ID},
    application_id BIGINT NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the authorization code the token (and the tokens refreshed from it) came from
    grant_id BIGINT,
    token_hash TEXT NOT NULL,
    refresh_hash TEXT,
    scopes TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX oauth_tokens_token ON oauth_tokens (token_hash);
CREATE UNIQUE INDEX oauth_tokens_refresh ON oauth_tokens (refresh_hash);
CREATE INDEX oauth_tokens_user ON oauth_tokens (user_id, application_id);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);
