//! The vendored mail-parser's quoted-printable and base64 body decoders
//! (patched for speed: vendor/mail-parser/PATCHES.md) against the upstream
//! 0.11.9 code, copied below as the reference: same bytes out, same end
//! offset, same failures, on the fixture mails' bodies and on random soup.

#![allow(clippy::unwrap_used)]

use std::borrow::Cow;

use mail_parser::decoders::base64::BASE64_MAP;
use mail_parser::parsers::MessageStream;
use proptest::prelude::*;

/// Both upstream decoders at the end of the data: the offset reached, or
/// `usize::MAX` when the boundary they looked for never came.
fn at_end(data: &[u8], boundary: &[u8], buf: Vec<u8>) -> (usize, Vec<u8>) {
    (
        if boundary.is_empty() {
            data.len()
        } else {
            usize::MAX
        },
        buf,
    )
}

/// Upstream `MessageStream::decode_quoted_printable_mime` (0.11.9), over a
/// byte slice instead of the stream: (end offset or `usize::MAX`, bytes).
fn reference(data: &[u8], boundary: &[u8]) -> (usize, Vec<u8>) {
    #[derive(PartialEq)]
    enum St {
        None,
        Eq,
        Hex1,
    }
    let hex = |c: u8| -> i8 {
        match c {
            b'0'..=b'9' => (c - b'0') as i8,
            b'a'..=b'f' => (c - b'a' + 10) as i8,
            b'A'..=b'F' => (c - b'A' + 10) as i8,
            _ => -1,
        }
    };
    let mut buf = Vec::new();
    let mut state = St::None;
    let mut hex1 = 0i8;
    let mut last_ch = 0u8;
    let mut before_last_ch = 0u8;
    let mut ws_count = 0usize;
    let mut end_pos = 0usize;
    let mut crlf: &[u8] = b"\n";
    let mut pos = 0usize;
    while pos < data.len() {
        let ch = data[pos];
        pos += 1;
        match ch {
            b'=' => {
                if state == St::None {
                    state = St::Eq
                } else {
                    return (usize::MAX, Vec::new());
                }
            }
            b'\n' => {
                end_pos = if last_ch == b'\r' { pos - 2 } else { pos - 1 };
                if state == St::Eq {
                    state = St::None;
                } else {
                    if ws_count > 0 {
                        buf.truncate(buf.len() - ws_count);
                    }
                    buf.extend_from_slice(crlf);
                }
                ws_count = 0;
            }
            b'\r' => crlf = b"\r\n",
            b'-' if !boundary.is_empty()
                && last_ch == b'-'
                && data.get(pos..pos + boundary.len()) == Some(boundary) =>
            {
                pos += boundary.len();
                if before_last_ch == b'\n' {
                    buf.truncate(buf.len() - (crlf.len() + 1));
                } else {
                    buf.truncate(buf.len() - 1);
                    end_pos = pos - boundary.len() - 2;
                }
                return (end_pos, buf);
            }
            _ => match state {
                St::None => {
                    if ch.is_ascii_whitespace() {
                        ws_count += 1;
                    } else {
                        ws_count = 0;
                    }
                    buf.push(ch);
                }
                St::Eq => {
                    hex1 = hex(ch);
                    if hex1 != -1 {
                        state = St::Hex1;
                    } else if !ch.is_ascii_whitespace() {
                        state = St::None;
                        buf.push(b'=');
                        buf.push(ch);
                        ws_count = 0;
                    }
                }
                St::Hex1 => {
                    let hex2 = hex(ch);
                    state = St::None;
                    if hex2 != -1 {
                        buf.push(((hex1 as u8) << 4) | hex2 as u8);
                        ws_count = 0;
                    } else {
                        buf.push(b'=');
                        buf.push(last_ch);
                        buf.push(ch);
                        ws_count = 0;
                    }
                }
            },
        }
        before_last_ch = last_ch;
        last_ch = ch;
    }
    at_end(data, boundary, buf)
}

/// Upstream `MessageStream::decode_base64_mime` (0.11.9) over a slice.
fn reference_b64(data: &[u8], boundary: &[u8]) -> (usize, Vec<u8>) {
    let mut chunk: u32 = 0;
    let mut byte_count: u8 = 0;
    let mut buf = Vec::new();
    let mut last_ch = b'\n';
    let mut before_last_ch = 0u8;
    let mut end_pos = 0usize;
    let mut pos = 0usize;
    while pos < data.len() {
        let ch = data[pos];
        pos += 1;
        let val = BASE64_MAP[byte_count as usize][ch as usize];
        if val < 0x01ffffff {
            byte_count = (byte_count + 1) & 3;
            if byte_count == 1 {
                chunk = val;
            } else {
                chunk |= val;
                if byte_count == 0 {
                    buf.extend_from_slice(&chunk.to_le_bytes()[0..3]);
                }
            }
        } else {
            match ch {
                b'=' => match byte_count {
                    1 | 2 => {
                        buf.push(chunk.to_le_bytes()[0]);
                        byte_count = 0;
                    }
                    3 => {
                        buf.extend_from_slice(&chunk.to_le_bytes()[0..2]);
                        byte_count = 0;
                    }
                    _ => (),
                },
                b'\n' => end_pos = if last_ch == b'\r' { pos - 2 } else { pos - 1 },
                b' ' | b'\t' | b'\r' => (),
                b'-' => {
                    if last_ch == b'-' {
                        return if !boundary.is_empty()
                            && data.get(pos..pos + boundary.len()) == Some(boundary)
                        {
                            pos += boundary.len();
                            (
                                if before_last_ch == b'\n' {
                                    end_pos
                                } else {
                                    pos - boundary.len() - 2
                                },
                                buf,
                            )
                        } else {
                            (usize::MAX, Vec::new())
                        };
                    }
                }
                _ => return (usize::MAX, Vec::new()),
            }
        }
        before_last_ch = last_ch;
        last_ch = ch;
    }
    at_end(data, boundary, buf)
}

