//! Temporary stand-in until the RRULE module lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RRule;
pub struct RRuleError {
    pub message: String,
    pub range: std::ops::Range<usize>,
}
impl std::str::FromStr for RRule {
    type Err = RRuleError;
    fn from_str(s: &str) -> Result<RRule, RRuleError> {
        if s.starts_with("FREQ=") {
            Ok(RRule)
        } else {
            Err(RRuleError {
                message: "bad".into(),
                range: 0..s.len(),
            })
        }
    }
}
impl RRule {
    pub fn needs_dtstart(&self) -> Option<&'static str> {
        None
    }
}
