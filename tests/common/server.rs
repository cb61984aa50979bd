//! A real HTTP server on loopback whose answers a test chooses per path:
//! files, error statuses, truncated bodies, dropped connections, stalls,
//! bodies that never end, bodies held back until the test lets them go.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

#[derive(Clone)]
pub enum Reply {
    /// 200 with this body.
    Body(Arc<Vec<u8>>),
    /// This status, with a short body.
    Status(u16),
    /// The status for the first `times` requests, then the body.
    FailThen(u16, usize, Arc<Vec<u8>>),
    /// Announces the whole body but sends only `n` bytes, then closes.
    Truncate(Arc<Vec<u8>>, usize),
    /// Closes the connection without answering.
    Drop,
    /// Sends `n` bytes of the body, then nothing for a minute.
    Stall(Arc<Vec<u8>>, usize),
    /// Sends the body slowly: `chunk` bytes every `pause`.
    Slow(Arc<Vec<u8>>, usize, Duration),
    /// Sends `n` bytes of the body, then the rest once the gate is open
    /// (a download in progress for as long as the test needs).
    Hold(Arc<Vec<u8>>, usize, Gate),
    /// Sends the body, announcing no length, then zeros until the client
    /// hangs up: an archive that never ends.
    Endless(Arc<Vec<u8>>),
}

/// Where a [`Reply::Hold`] waits until the test opens it.
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Lets every held reply go on, now and from now on.
    pub fn open(&self) {
        let (open, changed) = &*self.0;
        *open.lock().unwrap() = true;
        changed.notify_all();
    }

    /// Waits until the gate is open; false if it stayed shut for
    /// [`super::PATIENCE`] (the test failed without opening it).
    fn pass(&self) -> bool {
        let (open, changed) = &*self.0;
        let guard = open.lock().unwrap();
        let (guard, _) = changed
            .wait_timeout_while(guard, super::PATIENCE, |open| !*open)
            .unwrap();
        *guard
    }
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Reply>,
    hits: HashMap<String, usize>,
    /// Requests that came in proxy form (`GET http://host/path` or `CONNECT`).
    proxied: usize,
}

pub struct Server {
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Server { base, state }
    }

    /// Every path requested so far, in no particular order.
    pub fn paths_hit(&self) -> Vec<String> {
        self.state.lock().unwrap().hits.keys().cloned().collect()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    pub fn route(&self, path: &str, reply: Reply) {
        let path = format!("/{}", path.trim_start_matches('/'));
        self.state.lock().unwrap().routes.insert(path, reply);
    }

    pub fn proxied(&self) -> usize {
        self.state.lock().unwrap().proxied
    }

    pub fn hits(&self, path: &str) -> usize {
        let path = format!("/{}", path.trim_start_matches('/'));
        *self.state.lock().unwrap().hits.get(&path).unwrap_or(&0)
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    // A proxy receives the whole URL; serve it as an origin would.
    let absolute = target.strip_prefix("http://");
    let path = match absolute {
        Some(rest) => format!("/{}", rest.split_once('/').map_or("", |(_, p)| p)),
        None => target.to_string(),
    };
    let (reply, hit) = {
        let mut s = state.lock().unwrap();
        if absolute.is_some() || request_line.starts_with("CONNECT ") {
            s.proxied += 1;
        }
        let hit = {
            let h = s.hits.entry(path.clone()).or_insert(0);
            *h += 1;
            *h
        };
        (s.routes.get(&path).cloned(), hit)
    };
    let mut out = stream;
    let head = |status: u16, len: usize| {
        format!("HTTP/1.1 {status} X\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
    };
    let _ = match reply {
        None => out
            .write_all(head(404, 9).as_bytes())
            .and_then(|_| out.write_all(b"not found")),
        Some(Reply::Body(body)) => out
            .write_all(head(200, body.len()).as_bytes())
            .and_then(|_| out.write_all(&body)),
        Some(Reply::Status(code)) => out
            .write_all(head(code, 5).as_bytes())
            .and_then(|_| out.write_all(b"error")),
        Some(Reply::FailThen(code, times, body)) => {
            if hit <= times {
                out.write_all(head(code, 5).as_bytes())
                    .and_then(|_| out.write_all(b"error"))
            } else {
                out.write_all(head(200, body.len()).as_bytes())
                    .and_then(|_| out.write_all(&body))
            }
        }
        Some(Reply::Truncate(body, n)) => out
            .write_all(head(200, body.len()).as_bytes())
            .and_then(|_| out.write_all(&body[..n])),
        Some(Reply::Drop) => Ok(()),
        Some(Reply::Stall(body, n)) => {
            let r = out
                .write_all(head(200, body.len()).as_bytes())
                .and_then(|_| out.write_all(&body[..n]));
            let _ = out.flush();
            std::thread::sleep(Duration::from_secs(60));
            r
        }
        Some(Reply::Slow(body, chunk, pause)) => {
            let mut r = out.write_all(head(200, body.len()).as_bytes());
            for part in body.chunks(chunk) {
                if r.is_err() {
                    break;
                }
                std::thread::sleep(pause);
                r = out.write_all(part).and_then(|_| out.flush());
            }
            r
        }
        Some(Reply::Hold(body, n, gate)) => {
            let r = out
                .write_all(head(200, body.len()).as_bytes())
                .and_then(|_| out.write_all(&body[..n]))
                .and_then(|_| out.flush());
            if r.is_err() || !gate.pass() {
                return;
            }
            out.write_all(&body[n..])
        }
        Some(Reply::Endless(body)) => {
            let mut r = out
                .write_all(b"HTTP/1.1 200 X\r\nConnection: close\r\n\r\n")
                .and_then(|_| out.write_all(&body));
            let zeros = [0u8; 16 * 1024];
            while r.is_ok() {
                r = out.write_all(&zeros);
            }
            r
        }
    };
    let _ = out.flush();
}
