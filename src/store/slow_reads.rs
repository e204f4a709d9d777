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
