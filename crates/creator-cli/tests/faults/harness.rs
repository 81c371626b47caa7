//! Starting and stopping the real relay, the deliveries, and the counts.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The Gumroad URL secret of every relay here.
pub const SECRET: &str = "fault-suite-secret-0123456789";
/// Gank's HMAC key and header for the relays that verify Gank.
pub const GANK_KEY: &str = "fault-suite-gank-key";
pub const GANK_HEADER: &str = "x-gank-signature";

/// A directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "creator-faults-{}-{}-{label}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn db(&self) -> String {
        self.0.join("creator.db").display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free loopback port (so a restarted relay keeps its address).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// How to start the relay process.
#[derive(Clone, Default)]
pub struct Launch {
    pub db: String,
    pub port: u16,
    pub env: Vec<(String, String)>,
    pub args: Vec<String>,
    /// A shell prefix run before `exec creator …` (`ulimit -f …`).
    pub shell_prefix: Option<String>,
    /// Run as this uid/gid (through `setpriv`), for permission faults as root.
    pub as_user: Option<u32>,
}

impl Launch {
    pub fn new(db: &str) -> Self {
        Self {
            db: db.to_owned(),
            port: free_port(),
            env: vec![("CREATOR_GUMROAD_SECRET".into(), SECRET.into())],
            ..Self::default()
        }
    }

    pub fn with_gank(mut self) -> Self {
        self.env.push(("GANK_WEBHOOK_KEY".into(), GANK_KEY.into()));
        self.env
            .push(("GANK_SIGNATURE_HEADER".into(), GANK_HEADER.into()));
        self
    }

    fn command(&self) -> tokio::process::Command {
        let exe = env!("CARGO_BIN_EXE_creator");
        let mut args: Vec<String> = vec![
            "relay".into(),
            "--listen".into(),
            format!("127.0.0.1:{}", self.port),
            "--db".into(),
            self.db.clone(),
        ];
        args.extend(self.args.iter().cloned());
        let mut cmd = match (&self.shell_prefix, self.as_user) {
            (Some(prefix), _) => {
                let mut c = tokio::process::Command::new("sh");
                c.arg("-c")
                    .arg(format!("{prefix}; exec \"$0\" \"$@\""))
                    .arg(exe)
                    .args(&args);
                c
            }
            (None, Some(uid)) => {
                let mut c = tokio::process::Command::new("setpriv");
                c.args([
                    format!("--reuid={uid}"),
                    format!("--regid={uid}"),
                    "--clear-groups".into(),
                    exe.into(),
                ])
                .args(&args);
                c
            }
            (None, None) => {
                let mut c = tokio::process::Command::new(exe);
                c.args(&args);
                c
            }
        };
        for var in [
            "CREATOR_DB",
            "CREATOR_FORWARD",
            "CREATOR_READ_TOKEN",
            "CREATOR_GUMROAD_SECRET",
            "GANK_WEBHOOK_KEY",
            "GANK_SIGNATURE_HEADER",
            "RUST_LOG",
        ] {
            cmd.env_remove(var);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }
}

/// A running relay process.
pub struct Relay {
    pub child: tokio::process::Child,
    pub base: String,
    pub log: Arc<Mutex<Vec<String>>>,
}

/// How a start ended when it did not serve.
#[derive(Debug)]
pub struct Refused {
    pub status: ExitStatus,
    pub log: Vec<String>,
}

impl Relay {
    /// Starts the relay and waits for its banner.
    pub async fn start(launch: &Launch) -> Relay {
        match Self::try_start(launch).await {
            Ok(r) => r,
            Err(refused) => panic!("the relay did not start: {refused:?}"),
        }
    }

    /// Starts the relay; `Err` with its exit status and log when it exits instead.
    pub async fn try_start(launch: &Launch) -> Result<Relay, Refused> {
        let mut child = launch.command().spawn().expect("spawn creator relay");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut lines = BufReader::new(stderr).lines();
        let mut ready = false;
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await {
                Ok(Ok(Some(line))) => {
                    let done = line.contains("health:");
                    log.lock().unwrap().push(line);
                    if done {
                        ready = true;
                        break;
                    }
                }
                _ => break,
            }
        }
        if !ready {
            let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
                .await
                .expect("a relay that does not start exits")
                .expect("wait");
            let log = log.lock().unwrap().clone();
            return Err(Refused { status, log });
        }
        let keep = log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                keep.lock().unwrap().push(line);
            }
        });
        Ok(Relay {
            child,
            base: format!("http://127.0.0.1:{}", launch.port),
            log,
        })
    }

    fn pid(&self) -> String {
        self.child.id().expect("pid").to_string()
    }

    /// `kill -9`, then waits for the exit.
    pub async fn kill9(mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &self.pid()])
            .status();
        let _ = self.child.wait().await;
    }

    /// SIGTERM, then waits (at most 40 s) for the exit.
    pub async fn sigterm(mut self) -> ExitStatus {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.pid()])
            .status();
        match tokio::time::timeout(Duration::from_secs(40), self.child.wait()).await {
            Ok(status) => status.expect("wait"),
            Err(_) => {
                let log = self.log.lock().unwrap().clone();
                let tail = &log[log.len().saturating_sub(20)..];
                panic!("the relay did not exit within 40 s of SIGTERM; its log ends with {tail:#?}")
            }
        }
    }

    pub fn gumroad_url(&self) -> String {
        format!("{}/webhooks/gumroad/{SECRET}", self.base)
    }
}

