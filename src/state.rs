//! What every request shares: the database and the settings read at startup.

use crate::domain::settings::Settings;
use crate::store::Db;

pub struct App {
    pub db: Db,
    /// Read at startup; `carmine settings set` takes effect on the next start.
    pub settings: Settings,
    /// Attachment bytes, under the data directory.
    pub files: crate::store::files::Files,
    /// Largest request body accepted; larger ones get 413.
    pub max_body: usize,
    /// How long an upload's body may stall (and the time after which it must keep a
    /// minimum rate); then 408.
    pub upload_idle: std::time::Duration,
    /// Report the statements each request ran in `X-Carmine-Queries` (CARMINE_COUNT_QUERIES=1).
    pub count_queries: bool,
    /// Answers kept whole while nothing they show has changed.
    pub replies: crate::http::replies::Replies,
}
