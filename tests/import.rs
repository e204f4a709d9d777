//! `carmine import` of a real Redmine 5.0.4 database (../shared/redmine-import-fixture):
//! the users sign in as they did, the data answers at Redmine's ids, the summary says what
//! stayed behind, and an import refuses what it must not touch. The fixture's recorded
//! answers are replayed in CI by .ci/import-fixture.

mod common;
use common::*;

use sha2::Digest;

fn fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/redmine-import-fixture")
}

/// `import` from this Redmine database (and files directory).
fn import_args_of(redmine: &std::path::Path, files: Option<&std::path::Path>) -> Vec<String> {
    let mut args = vec![
        "import".into(),
        "--from-redmine".into(),
        redmine.display().to_string(),
    ];
    if let Some(files) = files {
        args.extend(["--files".into(), files.display().to_string()]);
    }
    args
}

fn import_args() -> Vec<String> {
    let f = fixture();
    import_args_of(&f.join("redmine.sqlite3"), Some(&f.join("files")))
}

/// Runs `carmine import` with `args` on this database, which must succeed: its summary.
fn import_ok(data: &std::path::Path, url: Option<&str>, args: &[String]) -> String {
    let out = carmine(data, url).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A copy of the fixture's Redmine database in `data`, changed by `sql`: its path.
fn changed_redmine(data: &std::path::Path, sql: &str) -> std::path::PathBuf {
    let redmine = data.join("redmine.sqlite3");
    std::fs::copy(fixture().join("redmine.sqlite3"), &redmine).unwrap();
    rusqlite::Connection::open(&redmine)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
    redmine
}

async fn imported(b: Backend) -> Server {
    Server::start_with(
        b,
        Options {
            prepare: vec![import_args()],
            ..Default::default()
        },
    )
    .await
}

fn source_db() -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(
        fixture().join("redmine.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap()
}

/// One number the fixture's database answers.
fn source_int(sql: &str) -> i64 {
    source_db().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn manifest() -> Value {
    serde_json::from_slice(&std::fs::read(fixture().join("MANIFEST.json")).unwrap()).unwrap()
}

fn sha256_of(path: &std::path::Path) -> String {
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

async fn users_sign_in_with_their_redmine_password_and_key(b: Backend) {
    let before = sha256_of(&fixture().join("redmine.sqlite3"));
    let s = imported(b).await;
    assert_eq!(
        sha256_of(&fixture().join("redmine.sqlite3")),
        before,
        "the source database must not change"
    );
    let users = manifest()["users"].as_array().unwrap().clone();
    assert!(users.len() >= 10);
    for u in users {
        let login = u["login"].as_str().unwrap();
        let by_key = s
            .get("/users/current.json")
            .anonymous()
            .key(u["api_key"].as_str().unwrap())
            .send()
            .await;
        let by_password = s
            .get("/users/current.json")
            .anonymous()
            .basic(login, u["password"].as_str().unwrap())
            .send()
            .await;
        if u["status"] == "active" {
            for r in [&by_key, &by_password] {
                assert_eq!(r.status, 200, "{login}");
                assert_eq!(r.json()["user"]["id"], u["id"], "{login}");
                assert_eq!(r.json()["user"]["login"], login);
            }
        } else {
            // locked and registered accounts stay shut, as in Redmine
            assert_eq!(by_key.status, 401, "{login}");
            assert_eq!(by_password.status, 401, "{login}");
        }
        let wrong = s
            .get("/users/current.json")
            .anonymous()
            .basic(login, "not-the-password")
            .send()
            .await;
        assert_eq!(wrong.status, 401, "{login}");
    }
}

async fn data_answers_at_redmine_ids(b: Backend) {
    let s = imported(b).await;
    let key = manifest()["users"][0]["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let db = source_db();
    // issues of projects that are not archived, with their own subjects and authors
    let mut stmt = db
        .prepare(
            "SELECT i.id, i.subject, i.author_id FROM issues i JOIN projects p ON p.id = i.project_id \
             WHERE p.status <> 9 ORDER BY i.id DESC LIMIT 25",
        )
        .unwrap();
    let issues: Vec<(i64, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(issues.len(), 25);
    for (id, subject, author) in &issues {
        let r = s.get(&format!("/issues/{id}.json")).key(&key).send().await;
        assert_eq!(r.status, 200, "issue {id}");
        assert_eq!(r.json()["issue"]["subject"], subject.as_str());
        assert_eq!(r.json()["issue"]["author"]["id"], *author);
    }
    // the issue stamps' triggers, set aside for the copy, are back: a kept answer
    // follows a new note
    let (first, _, _) = &issues[0];
    let path = format!("/issues/{first}.json?include=journals");
    s.get(&path).key(&key).send().await;
    let r = s
        .put(
            &format!("/issues/{first}.json"),
            json!({"issue": {"notes": "after the import"}}),
        )
        .key(&key)
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let journals = s.get(&path).key(&key).send().await.json()["issue"]["journals"].clone();
    let last = journals.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["notes"], "after the import", "{b:?}");
    // every attachment of a visible container downloads with the bytes Redmine kept
    let mut stmt = db
        .prepare("SELECT id, digest FROM attachments WHERE container_type = 'Issue' ORDER BY id")
        .unwrap();
    let files: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(files.len() > 20);
    for (id, digest) in &files {
        let r = s
            .get(&format!("/attachments/download/{id}"))
            .key(&key)
            .send()
            .await;
        assert_eq!(r.status, 200, "attachment {id}");
        assert_eq!(&hex::encode(sha2::Sha256::digest(&r.bytes)), digest);
    }
    // what is created next continues after Redmine's ids
    let max = source_int("SELECT MAX(id) FROM issues");
    let r = s
        .post(
            "/issues.json",
            json!({"issue": {"project_id": 1, "subject": "after the import"}}),
        )
        .key(&key)
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.json());
    assert_eq!(r.json()["issue"]["id"], max + 1);
    let r = s
        .post(
            "/projects/alpha/versions.json",
            json!({"version": {"name": "after the import"}}),
        )
        .key(&key)
        .send()
        .await;
    assert_eq!(r.status, 201);
    let max = source_int("SELECT MAX(id) FROM versions");
    assert_eq!(r.json()["version"]["id"], max + 1);
}

async fn summary_lists_what_stayed_behind_and_a_second_import_is_refused(b: Backend) {
    let (data, url) = fresh_database(b);
    let summary = import_ok(&data, url.as_deref(), &import_args());
    for line in [
        "attachment files: 73 copied",
        "settings: 6, not a setting carmine uses (default_projects_tracker_ids,",
        "custom_values: 1479, no value (carmine keeps no row for it)",
        "Columns carmine does not keep: queries.column_names, queries.options",
        "custom field options of Redmine's web pages, not kept: `url_pattern` (External link)",
    ] {
        assert!(summary.contains(line), "{line:?} not in:\n{summary}");
    }
    for (table, rows) in [
        ("issues", "300"),
        ("journals", "944"),
        ("documents", "2"),
        ("boards", "3"),
        ("messages", "6"),
        ("wiki_content_versions", "34"),
    ] {
        let line = summary
            .lines()
            .find(|l| l.starts_with(&format!("{table} ")))
            .unwrap_or_else(|| panic!("no {table} line in:\n{summary}"));
        assert_eq!(
            line.split_whitespace().collect::<Vec<_>>(),
            [table, rows, rows, "0"]
        );
    }
    assert!(!summary.contains("Tables not imported"), "{summary}");
    let again = carmine(&data, url.as_deref())
        .args(import_args())
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds users"));
    let _ = std::fs::remove_dir_all(&data);
}

async fn other_redmine_versions_are_refused_by_name(b: Backend) {
    let (data, url) = fresh_database(b);
    let newer = changed_redmine(
        &data,
        "INSERT INTO schema_migrations (version) VALUES ('20230101000000')",
    );
    let out = carmine(&data, url.as_deref())
        .args(import_args_of(&newer, None))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("schema version 20230101000000") && err.contains("20220224194639"),
        "{err}"
    );
    // nothing was written: the database takes a real import afterwards
    import_ok(&data, url.as_deref(), &import_args());
    let _ = std::fs::remove_dir_all(&data);
}

/// Saved queries exist only in imported data (Redmine's API cannot make them).
async fn saved_queries_answer_as_in_redmine(b: Backend) {
    let s = imported(b).await;
    let recorded: Value = serde_json::from_slice(
        &std::fs::read(fixture().join("golden/issues/list_visibility.json")).unwrap(),
    )
    .unwrap();
    let step = |name: &str| {
        recorded["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()
            .clone()
    };
    let jsmith = manifest()["users"][1]["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    // a query grouped by assignee lists its issues group by group, as Redmine did
    let r = s
        .get("/projects/alpha/issues.json?query_id=10")
        .anonymous()
        .key(&jsmith)
        .send()
        .await;
    assert_eq!(r.status, 200);
    let golden = step("query for Managers as jsmith");
    assert_eq!(ids_in(&r), ids_of(&golden["body"]["issues"]));
    assert_eq!(r.json()["total_count"], golden["body"]["total_count"]);
    // someone else's private query is refused (401 to anonymous), an unknown one not found
    let rreporter = manifest()["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "rreporter")
        .unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = "/projects/alpha/issues.json?query_id=9";
    assert_eq!(
        s.get(path).anonymous().key(&rreporter).send().await.status,
        403
    );
    assert_eq!(s.get(path).anonymous().send().await.status, 401);
    let unknown = "/projects/alpha/issues.json?query_id=999";
    assert_eq!(
        s.get(unknown)
            .anonymous()
            .key(&rreporter)
            .send()
            .await
            .status,
        404
    );
}

/// Project-level activity overrides exist only in imported data (no API makes them):
/// project alpha switched `Design` (8) off for itself.
async fn a_projects_own_activities_apply(b: Backend) {
    let s = imported(b).await;
    let r = s
        .get("/projects.json?include=time_entry_activities")
        .send()
        .await;
    let projects = r.json()["projects"].as_array().unwrap().clone();
    let offered = |id: i64| -> Vec<i64> {
        projects.iter().find(|p| p["id"] == id).unwrap()["time_entry_activities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(offered(1), [9, 10]);
    assert_eq!(offered(2), [8, 9, 10]);
    let one = s
        .get("/projects/1.json?include=time_entry_activities")
        .send()
        .await;
    assert_eq!(
        one.json()["project"]["time_entry_activities"],
        projects[0]["time_entry_activities"]
    );
    let log =
        |project: i64| json!({"time_entry": {"project_id": project, "hours": 1, "activity_id": 8}});
    assert_eq!(
        s.post("/time_entries.json", log(1)).send().await.status,
        422
    );
    assert_eq!(
        s.post("/time_entries.json", log(2)).send().await.status,
        201
    );
}

/// Documents and forum messages have no API, but decide who sees their files, and go
/// with their project.
async fn documents_decide_who_sees_their_files(b: Backend) {
    let s = imported(b).await;
    let path = "/attachments/73.json"; // a document's file in the public project alpha
    let r = s.get(path).anonymous().send().await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["attachment"]["filename"], "export-73.csv");
    // without the documents module nobody sees it, the admin neither (as in Redmine)
    let modules = s
        .get_json("/projects/alpha.json?include=enabled_modules")
        .await;
    let kept: Vec<Value> = modules["project"]["enabled_modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].clone())
        .filter(|n| n != "documents")
        .collect();
    let r = s
        .put(
            "/projects/alpha.json",
            json!({"project": {"enabled_module_names": kept}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(s.get(path).anonymous().send().await.status, 401);
    let jsmith = manifest()["users"][1]["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        s.get(path).anonymous().key(&jsmith).send().await.status,
        403
    );
    assert_eq!(s.get(path).send().await.status, 403);
    // deleting the project takes its documents and their files along
    let r = s.delete("/projects/alpha.json").send().await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(s.get(path).send().await.status, 404);
}

/// The same Redmine, on PostgreSQL with the types Rails gives it there (timestamps,
/// booleans, bytea), imports alike: the MariaDB source is replayed by .ci/import-fixture.
async fn reads_a_redmine_on_postgresql(b: Backend) {
    if !enabled(Backend::Postgres) {
        return;
    }
    let source = new_pg_database();
    let sql = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/import/load_fixture.py"
        ))
        .arg("postgres")
        .arg(fixture().join("redmine.sqlite3"))
        .output()
        .unwrap();
    assert!(sql.status.success());
    psql_run(&source, &sql.stdout);
    let f = fixture();
    let s = Server::start_with(
        b,
        Options {
            // (a URL stands where a path does)
            prepare: vec![import_args_of(
                std::path::Path::new(&source),
                Some(&f.join("files")),
            )],
            ..Default::default()
        },
    )
    .await;
    for u in manifest()["users"].as_array().unwrap() {
        let r = s
            .get("/users/current.json")
            .anonymous()
            .basic(
                u["login"].as_str().unwrap(),
                u["password"].as_str().unwrap(),
            )
            .send()
            .await;
        let expected = if u["status"] == "active" { 200 } else { 401 };
        assert_eq!(r.status, expected, "{}", u["login"]);
    }
    // texts keep their line breaks, times their seconds, wiki versions their text
    let db = source_db();
    let (description, created): (String, String) = db
        .query_row(
            "SELECT description, created_on FROM issues WHERE id = 10",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let issue = s.get_json("/issues/10.json").await;
    assert_eq!(issue["issue"]["description"], description.as_str());
    assert!(description.contains("\r\n"));
    assert_eq!(
        issue["issue"]["created_on"].as_str().unwrap(),
        format!("{}Z", created[..19].replace(' ', "T"))
    );
    let page = s.get_json("/projects/alpha/wiki/FAQ/1.json").await;
    assert_eq!(page["wiki_page"]["version"], 1);
    assert!(!page["wiki_page"]["text"].as_str().unwrap().is_empty());
}

/// What cannot be carried is named in the summary, never a crash or a silent loss: a
/// plugin's table, a custom field of a plugin's format (and its values), a missing file.
async fn what_cannot_be_carried_is_listed(b: Backend) {
    let (data, url) = fresh_database(b);
    let redmine = changed_redmine(
        &data,
        "CREATE TABLE agile_sprints (id INTEGER PRIMARY KEY, name VARCHAR);
         INSERT INTO agile_sprints (name) VALUES ('s1'), ('s2');
         UPDATE custom_fields SET field_format = 'plugin_rating' WHERE id = 3;",
    );
    let files = data.join("redmine-files");
    let db = rusqlite::Connection::open(&redmine).unwrap();
    let values: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM custom_values WHERE custom_field_id = 3 AND value IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(values > 0);
    let (dir, name): (String, String) = db
        .query_row(
            "SELECT disk_directory, disk_filename FROM attachments WHERE id = 5",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(db);
    let copy = std::process::Command::new("cp")
        .args(["-r"])
        .arg(fixture().join("files"))
        .arg(&files)
        .status()
        .unwrap();
    assert!(copy.success());
    std::fs::remove_file(files.join(&dir).join(&name)).unwrap();
    let summary = import_ok(
        &data,
        url.as_deref(),
        &import_args_of(&redmine, Some(&files)),
    );
    for line in [
        "agile_sprints (2 rows): not a Redmine 5.0 table (a plugin's?)".to_owned(),
        "custom_fields: 1, format `plugin_rating` is not one carmine knows (Story points)".into(),
        format!("custom_values: {values}, its custom_field_id 3 is not among the custom_fields imported"),
        "attachment files: 72 copied".into(),
        format!("attachment #5: {}", files.join(&dir).join(&name).display()),
    ] {
        assert!(summary.contains(&line), "{line:?} not in:\n{summary}");
    }
    let _ = std::fs::remove_dir_all(&data);
}

/// Parents that come after their children (in id order, past a slice of rows, or in a
/// damaged nested set) are kept; one that is not there is left out and named; a page
/// whose text has no version row gets one.
async fn parents_after_their_children_are_kept(b: Backend) {
    let (data, url) = fresh_database(b);
    let redmine = changed_redmine(
        &data,
        "-- 6,000 pages, each the child of one 5,500 ids later (in a later slice);
             -- their texts have no version rows
             INSERT INTO wiki_pages (id, wiki_id, title, created_on, protected, parent_id)
             WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 6000)
             SELECT 1000 + k, 1, 'Gen' || k, '2024-05-01 10:00:00', 0,
                    CASE WHEN k <= 500 THEN 1000 + k + 5500 END FROM n;
             INSERT INTO wiki_contents (id, page_id, author_id, text, comments, updated_on, version)
             SELECT id, id, 1, 'Text of ' || title, '', '2024-05-01 10:00:00', 1
             FROM wiki_pages WHERE id > 1000;
             -- a subtask before its parent, and one whose parent is gone
             INSERT INTO issues (id, tracker_id, project_id, subject, status_id, priority_id,
                author_id, lock_version, created_on, updated_on, done_ratio, is_private,
                parent_id, root_id, lft, rgt)
             VALUES (5000, 1, 1, 'Child first', 1, 2, 1, 0, '2024-05-01 10:00:00',
                     '2024-05-01 10:00:00', 0, 0, 5001, 5001, 2, 3),
                    (5001, 1, 1, 'Parent after', 1, 2, 1, 0, '2024-05-01 10:00:00',
                     '2024-05-01 10:00:00', 0, 0, NULL, 5001, 1, 4),
                    (5002, 1, 1, 'Orphan', 1, 2, 1, 0, '2024-05-01 10:00:00',
                     '2024-05-01 10:00:00', 0, 0, 9999, 9999, 1, 2),
                    (5004, 1, 1, 'Alone', 1, 2, 1, 0, '2024-05-01 10:00:00',
                     '2024-05-01 10:00:00', 0, 0, NULL, 5004, 1, 2);
             -- two projects each the other's parent
             UPDATE projects SET parent_id = 7 WHERE id = 5;
             UPDATE projects SET parent_id = 5 WHERE id = 7;
             -- a nested set that puts a subproject before its parent
             UPDATE projects SET lft = 0 WHERE identifier = 'alpha-backend';",
    );
    let summary = import_ok(&data, url.as_deref(), &import_args_of(&redmine, None));
    assert!(
        summary.contains("issues: parent_id names a row that is not there; left empty (#5002"),
        "{summary}"
    );
    assert!(!summary.contains("wiki_pages: parent_id"), "{summary}");
    let s = Server::restart_on(b, data.clone(), url.clone()).await;
    let page = s.get_json("/projects/alpha/wiki/Gen1.json").await;
    assert_eq!(page["wiki_page"]["parent"]["title"], "Gen5501");
    assert_eq!(page["wiki_page"]["text"], "Text of Gen1");
    assert_eq!(page["wiki_page"]["version"], 1);
    let child = s.get_json("/issues/5000.json").await;
    assert_eq!(child["issue"]["parent"]["id"], 5001);
    let orphan = s.get_json("/issues/5002.json").await;
    assert!(orphan["issue"].get("parent").is_none(), "{orphan}");
    // and its place in the tree is its own (sorted by parent, before a later root)
    let sorted = s
        .get("/issues.json?issue_id=5002,5004&sort=parent&status_id=*")
        .send()
        .await;
    assert_eq!(ids_in(&sorted), [5002, 5004]);
    // the loop of parents is broken at its smaller id
    assert!(
        summary.contains("projects whose parents made a loop: made top-level (Beta"),
        "{summary}"
    );
    let beta = s.get_json("/projects/beta.json").await;
    assert!(beta["project"].get("parent").is_none(), "{beta}");
    let parent = s.get_json("/issues/5001.json?include=children").await;
    assert_eq!(parent["issue"]["children"][0]["id"], 5000);
    let backend = s.get_json("/projects/alpha-backend.json").await;
    assert_eq!(backend["project"]["parent"]["id"], 1);
    // alpha-backend's list holds its subproject's issues: the paths run through it
    let in_subtree = source_int("SELECT COUNT(*) FROM issues WHERE project_id IN (2, 3)");
    let listed = s
        .get_json("/issues.json?project_id=alpha-backend&status_id=*&limit=1")
        .await;
    assert_eq!(listed["total_count"], in_subtree);
    let in_alpha = source_int("SELECT COUNT(*) FROM issues WHERE project_id IN (1, 2, 3, 4)");
    let listed = s
        .get_json("/issues.json?project_id=alpha&status_id=*&limit=1")
        .await;
    // (and the four issues added above)
    assert_eq!(listed["total_count"], in_alpha + 4);
}

fn ids_of(issues: &Value) -> Vec<i64> {
    issues
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

per_backend!(
    parents_after_their_children_are_kept,
    what_cannot_be_carried_is_listed,
    reads_a_redmine_on_postgresql,
    documents_decide_who_sees_their_files,
    a_projects_own_activities_apply,
    saved_queries_answer_as_in_redmine,
    users_sign_in_with_their_redmine_password_and_key,
    data_answers_at_redmine_ids,
    summary_lists_what_stayed_behind_and_a_second_import_is_refused,
    other_redmine_versions_are_refused_by_name,
);
