//! Schedule stage: which half-open intervals overlap, found by a sweep.
//!
//! Intervals are sorted by start once (O(n log n)); a sweep keeps the
//! intervals still open at the current start in a min-heap by end, dropping
//! those that ended (an interval ending exactly where another starts does
//! not overlap it). Every open interval overlaps the new one, so the sweep
//! costs O(n log n + k) for k overlapping pairs, never all n² pairs.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub use crate::base::time::Interval;

/// Every pair `(i, j)` with `i < j` whose intervals overlap, sorted.
/// Empty intervals overlap nothing.
pub fn overlapping_pairs(intervals: &[Interval]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..intervals.len())
        .filter(|&i| intervals[i].start < intervals[i].end)
        .collect();
    order.sort_by_key(|&i| (intervals[i].start, i));
    let mut open: BinaryHeap<Reverse<(i64, usize)>> = BinaryHeap::new();
    let mut pairs = Vec::new();
    for i in order {
        let current = intervals[i];
        while let Some(Reverse((end, _))) = open.peek() {
            if *end <= current.start {
                open.pop();
            } else {
                break;
            }
        }
        for Reverse((_, j)) in open.iter() {
            pairs.push(((*j).min(i), (*j).max(i)));
        }
        open.push(Reverse((current.end, i)));
    }
    pairs.sort_unstable();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn iv(start: i64, end: i64) -> Interval {
        Interval { start, end }
    }

    #[test]
    fn touching_intervals_do_not_overlap() {
        assert_eq!(overlapping_pairs(&[iv(0, 10), iv(10, 20)]), vec![]);
        assert_eq!(overlapping_pairs(&[iv(0, 10), iv(9, 20)]), vec![(0, 1)]);
    }

    #[test]
    fn nested_and_chained_intervals() {
        let pairs = overlapping_pairs(&[iv(0, 100), iv(10, 20), iv(30, 40), iv(35, 200)]);
        assert_eq!(pairs, vec![(0, 1), (0, 2), (0, 3), (2, 3)]);
    }

    fn brute_force(intervals: &[Interval]) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        for i in 0..intervals.len() {
            for j in i + 1..intervals.len() {
                if intervals[i].overlaps(intervals[j]) {
                    pairs.push((i, j));
                }
            }
        }
        pairs
    }

    proptest! {
        #[test]
        fn sweep_equals_all_pairs(raw in prop::collection::vec((0i64..5_000, 0i64..400), 0..300)) {
            let intervals: Vec<Interval> = raw.iter().map(|&(s, d)| iv(s, s + d)).collect();
            prop_assert_eq!(overlapping_pairs(&intervals), brute_force(&intervals));
        }
    }
}
