//! Search: what the caller may not see is never found (private projects, private issues,
//! private notes, hidden custom fields), the index follows every write, and short tokens
//! still match.

mod common;
use common::*;

async fn ids(s: &Server, query: &str, login: Option<(&str, &str)>) -> Vec<(String, i64)> {
    let mut r = s.get(&format!("/search.json?{query}"));
    if let Some((l, p)) = login {
        r = r.basic(l, p);
    }
    let r = r.send().await;
    assert_eq!(r.status, 200, "{query} {}", r.text);
    r.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["type"].as_str().unwrap().to_owned(),
                x["id"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn hidden_things_are_not_found(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("open", true).await;
    s.create_project("closed", false).await;
    let dev = s.create_user("dev", "dev-pass-123").await;
    let out = s.create_user("out", "out-pass-123").await;
    s.add_member("open", dev, &[5]).await;
    let dev_login = Some(("dev", "dev-pass-123"));
    let out_login = Some(("out", "out-pass-123"));
    let public = s
        .create_issue(json!({"project_id": "open", "subject": "walrus public"}))
        .await;
    let private = s
        .create_issue(
            json!({"project_id": "open", "subject": "walrus private", "is_private": true}),
        )
        .await;
    let secret = s
        .create_issue(json!({"project_id": "closed", "subject": "walrus secret"}))
        .await;
    // a private note is found by who sees private notes only
    let noted = s
        .create_issue(json!({"project_id": "open", "subject": "plain"}))
        .await;
    let r = s
        .put(
            &format!("/issues/{noted}.json"),
            json!({"issue": {"notes": "narwhal sighting", "private_notes": true}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    // a searchable field visible to managers only
    let cf = s
        .create_custom_field(json!({"name": "Code", "customized_type": "issue",
            "field_format": "string", "searchable": true, "visible": false, "role_ids": [3],
            "is_for_all": true, "tracker_ids": [1, 2, 3]}))
        .await;
    let r = s
        .put(
            &format!("/issues/{public}.json"),
            json!({"issue": {"custom_fields": [{"id": cf, "value": "beluga-7"}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);

    let admin = ids(&s, "q=walrus", None).await;
    assert_eq!(admin.len(), 3, "{b:?} {admin:?}");
    let seen = ids(&s, "q=walrus", dev_login).await;
    assert_eq!(seen, [("issue".to_owned(), public)], "{b:?}");
    assert!(!seen.iter().any(|(_, id)| *id == private || *id == secret));
    assert_eq!(ids(&s, "q=walrus", out_login).await.len(), 1);
    assert_eq!(
        ids(&s, "q=walrus&scope=my_projects", out_login).await.len(),
        0
    );
    assert_eq!(
        ids(&s, "q=walrus&scope=my_projects", dev_login).await.len(),
        1
    );
    // types carmine has no records of find nothing, asked alone
    assert!(ids(&s, "q=walrus&documents=1", None).await.is_empty());
    assert_eq!(
        ids(&s, "q=walrus&documents=1&issues=1", None).await.len(),
        3
    );
    assert_eq!(
        ids(&s, "q=narwhal", None).await,
        [("issue".to_owned(), noted)]
    );
    assert!(ids(&s, "q=narwhal", dev_login).await.is_empty(), "{b:?}");
    assert_eq!(
        ids(&s, "q=beluga", None).await,
        [("issue".to_owned(), public)]
    );
    assert!(ids(&s, "q=beluga", dev_login).await.is_empty(), "{b:?}");
    // a private project is not even named
    let r = s
        .get("/projects/closed/search.json?q=walrus")
        .basic("out", "out-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    let _ = out;
}

async fn the_index_follows_writes(b: Backend) {
    let s = Server::start(b).await;
    let idx = s.create_project("idx", true).await;
    let id = s
        .create_issue(json!({"project_id": "idx", "subject": "Ocelot den"}))
        .await;
    assert_eq!(ids(&s, "q=ocelot", None).await.len(), 1);
    let r = s
        .put(
            &format!("/issues/{id}.json"),
            json!({"issue": {"subject": "Lynx den"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert!(ids(&s, "q=ocelot", None).await.is_empty(), "{b:?}");
    assert_eq!(ids(&s, "q=lynx", None).await.len(), 1);
    // two-character tokens and case folding
    assert_eq!(ids(&s, "q=LY", None).await.len(), 1, "{b:?}");
    assert_eq!(ids(&s, "q=yN+de", None).await.len(), 1);
    // a wiki page is found by its current text only
    for text in ["first quagga draft", "final version"] {
        let r = s
            .put(
                "/projects/idx/wiki/Notes.json",
                json!({"wiki_page": {"text": text}}),
            )
            .send()
            .await;
        assert!(r.status == 201 || r.status == 204, "{}", r.text);
    }
    assert!(ids(&s, "q=quagga", None).await.is_empty(), "{b:?}");
    assert_eq!(ids(&s, "q=final", None).await.len(), 1);
    let r = s.delete(&format!("/issues/{id}.json")).send().await;
    assert_eq!(r.status, 204);
    assert!(ids(&s, "q=lynx", None).await.is_empty());
    // subprojects: the project and its descendants
    let r = s
        .post(
            "/projects.json",
            json!({"project": {"name": "Child", "identifier": "idx-child", "parent_id": idx}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    s.create_issue(json!({"project_id": "idx-child", "subject": "okapi"}))
        .await;
    let r = s.get("/projects/idx/search.json?q=okapi").send().await;
    assert_eq!(r.json()["total_count"], json!(0));
    let r = s
        .get("/projects/idx/search.json?q=okapi&scope=subprojects")
        .send()
        .await;
    assert_eq!(r.json()["total_count"], json!(1), "{b:?}");
}

per_backend!(hidden_things_are_not_found, the_index_follows_writes);
