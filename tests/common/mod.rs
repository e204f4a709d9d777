//! Black-box harness: starts the real `carmine` binary on a free port with a fresh data
//! directory, on SQLite and, when PostgreSQL's binaries are installed, on a throwaway
//! PostgreSQL cluster this process starts itself (and stops when it exits).

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use reqwest::Method;
pub use serde_json::{json, Value};

pub const ADMIN_KEY: &str = "0123456789abcdef0123456789abcdef01234567";
pub const ADMIN_PASSWORD: &str = "admin-ref-pass1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends to test: SQLite always, PostgreSQL when its binaries are here. Setting
/// CARMINE_TEST_REQUIRE_PG=1 (as CI does) turns a missing PostgreSQL into a failure.
/// CARMINE_TEST_BACKENDS=sqlite or =postgres narrows the run to one of them.
pub fn backends() -> Vec<Backend> {
    let only = std::env::var("CARMINE_TEST_BACKENDS").unwrap_or_default();
    let mut b = Vec::new();
    if only != "postgres" {
        b.push(Backend::Sqlite);
    }
    if only == "sqlite" {
        return b;
    }
    if pg_bin().is_some() {
        b.push(Backend::Postgres);
    } else if std::env::var("CARMINE_TEST_REQUIRE_PG").is_ok_and(|v| v == "1") {
        panic!("PostgreSQL binaries not found but CARMINE_TEST_REQUIRE_PG=1");
    }
    b
}

/// Whether this backend is tested in this run (see `backends`).
pub fn enabled(b: Backend) -> bool {
    backends().contains(&b)
}

/// Declares one test per backend for `async fn NAME(b: Backend)`, as `NAME::sqlite` and
/// `NAME::postgres`, so both run (in parallel) and a failure names its backend.
#[macro_export]
macro_rules! per_backend {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                if $crate::common::enabled($crate::common::Backend::Sqlite) {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            }
            #[tokio::test]
            async fn postgres() {
                if $crate::common::enabled($crate::common::Backend::Postgres) {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        }
    )+};
}

fn pg_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL binary, as the `postgres` user when we are root (it refuses root).
fn pg_command(bin: &Path, tool: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    }
}

struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DB_COUNTER: AtomicUsize = AtomicUsize::new(0);

extern "C" {
    fn atexit(cb: extern "C" fn()) -> i32;
}

extern "C" fn stop_cluster() {
    if let Some(c) = CLUSTER.get() {
        let _ = pg_command(&c.bin, "pg_ctl")
            .arg("-D")
            .arg(c.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&c.dir);
    }
}

fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| {
        let bin = pg_bin().expect("PostgreSQL binaries");
        let dir = std::env::temp_dir().join(format!(
            "carmine-test-pg-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&dir)
                .status()
                .unwrap();
        }
        let ok = pg_command(&bin, "initdb")
            .arg("-D")
            .arg(dir.join("data"))
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "initdb failed");
        let port = free_port();
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        let ok = pg_command(&bin, "pg_ctl")
            .arg("-D")
            .arg(dir.join("data"))
            .args(["-o", &opts, "-l"])
            .arg(dir.join("log"))
            .args(["-w", "start"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "pg_ctl start failed");
        unsafe {
            atexit(stop_cluster);
        }
        Cluster { bin, dir, port }
    })
}

/// Runs SQL from `input` in a PostgreSQL database of the tests' cluster (its URL).
pub fn psql_run(url: &str, input: &[u8]) {
    use std::io::Write;
    let mut child = Command::new(cluster().bin.join("psql"))
        .args([url, "-q", "-v", "ON_ERROR_STOP=1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    assert!(child.wait().unwrap().success(), "psql failed");
}

/// A new, empty PostgreSQL database in the tests' cluster: its URL.
pub fn new_pg_database() -> String {
    create_database()
}

fn create_database() -> String {
    let c = cluster();
    let name = format!(
        "carmine_{}_{}",
        std::process::id(),
        DB_COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let ok = Command::new(c.bin.join("psql"))
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &c.port.to_string(),
            "-U",
            "postgres",
            "-q",
            "-c",
        ])
        .arg(format!("CREATE DATABASE {name}"))
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "CREATE DATABASE failed");
    format!("postgres://postgres@127.0.0.1:{}/{name}", c.port)
}

/// A `carmine` command on this data directory and database, with the tests' admin.
pub fn carmine(data: &Path, database_url: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_carmine"));
    c.env("CARMINE_DATA", data)
        .env("CARMINE_ADMIN_API_KEY", ADMIN_KEY)
        .env("CARMINE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("RUST_BACKTRACE", "0")
        .env_remove("DATABASE_URL");
    if let Some(url) = database_url {
        c.env("DATABASE_URL", url);
    }
    c
}

/// A fresh database for `backend`: a new data directory and, on PostgreSQL, a new
/// database in the tests' cluster.
pub fn fresh_database(backend: Backend) -> (PathBuf, Option<String>) {
    let data = std::env::temp_dir().join(format!(
        "carmine-test-{}-{}",
        std::process::id(),
        DB_COUNTER.fetch_add(1, Ordering::SeqCst) + free_port() as usize * 1000
    ));
    std::fs::create_dir_all(&data).unwrap();
    let url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(create_database()),
    };
    (data, url)
}

