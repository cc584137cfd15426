//! Line splitting for the reader's hot loops, on the `memchr` crate's SIMD
//! byte search. `str::lines` and `str::split('\n')` find each newline with
//! core's word-at-a-time `memchr`, which the parse bench showed as ~5 % of
//! all instructions (long HTML-derived lines, every mail read many times
//! over). Same items, same order as the std iterators they stand for.

/// `s.split('\n')`: every piece, the empty last one included.
pub fn split_nl(s: &str) -> SplitNl<'_> {
    SplitNl { rest: Some(s) }
}

/// `s.lines()`: pieces between `\n`, a `\r` before the `\n` dropped, no
/// empty piece after a final `\n`.
pub fn lines(s: &str) -> Lines<'_> {
    Lines { rest: s }
}

/// `s.contains("://")` without a substring searcher built per call (the
/// reader asks it of every word of some texts): each `:` is looked at.
pub fn has_scheme_sep(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(b':', b).any(|i| b[i + 1..].starts_with(b"//"))
}

/// Iterator of [`split_nl`].
#[derive(Debug, Clone)]
pub struct SplitNl<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for SplitNl<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match memchr::memchr(b'\n', s.as_bytes()) {
            Some(i) => {
                // `\n` is ASCII: both cuts are char boundaries.
                self.rest = Some(&s[i + 1..]);
                Some(&s[..i])
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// Iterator of [`lines`].
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let s = self.rest;
        let line = match memchr::memchr(b'\n', s.as_bytes()) {
            Some(i) => {
                self.rest = &s[i + 1..];
                let l = &s[..i];
                l.strip_suffix('\r').unwrap_or(l)
            }
            None => {
                self.rest = "";
                s
            }
        };
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_pieces_as_the_std_iterators() {
        let cases = [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\r\n",
            "a\r",
            "a\rb\r\n",
            "\r\n\r\n",
            "a\nb",
            "a\n\nb\n",
            "Имя: Иван\r\nТелефон: +7 912\r\n\r\nКомментарий\n",
            " x \n\t\n y",
            "\r",
            "a\r\r\n",
        ];
        for c in cases {
            assert_eq!(
                lines(c).collect::<Vec<_>>(),
                c.lines().collect::<Vec<_>>(),
                "{c:?}"
            );
            assert_eq!(
                split_nl(c).collect::<Vec<_>>(),
                c.split('\n').collect::<Vec<_>>(),
                "{c:?}"
            );
        }
        for c in [
            "",
            ":",
            "://",
            "a:/",
            "a:/ /",
            "http://x",
            "x::://",
            "ftp:/x://y",
            "a:b//",
            "://:",
        ] {
            assert_eq!(has_scheme_sep(c), c.contains("://"), "{c:?}");
        }
        let long = "слово ".repeat(200) + "\n" + &"x".repeat(100) + "\r\n\n";
        assert_eq!(
            lines(&long).collect::<Vec<_>>(),
            long.lines().collect::<Vec<_>>()
        );
        assert_eq!(
            split_nl(&long).collect::<Vec<_>>(),
            long.split('\n').collect::<Vec<_>>()
        );
    }
}
