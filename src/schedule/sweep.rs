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

/// Intervals in start order, with a tree of their largest ends: lists the
/// ones that overlap a given interval in time linear in how many it lists
/// (times the depth of the tree), however long the others last.
pub struct StartOrder {
    /// The starts, ascending.
    starts: Vec<i64>,
    /// Leaves from `size` (the ends; `i64::MIN` for an empty interval,
    /// which overlaps nothing); node `n` holds the max of `2n` and `2n + 1`.
    max: Vec<i64>,
    size: usize,
}

impl StartOrder {
    /// `intervals`, which must come in order of start.
    pub fn new(intervals: impl ExactSizeIterator<Item = Interval>) -> StartOrder {
        let size = intervals.len().next_power_of_two();
        let mut max = vec![i64::MIN; 2 * size];
        let mut starts = Vec::with_capacity(intervals.len());
        for (i, iv) in intervals.enumerate() {
            debug_assert!(starts.last().is_none_or(|&s| s <= iv.start));
            starts.push(iv.start);
            if iv.start < iv.end {
                max[size + i] = iv.end;
            }
        }
        for n in (1..size).rev() {
            max[n] = max[2 * n].max(max[2 * n + 1]);
        }
        StartOrder { starts, max, size }
    }

    /// Calls `each` with the position of every interval that overlaps `x`,
    /// in order, from an explicit stack as deep as the tree (no recursion).
    pub fn each_overlapping(&self, x: Interval, each: impl FnMut(usize)) {
        if x.start >= x.end {
            return;
        }
        let upto = self.starts.partition_point(|&s| s < x.end);
        self.each_ending_after(upto, x.start, each);
    }

    /// Calls `each` with the position, below `upto`, of every nonempty
    /// interval that ends after `t`, in order.
    pub fn each_ending_after(&self, upto: usize, t: i64, mut each: impl FnMut(usize)) {
        // (node, first leaf it covers, leaves it covers): at most one
        // pending right child per level, and 64 levels at most.
        let mut stack = [(0usize, 0usize, 0usize); 66];
        stack[0] = (1, 0, self.size);
        let mut depth = 1;
        while depth > 0 {
            depth -= 1;
            let (node, first, width) = stack[depth];
            if first >= upto || self.max[node] <= t {
                continue;
            }
            if width == 1 {
                each(first);
                continue;
            }
            let half = width / 2;
            stack[depth] = (2 * node + 1, first + half, half);
            stack[depth + 1] = (2 * node, first, half);
            depth += 2;
        }
    }
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
    #[test]
    fn start_order_lists_exactly_the_overlapping_intervals() {
        // Sorted by start; one long, one empty, touching ends.
        let intervals = [
            iv(0, 100),
            iv(1, 2),
            iv(2, 5),
            iv(3, 3),
            iv(5, 9),
            iv(6, 7),
            iv(9, 12),
        ];
        let order = StartOrder::new(intervals.iter().copied());
        for start in -1..14 {
            for end in start..15 {
                let x = iv(start, end);
                let mut listed = Vec::new();
                order.each_overlapping(x, |i| listed.push(i));
                let expected: Vec<usize> = (0..intervals.len())
                    .filter(|&i| intervals[i].overlaps(x))
                    .collect();
                assert_eq!(listed, expected, "{x:?}");
            }
        }
        let none = StartOrder::new(std::iter::empty());
        none.each_overlapping(iv(0, 10), |_| panic!("nothing to list"));
    }
}
