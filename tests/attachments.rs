//! Uploads and attachments: the file streamed in and out, the size limit, visibility by
//! container, hostile names, and files going with their issue or page.

mod common;
use common::*;

async fn upload(s: &Server, name: &str, bytes: Vec<u8>) -> Resp {
    s.req(Method::POST, &format!("/uploads.json?filename={name}"))
        .key(ADMIN_KEY)
        .body(Some("application/octet-stream"), bytes)
        .send()
        .await
}

fn token(r: &Resp) -> String {
    r.json()["upload"]["token"].as_str().unwrap().to_owned()
}

async fn streamed_in_and_out(b: Backend) {
    let s = Server::start_with(
        b,
        Options {
            settings: vec![("attachment_max_size", "20480")],
            ..Default::default()
        },
    )
    .await;
    s.create_project("files", true).await;
    // 12 MiB of text, past the JSON body limit: the upload is streamed to the store
    let big: Vec<u8> = (0..12 * 1024 * 1024u32)
        .map(|i| b'a' + (i % 26) as u8)
        .collect();
    let r = upload(&s, "big.txt", big.clone()).await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let tok = token(&r);
    let id = r.json()["upload"]["id"].as_i64().unwrap();
    let issue = s
        .create_issue(json!({"project_id": "files", "subject": "Big", "uploads": [{"token": tok}]}))
        .await;
    let d = s
        .get(&format!("/attachments/download/{id}/big.txt"))
        .send()
        .await;
    assert_eq!(d.status, 200);
    assert_eq!(d.text.len(), big.len());
    assert!(d.text.as_bytes() == big.as_slice());
    assert_eq!(
        d.header("content-length").as_deref(),
        Some(big.len().to_string().as_str())
    );
    // the digest is the token's, and answers 304 to a client that has it
    let etag = d.header("etag").unwrap();
    assert!(etag.contains(tok.split('.').nth(1).unwrap()), "{etag}");
    let again = s
        .get(&format!("/attachments/download/{id}"))
        .header("If-None-Match", &etag)
        .send()
        .await;
    assert_eq!(again.status, 304);
    // past the limit: Redmine's message, nothing kept
    let too_big = vec![b'x'; 21 * 1024 * 1024];
    let r = upload(&s, "huge.bin", too_big).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.json()["errors"],
        json!([
            "This file cannot be uploaded because it exceeds the maximum allowed file size (20 MB)"
        ])
    );
    // deleting the issue removes its file
    let r = s.delete(&format!("/issues/{issue}.json")).send().await;
    assert_eq!(r.status, 204);
    let r = s.get(&format!("/attachments/{id}.json")).send().await;
    assert_eq!(r.status, 404);
}

async fn visibility_follows_the_container(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("secret", false).await;
    s.create_user("out", "out-pass-123").await;
    let r = upload(&s, "plan.txt", b"the plan".to_vec()).await;
    let id = r.json()["upload"]["id"].as_i64().unwrap();
    let tok = token(&r);
    s.create_issue(json!({"project_id": "secret", "subject": "S", "uploads": [{"token": tok}]}))
        .await;
    for path in [
        format!("/attachments/{id}.json"),
        format!("/attachments/download/{id}/plan.txt"),
    ] {
        let r = s.get(&path).basic("out", "out-pass-123").send().await;
        assert_eq!(r.status, 403, "{b:?} {path}");
        let r = s
            .get(&path)
            .anonymous()
            .header("Accept", "application/json")
            .send()
            .await;
        assert_eq!(r.status, 401, "{b:?} {path}");
        let r = s.get(&path).send().await;
        assert_eq!(r.status, 200, "{b:?} {path}");
    }
    // a download is a web action in Redmine: refused with a page to someone signed in,
    // and anyone else without a JSON or XML Accept is sent to sign in
    let path = format!("/attachments/download/{id}/plan.txt");
    let r = s.get(&path).basic("out", "out-pass-123").send().await;
    assert_eq!(
        r.content_type().as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(!r.text.is_empty());
    // (a key that signs nobody in is not repeated in the address to come back to)
    let r = s
        .get(&format!("{path}?a=1&key=not-a-key"))
        .anonymous()
        .send()
        .await;
    assert_eq!(r.status, 302);
    let back: String = format!("{}{path}?a=1", s.base)
        .bytes()
        .map(|c| match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (c as char).to_string()
            }
            _ => format!("%{c:02X}"),
        })
        .collect();
    assert_eq!(
        r.header("location"),
        Some(format!("{}/login?back_url={back}", s.base))
    );
    let r = s
        .get(&format!("/attachments/{id}.json"))
        .anonymous()
        .send()
        .await;
    assert_eq!(r.status, 401, "the API's own action stays 401");
    let r = s
        .delete(&format!("/attachments/{id}.json"))
        .basic("out", "out-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    // a token named twice attaches its file once
    let r = upload(&s, "twice.txt", b"2".to_vec()).await;
    let tok = token(&r);
    let issue = s
        .create_issue(json!({"project_id": "secret", "subject": "T",
            "uploads": [{"token": tok}, {"token": tok}]}))
        .await;
    let shown = s
        .get_json(&format!("/issues/{issue}.json?include=attachments"))
        .await;
    assert_eq!(
        shown["issue"]["attachments"].as_array().unwrap().len(),
        1,
        "{b:?}"
    );
}

