//! Usage records in, reports and exports out.

mod before_after;
mod exports;
mod report;
mod versions;
