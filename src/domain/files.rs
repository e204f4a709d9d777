//! Project files (attachments.md §7): the order `GET /projects/:id/files` lists them in.

use std::cmp::Ordering;

use super::attachments::{Attachment, FileVersion};

/// A key of the `sort` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Filename,
    CreatedOn,
    Size,
    Downloads,
}

/// The `sort` parameter (`filename`, `created_on`, `size`, `downloads`, each with an
/// optional `:desc`, comma-separated); unknown keys are dropped and nothing left means
/// `filename`. At most three keys count, as Redmine keeps.
fn sort_keys(param: Option<&str>) -> Vec<(Key, bool)> {
    let mut keys: Vec<(Key, bool)> = Vec::new();
    for item in param.unwrap_or_default().split(',') {
        let (name, dir) = item.split_once(':').unwrap_or((item, "asc"));
        let key = match name.trim() {
            "filename" => Key::Filename,
            "created_on" => Key::CreatedOn,
            "size" => Key::Size,
            "downloads" => Key::Downloads,
            _ => continue,
        };
        if keys.iter().all(|(k, _)| *k != key) && keys.len() < 3 {
            keys.push((key, dir.trim() == "desc"));
        }
    }
    if keys.is_empty() {
        keys.push((Key::Filename, false));
    }
    keys
}

fn compare(a: &Attachment, b: &Attachment, keys: &[(Key, bool)]) -> Ordering {
    for (key, desc) in keys {
        let o = match key {
            Key::Filename => a.filename.cmp(&b.filename),
            Key::CreatedOn => a.created_on.cmp(&b.created_on),
            Key::Size => a.filesize.cmp(&b.filesize),
            Key::Downloads => a.downloads.cmp(&b.downloads),
        };
        let o = if *desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.id.cmp(&b.id)
}

/// Redmine's version order: dated versions first, by date, then the others; same date or
/// none by name, then id.
pub fn version_order(a: &FileVersion, b: &FileVersion) -> Ordering {
    let by_name = || a.name.cmp(&b.name).then(a.id.cmp(&b.id));
    match (&a.due_date, &b.due_date) {
        (Some(x), Some(y)) => x.cmp(y).then_with(by_name),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => by_name(),
    }
}

/// The project's own files first, then each version's, the last version in Redmine's
/// order first; each group by `sort`.
pub fn order(
    mut files: Vec<(Attachment, Option<FileVersion>)>,
    sort: Option<&str>,
) -> Vec<(Attachment, Option<FileVersion>)> {
    let keys = sort_keys(sort);
    files.sort_by(|(a, va), (b, vb)| {
        let group = match (va, vb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => version_order(y, x),
        };
        group.then_with(|| compare(a, b, &keys))
    });
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(
        id: i64,
        name: &str,
        size: i64,
        version: Option<(i64, &str, Option<&str>)>,
    ) -> (Attachment, Option<FileVersion>) {
        (
            Attachment {
                id,
                container: None,
                filename: name.into(),
                disk_directory: String::new(),
                disk_filename: String::new(),
                filesize: size,
                content_type: None,
                digest: String::new(),
                author_id: 1,
                author_name: None,
                created_on: id,
                description: None,
                downloads: 0,
            },
            version.map(|(id, name, date)| FileVersion {
                id,
                name: name.into(),
                due_date: date.map(str::to_owned),
            }),
        )
    }

    fn ids(files: &[(Attachment, Option<FileVersion>)]) -> Vec<i64> {
        files.iter().map(|(a, _)| a.id).collect()
    }

    #[test]
    fn project_files_then_versions_newest_first() {
        let files = vec![
            file(1, "b.txt", 5, None),
            file(2, "a.txt", 9, None),
            file(3, "z.txt", 1, Some((10, "1.0", Some("2026-01-01")))),
            file(4, "y.txt", 1, Some((11, "2.0", Some("2026-06-01")))),
            file(5, "x.txt", 1, Some((12, "later", None))),
            file(6, "w.txt", 1, Some((13, "beta", None))),
        ];
        assert_eq!(ids(&order(files.clone(), None)), [2, 1, 5, 6, 4, 3]);
        assert_eq!(
            ids(&order(files.clone(), Some("size:desc"))),
            [2, 1, 5, 6, 4, 3]
        );
        assert_eq!(ids(&order(files.clone(), Some("size"))), [1, 2, 5, 6, 4, 3]);
        assert_eq!(
            ids(&order(files, Some("bogus,created_on:desc"))),
            [2, 1, 5, 6, 4, 3]
        );
    }
}
