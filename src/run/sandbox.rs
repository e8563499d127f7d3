//! Running a child process contained: a fresh directory as working and home directory, an
//! environment of a few fixed variables, `setrlimit` limits (CPU time, address space, file
//! size, processes, open files, no core files), a process group of its own killed whole at
//! the end, on the wall-clock timeout, on too much output or when cancelled. Where the kernel
//! allows it unprivileged: a new user and network namespace (no network at all), and Landlock
//! (no writes outside the directory, no TCP, no signals to processes outside). As root, where
//! `RLIMIT_NPROC` does not hold, a pids cgroup bounds the processes if one can be made.
//! Each of these is detected at run time; [`Contained`] says which held.

use std::ffi::{CString, OsString};
use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The limits of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time before the process group is killed.
    pub wall: Duration,
    /// CPU seconds (`RLIMIT_CPU`) of each process.
    pub cpu_secs: u64,
    /// Address space in bytes (`RLIMIT_AS`) of each process.
    pub memory: u64,
    /// The largest file a process may write (`RLIMIT_FSIZE`).
    pub file_size: u64,
    /// Processes and threads (`RLIMIT_NPROC`, or a pids cgroup as root).
    pub processes: u64,
    /// Bytes of standard output and of standard error kept; more kills the run.
    pub output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            wall: Duration::from_secs(2),
            cpu_secs: 3,
            memory: 1 << 30,
            file_size: 16 << 20,
            processes: 64,
            output: 1 << 20,
        }
    }
}

/// What contained a run, beyond the limits every run gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Contained {
    /// In a network namespace of its own: no network.
    pub no_network: bool,
    /// Landlock: no file writes outside the run's directory.
    pub no_writes_outside: bool,
    /// Landlock: no TCP connections or listening sockets.
    pub no_tcp: bool,
    /// The process count is bounded (`RLIMIT_NPROC` as a user, a pids cgroup as root).
    pub processes_bounded: bool,
}

impl Contained {
    /// What the sandbox did not do here, in words (empty when it did everything).
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !self.no_network && !self.no_tcp {
            out.push(
                "network access is not blocked (no user namespaces, Landlock older than ABI 4)",
            );
        } else if !self.no_network {
            out.push(
                "only TCP is blocked (no user namespaces here: UDP and local sockets are open)",
            );
        }
        if !self.no_writes_outside {
            out.push("files outside the run's directory can be written (no Landlock here)");
        }
        if !self.processes_bounded {
            out.push("the number of processes is not bounded (root without a pids cgroup)");
        }
        out
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    Exited(i32),
    /// Killed by a signal (`SIGXCPU` past the CPU limit, `SIGKILL`, `SIGABRT` ...).
    Signalled(i32),
    TimedOut,
    Cancelled,
    OutputCapped,
    /// It could not be started.
    NotStarted(String),
}

#[derive(Debug, Clone)]
pub struct Exit {
    pub ended: Ended,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
    pub contained: Contained,
}

/// What this kernel offers, probed once.
#[derive(Debug, Clone, Copy)]
struct Kernel {
    landlock_abi: i32,
    namespaces: bool,
    root: bool,
}

fn kernel() -> Kernel {
    static K: OnceLock<Kernel> = OnceLock::new();
    *K.get_or_init(|| {
        // landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)
        // SAFETY: a query; no memory is passed.
        let abi = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                std::ptr::null::<u8>(),
                0usize,
                1u32,
            )
        };
        Kernel {
            landlock_abi: i32::try_from(abi).unwrap_or(0).max(0),
            namespaces: namespaces_work(),
            // SAFETY: no arguments.
            root: unsafe { libc::geteuid() } == 0,
        }
    })
}

/// Whether a child can enter a new user and network namespace: a fork that tries and exits.
fn namespaces_work() -> bool {
    // SAFETY: the child only calls unshare and _exit (async-signal-safe).
    unsafe {
        let pid = libc::fork();
        if pid == 0 {
            let ok = libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) == 0;
            libc::_exit(if ok { 0 } else { 1 });
        }
        if pid < 0 {
            return false;
        }
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0) == pid
            && libc::WIFEXITED(status)
            && libc::WEXITSTATUS(status) == 0
    }
}

/// Runs at once are bounded: each waits for a slot (or for its cancellation).
const MAX_RUNS: usize = 2;
static SLOTS: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

struct Slot;

