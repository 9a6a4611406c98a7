//! Foundation layer, used by every stage and using none: findings and the
//! rule registry, source locations, file-system helpers that name their
//! paths, civil-date arithmetic, instants of dates in zones, and the bounds
//! on inventory text.

pub mod civil;
pub mod finding;
pub mod fsio;
pub mod memory;
pub mod rules;
pub mod source;
pub mod text;
pub mod time;
pub mod timings;

pub use finding::{Finding, Override, Subject, Summary};
pub use rules::{Family, Level, Rule};
pub use source::{Loc, Sources};
