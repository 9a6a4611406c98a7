//! Foundation: proleptic Gregorian dates as day numbers since 1970-01-01,
//! for arithmetic over many days without going through a time zone.

use jiff::civil::Date;

/// 1970-01-01, epoch day 0, was a Thursday (Monday-based offset 3).
pub const EPOCH_WEEKDAY: i64 = 3;

/// Greatest common divisor of `a` and `b` (Euclid); `gcd(a, 0)` is `a`.
pub fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Days since 1970-01-01 of `date`; negative before it.
pub fn epoch_day(date: Date) -> i64 {
    days_from_civil(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    )
}

/// The date of an epoch day; the inverse of [`epoch_day`].
pub fn date_of(day: i64) -> Date {
    let (y, m, d) = civil(day);
    // `dates` only converts days between its `from` and `to`, which are Dates.
    Date::new(y as i16, m as i8, d as i8).expect("epoch day within the range of jiff dates")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of an epoch day; the inverse of `days_from_civil`.
pub fn civil(n: i64) -> (i64, i64, i64) {
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Number of days in month `m` (1 to 12) of proleptic Gregorian year `y`.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
