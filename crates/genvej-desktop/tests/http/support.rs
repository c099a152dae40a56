//! The tool checks shared with the workspace's end-to-end tests: a missing
//! openssl or python3 skips the TLS tests outside CI.

#[path = "../../../../tests/support/tools.rs"]
pub mod tools;

#[path = "../../../../tests/support/test_ca.rs"]
pub mod test_ca;
