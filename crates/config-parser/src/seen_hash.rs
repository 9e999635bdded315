//! A fast hasher for the map of section headers seen in one file. SipHash
//! took an eighth of the parse time there; this word-at-a-time multiply
//! hash, seeded at random for each parse, keeps crafted collisions hard.

use std::hash::{BuildHasher, Hasher, RandomState};

#[derive(Clone, Copy)]
pub(crate) struct SeededHash {
    seed: u64,
}

impl SeededHash {
    pub(crate) fn new() -> Self {
        SeededHash {
            seed: RandomState::new().hash_one(0u8) | 1,
        }
    }
}

impl BuildHasher for SeededHash {
    type Hasher = WordHasher;

    fn build_hasher(&self) -> WordHasher {
        WordHasher { hash: self.seed }
    }
}

pub(crate) struct WordHasher {
    hash: u64,
}

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(23) ^ word).wrapping_mul(K);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // Mix the high bits down: hashbrown takes its control bits from the top.
        let h = self.hash;
        (h ^ (h >> 29)).wrapping_mul(K) ^ (h >> 32)
    }
}
