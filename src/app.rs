//! Shared state, router assembly and the server's life cycle.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::timeout::TimeoutLayer;

pub use crate::state::App;

/// How long and how many clients may hold the server: slow or idle clients are cut off
/// so that they cannot exhaust its connections or file descriptors.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to send a request's headers; also how long a kept-alive connection may wait
    /// idle for its next request (hyper starts the clock when it waits for a request).
    pub header_timeout: Duration,
    /// Time to answer a request once its headers are in (body included): 408 after it.
    pub request_timeout: Duration,
    /// Open connections; more wait in the listen queue until one closes.
    pub max_connections: usize,
}

/// The API's router behind the pipeline's `prepare` step, which must run before routing
/// (it takes the format extension off the path and applies method overrides), so it
/// wraps the router as a service; timeouts and logs wrap everything.
pub fn router(app: Arc<App>, limits: Limits) -> Router {
    let flow =
        crate::api::oauth::flow()
            .with_state(app.clone())
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                limits.request_timeout,
            ));
    let api = crate::api::router().with_state(app.clone());
    let prepared = tower_layer::Layer::layer(
        &axum::middleware::from_fn_with_state(app, crate::http::pipeline::prepare),
        api,
    );
    let timed = tower_layer::Layer::layer(
        &TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout),
        prepared.clone(),
    );
    // a streamed upload may take longer than any other request: its handler bounds the
    // time the body may stall and the rate it must keep instead (`store::files`)
    let uploads = tower_layer::Layer::layer(
        &axum::middleware::from_fn_with_state(limits.request_timeout, paced_or_timed),
        prepared,
    );
    Router::new()
        .merge(flow)
        .route_service("/uploads", uploads.clone())
        .route_service("/uploads.json", uploads.clone())
        .route_service("/uploads.xml", uploads)
        .fallback_service(timed)
        .layer(axum::middleware::map_response(log_bounds))
}

/// On the upload paths: a file sent as `application/octet-stream` by POST goes to its paced
/// handler unbounded; anything else sent there is bounded as every request is.
async fn paced_or_timed(
    axum::extract::State(timeout): axum::extract::State<Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let streamed = request.method() == axum::http::Method::POST
        && crate::http::pipeline::media_type(request.headers(), axum::http::header::CONTENT_TYPE)
            .as_deref()
            == Some("application/octet-stream");
    if streamed {
        return next.run(request).await;
    }
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => axum::response::IntoResponse::into_response(StatusCode::REQUEST_TIMEOUT),
    }
}

/// Logs the answers of requests that hit a bound.
async fn log_bounds(response: axum::response::Response) -> axum::response::Response {
    match response.status() {
        StatusCode::REQUEST_TIMEOUT => tracing::warn!("request timed out: 408"),
        StatusCode::PAYLOAD_TOO_LARGE => tracing::warn!("request body too large: 413"),
        _ => {}
    }
    response
}

/// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
pub async fn serve(listener: TcpListener, app: Arc<App>, limits: Limits) -> anyhow::Result<()> {
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(%addr, "carmine listening");
    let router = router(app, limits);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        if slots.available_permits() == 0 {
            tracing::warn!(
                max = limits.max_connections,
                "connection limit reached: new connections wait"
            );
        }
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p?,
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // out of file descriptors or similar: wait instead of spinning
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                if e.is_timeout() {
                    tracing::info!(%peer, "closed a connection that sent no request in time");
                } else {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
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
