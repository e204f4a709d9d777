//! The `carmine` command: `serve` and `settings`.

mod api;
mod app;
mod domain;
mod http;
mod import;
mod oauth_cli;
mod render;
mod state;
mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::domain::settings::{Settings, KNOWN};
use crate::store::seed::FirstStart;
use crate::store::Db;

#[derive(Parser)]
#[command(
    name = "carmine",
    version,
    about = "A project tracker server that speaks Redmine's REST API"
)]
struct Cli {
    /// Directory holding the embedded SQLite database and, by default, the attachments
    #[arg(
        long,
        global = true,
        env = "CARMINE_DATA",
        default_value = "./carmine-data"
    )]
    data: PathBuf,
    /// PostgreSQL URL (postgres://…); without it the embedded SQLite database is used
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// SQLite's `synchronous`: `full` makes every answered write survive a power loss;
    /// `normal` is faster but may lose the last writes when the machine loses power
    #[arg(long, global = true, env = "CARMINE_SQLITE_SYNCHRONOUS", default_value = "full",
          value_parser = ["full", "normal"])]
    sqlite_synchronous: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the HTTP server
    Serve {
        /// Address to listen on
        #[arg(long, env = "CARMINE_LISTEN", default_value = "127.0.0.1:3000")]
        listen: String,
        /// Largest request body in bytes; larger ones are answered 413
        #[arg(long, env = "CARMINE_MAX_BODY", default_value_t = 16 * 1024 * 1024)]
        max_body: usize,
        /// Seconds a client has to send a request's headers, and a kept-alive connection
        /// may stay idle; then the connection is closed
        #[arg(long, env = "CARMINE_HEADER_TIMEOUT", default_value_t = 20)]
        header_timeout: u64,
        /// Seconds to read a request's body and answer it; then 408
        #[arg(long, env = "CARMINE_REQUEST_TIMEOUT", default_value_t = 60)]
        request_timeout: u64,
        /// Open connections; further ones wait in the listen queue until one closes
        #[arg(long, env = "CARMINE_MAX_CONNECTIONS", default_value_t = 4096)]
        max_connections: usize,
        /// Where attachments are stored: a directory (default: `files` in the data
        /// directory), `s3://bucket/prefix` (credentials, region and endpoint from the AWS_*
        /// environment; shared by every process), or `memory:` (tests)
        #[arg(long, env = "CARMINE_FILES")]
        files: Option<String>,
    },
    /// Move a whole Redmine 5.0 over: its database and attachment files into a new carmine
    /// database, keeping Redmine's ids, users' passwords and API keys
    Import {
        /// Redmine's database: `sqlite:///path/to/redmine.sqlite3` (or the file's path)
        #[arg(long = "from-redmine")]
        from_redmine: String,
        /// Redmine's `files` directory, which holds the attachments
        #[arg(long)]
        files: Option<PathBuf>,
        /// Where carmine keeps the attachments, as `serve --files`
        #[arg(long, env = "CARMINE_FILES")]
        store: Option<String>,
    },
    /// Read or change administration settings (read by the server at startup)
    Settings {
        #[command(subcommand)]
        action: SettingsAction,
    },
    /// Register and manage OAuth applications
    Oauth {
        #[command(subcommand)]
        action: oauth_cli::OauthAction,
    },
}

#[derive(Subcommand)]
enum SettingsAction {
    /// Print every setting, or one
    Get { name: Option<String> },
    /// Change a setting
    Set { name: String, value: String },
}

fn first_start() -> FirstStart {
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    FirstStart {
        admin_password: from_env("CARMINE_ADMIN_PASSWORD")
            .unwrap_or_else(domain::password::random_password),
        admin_api_key: from_env("CARMINE_ADMIN_API_KEY")
            .unwrap_or_else(domain::password::random_hex40),
    }
}

async fn open(cli: &Cli) -> anyhow::Result<Db> {
    let durable = cli.sqlite_synchronous == "full";
    let db = store::open(cli.database_url.as_deref(), &cli.data, durable).await?;
    let first = first_start();
    if store::migrate(&db, Some(&first)).await? {
        println!("carmine: new database with Redmine's default data.");
        println!("  admin login:    admin");
        println!("  admin password: {}", first.admin_password);
        println!("  admin API key:  {}", first.admin_api_key);
    }
    Ok(db)
}

/// glibc gives each thread that meets contention its own malloc arena, and keeps what
/// it freed there: with SQLite statements running on many runtime threads the resident
/// memory grew to the sum of every thread's peak (139 MB at 1,000,000 issues; 114 MB with
/// two arenas).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn few_malloc_arenas() {
    extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    const M_ARENA_MAX: std::ffi::c_int = -8;
    // SAFETY: a glibc tuning call with a valid parameter, made before any other work
    unsafe {
        mallopt(M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn few_malloc_arenas() {}

fn main() -> anyhow::Result<()> {
    few_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CARMINE_LOG")
                .unwrap_or_else(|_| "carmine=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match &cli.command {
        Command::Serve {
            listen,
            max_body,
            header_timeout,
            request_timeout,
            max_connections,
            files,
        } => {
            let db = open(&cli).await?;
            let settings = Settings::from_stored(&store::settings::all(&db).await?);
            let listener = tokio::net::TcpListener::bind(listen).await?;
            let app = Arc::new(app::App {
                db,
                settings,
                files: store::files::Files::from_setting(files.as_deref(), cli.data.join("files"))?,
                max_body: *max_body,
                upload_idle: Duration::from_secs((*request_timeout).max(1)),
                count_queries: std::env::var("CARMINE_COUNT_QUERIES").is_ok_and(|v| v == "1"),
                replies: Default::default(),
            });
            let limits = app::Limits {
                header_timeout: Duration::from_secs((*header_timeout).max(1)),
                request_timeout: Duration::from_secs((*request_timeout).max(1)),
                max_connections: (*max_connections).max(1),
            };
            app::serve(listener, app, limits).await
        }
        Command::Settings { action } => {
            let db = open(&cli).await?;
            let stored = store::settings::all(&db).await?;
            match action {
                SettingsAction::Get { name } => {
                    for (n, default, help) in KNOWN {
                        if name.as_deref().is_some_and(|x| x != *n) {
                            continue;
                        }
                        let value = stored
                            .iter()
                            .find(|(s, _)| s == n)
                            .map_or(*default, |(_, v)| v.as_str());
                        println!("{n} = {value}\t# {help}");
                    }
                    Ok(())
                }
                SettingsAction::Set { name, value } => {
                    if !Settings::is_known(name) {
                        anyhow::bail!("unknown setting {name}; `carmine settings get` lists them");
                    }
                    store::settings::set(&db, name, value).await?;
                    println!("{name} = {value} (takes effect when the server starts)");
                    Ok(())
                }
            }
        }
        Command::Import {
            from_redmine,
            files,
            store: kept_in,
        } => {
            // no power-loss durability while importing: a failed import is run again
            let db = store::open(cli.database_url.as_deref(), &cli.data, false).await?;
            store::migrate(&db, None).await?;
            let store =
                store::files::Files::from_setting(kept_in.as_deref(), cli.data.join("files"))?;
            let summary = import::run(&db, &store, from_redmine, files.as_deref()).await?;
            println!("{summary}");
            Ok(())
        }
        Command::Oauth { action } => {
            let db = open(&cli).await?;
            oauth_cli::run(&db, action).await
        }
    }
}