async fn hostile_names(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("files", true).await;
    let name = "a%22b%5C%0Ac%3B%20d%C3%A9.txt";
    let r = upload(&s, name, b"x".to_vec()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["upload"]["id"].as_i64().unwrap();
    let meta = s.get_json(&format!("/attachments/{id}.json")).await;
    let stored = meta["attachment"]["filename"].as_str().unwrap().to_owned();
    assert!(
        !stored.contains('"') && !stored.contains('\n'),
        "{stored:?}"
    );
    let url = meta["attachment"]["content_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = url
        .split_once("/attachments/")
        .map(|(_, p)| format!("/attachments/{p}"))
        .unwrap();
    let d = s.get(&path).send().await;
    assert_eq!(d.status, 200, "{b:?} {path}");
    let disposition = d.header("content-disposition").unwrap();
    // one header line, the plain name quoted without quotes inside, the real one encoded
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    assert_eq!(disposition.matches('"').count(), 2, "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    assert_eq!(
        d.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
}

async fn wiki_page_files(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("docs", true).await;
    let r = upload(&s, "diagram.txt", b"boxes".to_vec()).await;
    let (id, tok) = (r.json()["upload"]["id"].as_i64().unwrap(), token(&r));
    let r = s
        .put(
            "/projects/docs/wiki/Page.json",
            json!({"wiki_page": {"text": "t", "uploads": [{"token": tok, "description": "D"}, {"token": "1.dead"}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let page = s
        .get_json("/projects/docs/wiki/Page.json?include=attachments")
        .await;
    assert_eq!(page["wiki_page"]["attachments"][0]["id"], json!(id));
    assert_eq!(
        page["wiki_page"]["attachments"][0]["description"],
        json!("D")
    );
    let r = s.delete("/projects/docs/wiki/Page.json").send().await;
    assert_eq!(r.status, 204);
    let r = s.get(&format!("/attachments/{id}.json")).send().await;
    assert_eq!(r.status, 404);
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([10, 200, 10]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn thumbnails(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("pics", true).await;
    let r = upload(&s, "photo.png", png(300, 200)).await;
    let tok = token(&r);
    let id = r.json()["upload"]["id"].as_i64().unwrap();
    s.create_issue(json!({"project_id": "pics", "subject": "P", "uploads": [{"token": tok}]}))
        .await;
    let meta = s.get_json(&format!("/attachments/{id}.json")).await;
    let url = meta["attachment"]["thumbnail_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        url.ends_with(&format!("/attachments/thumbnail/{id}")),
        "{url}"
    );
    // the default size, then a size rounded up to a multiple of 50
    for (path, dims) in [
        (format!("/attachments/thumbnail/{id}"), (100, 67)),
        (format!("/attachments/thumbnail/{id}/120"), (150, 100)),
        (format!("/attachments/thumbnail/{id}/2000"), (300, 200)),
    ] {
        let t = s.get(&path).send().await;
        assert_eq!(t.status, 200, "{b:?} {path} {}", t.text);
        assert_eq!(t.header("content-type").as_deref(), Some("image/png"));
        assert!(t
            .header("content-disposition")
            .unwrap()
            .starts_with("inline"));
        let img = image::load_from_memory(&t.bytes).unwrap();
        assert_eq!((img.width(), img.height()), dims, "{path}");
        // made once, then read from the store; the client's copy is still good
        let again = s.get(&path).send().await;
        assert_eq!(again.bytes, t.bytes);
        let etag = t.header("etag").unwrap();
        let cached = s.get(&path).header("If-None-Match", &etag).send().await;
        assert_eq!(cached.status, 304);
    }
    // a decompression bomb (a PNG declaring 100,000 x 100,000 pixels) and a text file
    // named like an image: no thumbnail, and the server goes on
    let mut bomb = png(1, 1);
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    for (name, bytes) in [("bomb.png", bomb), ("fake.jpg", b"just text".to_vec())] {
        let r = upload(&s, name, bytes).await;
        let tok = token(&r);
        let id = r.json()["upload"]["id"].as_i64().unwrap();
        s.create_issue(json!({"project_id": "pics", "subject": name, "uploads": [{"token": tok}]}))
            .await;
        let t = s.get(&format!("/attachments/thumbnail/{id}")).send().await;
        assert_eq!(t.status, 404, "{b:?} {name}");
    }
    let r = s.get("/issues.json").send().await;
    assert_eq!(r.status, 200);
    // a small image carrying a script, declared text/html: the thumbnail is the image
    // written anew, typed by what it is; the download is sandboxed
    let mut tricky = png(10, 10);
    tricky.extend_from_slice(b"<script>alert(1)</script>");
    let r = s
        .req(
            Method::POST,
            "/uploads.json?filename=x.png&content_type=text/html",
        )
        .key(ADMIN_KEY)
        .body(Some("application/octet-stream"), tricky)
        .send()
        .await;
    let (id, tok) = (r.json()["upload"]["id"].as_i64().unwrap(), token(&r));
    s.create_issue(json!({"project_id": "pics", "subject": "x", "uploads": [{"token": tok}]}))
        .await;
    let t = s.get(&format!("/attachments/thumbnail/{id}")).send().await;
    assert_eq!(t.status, 200);
    assert_eq!(t.header("content-type").as_deref(), Some("image/png"));
    assert!(!t.text.contains("<script>"), "{b:?}");
    let d = s.get(&format!("/attachments/download/{id}")).send().await;
    assert!(d
        .header("content-security-policy")
        .is_some_and(|c| c.contains("sandbox")));
    // a text file has no thumbnail_url
    let r = upload(&s, "notes.txt", b"n".to_vec()).await;
    let id = r.json()["upload"]["id"].as_i64().unwrap();
    let meta = s.get_json(&format!("/attachments/{id}.json")).await;
    assert!(meta["attachment"].get("thumbnail_url").is_none());
}

async fn extension_rules(b: Backend) {
    let s = Server::start_with(
        b,
        Options {
            settings: vec![("attachment_extensions_denied", "exe, .BAT")],
            ..Default::default()
        },
    )
    .await;
    let r = upload(&s, "setup.Exe", b"MZ".to_vec()).await;
    assert_eq!(r.status, 422, "{b:?} {}", r.text);
    assert_eq!(
        r.json()["errors"],
        json!(["Attachment extension .Exe is not allowed"])
    );
    let r = upload(&s, "notes.txt", b"ok".to_vec()).await;
    assert_eq!(r.status, 201);
    let id = r.json()["upload"]["id"].as_i64().unwrap();
    // renaming to a refused extension is refused too
    let r = s
        .req(Method::PATCH, &format!("/attachments/{id}.json"))
        .key(ADMIN_KEY)
        .json(json!({"attachment": {"filename": "run.bat"}}))
        .send()
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.json()["errors"],
        json!(["Attachment extension .bat is not allowed"])
    );
    let meta = s.get_json(&format!("/attachments/{id}.json")).await;
    assert_eq!(meta["attachment"]["filename"], json!("notes.txt"));
    // nor may an upload be renamed to one while it is attached
    s.create_project("ext", true).await;
    let r = upload(&s, "plain.txt", b"ok".to_vec()).await;
    let tok = token(&r);
    let r = s
        .post(
            "/issues.json",
            json!({"issue": {"project_id": "ext", "subject": "S",
                "uploads": [{"token": tok, "filename": "plain.bat"}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422, "{b:?} {}", r.text);
    assert_eq!(r.json()["errors"], json!(["1 file(s) could not be saved."]));
}

async fn copies_share_files(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("cp", true).await;
    let r = upload(&s, "shared.txt", b"shared bytes".to_vec()).await;
    let tok = token(&r);
    let src = s
        .create_issue(json!({"project_id": "cp", "subject": "Source", "uploads": [{"token": tok}]}))
        .await;
    let files = |j: &Value| j["issue"]["attachments"].as_array().unwrap().clone();
    let plain = s
        .post(
            "/issues.json",
            json!({"issue": {"project_id": "cp", "subject": "Plain copy"}, "copy_from": src}),
        )
        .send()
        .await;
    assert_eq!(plain.status, 201, "{}", plain.text);
    let plain = plain.json()["issue"]["id"].as_i64().unwrap();
    let shown = s
        .get_json(&format!("/issues/{plain}.json?include=attachments"))
        .await;
    assert!(files(&shown).is_empty(), "{b:?}");
    let r = s
        .post(
            "/issues.json?copy_attachments=1",
            json!({"issue": {"project_id": "cp", "subject": "Copy"}, "copy_from": src}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let copy = r.json()["issue"]["id"].as_i64().unwrap();
    let shown = s
        .get_json(&format!("/issues/{copy}.json?include=attachments"))
        .await;
    let copied = files(&shown);
    assert_eq!(copied.len(), 1, "{b:?}");
    assert_eq!(copied[0]["filename"], json!("shared.txt"));
    // the source goes; the copy's file stays
    let r = s.delete(&format!("/issues/{src}.json")).send().await;
    assert_eq!(r.status, 204);
    let id = copied[0]["id"].as_i64().unwrap();
    let d = s.get(&format!("/attachments/download/{id}")).send().await;
    assert_eq!(d.status, 200, "{b:?}");
    assert_eq!(d.text, "shared bytes");
}

per_backend!(
    copies_share_files,
    extension_rules,
    thumbnails,
    streamed_in_and_out,
    visibility_follows_the_container,
    hostile_names,
    wiki_page_files,
);
