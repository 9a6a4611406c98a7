//! Render stage: findings and checks as text for people (human) and for
//! machines (JSON, SARIF, GitHub annotations), and the inventory's JSON Schema.

pub mod ci;
pub mod human;
pub mod json;
pub mod schema;