/// A running carmine; killed when dropped.
pub struct Server {
    pub backend: Backend,
    pub base: String,
    pub data: PathBuf,
    pub database_url: Option<String>,
    child: Mutex<Child>,
    client: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(mut c) = self.child.lock() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

#[derive(Default)]
pub struct Options {
    pub settings: Vec<(&'static str, &'static str)>,
    /// Extra arguments of `carmine serve`.
    pub args: Vec<String>,
    /// `carmine` commands run (and required to succeed) before it serves, on its data.
    pub prepare: Vec<Vec<String>>,
}

impl Server {
    pub async fn start(backend: Backend) -> Server {
        Server::start_with(backend, Options::default()).await
    }

    /// A server with one setting changed from its default.
    pub async fn with_setting(backend: Backend, name: &'static str, value: &'static str) -> Server {
        Server::start_with(
            backend,
            Options {
                settings: vec![(name, value)],
                ..Default::default()
            },
        )
        .await
    }

    pub async fn start_with(backend: Backend, opts: Options) -> Server {
        let (data, database_url) = fresh_database(backend);
        for args in &opts.prepare {
            let out = carmine(&data, database_url.as_deref())
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "carmine {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Server::launch(backend, data, database_url, &opts.settings, &opts.args).await
    }

    /// A server on a data directory and database prepared beforehand.
    pub async fn restart_on(
        backend: Backend,
        data: PathBuf,
        database_url: Option<String>,
    ) -> Server {
        Server::launch(backend, data, database_url, &[], &[]).await
    }

    /// Another server on the same data directory or database (after `terminate`).
    pub async fn restart(old: &Server) -> Server {
        Server::launch(
            old.backend,
            old.data.clone(),
            old.database_url.clone(),
            &[],
            &[],
        )
        .await
    }

    async fn launch(
        backend: Backend,
        data: PathBuf,
        database_url: Option<String>,
        settings: &[(&'static str, &'static str)],
        args: &[String],
    ) -> Server {
        let carmine = env!("CARGO_BIN_EXE_carmine");
        let env = |c: &mut Command| {
            c.env("CARMINE_DATA", &data)
                .env("CARMINE_COUNT_QUERIES", "1")
                .env("CARMINE_ADMIN_API_KEY", ADMIN_KEY)
                .env("CARMINE_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .env_remove("DATABASE_URL");
            if let Some(url) = &database_url {
                c.env("DATABASE_URL", url);
            }
        };
        for (name, value) in settings {
            let mut c = Command::new(carmine);
            env(&mut c);
            let ok = c
                .args(["settings", "set", name, value])
                .stdout(Stdio::null())
                .status()
                .unwrap()
                .success();
            assert!(ok, "settings set failed");
        }
        let port = free_port();
        let mut c = Command::new(carmine);
        env(&mut c);
        let child = c
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--max-body", "1048576"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn carmine");
        let server = Server {
            backend,
            base: format!("http://127.0.0.1:{port}"),
            data,
            database_url,
            child: Mutex::new(child),
            // a kept-alive connection is dropped before the server would drop it (its
            // header timeout, 20 s): one reused as the server closes it fails the request
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_idle_timeout(Duration::from_secs(5))
                .build()
                .unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if server.client.get(&server.base).send().await.is_ok() {
                break;
            }
            if let Ok(Some(status)) = server.child.lock().unwrap().try_wait() {
                panic!("carmine exited early: {status}");
            }
            assert!(Instant::now() < deadline, "carmine did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server
    }

    /// Sends SIGTERM and waits for the process: the exit status it ended with.
    pub fn terminate(&self) -> std::process::ExitStatus {
        let mut child = self.child.lock().unwrap();
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "carmine did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn req(&self, method: Method, path: &str) -> Req<'_> {
        Req {
            server: self,
            builder: self
                .client
                .request(method, format!("{}{}", self.base, path)),
        }
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        self.req(Method::GET, path).key(ADMIN_KEY)
    }

    pub fn post(&self, path: &str, body: Value) -> Req<'_> {
        self.req(Method::POST, path).key(ADMIN_KEY).json(body)
    }

    pub fn put(&self, path: &str, body: Value) -> Req<'_> {
        self.req(Method::PUT, path).key(ADMIN_KEY).json(body)
    }

    pub fn delete(&self, path: &str) -> Req<'_> {
        self.req(Method::DELETE, path).key(ADMIN_KEY)
    }

