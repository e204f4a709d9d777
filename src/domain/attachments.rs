//! Attachments (attachments.md): file names as Redmine cleans them, content types guessed
//! from the name, upload tokens, and the messages of a rejected file.

/// An attachment: an upload (no container yet) or a file of an issue, a wiki page, a
/// project, a version or a news item.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: i64,
    pub container: Option<(String, i64)>,
    pub filename: String,
    pub disk_directory: String,
    pub disk_filename: String,
    pub filesize: i64,
    pub content_type: Option<String>,
    pub digest: String,
    pub author_id: i64,
    /// Absent when the author no longer exists.
    pub author_name: Option<String>,
    pub created_on: i64,
    pub description: Option<String>,
    pub downloads: i64,
}

/// The version a project file is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileVersion {
    pub id: i64,
    pub name: String,
    pub due_date: Option<String>,
}

/// Redmine's `sanitize_filename`: the part after the last `/` or `\`, with runs of
/// `/ ? % * : | " ' < >` and line breaks replaced by one `_`.
pub fn sanitize_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let mut out = String::with_capacity(base.len());
    let mut in_run = false;
    for c in base.chars() {
        if matches!(
            c,
            '/' | '?' | '%' | '*' | ':' | '|' | '"' | '\'' | '<' | '>' | '\n' | '\r'
        ) {
            if !in_run {
                out.push('_');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out
}

/// Redmine's own types by extension; other extensions are looked up in `mime_types.txt`.
const TYPES: &[(&str, &str)] = &[
    (
        "text/plain",
        "txt,tpl,properties,patch,diff,ini,readme,install,upgrade,sql",
    ),
    ("text/css", "css"),
    ("text/html", "html,htm,xhtml"),
    ("text/jsp", "jsp"),
    ("text/x-c", "c,cpp,cc,h,hh"),
    ("text/x-csharp", "cs"),
    ("text/x-java", "java"),
    ("text/x-html-template", "rhtml"),
    ("text/x-perl", "pl,pm"),
    ("text/x-php", "php,php3,php4,php5"),
    ("text/x-python", "py"),
    ("text/x-ruby", "rb,rbw,ruby,rake,erb"),
    ("text/x-csh", "csh"),
    ("text/x-sh", "sh"),
    ("text/x-textile", "textile"),
    ("text/xml", "xml,xsd,mxml"),
    ("text/yaml", "yml,yaml"),
    ("text/csv", "csv"),
    ("text/x-po", "po"),
    ("image/gif", "gif"),
    ("image/jpeg", "jpg,jpeg,jpe"),
    ("image/png", "png"),
    ("image/tiff", "tiff,tif"),
    ("image/x-ms-bmp", "bmp"),
    ("application/javascript", "js"),
    ("application/pdf", "pdf"),
    ("video/mp4", "mp4"),
    ("video/webm", "webm"),
];

/// The content type of a file name's extension (Redmine's `MimeType.of`); none without a
/// known extension.
pub fn content_type_of(name: &str) -> Option<&'static str> {
    let ext = extension(name)?.to_ascii_lowercase();
    TYPES
        .iter()
        .find(|(_, exts)| exts.split(',').any(|e| e == ext))
        .map(|(t, _)| *t)
        .or_else(|| mime_database(&ext))
}

/// The MIME database Redmine falls back on (mini_mime's), one `extension type` per line.
const MIME_DATABASE: &str = include_str!("mime_types.txt");

fn mime_database(ext: &str) -> Option<&'static str> {
    static TABLE: std::sync::OnceLock<Vec<(&'static str, &'static str)>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        MIME_DATABASE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(' '))
            .collect()
    });
    table
        .binary_search_by(|(e, _)| (*e).cmp(ext))
        .ok()
        .map(|i| table[i].1)
}

/// Ruby's `File.extname` without the dot: none for a leading-dot name or a trailing dot.
fn extension(name: &str) -> Option<&str> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let stem = base.trim_start_matches('.');
    let dot = stem.rfind('.')?;
    let ext = &stem[dot + 1..];
    (!ext.is_empty()).then_some(ext)
}

/// The type a download is served with: the stored one unless blank or
/// `application/octet-stream`, else the name's, else `application/octet-stream`.
pub fn served_type(stored: Option<&str>, filename: &str) -> String {
    match stored.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) if t != "application/octet-stream" => t.to_owned(),
        _ => content_type_of(filename)
            .unwrap_or("application/octet-stream")
            .to_owned(),
    }
}

/// The message of uploads that could not be attached.
pub fn not_saved(count: usize) -> String {
    format!("{count} file(s) could not be saved.")
}

