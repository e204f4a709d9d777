//! Shared state, router assembly and the server's life cycle.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use crate::domain::settings::Settings;
use crate::http::routes::dispatch;
use crate::store::Db;

pub struct App {
    pub db: Db,
    /// Read at startup; `carmine settings set` takes effect on the next start.
    pub settings: Settings,
    /// Largest request body accepted; larger ones get 413.
    pub max_body: usize,
    /// Report the statements each request ran in `X-Carmine-Queries` (CARMINE_COUNT_QUERIES=1).
    pub count_queries: bool,
}

pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(dispatch).with_state(app)
}

/// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
pub async fn serve(listener: TcpListener, app: Arc<App>) -> anyhow::Result<()> {
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(%addr, "carmine listening");
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("carmine stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
