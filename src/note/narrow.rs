//! Numbers a chunk keeps (offsets in it, counts), in a boxed slice of u16 when they all fit,
//! else of u32: most chunks are a few kilobytes, so their line tables and packed blocks take
//! half the room. A chunk is far below 4 GiB (messages are capped at 256 MiB).

/// The numbers, read as u32 whatever their width. Canonical (u16 exactly when every number
/// fits), so equal numbers compare equal.
#[derive(Clone, PartialEq, Eq)]
pub enum Narrow {
    U16(Box<[u16]>),
    U32(Box<[u32]>),
}

impl Default for Narrow {
    fn default() -> Narrow {
        Narrow::U16(Box::default())
    }
}

impl std::fmt::Debug for Narrow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl From<Vec<u32>> for Narrow {
    fn from(v: Vec<u32>) -> Narrow {
        if v.iter().all(|&x| x <= u32::from(u16::MAX)) {
            Narrow::U16(v.into_iter().map(|x| x as u16).collect())
        } else {
            Narrow::U32(v.into())
        }
    }
}

impl Narrow {
    pub fn len(&self) -> usize {
        match self {
            Narrow::U16(v) => v.len(),
            Narrow::U32(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th number; panics past the end, as indexing does.
    pub fn at(&self, i: usize) -> u32 {
        match self {
            Narrow::U16(v) => u32::from(v[i]),
            Narrow::U32(v) => v[i],
        }
    }

    pub fn get(&self, i: usize) -> Option<u32> {
        (i < self.len()).then(|| self.at(i))
    }

    pub fn last(&self) -> Option<u32> {
        self.len().checked_sub(1).map(|i| self.at(i))
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        (0..self.len()).map(|i| self.at(i))
    }

    /// The numbers at `range`, in order.
    pub fn range(&self, range: std::ops::Range<usize>) -> impl ExactSizeIterator<Item = u32> + '_ {
        range.map(|i| self.at(i))
    }

    /// As `slice::partition_point`.
    pub fn partition_point(&self, pred: impl Fn(u32) -> bool) -> usize {
        match self {
            Narrow::U16(v) => v.partition_point(|&x| pred(u32::from(x))),
            Narrow::U32(v) => v.partition_point(|&x| pred(x)),
        }
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Narrow::U16(v) => std::mem::size_of_val(&**v),
            Narrow::U32(v) => std::mem::size_of_val(&**v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_at_either_width() {
        for v in [
            vec![],
            vec![0, 1, 65535],
            vec![3, 65536, 7],
            vec![u32::MAX, 0],
        ] {
            let n = Narrow::from(v.clone());
            assert_eq!(n.iter().collect::<Vec<_>>(), v);
            assert_eq!(n.len(), v.len());
            assert_eq!(n.last(), v.last().copied());
            assert_eq!(n.get(v.len()), None);
            let wide = v.iter().any(|&x| x > 65535);
            assert_eq!(matches!(n, Narrow::U32(_)), wide, "{v:?}");
            assert_eq!(n.heap_bytes(), v.len() * if wide { 4 } else { 2 });
            for x in [0, 5, 65535, 65536, u32::MAX] {
                assert_eq!(
                    n.partition_point(|y| y <= x),
                    v.partition_point(|&y| y <= x)
                );
            }
        }
        assert_eq!(Narrow::from(Vec::new()), Narrow::default());
    }
}
