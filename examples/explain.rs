//! Prints SQLite's plan for a statement, with the SQLite carmine is built with, then runs
//! it and prints how long it took and how many rows it gave:
//! `cargo run --release --example explain DB SQL [PARAM…]` (`$1`… bound in order).
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("database file");
    let sql = args.next().expect("statement");
    let params: Vec<rusqlite::types::Value> = args
        .map(|a| match a.parse::<i64>() {
            Ok(n) => rusqlite::types::Value::Integer(n),
            Err(_) => rusqlite::types::Value::Text(a),
        })
        .collect();
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("prepare");
    let rows = stmt
        .query_map(rusqlite::params_from_iter(&params), |r| {
            r.get::<_, String>(3)
        })
        .expect("query");
    for r in rows {
        println!("{}", r.expect("row"));
    }
    let version: String = conn
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .expect("version");
    println!("SQLite {version}");
    let mut stmt = conn.prepare(&sql).expect("prepare");
    for _ in 0..3 {
        let started = Instant::now();
        let n = stmt
            .query_map(rusqlite::params_from_iter(&params), |_| Ok(()))
            .expect("query")
            .count();
        println!(
            "{n} rows in {:.1} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}
