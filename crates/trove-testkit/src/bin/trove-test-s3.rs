//! Starts the test S3 server (SeaweedFS on 127.0.0.1, the same one the Rust
//! tests use) for tests written in other languages (the desktop's
//! WebDriver test): prints one JSON line with the endpoint, bucket and keys,
//! and stops the server when its standard input closes.
#![allow(clippy::print_stdout)]

use std::io::Read as _;

use trove_testkit::s3::{ACCESS_KEY, BUCKET, S3Server, SECRET_KEY};

fn main() {
    let server = S3Server::start();
    println!(
        "{{\"endpoint\":\"{}\",\"bucket\":\"{BUCKET}\",\"access_key\":\"{ACCESS_KEY}\",\"secret_key\":\"{SECRET_KEY}\"}}",
        server.endpoint
    );
    // Until the parent closes the pipe (or dies).
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(server);
}
