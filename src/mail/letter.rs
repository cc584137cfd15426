//! Raw mail bytes to a [`Letter`]: decoded headers plus the form's text.
//! (skeleton: the API other modules rely on; the parsing work fills it in)

/// A mailbox address; `email` is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    pub name: Option<String>,
    pub email: String,
}

/// The outer envelope of a forwarded mail (a manager forwarding a form).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Envelope {
    pub from: Option<Address>,
    pub subject: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Letter {
    /// From/Reply-To/Subject/Date/Message-ID of the innermost original when
    /// a forward was unwrapped, so rules match the form builder's sender.
    pub from: Option<Address>,
    pub reply_to: Vec<Address>,
    pub to: Vec<Address>,
    pub subject: Option<String>,
    pub date: Option<jiff::Timestamp>,
    pub message_id: Option<String>,
    /// Every header of the (innermost) message, RFC 2047-decoded, in order.
    pub headers: Vec<(String, String)>,
    /// The decoded text/plain body of the form, when there is one.
    pub plain: Option<String>,
    /// The decoded text/html body of the form, when there is one.
    pub html: Option<String>,
    /// `html::to_text(html)`: label/value structure kept.
    pub html_text: Option<String>,
    /// The text extraction should read: `plain`, or `html_text` when the
    /// plain part is missing or useless.
    pub text: String,
    /// Set when a forward or a reply chain was unwrapped.
    pub outer: Option<Envelope>,
    /// Raw size in bytes.
    pub size: usize,
    /// Larger than the configured cap: not parsed, becomes `review`.
    pub too_large: bool,
    /// Damage noticed while reading (bad charset, truncated MIME…).
    pub problems: Vec<String>,
}

impl Letter {
    /// Never panics, whatever the bytes.
    pub fn parse(raw: &[u8], max_bytes: usize) -> Letter {
        Letter {
            size: raw.len(),
            too_large: raw.len() > max_bytes,
            ..Letter::default()
        }
    }

    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
