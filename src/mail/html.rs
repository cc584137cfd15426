//! HTML to text that keeps table structure. (skeleton)

/// Label/value structure kept: a label cell and its value cell become
/// "label: value"; block elements become line breaks.
pub fn to_text(html: &str) -> String {
    html.to_string()
}
