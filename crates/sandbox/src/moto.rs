//! A local AWS KMS: moto's server (`pip install 'moto[server]'`).
//!
//! [`MotoServer::start`] runs `moto_server` on a free loopback port and waits
//! until it listens; dropping the handle kills it. [`MotoServer::shared`]
//! hands every test of one process the same server, started by the first
//! and stopped when the last lets go. A client reaches it by setting the
//! AWS endpoint to [`MotoServer::endpoint`] (`AWS_ENDPOINT_URL` for the SDK
//! and for programs built on it) with any access key.
//!
//! Nothing here speaks AWS: the sandbox has no AWS SDK.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// How long moto may take to import its services and listen.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `moto_server`, killed on drop.
#[derive(Debug)]
pub struct MotoServer {
    child: Child,
    port: u16,
}

static SHARED: Mutex<Weak<MotoServer>> = Mutex::new(Weak::new());

impl MotoServer {
    /// Whether `moto_server` is on `PATH`.
    pub fn installed() -> bool {
        crate::tools::on_path("moto_server")
    }

    /// For tests: `true` when installed; otherwise says "skipped" and how to
    /// install it, or fails where the run must skip nothing
    /// ([`tools::present_or_skip`](crate::tools::present_or_skip)).
    pub fn available() -> bool {
        crate::tools::present_or_skip(
            Self::installed(),
            "moto_server",
            "pip install 'moto[server]'",
        )
    }

    /// Starts a server on a free loopback port.
    ///
    /// # Errors
    ///
    /// [`Error::Tool`] when `moto_server` is not installed, exits before it
    /// listens, or does not listen within a minute.
    pub fn start() -> Result<Self> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .map_err(|e| tool_error(format!("no free loopback port: {e}")))?
            .port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                tool_error(format!(
                    "cannot run it ({e}); install it with pip install 'moto[server]'"
                ))
            })?;
        let mut server = Self { child, port };
        let deadline = Instant::now() + START_TIMEOUT;
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(tool_error(format!("exited before listening ({status})")));
            }
            if Instant::now() >= deadline {
                return Err(tool_error(format!(
                    "did not listen on port {port} within {} s",
                    START_TIMEOUT.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    /// The server this process's tests share, started if none is running.
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub fn shared() -> Result<Arc<Self>> {
        let mut slot = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(server) = slot.upgrade() {
            return Ok(server);
        }
        let server = Arc::new(Self::start()?);
        *slot = Arc::downgrade(&server);
        Ok(server)
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its base URL, `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The environment that points an AWS SDK program at this server, with
    /// throwaway credentials and region.
    pub fn env(&self) -> [(&'static str, String); 4] {
        [
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ACCESS_KEY_ID", "AKIDSANDBOX".into()),
            ("AWS_SECRET_ACCESS_KEY", "sandbox-secret".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tool_error(reason: String) -> Error {
    Error::Tool {
        tool: "moto_server",
        reason,
    }
}
