//! Wiki pages: versions and the version conflict, renames and redirects, protected pages,
//! deleting with children, the start page, permissions.

mod common;
use common::*;

async fn put(s: &Server, path: &str, body: Value) -> Resp {
    s.put(&format!("/projects/docs/wiki/{path}.json"), body)
        .send()
        .await
}

async fn versions_and_conflicts(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("docs", true).await;
    let r = put(
        &s,
        "Page",
        json!({"wiki_page": {"text": "one", "comments": "c1"}}),
    )
    .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/projects/docs/wiki/Page")
    );
    let r = put(
        &s,
        "Page",
        json!({"wiki_page": {"text": "two", "version": 1}}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    // a stale or future version is a conflict, and nothing is saved
    for stale in [1, 3, 99] {
        let r = put(
            &s,
            "Page",
            json!({"wiki_page": {"text": "lost", "version": stale}}),
        )
        .await;
        assert_eq!(r.status, 409, "{b:?} version {stale}");
        assert_eq!(r.text, "");
    }
    let page = s.get_json("/projects/docs/wiki/Page.json").await;
    assert_eq!(page["wiki_page"]["text"], json!("two"));
    assert_eq!(page["wiki_page"]["version"], json!(2));
    assert_eq!(page["wiki_page"]["comments"], json!(null));
    // the same text again: no new version
    let r = put(
        &s,
        "Page",
        json!({"wiki_page": {"text": "two", "comments": "x"}}),
    )
    .await;
    assert_eq!(r.status, 204);
    let old = s.get_json("/projects/docs/wiki/Page/1.json").await;
    assert_eq!(old["wiki_page"]["text"], json!("one"));
    assert_eq!(old["wiki_page"]["comments"], json!("c1"));
    let r = s.get("/projects/docs/wiki/Page/3.json").send().await;
    assert_eq!(r.status, 404);
    let r = put(&s, "Page", json!({"wiki_page": {"text": ""}})).await;
    assert_eq!(r.json()["errors"], json!(["Text field cannot be blank"]));
    // a page saved without text is listed but not shown until it has some
    let r = put(&s, "Empty", json!({"wiki_page": {"comments": "later"}})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["wiki_page"]["text"], json!(null));
    assert_eq!(r.json()["wiki_page"]["updated_on"], json!(null));
    let r = s.get("/projects/docs/wiki/Empty.json").send().await;
    assert_eq!(r.status, 404);
    let index = s.get_json("/projects/docs/wiki/index.json").await;
    assert_eq!(index["wiki_pages"][0]["title"], json!("Empty"));
    assert_eq!(index["wiki_pages"][0]["version"], json!(null));
    let r = put(&s, "Empty", json!({"wiki_page": {"text": "now"}})).await;
    assert_eq!(r.status, 204);
    let e = s.get_json("/projects/docs/wiki/Empty.json").await;
    assert_eq!(e["wiki_page"]["version"], json!(1));
}

async fn renames_and_redirects(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("docs", true).await;
    put(&s, "Old_name", json!({"wiki_page": {"text": "text"}})).await;
    put(
        &s,
        "Child",
        json!({"wiki_page": {"text": "c", "parent_title": "old name"}}),
    )
    .await;
    let r = put(
        &s,
        "Old_name",
        json!({"wiki_page": {"text": "text", "title": "new name"}}),
    )
    .await;
    assert_eq!(r.status, 204, "{b:?} {}", r.text);
    let r = s.get("/projects/docs/wiki/old_name.json").send().await;
    assert_eq!(r.status, 302);
    assert!(
        r.header("location")
            .unwrap()
            .ends_with("/projects/docs/wiki/New_name"),
        "{:?}",
        r.header("location")
    );
    let child = s.get_json("/projects/docs/wiki/Child.json").await;
    assert_eq!(child["wiki_page"]["parent"]["title"], json!("New_name"));
    // an update through the old title goes to the page
    let r = put(&s, "Old_name", json!({"wiki_page": {"text": "v2"}})).await;
    assert_eq!(r.status, 204);
    let page = s.get_json("/projects/docs/wiki/New_name.json").await;
    assert_eq!(page["wiki_page"]["version"], json!(2));
    // renaming onto another page's title is refused
    let r = put(
        &s,
        "New_name",
        json!({"wiki_page": {"text": "v2", "title": "child"}}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"], json!([]));
    // without a redirect the old title is simply gone
    let r = put(
        &s,
        "Child",
        json!({"wiki_page": {"title": "Kid", "redirect_existing_links": "0"}}),
    )
    .await;
    // an existing page must be given its text
    assert_eq!(r.json()["errors"], json!(["Text field cannot be blank"]));
    let r = put(
        &s,
        "Child",
        json!({"wiki_page": {"text": "c", "title": "Kid", "redirect_existing_links": "0"}}),
    )
    .await;
    assert_eq!(r.status, 204);
    let r = s.get("/projects/docs/wiki/Child.json").send().await;
    assert_eq!(r.status, 404);
    // deleting through an old title only redirects
    let r = s.delete("/projects/docs/wiki/Old_name.json").send().await;
    assert_eq!(r.status, 302);
    let r = s.get("/projects/docs/wiki/New_name.json").send().await;
    assert_eq!(r.status, 200);
}

async fn protected_and_start_pages(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("docs", true).await;
    let dev = s.create_user("dev", "dev-pass-123").await;
    s.add_member("docs", dev, &[4]).await;
    let as_dev = |path: &str, body: Value| {
        s.put(&format!("/projects/docs/wiki/{path}.json"), body)
            .basic("dev", "dev-pass-123")
            .send()
    };
    // the sidebar is created protected: a Developer lacks protect_wiki_pages
    let r = as_dev("Sidebar", json!({"wiki_page": {"text": "menu"}})).await;
    assert_eq!(r.status, 403, "{b:?}");
    let r = put(&s, "Sidebar", json!({"wiki_page": {"text": "menu"}})).await;
    assert_eq!(r.status, 201);
    let r = as_dev("Sidebar", json!({"wiki_page": {"text": "changed"}})).await;
    assert_eq!(r.status, 403);
    let r = s
        .delete("/projects/docs/wiki/Sidebar.json")
        .basic("dev", "dev-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    // the start page moves only with manage_wiki
    let r = as_dev(
        "Home",
        json!({"wiki_page": {"text": "home", "is_start_page": true}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s.get("/projects/docs/wiki.json").send().await;
    assert_eq!(r.status, 404);
    let r = put(
        &s,
        "Home",
        json!({"wiki_page": {"text": "home", "is_start_page": "1"}}),
    )
    .await;
    assert_eq!(r.status, 204);
    let start = s.get_json("/projects/docs/wiki.json").await;
    assert_eq!(start["wiki_page"]["title"], json!("Home"));
}

async fn deleting_with_children(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("docs", true).await;
    for (title, parent) in [
        ("Root", ""),
        ("A", "Root"),
        ("B", "Root"),
        ("B1", "B"),
        ("Other", ""),
    ] {
        let r = put(
            &s,
            title,
            json!({"wiki_page": {"text": title, "parent_title": parent}}),
        )
        .await;
        assert_eq!(r.status, 201, "{b:?} {title}: {}", r.text);
    }
    let other = {
        let index = s.get_json("/projects/docs/wiki/index.json").await;
        assert_eq!(index["wiki_pages"].as_array().unwrap().len(), 5);
        // page ids are not shown: the fifth page created is Other
        5
    };
    let r = s
        .delete("/projects/docs/wiki/Root.json?todo=reassign&reassign_to_id=999")
        .send()
        .await;
    assert_eq!(r.status, 406);
    assert_eq!(r.json(), json!({"status": 406, "error": "Not Acceptable"}));
    let r = s
        .delete(&format!(
            "/projects/docs/wiki/Root.json?todo=reassign&reassign_to_id={other}"
        ))
        .send()
        .await;
    assert_eq!(r.status, 204);
    let a = s.get_json("/projects/docs/wiki/A.json").await;
    assert_eq!(a["wiki_page"]["parent"]["title"], json!("Other"));
    let r = s
        .delete("/projects/docs/wiki/other.json?todo=destroy")
        .send()
        .await;
    assert_eq!(r.status, 204);
    let index = s.get_json("/projects/docs/wiki/index.json").await;
    assert_eq!(index, json!({"wiki_pages": []}), "{b:?}");
}

async fn permissions_and_modules(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("priv", false).await;
    s.create_user("out", "out-pass-123").await;
    let r = s
        .put(
            "/projects/priv/wiki/Secret.json",
            json!({"wiki_page": {"text": "s"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    let r = s
        .get("/projects/priv/wiki/Secret.json")
        .basic("out", "out-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    let r = s
        .get("/projects/priv/wiki/Missing.json")
        .anonymous()
        .send()
        .await;
    assert_eq!(r.status, 401);
    let r = s
        .put(
            "/projects/priv.json",
            json!({"project": {"enabled_module_names": ["issue_tracking"]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    let r = s.get("/projects/priv/wiki/index.json").send().await;
    assert_eq!(r.status, 403);
    // deleting the project takes its wiki with it
    let r = s.delete("/projects/priv.json").send().await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = s.get("/projects/priv/wiki/index.json").send().await;
    assert_eq!(r.status, 404);
}

async fn section_editing(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("docs", true).await;
    let text = "Intro\n\nh1. One\n\nfirst\n\nh1. Two\n\nsecond";
    put(&s, "Page", json!({"wiki_page": {"text": text}})).await;
    let md5 = |t: &str| hex::encode(<md5::Md5 as md5::Digest>::digest(t.as_bytes()));
    // the hash of the section as read: accepted
    let r = put(
        &s,
        "Page",
        json!({"section": 2, "section_hash": md5("h1. Two\n\nsecond"),
            "wiki_page": {"text": "h1. Two\n\nchanged"}}),
    )
    .await;
    assert_eq!(r.status, 204, "{b:?} {}", r.text);
    let page = s.get_json("/projects/docs/wiki/Page.json").await;
    assert_eq!(
        page["wiki_page"]["text"],
        json!("Intro\n\nh1. One\n\nfirst\n\nh1. Two\n\nchanged")
    );
    // the same hash again: the section has changed since
    let r = put(
        &s,
        "Page",
        json!({"section": 2, "section_hash": md5("h1. Two\n\nsecond"),
            "wiki_page": {"text": "h1. Two\n\nlost"}}),
    )
    .await;
    assert_eq!(r.status, 409);
    let page = s.get_json("/projects/docs/wiki/Page.json").await;
    assert_eq!(page["wiki_page"]["version"], json!(2));
}

per_backend!(
    section_editing,
    versions_and_conflicts,
    renames_and_redirects,
    protected_and_start_pages,
    deleting_with_children,
    permissions_and_modules,
);
