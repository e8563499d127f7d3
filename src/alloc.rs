//! The shipped binary's global allocator: mimalloc, but blocks of [`BIG`] and more on pages
//! of their own, mapped when allocated and unmapped when freed (as glibc does from
//! `M_MMAP_THRESHOLD`, which `server::memory` sets for glibc builds).
//!
//! mimalloc puts blocks of 84-512 KiB eight or more to a 4 MiB page and returns a page only
//! once all its blocks are freed: a note's text or line table kept after a close (a summary
//! read again, an index list) held a page whose other blocks were freed, and closing notes
//! gave back little.

use std::alloc::{GlobalAlloc, Layout};

/// Blocks this big or bigger get pages of their own.
pub const BIG: usize = 256 * 1024;

/// mimalloc for small blocks, the kernel's pages for big ones.
pub struct Shipped;

fn is_big(size: usize, align: usize) -> bool {
    size >= BIG && align <= 4096
}

/// Fresh zeroed pages for `size` bytes, or null.
fn map(size: usize) -> *mut u8 {
    // SAFETY: an anonymous private mapping, no file, no fixed address.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        std::ptr::null_mut()
    } else {
        p.cast()
    }
}

// SAFETY: big blocks are mappings of at least their size, page-aligned (alignments above a
// page go to mimalloc), and told apart on free by the layout's size as on allocation.
unsafe impl GlobalAlloc for Shipped {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if is_big(l.size(), l.align()) {
            return map(l.size());
        }
        // SAFETY: forwarded as given.
        unsafe { mimalloc::MiMalloc.alloc(l) }
    }

    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if is_big(l.size(), l.align()) {
            return map(l.size());
        }
        // SAFETY: forwarded as given.
        unsafe { mimalloc::MiMalloc.alloc_zeroed(l) }
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if is_big(l.size(), l.align()) {
            // SAFETY: `p` was mapped by `map` with this size.
            unsafe { libc::munmap(p.cast(), l.size()) };
            return;
        }
        // SAFETY: forwarded as given.
        unsafe { mimalloc::MiMalloc.dealloc(p, l) }
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        match (is_big(l.size(), l.align()), is_big(new, l.align())) {
            // SAFETY: forwarded as given.
            (false, false) => unsafe { mimalloc::MiMalloc.realloc(p, l, new) },
            (true, true) => {
                // SAFETY: `p` is a mapping of `l.size()` bytes; the kernel moves or grows it.
                let q = unsafe { libc::mremap(p.cast(), l.size(), new, libc::MREMAP_MAYMOVE) };
                if q == libc::MAP_FAILED {
                    std::ptr::null_mut()
                } else {
                    q.cast()
                }
            }
            // Across the threshold: a new block, the bytes copied, the old block freed.
            _ => {
                // SAFETY: `new` is non-zero and fits `l.align()`, as realloc's contract says.
                let to = unsafe { Layout::from_size_align_unchecked(new, l.align()) };
                // SAFETY: as `alloc`, `dealloc`; the copy stays within both blocks.
                unsafe {
                    let q = self.alloc(to);
                    if !q.is_null() {
                        std::ptr::copy_nonoverlapping(p, q, l.size().min(new));
                        self.dealloc(p, l);
                    }
                    q
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block grown and shrunk across [`BIG`] keeps its bytes, zeroed blocks are zero.
    #[test]
    fn blocks_keep_their_bytes_across_the_threshold() {
        let a = Shipped;
        let sizes = [100, BIG - 1, BIG, 3 * BIG + 17, 40 * BIG, BIG + 1, 8, 1];
        let l = Layout::from_size_align(sizes[0], 8).unwrap();
        // SAFETY: each block is used within its current size and freed with its layout.
        unsafe {
            let mut p = a.alloc(l);
            let mut size = sizes[0];
            let fill = |p: *mut u8, n: usize| (0..n).for_each(|i| *p.add(i) = (i % 251) as u8);
            fill(p, size);
            for &new in &sizes[1..] {
                p = a.realloc(p, Layout::from_size_align(size, 8).unwrap(), new);
                assert!(!p.is_null());
                for i in 0..size.min(new) {
                    assert_eq!(*p.add(i), (i % 251) as u8, "byte {i} after {size} -> {new}");
                }
                size = new;
                fill(p, size);
            }
            a.dealloc(p, Layout::from_size_align(size, 8).unwrap());
            for size in [16, BIG, 5 * BIG] {
                let l = Layout::from_size_align(size, 16).unwrap();
                let z = a.alloc_zeroed(l);
                assert!((0..size).all(|i| *z.add(i) == 0));
                assert_eq!(z as usize % 16, 0);
                a.dealloc(z, l);
            }
            // Aligned beyond a page: mimalloc's, whatever the size.
            let l = Layout::from_size_align(2 * BIG, 8192).unwrap();
            let q = a.alloc(l);
            assert_eq!(q as usize % 8192, 0);
            a.dealloc(q, l);
        }
    }
}