/// An upload token: `<id>.<hex digest>`.
pub fn parse_token(token: &str) -> Option<(i64, &str)> {
    let (id, digest) = token.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let hex = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    };
    if !(digits(id) && hex(digest)) {
        return None;
    }
    Some((id.parse().ok()?, digest))
}

/// Rails' `number_to_human_size` for the size limit message (`5 MB`, `512 KB`).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["Bytes", "KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} {}", if bytes == 1 { "Byte" } else { "Bytes" });
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    // three significant digits, insignificant zeros dropped
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{value:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    format!("{text} {}", UNITS[unit])
}

/// The message of a file past `attachment_max_size` (KiB).
pub fn too_big(max_kib: u64) -> String {
    format!(
        "This file cannot be uploaded because it exceeds the maximum allowed file size ({})",
        human_size(max_kib * 1024)
    )
}

/// The messages of an attachment's editable attributes.
pub fn errors(filename: &str, description: Option<&str>) -> Vec<String> {
    let mut e = Vec::new();
    if filename.trim().is_empty() {
        e.push("File cannot be blank".to_owned());
    } else if filename.chars().count() > 255 {
        e.push("File is too long (maximum is 255 characters)".to_owned());
    }
    if description.is_some_and(|d| d.chars().count() > 255) {
        e.push("Description is too long (maximum is 255 characters)".to_owned());
    }
    e
}

/// Whether an extension (with or without its dot, any case) is in a setting's
/// comma-separated list (leading dots and case ignored).
fn extension_in(extension: &str, list: &str) -> bool {
    let ext = extension.trim_start_matches('.').to_lowercase();
    list.split(',')
        .map(|e| e.trim().trim_start_matches('.').to_lowercase())
        .filter(|e| !e.is_empty())
        .any(|e| e == ext)
}

/// The message of a file name whose extension the settings refuse: in the denied list, or
/// not in a non-empty allowed list (a name without extension is then refused too).
pub fn extension_error(filename: &str, allowed: &str, denied: &str) -> Option<String> {
    let ext = extension(filename)
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let listed = |list: &str| {
        list.split(',')
            .any(|e| !e.trim().trim_start_matches('.').is_empty())
    };
    let refused = (listed(denied) && extension_in(&ext, denied))
        || (listed(allowed) && !extension_in(&ext, allowed));
    refused.then(|| format!("Attachment extension {ext} is not allowed"))
}

/// What may be uploaded: any of these permissions somewhere (attachments.md §2).
pub const UPLOAD_PERMISSIONS: &[&str] = &[
    "add_issues",
    "edit_issues",
    "edit_own_issues",
    "copy_issues",
    "add_issue_notes",
    "manage_news",
    "add_documents",
    "edit_documents",
    "manage_files",
    "edit_wiki_pages",
    "add_messages",
    "edit_messages",
    "edit_own_messages",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_types() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("C:\\docs\\report.txt"), "report.txt");
        assert_eq!(sanitize_filename("weird<name>?*.txt"), "weird_name_.txt");
        assert_eq!(sanitize_filename("résumé final.pdf"), "résumé final.pdf");
        assert_eq!(content_type_of("hello.TXT"), Some("text/plain"));
        assert_eq!(content_type_of("noext"), None);
        assert_eq!(content_type_of(".bashrc"), None);
        assert_eq!(
            content_type_of("setup.exe"),
            Some("application/x-ms-dos-executable")
        );
        assert_eq!(content_type_of("a.wav"), Some("audio/wav"));
        assert_eq!(
            content_type_of("a.123"),
            Some("application/vnd.lotus-1-2-3")
        );
        assert_eq!(content_type_of("a.zzzz"), None);
        assert_eq!(
            served_type(Some("application/octet-stream"), "page.html"),
            "text/html"
        );
        assert_eq!(served_type(None, "README"), "application/octet-stream");
        assert_eq!(parse_token("7.ab12"), Some((7, "ab12")));
        assert_eq!(parse_token("7.AB12"), None);
        assert_eq!(parse_token("x.ab"), None);
        assert_eq!(human_size(5120 * 1024), "5 MB");
        assert_eq!(human_size(512 * 1024), "512 KB");
        assert_eq!(human_size(1536 * 1024), "1.5 MB");
        assert_eq!(human_size(1), "1 Byte");
        assert_eq!(
            extension_error("setup.EXE", "", "exe, .bat"),
            Some("Attachment extension .EXE is not allowed".to_owned())
        );
        assert_eq!(extension_error("a.txt", "", "exe"), None);
        assert_eq!(extension_error("a.txt", ".TXT,pdf", ""), None);
        assert_eq!(
            extension_error("README", "txt", ""),
            Some("Attachment extension  is not allowed".to_owned())
        );
    }
}