    /// Creates a user through the API and returns its id.
    pub async fn create_user(&self, login: &str, password: &str) -> i64 {
        let r = self
            .post(
                "/users.json",
                json!({"user": {"login": login, "firstname": "F", "lastname": "L",
                       "mail": format!("{login}@example.net"), "password": password}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["user"]["id"].as_i64().unwrap()
    }

    /// Creates a project (`identifier` is also its name); returns its id.
    pub async fn create_project(&self, identifier: &str, public: bool) -> i64 {
        let r = self
            .post(
                "/projects.json",
                json!({"project": {"name": identifier, "identifier": identifier, "is_public": public}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["project"]["id"].as_i64().unwrap()
    }

    /// Makes a user a member of a project with these roles.
    pub async fn add_member(&self, project: &str, user: i64, roles: &[i64]) {
        let r = self
            .post(
                &format!("/projects/{project}/memberships.json"),
                json!({"membership": {"user_id": user, "role_ids": roles}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }

    /// The ids of the issues an admin's list with these parameters answers, sorted by id.
    pub async fn issue_ids(&self, query: &str) -> Vec<i64> {
        let r = self
            .get(&format!("/issues.json?sort=id&{query}"))
            .send()
            .await;
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        ids_in(&r)
    }

    /// GET as the admin, the body as JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        self.get(path).send().await.json()
    }

    /// POST /issues/:from/relations as the admin.
    pub async fn relate(&self, from: i64, to: Value, relation_type: &str) -> Resp {
        self.post(
            &format!("/issues/{from}/relations.json"),
            json!({"relation": {"issue_to_id": to, "relation_type": relation_type}}),
        )
        .send()
        .await
    }

    /// Creates a custom field through the admin extension (which must be on); returns its id.
    pub async fn create_custom_field(&self, body: Value) -> i64 {
        let r = self
            .post("/custom_fields.json", json!({ "custom_field": body }))
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["custom_field"]["id"].as_i64().unwrap()
    }

    /// Uploads a file as the admin (`POST /uploads`); returns its id and token.
    pub async fn upload(&self, name: &str, bytes: &[u8]) -> (i64, String) {
        let r = self
            .req(Method::POST, &format!("/uploads.json?filename={name}"))
            .key(ADMIN_KEY)
            .body(Some("application/octet-stream"), bytes.to_vec())
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let j = r.json();
        (
            j["upload"]["id"].as_i64().unwrap(),
            j["upload"]["token"].as_str().unwrap().to_owned(),
        )
    }

    /// Creates a version in a project; returns its id.
    pub async fn create_version(&self, project: &str, name: &str) -> i64 {
        let r = self
            .post(
                &format!("/projects/{project}/versions.json"),
                json!({"version": {"name": name}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["version"]["id"].as_i64().unwrap()
    }

    /// Creates an issue as the admin; returns its id.
    pub async fn create_issue(&self, body: Value) -> i64 {
        let r = self
            .post("/issues.json", json!({ "issue": body }))
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["issue"]["id"].as_i64().unwrap()
    }
}

pub struct Req<'a> {
    server: &'a Server,
    builder: reqwest::RequestBuilder,
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
    pub fn content_type(&self) -> Option<String> {
        self.header("content-type")
    }
}

impl<'a> Req<'a> {
    pub fn key(mut self, key: &str) -> Self {
        self.builder = self.builder.header("X-Redmine-API-Key", key);
        self
    }
    pub fn anonymous(self) -> Self {
        Req {
            server: self.server,
            builder: {
                let r = self.builder.build().unwrap();
                let mut b = self
                    .server
                    .client
                    .request(r.method().clone(), r.url().clone());
                for (k, v) in r.headers() {
                    if k != "x-redmine-api-key" {
                        b = b.header(k, v);
                    }
                }
                if let Some(body) = r.body().and_then(|b| b.as_bytes()) {
                    b = b.body(body.to_vec());
                }
                b
            },
        }
    }
    pub fn basic(self, login: &str, password: &str) -> Self {
        let r = self.anonymous();
        Req {
            server: r.server,
            builder: r.builder.basic_auth(login, Some(password)),
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }
    pub fn json(mut self, body: Value) -> Self {
        self.builder = self.builder.json(&body);
        self
    }
    pub fn body(mut self, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Self {
        if let Some(ct) = content_type {
            self.builder = self.builder.header("Content-Type", ct);
        }
        self.builder = self.builder.body(body.into());
        self
    }
    pub async fn send(self) -> Resp {
        let r = self.builder.send().await.expect("request failed");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Resp {
            status,
            headers,
            text,
            bytes,
        }
    }
}

/// The ids of the issues of a list answer, in its order.
pub fn ids_in(r: &Resp) -> Vec<i64> {
    r.json()["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}
