//! Reads that outlast their time in place (`db::IN_PLACE_STEPS`, a count over a large filter)
//! finish here: on a few threads of their own at a lower scheduling priority. However many
//! slow lists run at once, the fast requests keep the cores, and the memory the slow ones
//! hold is bounded by how many threads there are.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// Whether the request of the read running on this slow-read thread still waits for
    /// it: false once that request is gone (its client hung up, it timed out).
    static WANTED: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Whether the read running on this thread was abandoned by its request: SQLite's progress
/// callback then interrupts it, so that reads nobody waits for do not hold the slow-read
/// threads (a client sending slow lists and hanging up would otherwise queue them up).
pub fn abandoned() -> bool {
    WANTED.with(|w| {
        w.borrow()
            .as_ref()
            .is_some_and(|wanted| !wanted.load(Ordering::Relaxed))
    })
}

/// Marks the read unwanted when its request drops the future waiting for it.
struct Waiting(Arc<AtomicBool>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

/// The queue of the slow-read threads, started on first use: one per core (at most four),
/// so slow lists use idle cores without crowding out the rest.
fn queue() -> &'static mpsc::Sender<Job> {
    static QUEUE: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
        for k in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("carmine-slow-read-{k}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let next = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = next else { return };
                        // a panicking read answers its request with an error, not the thread
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a slow-read thread");
            }
        }
        tx
    })
}

/// Runs `f` on a slow-read thread; None when it could not run there. A read whose request
/// is gone before it starts is skipped.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let waiting = Waiting(Arc::new(AtomicBool::new(true)));
    let wanted = waiting.0.clone();
    let job: Job = Box::new(move || {
        if !wanted.load(Ordering::Relaxed) {
            return;
        }
        WANTED.with(|w| *w.borrow_mut() = Some(wanted));
        let done = f();
        WANTED.with(|w| *w.borrow_mut() = None);
        let _ = tx.send(done);
    });
    queue().send(job).ok()?;
    let done = rx.await.ok();
    drop(waiting);
    done
}

/// Nice 10 for the calling thread: a runnable request thread gets about nine times its
/// share of a core. On Linux the nice value belongs to the thread, and `who` 0 is the
/// calling one.
#[cfg(target_os = "linux")]
fn lower_priority() {
    extern "C" {
        fn setpriority(
            which: std::ffi::c_int,
            who: std::ffi::c_uint,
            prio: std::ffi::c_int,
        ) -> std::ffi::c_int;
    }
    const PRIO_PROCESS: std::ffi::c_int = 0;
    // SAFETY: a plain system call on the calling thread with valid arguments
    unsafe {
        setpriority(PRIO_PROCESS, 0, 10);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// The threads are shared: these tests take them one at a time.
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    #[tokio::test]
    async fn a_read_runs_and_answers() {
        let _one = ONE_AT_A_TIME.lock().await;
        assert_eq!(run(|| 6 * 7).await, Some(42));
    }

    #[tokio::test]
    async fn a_running_read_learns_its_request_is_gone() {
        let _one = ONE_AT_A_TIME.lock().await;
        let (seen_tx, seen_rx) = mpsc::channel();
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
        let waiting = run(move || {
            let _ = started_tx.send(());
            let until = Instant::now() + Duration::from_secs(5);
            while !abandoned() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(1));
            }
            let _ = seen_tx.send(abandoned());
        });
        // the request waits until the read has started, then goes away
        tokio::select! {
            _ = waiting => panic!("the read ended before its request left"),
            _ = started_rx => {}
        }
        let seen = seen_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(seen, "the read was not told that its request was gone");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_queued_read_whose_request_is_gone_never_runs() {
        let _one = ONE_AT_A_TIME.lock().await;
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
        // hold every slow-read thread
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let release_rx = Arc::new(Mutex::new(release_rx));
        let mut held = Vec::new();
        let (busy_tx, busy_rx) = mpsc::channel::<()>();
        for _ in 0..threads {
            let (release_rx, busy_tx) = (release_rx.clone(), busy_tx.clone());
            held.push(tokio::spawn(run(move || {
                let _ = busy_tx.send(());
                let _ = release_rx
                    .lock()
                    .unwrap()
                    .recv_timeout(Duration::from_secs(10));
            })));
        }
        for _ in 0..threads {
            busy_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        }
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let gone = tokio::time::timeout(
            Duration::from_millis(20),
            run(move || flag.store(true, Ordering::SeqCst)),
        )
        .await;
        assert!(
            gone.is_err(),
            "the queued read answered while every thread was held"
        );
        for _ in 0..threads {
            release_tx.send(()).unwrap();
        }
        for h in held {
            h.await.unwrap();
        }
        // a read queued after it runs, so the abandoned one had its turn before
        assert_eq!(run(|| 1).await, Some(1));
        assert!(!ran.load(Ordering::SeqCst), "an abandoned read ran");
    }
}
