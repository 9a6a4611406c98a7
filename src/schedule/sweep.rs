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

/// Every pair `(i, j)` of an interval `left[i]` and an interval
/// `right[j]` that overlap, sorted: the same sweep with one set of open
/// intervals per side, so pairs within one side cost nothing
/// (O(n log n + k) for k pairs across). Empty intervals overlap nothing.
pub fn overlapping_across(left: &[Interval], right: &[Interval]) -> Vec<(usize, usize)> {
    let nonempty = |side: usize, list: &[Interval]| {
        list.iter()
            .enumerate()
            .filter(|(_, iv)| iv.start < iv.end)
            .map(move |(i, iv)| (iv.start, side, i))
            .collect::<Vec<_>>()
    };
    let mut order = nonempty(0, left);
    order.extend(nonempty(1, right));
    order.sort_unstable();
    let lists = [left, right];
    let mut open: [BinaryHeap<Reverse<(i64, usize)>>; 2] = [BinaryHeap::new(), BinaryHeap::new()];
    let mut pairs = Vec::new();
    for (start, side, i) in order {
        for heap in open.iter_mut() {
            while heap.peek().is_some_and(|Reverse((end, _))| *end <= start) {
                heap.pop();
            }
        }
        for Reverse((_, j)) in open[1 - side].iter() {
            pairs.push(if side == 0 { (i, *j) } else { (*j, i) });
        }
        open[side].push(Reverse((lists[side][i].end, i)));
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

        #[test]
        fn sweep_across_equals_all_pairs_across(
            left in prop::collection::vec((0i64..5_000, 0i64..400), 0..120),
            right in prop::collection::vec((0i64..5_000, 0i64..400), 0..120),
        ) {
            let left: Vec<Interval> = left.iter().map(|&(s, d)| iv(s, s + d)).collect();
            let right: Vec<Interval> = right.iter().map(|&(s, d)| iv(s, s + d)).collect();
            let mut expected = Vec::new();
            for (i, a) in left.iter().enumerate() {
                for (j, b) in right.iter().enumerate() {
                    if a.overlaps(*b) {
                        expected.push((i, j));
                    }
                }
            }
            prop_assert_eq!(overlapping_across(&left, &right), expected);
        }
    }
}
