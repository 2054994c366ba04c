//! A small table from folded word hashes to a few bits about the word,
//! looked up once per folded word of every line: buckets of [`SLOTS`] keys
//! scanned without branches (whether a word is a stopword is as likely as
//! not, which a probing loop pays for in mispredicted branches).

use crate::hash::spread;

/// Keys per bucket: a bucket's keys fill 64 bytes (their values 16 more).
const SLOTS: usize = 8;

/// A map from word hashes to nonzero `u16` values, built once.
///
/// Each key lives in the bucket its hash picks; the table doubles its
/// buckets when building until no bucket holds more than [`SLOTS`] keys.
/// Empty slots hold key 0 and value 0, so a lookup ORs the values of every
/// slot whose key equals the word: the one slot that holds it, and empty
/// slots that add nothing (the word whose hash is 0 included).
#[derive(Debug)]
pub(crate) struct WordTable {
    buckets: Vec<Bucket>,
    shift: u32,
}

/// The keys of a bucket split into their low and high halves (so that a
/// lookup compares 32-bit lanes, which SSE2 has), and their values.
#[derive(Clone, Copy, Debug, Default)]
struct Bucket {
    low: [u32; SLOTS],
    high: [u32; SLOTS],
    values: [u16; SLOTS],
}

impl WordTable {
    /// A table of `entries` (distinct keys, nonzero values).
    pub(crate) fn new(entries: &[(u64, u16)]) -> WordTable {
        debug_assert!(entries.iter().all(|&(_, v)| v != 0));
        // At least two buckets, so that the shift stays under 64.
        let mut bits = (entries.len() / SLOTS)
            .next_power_of_two()
            .trailing_zeros()
            .max(1);
        loop {
            if let Some(t) = WordTable::fill(entries, bits) {
                return t;
            }
            bits += 1;
        }
    }

    /// A table of `2^bits` buckets, or `None` if a bucket overflows.
    fn fill(entries: &[(u64, u16)], bits: u32) -> Option<WordTable> {
        let mut t = WordTable {
            buckets: vec![Bucket::default(); 1 << bits],
            shift: 64 - bits,
        };
        let mut used = vec![0usize; 1 << bits];
        for &(key, value) in entries {
            let b = t.bucket(key);
            let slot = used[b];
            if slot == SLOTS {
                return None;
            }
            let bucket = &mut t.buckets[b];
            bucket.low[slot] = key as u32;
            bucket.high[slot] = (key >> 32) as u32;
            bucket.values[slot] = value;
            used[b] += 1;
        }
        Some(t)
    }

    #[inline]
    fn bucket(&self, key: u64) -> usize {
        (spread(key) >> self.shift) as usize
    }

    /// The value of `key`, 0 if it is not in the table.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> u16 {
        let bucket = &self.buckets[self.bucket(key)];
        let (low, high) = (key as u32, (key >> 32) as u32);
        let mut v = 0;
        for slot in 0..SLOTS {
            let same = (bucket.low[slot] == low) & (bucket.high[slot] == high);
            v |= bucket.values[slot] & 0u16.wrapping_sub(u16::from(same));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn finds_every_key_and_nothing_else(
            keys in prop::collection::btree_set(any::<u64>(), 0..600),
            others in prop::collection::vec(any::<u64>(), 0..200),
            zero in any::<bool>(),
        ) {
            let mut keys: Vec<u64> = keys.into_iter().collect();
            if zero && !keys.contains(&0) {
                keys.push(0);
            }
            let entries: Vec<(u64, u16)> =
                keys.iter().enumerate().map(|(i, &k)| (k, (i % 0xFFFF) as u16 + 1)).collect();
            let t = WordTable::new(&entries);
            for &(k, v) in &entries {
                prop_assert_eq!(t.get(k), v);
            }
            for w in others.into_iter().chain([0]) {
                if !keys.contains(&w) {
                    prop_assert_eq!(t.get(w), 0);
                }
            }
        }
    }
}