fn patched_b64(data: &[u8], boundary: &[u8]) -> (usize, Vec<u8>) {
    let (end, bytes) = MessageStream::new(data).decode_base64_mime(boundary);
    (end, bytes.into_owned())
}

fn patched(data: &[u8], boundary: &[u8]) -> (usize, Vec<u8>) {
    let (end, bytes) = MessageStream::new(data).decode_quoted_printable_mime(boundary);
    let bytes = match bytes {
        Cow::Borrowed(b) => b.to_vec(),
        Cow::Owned(b) => b,
    };
    // Upstream returns no bytes with a failure; compare what callers see.
    if end == usize::MAX && boundary.is_empty() {
        return (end, Vec::new());
    }
    (end, bytes)
}

type Decoder = fn(&[u8], &[u8]) -> (usize, Vec<u8>);

/// The patched decoder says what upstream says: the same offset and bytes,
/// or both fail (upstream's bytes with a failure are not looked at).
fn agree(reference: Decoder, patched: Decoder, data: &[u8], boundary: &[u8]) {
    let norm = |(e, b): (usize, Vec<u8>)| {
        if e == usize::MAX {
            (e, Vec::new())
        } else {
            (e, b)
        }
    };
    assert_eq!(
        norm(patched(data, boundary)),
        norm(reference(data, boundary)),
        "{:?} / {:?}",
        String::from_utf8_lossy(data),
        boundary
    );
}

fn same(data: &[u8], boundary: &[u8]) {
    agree(reference, patched, data, boundary);
}

fn same_b64(data: &[u8], boundary: &[u8]) {
    agree(reference_b64, patched_b64, data, boundary);
}

#[test]
fn known_shapes_decode_as_upstream() {
    for (data, boundary) in [
        (&b"plain text\r\nline two  \r\n"[..], &b""[..]),
        (
            b"=D0=9F=D1=80=D0=B8=D0=B2=D0=B5=D1=82 =\r\n=D0=BC=D0=B8=D1=80\r\n",
            b"",
        ),
        (b"soft=\nbreak and trailing \t \nx", b""),
        (b"bad =ZZ escape and =4 half =\n", b""),
        (b"tail =", b""),
        (b"a=3", b""),
        (b"== twice", b""),
        (b"body line\r\n--bnd--\r\nepilogue", b"bnd"),
        (b"body line\n--bnd\n", b"bnd"),
        (b"mid--bnd line", b"bnd"),
        (b"dash - and -- and ---bnd", b"bnd"),
        (b"=D0=9F--bnd", b"bnd"),
        (b"no boundary here --bn", b"bnd"),
        (b"   \n\t\x0c \r\n", b""),
        (b"", b""),
        (b"", b"x"),
    ] {
        same(data, boundary);
    }
    for (data, boundary) in [
        (&b"0J/RgNC40LLQtdGC\r\n0LzQuNGA\r\n"[..], &b""[..]),
        (b"0J/RgNC4\r\n--bnd--\r\n", b"bnd"),
        (b"0J/R gNC4 0LLQ\ttdGC", b""),
        (b"QQ==", b""),
        (b"QUI=", b""),
        (b"QUJD\nRA", b""),
        (b"QU-JD", b""),
        (b"QU--bnd", b"bnd"),
        (b"QUJD!", b""),
        (b"", b""),
    ] {
        same_b64(data, boundary);
    }
}

#[test]
fn fixture_bodies_decode_as_upstream() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs = vec![root];
    let mut n = 0;
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "eml") {
                let raw = std::fs::read(&p).unwrap();
                if let Some(body) = raw
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n" || w.starts_with(b"\n\n"))
                {
                    let body = &raw[body..];
                    same(body, b"");
                    same(body, b"boundary");
                    same_b64(body, b"");
                    same_b64(body, b"boundary");
                    n += 1;
                }
            }
        }
    }
    assert!(n > 1000, "{n} mails");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]
    #[test]
    fn random_qp_decodes_as_upstream(
        bytes in proptest::collection::vec(
            prop_oneof![
                Just(b'='), Just(b'\n'), Just(b'\r'), Just(b'-'), Just(b' '), Just(b'\t'),
                Just(b'A'), Just(b'f'), Just(b'0'), Just(b'9'), Just(b'G'), Just(b'x'),
                Just(0xD0u8), Just(b'b'),
            ],
            0..80,
        ),
        with_boundary in any::<bool>(),
    ) {
        same(&bytes, if with_boundary { b"b" } else { b"" });
        same(&bytes, if with_boundary { b"-b" } else { b"" });
    }

    #[test]
    fn random_base64_decodes_as_upstream(
        bytes in proptest::collection::vec(
            prop_oneof![
                4 => prop_oneof![Just(b'Q'), Just(b'U'), Just(b'J'), Just(b'0'), Just(b'+'), Just(b'/'), Just(b'z')],
                1 => prop_oneof![Just(b'='), Just(b'\n'), Just(b'\r'), Just(b'-'), Just(b' '), Just(b'\t'), Just(b'!'), Just(b'b')],
            ],
            0..120,
        ),
        with_boundary in any::<bool>(),
    ) {
        same_b64(&bytes, if with_boundary { b"b" } else { b"" });
        same_b64(&bytes, if with_boundary { b"-b" } else { b"" });
    }
}