impl Slot {
    fn take(cancel: &AtomicBool) -> Option<Slot> {
        let mut used = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
        while *used >= MAX_RUNS {
            if cancel.load(Ordering::SeqCst) {
                return None;
            }
            used = FREED
                .wait_timeout(used, Duration::from_millis(20))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        *used += 1;
        Some(Slot)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *SLOTS.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        FREED.notify_all();
    }
}

/// A fresh private directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> std::io::Result<TempDir> {
        let template = std::env::temp_dir().join("notes-lsp-run-XXXXXX");
        let mut bytes = CString::new(template.into_os_string().into_encoded_bytes())
            .map_err(std::io::Error::other)?
            .into_bytes_with_nul();
        // SAFETY: a NUL-terminated template that mkdtemp fills in.
        let made = unsafe { libc::mkdtemp(bytes.as_mut_ptr().cast()) };
        if made.is_null() {
            return Err(std::io::Error::last_os_error());
        }
        bytes.pop();
        Ok(TempDir(PathBuf::from(OsString::from(
            String::from_utf8_lossy(&bytes).into_owned(),
        ))))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // What the sample made read-only is made writable first, so that all of it goes.
        fn open_up(p: &Path) {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(m) = std::fs::symlink_metadata(p)
                && m.is_dir()
            {
                let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o700));
                if let Ok(rd) = std::fs::read_dir(p) {
                    for e in rd.flatten() {
                        open_up(&e.path());
                    }
                }
            }
        }
        if std::fs::remove_dir_all(&self.0).is_err() {
            open_up(&self.0);
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A pids cgroup for one run (root only): its directory and the `cgroup.procs` path.
struct PidsGroup {
    dir: PathBuf,
    procs: CString,
}

static GROUPS: AtomicU64 = AtomicU64::new(0);

impl PidsGroup {
    fn new(max: u64) -> Option<PidsGroup> {
        let name = format!(
            "notes-lsp-run-{}-{}",
            std::process::id(),
            GROUPS.fetch_add(1, Ordering::Relaxed)
        );
        for base in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup"] {
            let base = Path::new(base);
            if !base.join("pids.max").exists() && !base.join("cgroup.procs").exists() {
                continue;
            }
            let dir = base.join(&name);
            if std::fs::create_dir(&dir).is_err() {
                continue;
            }
            if std::fs::write(dir.join("pids.max"), max.to_string()).is_err() {
                let _ = std::fs::remove_dir(&dir);
                continue;
            }
            let procs = CString::new(
                dir.join("cgroup.procs")
                    .into_os_string()
                    .into_encoded_bytes(),
            )
            .ok()?;
            return Some(PidsGroup { dir, procs });
        }
        None
    }

    /// Kills what is left in it.
    fn kill_all(&self) {
        for _ in 0..3 {
            let Ok(list) = std::fs::read_to_string(self.dir.join("cgroup.procs")) else {
                return;
            };
            let pids: Vec<i32> = list.lines().filter_map(|l| l.trim().parse().ok()).collect();
            if pids.is_empty() {
                return;
            }
            for p in pids {
                // SAFETY: a signal to a process of this run's group.
                unsafe { libc::kill(p, libc::SIGKILL) };
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for PidsGroup {
    fn drop(&mut self) {
        self.kill_all();
        for _ in 0..20 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Landlock: writes only under `dir` (and to `/dev/null`), no TCP, no signals out.
fn ruleset(dir: &Path) -> Option<landlock::RulesetCreated> {
    use landlock::{
        ABI, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetCreatedAttr, Scope,
        path_beneath_rules,
    };
    let abi = ABI::V6;
    let created = Ruleset::default()
        .handle_access(AccessFs::from_write(abi))
        .ok()?
        .handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)
        .ok()?
        .scope(Scope::AbstractUnixSocket | Scope::Signal)
        .ok()?
        .create()
        .ok()?
        .add_rules(path_beneath_rules([dir], AccessFs::from_write(abi)))
        .ok()?
        .add_rules(path_beneath_rules(["/dev/null"], AccessFs::from_write(abi)))
        .ok()?;
    Some(created)
}

/// What is run: a program, its arguments and environment, in `dir`.
pub struct Spec<'a> {
    pub program: &'a Path,
    pub args: Vec<OsString>,
    pub dir: &'a Path,
    pub env: Vec<(&'static str, String)>,
    pub limits: Limits,
}

/// setrlimit's resource type: an enum in glibc, an int in musl (the static build).
#[cfg(target_env = "gnu")]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(target_env = "gnu"))]
type Resource = libc::c_int;

fn rlimit(resource: Resource, soft: u64, hard: u64) -> bool {
    let r = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: a plain struct passed by pointer.
    unsafe { libc::setrlimit(resource, &r) == 0 }
}

/// Runs `spec` to its end or its limits; `cancel` set kills it. Waits for a free slot first.
pub fn run(spec: Spec<'_>, cancel: &AtomicBool) -> Exit {
    let k = kernel();
    let mut contained = Contained::default();
    let not_started = |why: String, contained| Exit {
        ended: Ended::NotStarted(why),
        stdout: Vec::new(),
        stderr: Vec::new(),
        elapsed: Duration::ZERO,
        contained,
    };
    let Some(_slot) = Slot::take(cancel) else {
        return Exit {
            ended: Ended::Cancelled,
            ..not_started(String::new(), contained)
        };
    };
    let started_at = Instant::now();
    let mut landlock = if k.landlock_abi > 0 {
        ruleset(spec.dir)
    } else {
        None
    };
    contained.no_writes_outside = landlock.is_some();
    contained.no_tcp = landlock.is_some() && k.landlock_abi >= 4;
    contained.no_network = k.namespaces;
    let group = if k.root {
        PidsGroup::new(spec.limits.processes)
    } else {
        None
    };
    contained.processes_bounded = !k.root || group.is_some();
    let procs = group.as_ref().map(|g| g.procs.clone());
    let l = spec.limits;
    let namespaces = k.namespaces;

    let mut cmd = Command::new(spec.program);
    cmd.args(&spec.args)
        .current_dir(spec.dir)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: the closure runs in the child between fork and exec and makes only system
    // calls (no allocation, no locks): setrlimit, open/write/close, unshare, prctl and
    // landlock_restrict_self through the crate, whose success path allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            let fail = || Err(std::io::Error::last_os_error());
            if let Some(p) = &procs {
                let fd = libc::open(p.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if fd < 0 || libc::write(fd, b"0\n".as_ptr().cast(), 2) != 2 {
                    return fail();
                }
                libc::close(fd);
            }
            // The namespaces first: the process limit then counts in the new one.
            if namespaces && libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) != 0 {
                return fail();
            }
            let ok = rlimit(libc::RLIMIT_CPU, l.cpu_secs, l.cpu_secs + 1)
                && rlimit(libc::RLIMIT_AS, l.memory, l.memory)
                && rlimit(libc::RLIMIT_FSIZE, l.file_size, l.file_size)
                && rlimit(libc::RLIMIT_NPROC, l.processes, l.processes)
                && rlimit(libc::RLIMIT_NOFILE, 256, 256)
                && rlimit(libc::RLIMIT_CORE, 0, 0);
            if !ok {
                return fail();
            }
            if let Some(r) = landlock.take()
                && r.restrict_self().is_err()
            {
                return Err(std::io::Error::from_raw_os_error(libc::EPERM));
            }
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return not_started(format!("{}: {e}", spec.program.display()), contained);
        }
    };
    drop(cmd);
    let pgid = child.id() as i32;
    let kill_group = || {
        // SAFETY: the child's own process group (made by `process_group(0)`).
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        if let Some(g) = &group {
            g.kill_all();
        }
    };
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    for fd in [out.as_raw_fd(), err.as_raw_fd()] {
        // SAFETY: our own pipe ends.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut ended: Option<Ended> = None;
    let mut exited: Option<std::process::ExitStatus> = None;
    let mut drain_until: Option<Instant> = None;
    let mut buf = vec![0u8; 64 * 1024];
    let (mut out_open, mut err_open) = (true, true);
    loop {
        let mut fds = [
            libc::pollfd {
                fd: if out_open { out.as_raw_fd() } else { -1 },
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: if err_open { err.as_raw_fd() } else { -1 },
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: two pollfd structs we own.
        unsafe { libc::poll(fds.as_mut_ptr(), 2, 10) };
        for (open, pipe, keep) in [
            (&mut out_open, &mut out as &mut dyn Read, &mut stdout),
            (&mut err_open, &mut err as &mut dyn Read, &mut stderr),
        ] {
            while *open {
                match pipe.read(&mut buf) {
                    Ok(0) => *open = false,
                    Ok(n) => {
                        let room = l.output.saturating_sub(keep.len());
                        keep.extend_from_slice(&buf[..n.min(room)]);
                        if n > room && ended.is_none() {
                            ended = Some(Ended::OutputCapped);
                            kill_group();
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => *open = false,
                }
            }
        }
        if exited.is_none()
            && let Ok(Some(status)) = child.try_wait()
        {
            exited = Some(status);
            // What it left behind in its group goes with it.
            kill_group();
            drain_until = Some(Instant::now() + Duration::from_millis(200));
        }
        if exited.is_some()
            && (!out_open && !err_open || drain_until.is_some_and(|d| Instant::now() > d))
        {
            break;
        }
        if ended.is_none() && exited.is_none() {
            if cancel.load(Ordering::SeqCst) {
                ended = Some(Ended::Cancelled);
                kill_group();
            } else if started_at.elapsed() > l.wall {
                ended = Some(Ended::TimedOut);
                kill_group();
            }
        }
    }
    let elapsed = started_at.elapsed();
    let ended = ended.unwrap_or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        let status = exited.expect("the loop ends after the exit");
        match (status.code(), status.signal()) {
            (Some(c), _) => Ended::Exited(c),
            (None, Some(s)) => Ended::Signalled(s),
            _ => Ended::Exited(-1),
        }
    });
    drop(group);
    Exit {
        ended,
        stdout,
        stderr,
        elapsed,
        contained,
    }
}

/// What the kernel offers unprivileged: the Landlock ABI version (0: none) and whether new
/// user and network namespaces can be made.
pub fn offered() -> (i32, bool) {
    let k = kernel();
    (k.landlock_abi, k.namespaces)
}

/// The sandbox as it would be here, for hover and `check --run` (without running anything).
pub fn here() -> Contained {
    let k = kernel();
    Contained {
        no_network: k.namespaces,
        no_writes_outside: k.landlock_abi > 0,
        no_tcp: k.landlock_abi >= 4,
        processes_bounded: !k.root || PidsGroup::new(1).is_some(),
    }
}
