//! Where the rows of an import come from (ADR 0006): JSON already parsed (the script API's
//! `data` argument, an array of orders or the text of a file), or the bytes of a file read as
//! the rows are parsed (`shopfloor import FILE`), so that a file is never held in memory as a
//! whole. Both go through one reader per format: text is read as `text.as_bytes()`.
//!
//! [`TextReader`] checks on the way that the bytes are UTF-8 (the first bad byte fails the
//! file with its offset and line), drops a byte-order mark and enforces a size limit. Since
//! the callers run the rows in one transaction, a file that fails half-way writes nothing.

use super::{b2mml, csv, json, Format};
use serde_json::Value as Json;
use shopfloor_core::errors::{CoreError, CoreResult};
use std::io::{self, BufRead, Read};

/// The rows of an import.
pub enum Source<'a> {
    /// A JSON array of orders, or the text of a file in the import's format.
    Json(&'a Json),
    /// The bytes of a file, read as the rows are parsed; more than `limit` bytes fail the file.
    Reader { reader: &'a mut dyn Read, limit: u64 },
}

impl<'a> From<&'a Json> for Source<'a> {
    fn from(data: &'a Json) -> Source<'a> {
        Source::Json(data)
    }
}

impl<'a> Source<'a> {
    /// A file's bytes, at most `limit` of them.
    pub fn reader(reader: &'a mut dyn Read, limit: u64) -> Source<'a> {
        Source::Reader { reader, limit }
    }
}

/// Calls `each(rowNumber, row)` for every row of `data`: a JSON array as given, or a file (its
/// text, or its bytes from a reader) in `format`. A file that cannot be read fails as a whole,
/// with `each` perhaps already called for the rows before the fault. Answers the file's
/// warnings (what it names that the import does not know: a CSV file's unknown columns).
pub fn for_each_input_row<'a>(
    data: impl Into<Source<'a>>,
    format: Format,
    each: &mut dyn FnMut(u64, Json) -> CoreResult<()>,
) -> CoreResult<Vec<String>> {
    match (format, data.into()) {
        (Format::B2mmlPerformance, _) => Err(CoreError::field(
            "format",
            "b2mml-performance is an export format; import schedules with b2mml",
        )),
        (Format::Json, Source::Json(Json::Array(rows))) => {
            for (i, row) in rows.iter().enumerate() {
                each(i as u64 + 1, row.clone())?;
            }
            Ok(Vec::new())
        }
        (_, Source::Json(Json::String(text))) => read_rows(&mut text.as_bytes(), u64::MAX, format, each),
        (_, Source::Json(other)) => Err(CoreError::field(
            "data",
            format!(
                "must be a JSON array of orders or the text of a file, got {}",
                shopfloor_core::record::describe(other)
            ),
        )),
        (_, Source::Reader { reader, limit }) => read_rows(reader, limit, format, each),
    }
}

/// The rows of a file in `format`, read from `bytes` through a [`TextReader`] ([`read_text`]).
fn read_rows(
    bytes: &mut dyn Read,
    limit: u64,
    format: Format,
    each: &mut dyn FnMut(u64, Json) -> CoreResult<()>,
) -> CoreResult<Vec<String>> {
    read_text(bytes, limit, |text| match format {
        Format::Json => json::for_each_row(text, each).map(|()| Vec::new()),
        Format::Csv => csv::for_each_order(text, each),
        Format::CsvBom => csv::for_each_bill_of_materials(text, each).map(|()| Vec::new()),
        Format::B2mml => b2mml::for_each_request(text, each).map(|()| Vec::new()),
        Format::B2mmlPerformance => unreachable!("refused above"),
    })
}

/// Runs `parse` over `bytes` read through a [`TextReader`] (at most `limit` of them). When the
/// reader failed (not UTF-8, too large, a read error), that is the file's error, not what the
/// parser made of the interrupted input.
pub(crate) fn read_text(
    bytes: &mut dyn Read,
    limit: u64,
    parse: impl FnOnce(&mut TextReader) -> CoreResult<Vec<String>>,
) -> CoreResult<Vec<String>> {
    let mut text = TextReader::new(bytes, limit);
    let result = parse(&mut text);
    match (result, text.failure.take()) {
        (Err(_), Some(failure)) => Err(failure),
        (result, _) => result,
    }
}

const BOM: &[u8] = b"\xef\xbb\xbf";
/// Bytes read from the source at a time.
const CHUNK: usize = 64 * 1024;

/// A buffered reader that hands out only bytes it has checked to be UTF-8: a byte that is not
/// part of a UTF-8 character (or a file ending inside one) fails the read with the byte's
/// offset and line, and is kept as [`TextReader::failure`]. A byte-order mark at the start is
/// dropped; more than `limit` bytes fail the read too.
pub struct TextReader<'a> {
    inner: &'a mut dyn Read,
    buf: Box<[u8]>,
    /// The next byte to hand out.
    pos: usize,
    /// `buf[..checked]` is UTF-8 (the bytes after it are the start of a cut character).
    checked: usize,
    filled: usize,
    /// The file offset of `buf[0]`.
    offset: u64,
    /// Line breaks in the bytes checked so far.
    lines: u64,
    limit: u64,
    started: bool,
    /// Why the read failed, once it has.
    pub failure: Option<CoreError>,
}

