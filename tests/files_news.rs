//! Project files and news: attaching uploads to a project or a version, the list order,
//! the download counter, news writes and lists, and who sees what.

mod common;
use common::*;

fn names(list: &Value) -> Vec<String> {
    list["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filename"].as_str().unwrap().to_owned())
        .collect()
}

async fn project_files(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("rel", false).await;
    s.create_project("other", false).await;
    let v1 = s.create_version("rel", "1.0").await;
    let foreign = s.create_version("other", "x").await;
    let (a, ta) = s.upload("b.txt", b"bbbb").await;
    let (_, tb) = s.upload("a.txt", b"a").await;
    let (_, tc) = s.upload("notes.txt", b"notes").await;
    for body in [
        json!({"file": {"token": ta, "description": "B"}}),
        json!({"file": {"token": tb}}),
        json!({"file": {"token": tc, "version_id": v1}}),
    ] {
        let r = s.post("/projects/rel/files.json", body).send().await;
        assert_eq!(r.status, 204, "{b:?} {}", r.text);
    }
    let list = s.get_json("/projects/rel/files.json").await;
    assert_eq!(names(&list), ["a.txt", "b.txt", "notes.txt"], "{b:?}");
    assert_eq!(
        list["files"][2]["version"],
        json!({"id": v1, "name": "1.0"})
    );
    assert_eq!(list["files"][0]["description"], json!(""));
    let sorted = s.get_json("/projects/rel/files.json?sort=size:desc").await;
    assert_eq!(names(&sorted), ["b.txt", "a.txt", "notes.txt"]);
    // a download counts, the list shows it
    let r = s.get(&format!("/attachments/download/{a}")).send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text, "bbbb");
    let list = s.get_json("/projects/rel/files.json").await;
    assert_eq!(list["files"][1]["downloads"], json!(1), "{b:?}");
    // a used token, a bad one, another project's version: 404, nothing attached
    let (_, td) = s.upload("d.txt", b"d").await;
    for body in [
        json!({"file": {"token": ta}}),
        json!({"file": {"token": "99.abc"}}),
        json!({"file": {}}),
        json!({"file": {"token": td, "version_id": foreign}}),
    ] {
        let r = s
            .post("/projects/rel/files.json", body.clone())
            .send()
            .await;
        assert_eq!(r.status, 404, "{b:?} {body}");
    }
    assert_eq!(
        names(&s.get_json("/projects/rel/files.json").await).len(),
        3
    );
    // a non-member sees neither the list nor a file; a reporter reads but cannot add
    let out = s.create_user("out", "out-pass-123").await;
    let r = s
        .get("/projects/rel/files.json")
        .basic("out", "out-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    let r = s
        .get(&format!("/attachments/{a}.json"))
        .basic("out", "out-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    s.add_member("rel", out, &[5]).await;
    let r = s
        .get("/projects/rel/files.json")
        .basic("out", "out-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .post("/projects/rel/files.json", json!({"file": {"token": td}}))
        .basic("out", "out-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    let r = s
        .delete(&format!("/attachments/{a}.json"))
        .basic("out", "out-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    // a version with files is in use: 422, as Redmine answers, and its file stays
    let r = s.delete(&format!("/versions/{v1}.json")).send().await;
    assert_eq!(r.status, 422);
    assert_eq!(
        names(&s.get_json("/projects/rel/files.json").await).len(),
        3
    );
}

async fn news_writes(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("newsy", true).await;
    let (att, tok) = s.upload("press.txt", b"press").await;
    let r = s
        .post(
            "/projects/newsy/news.json",
            json!({"news": {"title": "Release", "description": "d", "uploads": [{"token": tok}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{b:?} {}", r.text);
    assert!(r.text.is_empty() && r.header("location").is_none());
    let list = s.get_json("/projects/newsy/news.json").await;
    assert_eq!(list["total_count"], json!(1));
    let id = list["news"][0]["id"].as_i64().unwrap();
    assert_eq!(list["news"][0]["summary"], json!(""));
    let shown = s
        .get_json(&format!("/news/{id}.json?include=attachments,comments"))
        .await;
    assert!(shown["news"].get("summary").is_none());
    assert_eq!(shown["news"]["attachments"][0]["id"], json!(att));
    assert_eq!(shown["news"]["comments"], json!([]));
    // invalid writes change nothing
    let r = s
        .put(
            &format!("/news/{id}.json"),
            json!({"news": {"title": "t".repeat(61), "description": ""}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["errors"],
        json!([
            "Description cannot be blank",
            "Title is too long (maximum is 60 characters)"
        ])
    );
    let r = s
        .put(
            &format!("/news/{id}.json"),
            json!({"news": {"title": "New"}, "attachments": [{"token": "5.dead"}]}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"], json!(["1 file(s) could not be saved."]));
    assert_eq!(
        s.get_json(&format!("/news/{id}.json")).await["news"]["title"],
        json!("Release")
    );
    let r = s
        .put(
            &format!("/news/{id}.json"),
            json!({"news": {"summary": "S"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        s.get_json(&format!("/news/{id}.json")).await["news"]["summary"],
        json!("S")
    );
    // a reporter reads news but does not manage them
    let rep = s.create_user("rep", "rep-pass-123").await;
    s.add_member("newsy", rep, &[5]).await;
    let r = s
        .delete(&format!("/news/{id}.json"))
        .basic("rep", "rep-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    let r = s
        .post(
            "/projects/newsy/news.json",
            json!({"news": {"title": "x", "description": "y"}}),
        )
        .basic("rep", "rep-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    let r = s.delete(&format!("/news/{id}.json")).send().await;
    assert_eq!(r.status, 204);
    let r = s.get(&format!("/attachments/{att}.json")).send().await;
    assert_eq!(r.status, 404);
    let r = s.get(&format!("/news/{id}.json")).send().await;
    assert_eq!(r.status, 404);
}

async fn news_visibility(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("open", true).await;
    s.create_project("closed", false).await;
    for p in ["open", "closed"] {
        let r = s
            .post(
                &format!("/projects/{p}/news.json"),
                json!({"news": {"title": p, "description": "d"}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 204);
    }
    let titles = |v: &Value| -> Vec<String> {
        v["news"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        titles(&s.get_json("/news.json").await),
        ["closed", "open"],
        "{b:?}"
    );
    let anon = s.get("/news.json").anonymous().send().await;
    assert_eq!(anon.status, 200);
    assert_eq!(titles(&anon.json()), ["open"]);
    assert_eq!(anon.json()["total_count"], json!(1));
    let hidden = s.get_json("/projects/closed/news.json").await["news"][0]["id"]
        .as_i64()
        .unwrap();
    let r = s
        .get(&format!("/news/{hidden}.json"))
        .anonymous()
        .send()
        .await;
    assert_eq!(r.status, 401);
    let r = s
        .get("/news.json?project_id=closed")
        .anonymous()
        .send()
        .await;
    assert_eq!(r.status, 401);
    // with the news module off everywhere public, the anonymous user may not list news
    let r = s
        .put(
            "/projects/open.json",
            json!({"project": {"enabled_module_names": ["issue_tracking"]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    let r = s.get("/news.json").anonymous().send().await;
    assert_eq!(r.status, 401, "{b:?} {}", r.text);
    // a deleted author's news stay, signed by the anonymous user
    let w = s.create_user("writer", "writer-pass-123").await;
    s.add_member("closed", w, &[3]).await;
    let r = s
        .post(
            "/projects/closed/news.json",
            json!({"news": {"title": "by writer", "description": "d"}}),
        )
        .basic("writer", "writer-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 204);
    let r = s.delete(&format!("/users/{w}.json")).send().await;
    assert_eq!(r.status, 204);
    let list = s.get_json("/projects/closed/news.json").await;
    assert_eq!(
        list["news"][0]["author"]["name"],
        json!("Anonymous"),
        "{b:?}"
    );
}

per_backend!(project_files, news_writes, news_visibility);
