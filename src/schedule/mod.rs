//! Schedule stage: recurrence rules, occurrences of periods as instants,
//! and the overlap sweep.

pub mod occurrences;
pub mod rrule;
pub mod sweep;
