//! Slow and idle clients cannot starve the others: headers have a deadline, idle
//! connections are closed, and connections beyond the bound wait without harming the
//! ones being served.

mod common;
use common::*;

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const REQUEST: &[u8] = b"GET /trackers.json HTTP/1.1\r\nHost: carmine\r\n\r\n";

fn addr(s: &Server) -> String {
    s.base.trim_start_matches("http://").to_owned()
}

/// Reads one HTTP answer (headers and a Content-Length body); its status.
async fn read_answer(stream: &mut TcpStream) -> Option<u16> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return head.get(9..12)?.parse().ok();
            }
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Whether the server closes the connection within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(within, stream.read(&mut byte)).await,
        Ok(Ok(0)) | Ok(Err(_))
    )
}

/// 1,000 idle connections and a client trickling its headers a byte a second: a normal
/// request still answers within 100 ms, the trickler is cut off at the header deadline
/// (2 s here) and so are the idle connections.
async fn idle_and_slow_clients(b: Backend) {
    let s = Server::start_with(
        b,
        Options {
            args: vec!["--header-timeout".into(), "2".into()],
            ..Default::default()
        },
    )
    .await;
    let mut idle = Vec::new();
    for _ in 0..1000 {
        idle.push(TcpStream::connect(addr(&s)).await.expect("connect"));
    }
    let slow_addr = addr(&s);
    let slow = tokio::spawn(async move {
        let started = Instant::now();
        let stream = TcpStream::connect(slow_addr).await.expect("connect");
        let (mut read, mut write) = stream.into_split();
        let trickle = async {
            for byte in REQUEST {
                if write.write_all(&[*byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        };
        let mut buf = [0u8; 64];
        tokio::select! {
            _ = trickle => None,
            r = read.read(&mut buf) => match r {
                Ok(0) | Err(_) => Some(started.elapsed()),
                Ok(_) => None,
            },
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    for _ in 0..5 {
        let started = Instant::now();
        let r = s.get("/trackers.json").send().await;
        let took = started.elapsed();
        assert_eq!(r.status, 200);
        assert!(
            took < Duration::from_millis(100),
            "{b:?}: answered in {took:?}"
        );
    }
    let cut = slow
        .await
        .unwrap()
        .expect("the slow client was never disconnected");
    assert!(
        cut >= Duration::from_millis(1500) && cut < Duration::from_secs(6),
        "{b:?}: slow client cut after {cut:?}"
    );
    for stream in idle.iter_mut().take(10) {
        assert!(
            closed_within(stream, Duration::from_secs(3)).await,
            "{b:?}: an idle connection stayed open"
        );
    }
    let r = s.get("/trackers.json").send().await;
    assert_eq!(r.status, 200);
}

/// With room for 20 connections, a 21st waits in the listen queue while the 20 go on
/// being served, and is served as soon as one of them closes.
async fn connection_bound(b: Backend) {
    let s = Server::start_with(
        b,
        Options {
            args: vec!["--max-connections".into(), "20".into()],
            ..Default::default()
        },
    )
    .await;
    // the harness's own client holds one connection from the start-up probe
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut open = Vec::new();
    for _ in 0..19 {
        let mut c = TcpStream::connect(addr(&s)).await.expect("connect");
        c.write_all(REQUEST).await.unwrap();
        assert_eq!(read_answer(&mut c).await, Some(200), "{b:?}");
        open.push(c);
    }
    let mut waiting = TcpStream::connect(addr(&s)).await.expect("connect");
    waiting.write_all(REQUEST).await.unwrap();
    let early = tokio::time::timeout(Duration::from_millis(500), read_answer(&mut waiting)).await;
    assert!(
        early.is_err(),
        "{b:?}: the 21st connection was served beyond the bound"
    );
    for c in open.iter_mut() {
        c.write_all(REQUEST).await.unwrap();
        assert_eq!(
            read_answer(c).await,
            Some(200),
            "{b:?}: a served connection was harmed"
        );
    }
    drop(open.pop());
    let served = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut waiting)).await;
    assert_eq!(
        served.ok().flatten(),
        Some(200),
        "{b:?}: the waiting connection"
    );
}

/// A body trickled slower than the request timeout (1 s here) gets 408 and the server
/// goes on answering.
async fn slow_body(b: Backend) {
    let s = Server::start_with(
        b,
        Options {
            args: vec!["--request-timeout".into(), "1".into()],
            ..Default::default()
        },
    )
    .await;
    let mut c = TcpStream::connect(addr(&s)).await.expect("connect");
    c.write_all(
        b"POST /issues.json HTTP/1.1\r\nHost: carmine\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let status = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut c)).await;
    assert_eq!(status.ok().flatten(), Some(408), "{b:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{b:?}");
    assert_eq!(s.get("/trackers.json").send().await.status, 200);
}

/// An upload may take longer than the request timeout while its body keeps coming; one
/// that stalls is cut off with 408 and leaves nothing behind.
async fn slow_uploads(b: Backend) {
    let s = Server::start_with(
        b,
        Options {
            args: vec!["--request-timeout".into(), "1".into()],
            ..Default::default()
        },
    )
    .await;
    let head = |len: usize| {
        format!(
            "POST /uploads.json?filename=slow.txt HTTP/1.1\r\nHost: carmine\r\n\
             X-Redmine-API-Key: {ADMIN_KEY}\r\nContent-Type: application/octet-stream\r\n\
             Content-Length: {len}\r\nConnection: close\r\n\r\n"
        )
    };
    // 2.5 s of steady 64 KiB/s: past the request timeout, above the minimum rate
    let mut c = TcpStream::connect(addr(&s)).await.expect("connect");
    let chunk = vec![b'a'; 16 * 1024];
    c.write_all(head(chunk.len() * 10).as_bytes())
        .await
        .unwrap();
    for _ in 0..10 {
        c.write_all(&chunk).await.unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let status = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut c)).await;
    assert_eq!(status.ok().flatten(), Some(201), "{b:?}");
    // a body that stops coming
    let mut c = TcpStream::connect(addr(&s)).await.expect("connect");
    c.write_all(head(100_000).as_bytes()).await.unwrap();
    c.write_all(&chunk).await.unwrap();
    let started = Instant::now();
    let status = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut c)).await;
    assert_eq!(status.ok().flatten(), Some(408), "{b:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{b:?}");
    // no partial file is left in the store
    let mut partial = Vec::new();
    let mut dirs = vec![s.data.join("files")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.to_string_lossy().ends_with(".part") {
                partial.push(p);
            }
        }
    }
    assert!(partial.is_empty(), "{partial:?}");
}

per_backend!(
    idle_and_slow_clients,
    connection_bound,
    slow_body,
    slow_uploads
);

/// The server's connections to PostgreSQL cut by the database (as a restart cuts them):
/// the next requests still answer, reads and writes, on new connections.
#[tokio::test]
async fn cut_database_connections_are_replaced() {
    use futures_util::future::join_all;
    if !enabled(Backend::Postgres) {
        return;
    }
    let s = Server::start(Backend::Postgres).await;
    s.create_project("cut", true).await;
    let warm = join_all((0..24).map(|_| s.get("/issues.json").send())).await;
    assert!(warm.iter().all(|r| r.status == 200));
    psql_run(
        s.database_url.as_deref().unwrap(),
        b"SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
          WHERE datname = current_database() AND pid <> pg_backend_pid();",
    );
    let after = join_all((0..24).map(|_| s.get("/issues.json").send())).await;
    for r in &after {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let id = s
        .create_issue(json!({"project_id": "cut", "subject": "after the cut"}))
        .await;
    let shown = s.get(&format!("/issues/{id}.json")).send().await;
    assert_eq!(shown.json()["issue"]["subject"], "after the cut");
}
