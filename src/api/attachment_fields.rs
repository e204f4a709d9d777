//! Attachment-format custom fields (reference-data.md §6.3): what a write's values name,
//! and the files they replace.

use crate::store::reference::CustomField;

/// Removes from the store the files saved values replaced.
pub async fn remove_files(app: &crate::state::App, files: &[(String, String)]) {
    for (dir, name) in files {
        app.files.delete(dir, name).await;
    }
}

/// What attachment fields bring to a write: the values as attachment ids, messages, and
/// the files they replace.
pub struct FileValues {
    pub errors: Vec<String>,
    pub replaced: Vec<(String, String)>,
}

/// Attachment fields (reference-data.md §6.3): a value names an upload by its token, or
/// keeps the file it already has by its id; anything else leaves it blank. Rewrites `sent`
/// to attachment ids, and checks the file's extension against the field's. A field the
/// caller may not set is left alone (its value and file stay; `apply` ignores it too).
pub async fn file_values(
    app: &crate::state::App,
    fields: &[&CustomField],
    body: &serde_json::Value,
    sent: &mut [(i64, Vec<String>)],
    (customized, object): (&str, Option<i64>),
    settable: impl Fn(&CustomField) -> bool,
) -> Result<FileValues, crate::http::ApiError> {
    use crate::domain::attachments as files;
    use crate::domain::custom_fields::{file_refs, FileRef};
    let mut out = FileValues {
        errors: Vec::new(),
        replaced: Vec::new(),
    };
    let file_fields: Vec<&&CustomField> = fields
        .iter()
        .filter(|f| f.field_format == "attachment" && settable(f))
        .collect();
    if file_fields.is_empty() {
        return Ok(out);
    }
    let refs = file_refs(body);
    let current = match object {
        Some(id) => crate::store::attachments::of_custom_values(&app.db, customized, id).await?,
        None => Vec::new(),
    };
    let tokens: Vec<i64> = refs
        .iter()
        .filter_map(|(_, r)| match r {
            FileRef::Token(t) => files::parse_token(t).map(|(id, _)| id),
            _ => None,
        })
        .collect();
    let uploads = crate::store::attachments::find_many(&app.db, &tokens).await?;
    for f in file_fields {
        let given = refs.iter().find(|(id, _)| *id == f.id).map(|(_, r)| r);
        let Some(entry) = sent.iter_mut().find(|(id, _)| *id == f.id) else {
            continue;
        };
        let kept = |id: &str| {
            current
                .iter()
                .find(|(field, a)| *field == f.id && a.id.to_string() == id.trim())
                .map(|(_, a)| a.clone())
        };
        let (file, present) = match given {
            Some(FileRef::Token(t)) => (
                files::parse_token(t).and_then(|(id, digest)| {
                    uploads
                        .iter()
                        .find(|a| a.id == id && a.digest == digest && a.container.is_none())
                        .cloned()
                }),
                true,
            ),
            Some(FileRef::Id(id)) => (kept(id), true),
            Some(FileRef::Nothing) => (None, false),
            None => (entry.1.first().and_then(|v| kept(v)), false),
        };
        let label = crate::domain::custom_fields::humanize(&f.name);
        match &file {
            None if present => out.errors.push(format!("{label} is invalid")),
            Some(a)
                if !f.extensions_allowed.trim().is_empty()
                    && files::extension_error(&a.filename, &f.extensions_allowed, "").is_some() =>
            {
                out.errors.push(format!(
                    "{label} is invalid (Allowed extensions: {})",
                    f.extensions_allowed
                ));
            }
            _ => {}
        }
        let value = file.as_ref().map(|a| a.id.to_string()).unwrap_or_default();
        out.replaced.extend(
            current
                .iter()
                .filter(|(field, a)| *field == f.id && a.id.to_string() != value)
                .map(|(_, a)| (a.disk_directory.clone(), a.disk_filename.clone())),
        );
        entry.1 = vec![value];
    }
    Ok(out)
}
