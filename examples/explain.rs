//! Prints SQLite's plan for a statement (`cargo run --example explain DB SQL`), with the
//! SQLite carmine is built with.
fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("database file");
    let sql = args.next().expect("statement");
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(3))
        .expect("query");
    for r in rows {
        println!("{}", r.expect("row"));
    }
    let version: String = conn
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .expect("version");
    println!("SQLite {version}");
}
