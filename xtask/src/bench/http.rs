//! A minimal HTTP/1.1 client over one keep-alive connection: enough to wait for a server on
//! loopback to answer and to preload it, without an HTTP library in xtask.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{Context, bail};

/// One connection to a server.
#[derive(Debug)]
pub(crate) struct Conn {
    /// The connection, buffered for reading.
    stream: BufReader<TcpStream>,
}

/// A response: status and body.
#[derive(Debug)]
pub(crate) struct Response {
    /// The status code.
    pub(crate) status: u16,
    /// The body as text.
    pub(crate) body: String,
}

impl Conn {
    /// Connect to `addr` (which must be a loopback address).
    pub(crate) fn connect(addr: SocketAddr) -> anyhow::Result<Self> {
        if !addr.ip().is_loopback() {
            bail!("the benchmark only talks to loopback addresses, not {addr}");
        }
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufReader::new(stream),
        })
    }

    /// Send one request and read its response, keeping the connection open.
    pub(crate) fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> anyhow::Result<Response> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = body.unwrap_or_default();
        head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        let stream = self.stream.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.flush()?;
        self.read_response()
            .with_context(|| format!("reading the response to {method} {path}"))
    }

    /// Read a status line, headers and a body sized by `Content-Length` or chunked.
    fn read_response(&mut self) -> anyhow::Result<Response> {
        let status_line = self.line()?;
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {status_line:?}"))?;
        let mut length = None;
        let mut chunked = false;
        loop {
            let line = self.line()?;
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = Some(value.parse::<usize>().context("Content-Length")?);
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.eq_ignore_ascii_case("chunked");
                }
            }
        }
        let body = if chunked {
            self.chunked_body()?
        } else {
            self.exactly(length.unwrap_or(0))?
        };
        Ok(Response {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// A chunked body, chunk by chunk until the empty one.
    fn chunked_body(&mut self) -> anyhow::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let size_line = self.line()?;
            let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
                .with_context(|| format!("bad chunk size {size_line:?}"))?;
            if size == 0 {
                while !self.line()?.is_empty() {}
                return Ok(body);
            }
            body.extend(self.exactly(size)?);
            self.line()?;
        }
    }

    /// `n` bytes.
    fn exactly(&mut self, n: usize) -> anyhow::Result<Vec<u8>> {
        let mut buf = vec![0; n];
        self.stream.read_exact(&mut buf)?;
        Ok(buf)
    }

    /// One line without its `\r\n`; an error at the end of the stream.
    fn line(&mut self) -> anyhow::Result<String> {
        let mut line = String::new();
        if self.stream.read_line(&mut line)? == 0 {
            bail!("the server closed the connection");
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// Serve `replies` in order on one connection, returning what was received.
    fn serve(replies: &'static [&'static str]) -> (SocketAddr, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let mut seen = Vec::new();
            for reply in replies {
                let start = seen.len();
                while !is_whole_request(&seen[start..]) {
                    let mut buf = [0; 4096];
                    let n = socket.read(&mut buf).unwrap();
                    assert!(n > 0, "the client closed the connection");
                    seen.extend_from_slice(&buf[..n]);
                }
                socket.write_all(reply.as_bytes()).unwrap();
            }
            String::from_utf8(seen).unwrap()
        });
        (addr, handle)
    }

    /// Whether `buf` holds a head and as many body bytes as its Content-Length says.
    fn is_whole_request(buf: &[u8]) -> bool {
        let text = String::from_utf8_lossy(buf);
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            return false;
        };
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: ")?.parse::<usize>().ok())
            .unwrap_or(0);
        body.len() >= length
    }

    #[test]
    fn sized_and_chunked_bodies_are_read_on_one_connection() {
        let (addr, server) = serve(&[
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
            "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        ]);
        let mut conn = Conn::connect(addr).unwrap();
        let first = conn.send("GET", "/hello", &[], None).unwrap();
        assert_eq!((first.status, first.body.as_str()), (200, "{}"));
        let second = conn
            .send("POST", "/insert", &[("X-A", "b")], Some("{\"x\":1}"))
            .unwrap();
        assert_eq!((second.status, second.body.as_str()), (201, "abcde"));
        let seen = server.join().unwrap();
        assert!(seen.starts_with("GET /hello HTTP/1.1\r\n"));
        assert!(seen.contains("X-A: b\r\nContent-Length: 7\r\n\r\n{\"x\":1}"));
    }

    #[test]
    fn only_loopback_addresses_are_reached() {
        let outside: SocketAddr = "192.0.2.1:80".parse().unwrap();
        assert!(Conn::connect(outside).is_err());
    }
}
