//! Whether anything was committed to the SQLite database since a moment, read without a
//! statement. Every commit, by any connection of any process, rewrites the WAL-index
//! header at the start of the database's `-shm` file (its change counter, frame count,
//! salts and checksums: SQLite's documented WAL file format, "the WAL-index header"). A
//! request that finds the header as it was when something was read knows that nothing
//! was committed since, and may use what it read without asking the database again.
//!
//! The file stays as it is while this process holds a connection (the pool always does):
//! SQLite removes or resets it only for the first or last connection to the database.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering::Acquire};

/// The WAL-index header as one commit left it.
pub type Version = [u32; 12];

/// Two copies of the header (48 bytes each); the writer fills the second, then the first.
const HEADER_WORDS: usize = 12;

pub struct DataVersion {
    map: memmap2::Mmap,
}

impl DataVersion {
    /// The header of the database at `db` (in WAL mode, with its `-shm` file in place).
    pub fn open(db: &Path) -> Option<DataVersion> {
        let mut name = db.as_os_str().to_owned();
        name.push("-shm");
        let file = std::fs::File::open(name).ok()?;
        if file.metadata().ok()?.len() < (2 * HEADER_WORDS * 4) as u64 {
            return None;
        }
        // SAFETY: a read-only shared mapping of the header SQLite keeps; its words are
        // read as atomics because other connections write them concurrently
        let map = unsafe {
            memmap2::MmapOptions::new()
                .len(2 * HEADER_WORDS * 4)
                .map(&file)
        }
        .ok()?;
        let found = DataVersion { map };
        found.now().map(|_| found)
    }

    /// The header now, or None while a writer is rewriting it (the two copies differ) or
    /// before SQLite filled it in.
    pub fn now(&self) -> Option<Version> {
        let words = self.map.as_ptr() as *const AtomicU32;
        let read = |at: usize| -> Version {
            // SAFETY: the mapping holds 2 × 12 aligned words (a page-aligned mapping)
            std::array::from_fn(|i| unsafe { (*words.add(at + i)).load(Acquire) })
        };
        let first = read(0);
        let second = read(HEADER_WORDS);
        // the fourth word holds `isInit` in its first byte
        let initialised = first[3].to_ne_bytes()[0] != 0;
        (first == second && initialised).then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_with_every_commit_and_only_then() {
        let dir = std::env::temp_dir().join(format!("carmine-dv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        let version = DataVersion::open(&path).expect("the header");
        let before = version.now().expect("a version");
        let other = rusqlite::Connection::open(&path).unwrap();
        let _: i64 = other
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version.now(), Some(before), "a read changes nothing");
        other.execute("INSERT INTO t VALUES (1)", []).unwrap();
        let after = version.now().expect("a version");
        assert_ne!(after, before);
        conn.execute("UPDATE t SET x = 2", []).unwrap();
        assert_ne!(version.now().unwrap(), after);
        drop((conn, other));
        std::fs::remove_dir_all(&dir).ok();
    }
}
