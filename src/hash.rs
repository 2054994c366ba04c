//! Hash mixers, seeds and hasher types: every hash the crate computes is
//! built from these, so that the keys of folding, cues, learning and
//! template matching agree.

use std::hash::{BuildHasherDefault, Hasher};

/// The golden-ratio multiplier (2^64 / φ): one multiply spreads a key's
/// entropy into its high bits.
pub(crate) const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// FNV-1a's offset basis: the hash of an empty word.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a's 64-bit prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Seeds that keep prefix, suffix and whole-line keys apart (ASCII `line`,
/// `pref`, `suff`).
pub(crate) const SEED_LINE: u64 = 0x6c69_6e65;
pub(crate) const SEED_PREFIX: u64 = 0x7072_6566;
pub(crate) const SEED_SUFFIX: u64 = 0x7375_6666;
/// The start of a page's content key (ASCII `page`).
pub(crate) const SEED_PAGE: u64 = 0x7061_6765;
/// Keeps slotted template ids apart from line fingerprints (ASCII `slot`).
const SEED_SLOT: u64 = 0x736c_6f74;

/// One FNV-1a step: `h` after the byte `b`.
#[inline]
pub(crate) fn fnv(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(FNV_PRIME)
}

/// The hash of one folded word (FNV-1a of its bytes).
#[inline]
pub(crate) fn word_hash(word: &[u8]) -> u64 {
    word.iter().fold(FNV_OFFSET, |h, &b| fnv(h, b))
}

/// Chain a word hash `w` into the key `h` of the words before it.
#[inline]
pub(crate) fn mix(h: u64, w: u64) -> u64 {
    (h.rotate_left(23) ^ w).wrapping_mul(GOLDEN)
}

/// The final avalanche of a chained key (MurmurHash3's fmix64).
#[inline]
pub(crate) fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Spread a key that is already a hash with one shift and one multiply.
#[inline]
pub(crate) fn spread(n: u64) -> u64 {
    (n ^ (n >> 29)).wrapping_mul(GOLDEN)
}

/// Chain a line fingerprint into the content key of the page's lines so far
/// (start from [`SEED_PAGE`]).
#[inline]
pub(crate) fn page_key(key: u64, fingerprint: u64) -> u64 {
    (key.rotate_left(29) ^ fingerprint).wrapping_mul(GOLDEN)
}

/// Id of a slotted template from its prefix and suffix keys (0 for none).
#[inline]
pub(crate) fn slot_key(prefix: u64, suffix: u64) -> u64 {
    (prefix.rotate_left(17) ^ suffix).wrapping_mul(GOLDEN) ^ SEED_SLOT
}

/// Hashes a `u64` that is already a hash with one multiply (SipHash would
/// cost more than the lookup it serves).
#[derive(Default, Clone, Copy)]
pub(crate) struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0 ^ b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = spread(n);
    }
}

/// Hash maps and sets keyed by hashes, through [`MixHasher`].
pub(crate) type BuildMix = BuildHasherDefault<MixHasher>;

/// Keys that are already well-mixed hashes, used as they are.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Hash maps and sets keyed by well-mixed hashes, through [`IdentityHasher`].
pub(crate) type BuildIdentity = BuildHasherDefault<IdentityHasher>;

/// A key drawn at random once per process for [`BuildKeyed`].
static TABLE_KEY: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(SEED_LINE)
});

/// Hashes a `u64` key with the per-process key and [`finish`]'s avalanche:
/// as cheap as [`MixHasher`], but a model file cannot choose keys that all
/// fall into one bucket (they come from outside, unlike the keys the
/// learner counts).
#[derive(Clone, Copy)]
pub(crate) struct KeyedHasher(u64);

impl Hasher for KeyedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = finish(self.0 ^ n);
    }
}

/// Hash tables of a model, through [`KeyedHasher`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct BuildKeyed(u64);

impl Default for BuildKeyed {
    fn default() -> Self {
        BuildKeyed(*TABLE_KEY)
    }
}

impl std::hash::BuildHasher for BuildKeyed {
    type Hasher = KeyedHasher;
    fn build_hasher(&self) -> KeyedHasher {
        KeyedHasher(self.0)
    }
}
