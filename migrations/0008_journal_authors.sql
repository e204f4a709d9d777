-- A request finds the journals its user just wrote (to watch those issues), and a
-- deleted user's journals pass to the anonymous user: both look journals up by user.
CREATE INDEX journals_user ON journals (user_id, created_on);
