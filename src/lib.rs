//! cutover: load → model → analyse → render → write. The binary in
//! `main.rs` dispatches commands to these stages.
#![warn(missing_docs)]

pub mod analysis;
pub mod ask;
pub mod base;
pub mod check;
pub mod cli;
pub mod commands;
pub mod diff;
pub mod export;
pub mod init;
pub mod inventory;
pub mod model;
pub mod report;
pub mod schedule;
pub mod serve;
pub mod site;
