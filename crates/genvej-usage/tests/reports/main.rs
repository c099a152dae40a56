//! Usage records in, reports and exports out.

mod exports;
mod report;
mod versions;