impl<'a> TextReader<'a> {
    pub fn new(inner: &'a mut dyn Read, limit: u64) -> TextReader<'a> {
        TextReader {
            inner,
            buf: vec![0; CHUNK].into_boxed_slice(),
            pos: 0,
            checked: 0,
            filled: 0,
            offset: 0,
            lines: 0,
            limit,
            started: false,
            failure: None,
        }
    }

    fn fail(&mut self, error: CoreError) -> io::Error {
        let message = match &error {
            CoreError::Validation(fields) => fields.0.values().flatten().cloned().collect::<Vec<_>>().join("; "),
            other => other.to_string(),
        };
        self.failure = Some(error);
        io::Error::new(io::ErrorKind::InvalidData, message)
    }

    fn not_utf8(&mut self, at: usize, what: &str) -> io::Error {
        let line = self.lines + 1 + self.buf[self.checked..at].iter().filter(|b| **b == b'\n').count() as u64;
        let offset = self.offset + at as u64;
        self.fail(CoreError::field(
            "data",
            format!("the import file is not UTF-8 text: {what} at byte {offset} (line {line})"),
        ))
    }

    /// Reads more bytes into the buffer after the ones kept; 0 at the end of the file.
    fn read_more(&mut self) -> io::Result<usize> {
        loop {
            match self.inner.read(&mut self.buf[self.filled..]) {
                Ok(n) => {
                    self.filled += n;
                    if self.offset + self.filled as u64 > self.limit {
                        let limit = self.limit;
                        return Err(self.fail(CoreError::field(
                            "data",
                            format!("the import file is larger than {limit} bytes, the most an import reads"),
                        )));
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.fail(CoreError::BadRequest(format!("reading the import file: {e}")))),
            }
        }
    }
}

impl Read for TextReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for TextReader<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.failure.is_some() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "the import file could not be read"));
        }
        while self.pos == self.checked {
            // Everything checked has been handed out: keep only the start of a cut character.
            self.buf.copy_within(self.checked..self.filled, 0);
            self.offset += self.checked as u64;
            self.filled -= self.checked;
            (self.pos, self.checked) = (0, 0);
            let n = self.read_more()?;
            if !self.started {
                if n > 0 && self.filled < BOM.len() && BOM.starts_with(&self.buf[..self.filled]) {
                    continue;
                }
                self.started = true;
                if self.buf[..self.filled].starts_with(BOM) {
                    (self.pos, self.checked) = (BOM.len(), BOM.len());
                }
            }
            if n == 0 {
                if self.checked < self.filled {
                    let at = self.checked;
                    return Err(self.not_utf8(at, "the file ends inside a character"));
                }
                return Ok(&[]);
            }
            let start = self.checked;
            let (good, bad) = match std::str::from_utf8(&self.buf[start..self.filled]) {
                Ok(_) => (self.filled - start, false),
                Err(e) => (e.valid_up_to(), e.error_len().is_some()),
            };
            if bad {
                return Err(self.not_utf8(start + good, "a byte that is not part of a UTF-8 character"));
            }
            self.lines += self.buf[start..start + good].iter().filter(|b| **b == b'\n').count() as u64;
            self.checked = start + good;
        }
        Ok(&self.buf[self.pos..self.checked])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.checked);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that hands out one byte per read, to cut every character.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), out.is_empty()) {
                (Some((b, rest)), false) => {
                    out[0] = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn read_all(bytes: &[u8], trickle: bool, limit: u64) -> Result<String, CoreError> {
        let mut plain = bytes;
        let mut slow = Trickle(bytes);
        let source: &mut dyn Read = if trickle { &mut slow } else { &mut plain };
        let mut r = TextReader::new(source, limit);
        let mut out = Vec::new();
        match r.read_to_end(&mut out) {
            Ok(_) => Ok(String::from_utf8(out).expect("only UTF-8 is handed out")),
            Err(_) => Err(r.failure.take().expect("a failure is kept")),
        }
    }

    fn message(e: CoreError) -> String {
        match e {
            CoreError::Validation(f) => f.0.values().flatten().cloned().collect(),
            other => other.to_string(),
        }
    }

    #[test]
    fn hands_out_utf8_drops_a_byte_order_mark_and_names_a_bad_byte() {
        let text = "[\"grüße\",\n\"日本\"]\n";
        for trickle in [false, true] {
            assert_eq!(read_all(text.as_bytes(), trickle, u64::MAX).unwrap(), text);
            let with_bom = [BOM, text.as_bytes()].concat();
            assert_eq!(read_all(&with_bom, trickle, u64::MAX).unwrap(), text);
            assert_eq!(
                read_all(b"\xef\xbb", trickle, u64::MAX).map_err(message).unwrap_err(),
                "the import file is not UTF-8 text: the file ends inside a character at byte 0 (line 1)"
            );
            let bad = b"a\nb\nc\xffd";
            assert_eq!(
                message(read_all(bad, trickle, u64::MAX).unwrap_err()),
                "the import file is not UTF-8 text: a byte that is not part of a UTF-8 character at byte 5 (line 3)"
            );
            let cut = &"x\n日".as_bytes()[..4];
            assert!(message(read_all(cut, trickle, u64::MAX).unwrap_err()).contains("ends inside a character at byte 2 (line 2)"));
            assert!(message(read_all(b"12345", trickle, 4).unwrap_err()).contains("larger than 4 bytes"));
            assert_eq!(read_all(b"1234", trickle, 4).unwrap(), "1234");
            assert_eq!(read_all(b"", trickle, 4).unwrap(), "");
        }
        // A bad byte far into a file names its offset in the file, not in the buffer.
        let mut big = "x\n".repeat(CHUNK).into_bytes();
        big.push(0xc0);
        let e = message(read_all(&big, false, u64::MAX).unwrap_err());
        assert!(e.contains(&format!("at byte {} (line {})", 2 * CHUNK, CHUNK + 1)), "{e}");
    }

    #[test]
    fn every_format_reads_text_and_readers_alike() {
        let cases = [
            (Format::Json, "[{\"name\": \"A\"}, {\"name\": \"B\"}]"),
            (Format::Csv, "name\nA\nB\n"),
            (Format::CsvBom, "productionOrderName,materialPath\nA,x\nB,y\n"),
            (
                Format::B2mml,
                "<SyncProductionSchedule><ProductionSchedule><ProductionRequest><ID>A</ID></ProductionRequest><ProductionRequest><ID>B</ID></ProductionRequest></ProductionSchedule></SyncProductionSchedule>",
            ),
        ];
        for (format, text) in cases {
            let names = |source: Source| {
                let mut names = Vec::new();
                for_each_input_row(source, format, &mut |_, row| {
                    names.push(row["name"].as_str().unwrap().to_string());
                    Ok(())
                })
                .map(|_| names)
            };
            let as_text = Json::String(text.to_string());
            assert_eq!(names(Source::from(&as_text)).unwrap(), ["A", "B"], "{format:?}");
            let mut bytes = text.as_bytes();
            assert_eq!(names(Source::reader(&mut bytes, 1 << 20)).unwrap(), ["A", "B"], "{format:?}");
            // A bad byte after the first row fails the whole file with the reader's message.
            let split = text.find('B').unwrap();
            let broken = [&text.as_bytes()[..split], b"\xff", &text.as_bytes()[split..]].concat();
            let e = names(Source::reader(&mut broken.as_slice(), 1 << 20)).unwrap_err();
            assert!(message(e).contains("not UTF-8 text"), "{format:?}");
        }
    }
}
