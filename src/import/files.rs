//! Redmine's attachment files, checked against their digests, into carmine's store at
//! the same directory and name (which the attachments' rows keep).

use std::path::Path;

use sha2::Digest;

use super::source::{Cell, Source};
use crate::store::files::Files;

#[derive(Default)]
pub struct Copied {
    pub files: u64,
    pub bytes: u64,
    /// `(attachment id, why)` of each file not copied, or copied with a doubt.
    pub problems: Vec<(i64, String)>,
}

/// A stored name must stay inside the directory it names.
fn safe(part: &str) -> bool {
    !part.split(['/', '\\']).any(|p| p == "..") && !part.starts_with('/')
}

/// Whether the file's bytes give `digest` (None when the digest is of no known kind),
/// and its size; read in pieces, whatever its size.
async fn check(path: &Path, digest: &str) -> std::io::Result<(Option<bool>, u64)> {
    use tokio::io::AsyncReadExt;
    let digest = digest.trim().to_ascii_lowercase();
    let mut sha = sha2::Sha256::new();
    let mut md5 = md5::Md5::new();
    let mut file = tokio::fs::File::open(path).await?;
    let mut buf = vec![0; 256 * 1024];
    let mut size = 0;
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        size += n as u64;
        match digest.len() {
            64 => sha.update(&buf[..n]),
            32 => md5.update(&buf[..n]),
            _ => {}
        }
    }
    let matches = match digest.len() {
        // Redmine 4 and later: SHA-256; earlier: MD5
        64 => Some(hex::encode(sha.finalize()) == digest),
        32 => Some(hex::encode(md5.finalize()) == digest),
        _ => None,
    };
    Ok((matches, size))
}

pub async fn copy(
    source: &Source,
    from: &Path,
    files: &Files,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<Copied> {
    let mut out = Copied::default();
    let columns: Vec<String> = ["id", "disk_directory", "disk_filename", "digest"]
        .map(String::from)
        .to_vec();
    let mut after = 0;
    loop {
        let rows = source
            .rows("attachments", &columns, "id", Some(after), 1000)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last[0].int().unwrap_or(after + 1);
        for row in rows {
            progress(1);
            let [id, dir, name, digest] = <[Cell; 4]>::try_from(row).expect("four columns");
            let id = id.int().unwrap_or_default();
            let dir = dir.into_text().unwrap_or_default();
            let name = name.into_text().unwrap_or_default();
            if name.is_empty() || !safe(&dir) || !safe(&name) {
                out.problems
                    .push((id, format!("its file name {dir:?}/{name:?} is not usable")));
                continue;
            }
            let path = from.join(&dir).join(&name);
            let digest = digest.text().unwrap_or_default().to_owned();
            let (matches, size) = match check(&path, &digest).await {
                Ok(checked) => checked,
                Err(e) => {
                    out.problems.push((id, format!("{}: {e}", path.display())));
                    continue;
                }
            };
            if matches == Some(false) {
                out.problems.push((
                    id,
                    format!(
                        "{} does not match its digest (copied all the same)",
                        path.display()
                    ),
                ));
            }
            files
                .copy_in(&dir, &name, &path)
                .await
                .map_err(|e| anyhow::anyhow!("storing {}: {e}", path.display()))?;
            out.files += 1;
            out.bytes += size;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside() {
        assert!(safe("2024/01") && safe("240108_x.png") && safe(""));
        assert!(!safe("../etc") && !safe("a/../../b") && !safe("/abs"));
    }

    #[tokio::test]
    async fn digests_are_checked_in_pieces() {
        let dir = std::env::temp_dir().join(format!("carmine-digest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        let bytes: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let sha = hex::encode(sha2::Sha256::digest(&bytes));
        assert_eq!(check(&path, &sha).await.unwrap(), (Some(true), 1_000_000));
        assert_eq!(check(&path, &"0".repeat(64)).await.unwrap().0, Some(false));
        let md5 = hex::encode(md5::Md5::digest(&bytes));
        assert_eq!(
            check(&path, &md5.to_uppercase()).await.unwrap().0,
            Some(true)
        );
        assert_eq!(check(&path, "").await.unwrap().0, None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
