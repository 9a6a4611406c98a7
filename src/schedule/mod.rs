//! Schedule stage: recurrence rules and, later, period expansion and the
//! overlap sweep.

pub mod rrule;
