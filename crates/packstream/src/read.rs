//! Zero-copy input: a cursor over a byte slice.
//!
//! Every read hands out sub-slices that live as long as the input (`'de`), so
//! strings and byte arrays can be borrowed by the caller's types without a copy.
//! The trait is sealed: this crate decides which inputs it reads from.

use crate::error::{ErrorKind, Result};

mod private {
    pub trait Sealed {}
}

/// An input the [`Deserializer`](crate::Deserializer) reads from. Sealed.
///
/// Implemented by [`SliceRead`]; a streaming reader would return
/// copied data instead of borrowed slices, which is why reads go through a trait.
pub trait Read<'de>: private::Sealed {
    /// Offset of the next byte.
    fn position(&self) -> usize;
    /// Bytes not read yet.
    fn remaining(&self) -> usize;
    /// The next byte, without consuming it.
    fn peek(&self) -> Result<u8>;
    /// Consumes and returns the next byte.
    fn next(&mut self) -> Result<u8>;
    /// Consumes `n` bytes and returns them borrowed from the input.
    fn take(&mut self, n: usize) -> Result<&'de [u8]>;
}

/// A cursor over a byte slice; reads borrow from it.
#[derive(Clone, Debug)]
pub struct SliceRead<'de> {
    input: &'de [u8],
    pos: usize,
}

impl<'de> SliceRead<'de> {
    /// Starts reading at the slice's first byte.
    pub fn new(input: &'de [u8]) -> Self {
        SliceRead { input, pos: 0 }
    }

    /// The bytes not read yet.
    #[inline]
    pub fn rest(&self) -> &'de [u8] {
        self.input.get(self.pos..).unwrap_or_default()
    }

    /// Moves the cursor `n` bytes on; `n` must not pass the end.
    #[inline]
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.input.len());
    }

    /// The bytes from `start` up to the current position.
    #[inline]
    pub(crate) fn slice_from(&self, start: usize) -> &'de [u8] {
        self.input.get(start..self.pos).unwrap_or_default()
    }

    /// Consumes `N` bytes as an array.
    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    #[cold]
    fn eof(&self) -> crate::Error {
        ErrorKind::UnexpectedEof {
            position: self.input.len(),
        }
        .into()
    }
}

impl private::Sealed for SliceRead<'_> {}

impl<'de> Read<'de> for SliceRead<'de> {
    #[inline]
    fn position(&self) -> usize {
        self.pos
    }

    #[inline]
    fn remaining(&self) -> usize {
        self.input.len().saturating_sub(self.pos)
    }

    #[inline]
    fn peek(&self) -> Result<u8> {
        match self.input.get(self.pos) {
            Some(&b) => Ok(b),
            None => Err(self.eof()),
        }
    }

    #[inline]
    fn next(&mut self) -> Result<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Ok(b)
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'de [u8]> {
        let input: &'de [u8] = self.input;
        match self
            .pos
            .checked_add(n)
            .and_then(|end| input.get(self.pos..end))
        {
            Some(bytes) => {
                self.pos += n;
                Ok(bytes)
            }
            None => Err(self.eof()),
        }
    }
}