/// The generated sale Ping with sale id `FaultSale<n>==`.
pub fn ping(n: usize) -> Vec<u8> {
    about_sale("sale.form", n)
}

/// The refund Ping of the sale of [`ping`]`(n)` (Gumroad's `refund.form`).
pub fn refund_ping(n: usize) -> Vec<u8> {
    about_sale("refund.form", n)
}

/// The Gumroad fixture `name`, about sale `FaultSale<n>==`.
fn about_sale(name: &str, n: usize) -> Vec<u8> {
    let body = String::from_utf8(creator_testkit::fixture_bytes(&format!(
        "gumroad/webhooks/{name}"
    )))
    .expect("utf-8 fixture");
    assert!(body.contains("sale_id=FO8TXN-dvxYabdavG97Y-Q%3D%3D"));
    body.replace(
        "sale_id=FO8TXN-dvxYabdavG97Y-Q%3D%3D",
        &format!("sale_id=FaultSale{n:08}%3D%3D"),
    )
    .into_bytes()
}

/// The sale id of [`ping`]`(n)`, as stored.
pub fn sale_id(n: usize) -> String {
    format!("FaultSale{n:08}==")
}

/// `body` as Gumroad resends it on its `n`-th retry.
pub fn with_retry_count(body: &[u8], n: u32) -> Vec<u8> {
    let mut b = body.to_vec();
    b.extend(format!("&retry_count={n}").bytes());
    b
}

/// An HTTP client, optionally bound to one loopback source address.
pub fn client(from: Option<IpAddr>) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .local_address(from)
        .pool_max_idle_per_host(4)
        .build()
        .expect("client")
}

/// Posts a form body; the status, or `None` for no answer.
pub async fn post(client: &reqwest::Client, url: &str, body: Vec<u8>) -> Option<u16> {
    client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

/// Delivers ping `n` the way Gumroad does until it is acknowledged (or
/// `deadline` passes): first attempt, then resends with `retry_count`.
/// Returns whether it was acknowledged and how many resends it took.
pub async fn deliver_until_acknowledged(
    client: &reqwest::Client,
    url: &Mutex<String>,
    n: usize,
    deadline: Instant,
) -> (bool, u32) {
    deliver_body_until_acknowledged(client, url, ping(n), deadline).await
}

/// [`deliver_until_acknowledged`] for any Gumroad form body.
pub async fn deliver_body_until_acknowledged(
    client: &reqwest::Client,
    url: &Mutex<String>,
    body: Vec<u8>,
    deadline: Instant,
) -> (bool, u32) {
    let mut attempt = 0u32;
    loop {
        let target = url.lock().unwrap().clone();
        let sent = if attempt == 0 {
            body.clone()
        } else {
            with_retry_count(&body, attempt.min(3))
        };
        if post(client, &target, sent).await == Some(200) {
            return (true, attempt);
        }
        if Instant::now() >= deadline {
            return (false, attempt);
        }
        attempt += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the ledger holds per sale id.
pub async fn stored_sales(db: &str) -> HashMap<String, (usize, i64)> {
    let ledger = creator_cli::ledger::open_read_only(db)
        .await
        .expect("open the ledger");
    let events: Vec<_> = ledger
        .events(Default::default())
        .try_collect()
        .await
        .expect("read events");
    ledger.close().await;
    let mut out: HashMap<String, (usize, i64)> = HashMap::new();
    for e in events {
        let entry = out.entry(e.subject_id.clone()).or_default();
        entry.0 += 1;
        entry.1 += e.deliveries;
    }
    out
}

/// The counts a fault line prints.
#[derive(Debug, Default)]
pub struct Counts {
    pub sent: usize,
    pub acknowledged: usize,
    pub stored: usize,
    pub lost: usize,
    pub doubled: usize,
}

impl Counts {
    /// Compares what was acknowledged with what the ledger holds.
    pub fn of(acked: &[usize], sent: usize, stored: &HashMap<String, (usize, i64)>) -> Counts {
        Counts {
            sent,
            acknowledged: acked.len(),
            stored: stored.len(),
            lost: acked
                .iter()
                .filter(|n| !stored.contains_key(&sale_id(**n)))
                .count(),
            doubled: stored.values().filter(|(rows, _)| *rows > 1).count(),
        }
    }

    pub fn line(&self, fault: &str, extra: &str) -> String {
        format!(
            "fault {fault}: sent {} acknowledged {} stored {} lost {} doubled {}{}{extra}",
            self.sent,
            self.acknowledged,
            self.stored,
            self.lost,
            self.doubled,
            if extra.is_empty() { "" } else { " " },
        )
    }
}

/// Prints a fault line (captured unless `--nocapture`; CI shows it).
pub fn report(line: &str) {
    println!("{line}");
}

/// Percentiles of latencies, in milliseconds.
pub fn percentiles(mut samples: Vec<Duration>) -> (f64, f64, f64) {
    samples.sort();
    let at = |p: f64| {
        if samples.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
        samples[rank.clamp(1, samples.len()) - 1].as_secs_f64() * 1000.0
    };
    (at(50.0), at(99.0), at(100.0))
}

/// The relay's `/healthz` status code.
pub async fn health(base: &str) -> Option<u16> {
    client(None)
        .get(format!("{base}/healthz"))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

/// A socket address on another loopback address than 127.0.0.1.
pub fn loopback(n: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, n])
}

#[allow(dead_code)]
pub fn addr(base: &str) -> SocketAddr {
    base.trim_start_matches("http://").parse().expect("address")
}
