//! HTML to text that keeps table structure.
//!
//! Form builders put label and value in adjacent table cells (Marquiz,
//! WPForms Compact) or adjacent single-cell rows (WPForms Classic, Flexbe);
//! a generic HTML stripper runs those together, so this scanner renders them
//! as `label: value` lines, which the `Label: value` extractor then reads.
//!
//! One linear pass over the input, no recursion: nesting only lives in an
//! explicit stack of open tables capped at [`MAX_TABLE_DEPTH`]; tables deeper
//! than that are read as plain blocks, so hostile nesting costs linear time.

/// Written on its own line after a top-level table of label/value pairs
/// while rendering; [`to_text_and_ends`] takes these lines out and reports
/// where they were.
const BLOCK_END: char = '\u{2063}';

/// Open tables tracked with structure; deeper ones are read as plain blocks.
const MAX_TABLE_DEPTH: usize = 32;
/// A label longer than this is prose, not a field caption.
const MAX_LABEL_CHARS: usize = 120;

/// Label/value structure kept: a label cell and its value cell become
/// "label: value"; block elements become line breaks.
pub fn to_text(html: &str) -> String {
    to_text_and_ends(html).0
}

/// [`to_text`] plus where top-level tables of label/value pairs ended: for
/// each, the number of text lines before that point. A table cell holds
/// its whole value, so text after such a table never runs on into the
/// table's last field (the reader starts afresh there).
pub fn to_text_and_ends(html: &str) -> (String, Vec<usize>) {
    let mut sc = Scanner::default();
    sc.run(html);
    let mut root = std::mem::take(&mut sc.root);
    // Colons of headings that never ended read as a title's.
    if root.contains(HEADING_COLON) {
        root = root.replace(HEADING_COLON, " —");
    }
    let text = tidy(&root, true);
    if !text.contains(BLOCK_END) {
        return (text, Vec::new());
    }
    let mut out = String::with_capacity(text.len());
    let mut ends = Vec::new();
    let mut kept = 0usize;
    for line in crate::scan::lines(&text) {
        if line.starts_with(BLOCK_END) {
            if ends.last() != Some(&kept) {
                ends.push(kept);
            }
            continue;
        }
        if kept > 0 {
            out.push('\n');
        }
        out.push_str(line);
        kept += 1;
    }
    (out, ends)
}

#[derive(Default)]
struct Cell {
    text: String,
    /// Raw attributes of the `<td>`: same-looking cells are same-role cells.
    attrs: String,
    is_th: bool,
    /// Non-space chars written inside `<b>`/`<strong>` and outside.
    bold_chars: usize,
    plain_chars: usize,
    /// Holds a nested table of label/value pairs: never a label or a value
    /// on its own (a nested table holding one value is that value).
    complex: bool,
    serial: u64,
    /// The absolute `href` of the cell's only link (`<a href=URL>Title</a>`
    /// under a `Product Url` caption), `None` when there is none or several.
    href: Option<String>,
    links: u8,
    /// Written inside the table's `<thead>`: a column caption.
    in_head: bool,
    /// Position in its row before empty cells are dropped (an image-only
    /// cell under `Фото` still takes its column).
    col: u16,
}

#[derive(Default)]
struct Table {
    rows: Vec<Vec<Cell>>,
    row_open: bool,
    cell: Option<Cell>,
    /// Inside this table's `<thead>`.
    head: bool,
}

impl Table {
    fn close_cell(&mut self) {
        if let Some(c) = self.cell.take() {
            if !self.row_open {
                self.rows.push(Vec::new());
                self.row_open = true;
            }
            if let Some(r) = self.rows.last_mut() {
                r.push(c);
            }
        }
    }
    fn close_row(&mut self) {
        self.close_cell();
        self.row_open = false;
    }
    fn open_row(&mut self) {
        self.close_row();
        self.rows.push(Vec::new());
        self.row_open = true;
    }
}

#[derive(Default)]
struct Scanner {
    root: String,
    tables: Vec<Table>,
    /// Cells created so far: each cell's serial (a caption and its value
    /// must be written into the same cell; 0 is the text outside tables).
    cells_made: u64,
    /// Where a caption-like run (`<b>`, `<strong>`, `<dt>`, `<label>`) began
    /// at the start of a line: (cell serial, byte offset in the sink).
    caption_start: Option<(u64, usize)>,
    /// A closed caption run waiting for its value: (cell serial, where the
    /// `:` goes). Text written next into the same cell makes it a label.
    pending_caption: Option<(u64, usize)>,
    /// Inside `<h1>`…`<h6>`: a heading is never a label/value pair.
    heading: usize,
    /// The first colon of the open heading held back as [`HEADING_COLON`]:
    /// (cell serial, byte offset in the sink). When the heading ends it
    /// reads `Label — text`; when a `<br>` breaks it, `Label: text` again.
    heading_colons: Option<(Option<u64>, usize)>,
    /// Where an outermost `<h4>`…`<h6>` began: (cell serial, byte offset).
    minor_heading_start: Option<(u64, usize)>,
    /// Where the last `<li>` began (cell serial, byte offset): a heading
    /// that opens there is the item's caption.
    item_start: Option<(u64, usize)>,
    /// The open minor heading opened a list item (its caption may ask).
    item_heading: bool,
    /// The open list item is captioned by its heading: a blank line closes
    /// it, like a `Caption:` / value stanza.
    item_captioned: bool,
    /// An open element whose class names it a label: (tag, nested depth).
    caption_tag: Option<(String, usize)>,
    /// `<table>` tags opened beyond [`MAX_TABLE_DEPTH`] and not yet closed.
    overflow_tables: usize,
    bold: usize,
    pre: usize,
    /// Position of the next '>' at or after some earlier point (memo keeps
    /// the scan linear on inputs full of unclosed '<').
    next_gt: Option<Option<usize>>,
    /// A hidden element was never closed: later ones are read, not skipped
    /// (keeps the scan linear on inputs full of unclosed hidden tags).
    hidden_unclosed: bool,
}

impl Scanner {
    fn run(&mut self, html: &str) {
        let b = html.as_bytes();
        let mut i = 0;
        let mut text_start = 0;
        while i < b.len() {
            match b[i] {
                b'<' => {
                    let next = b.get(i + 1).copied().unwrap_or(b' ');
                    if !(next.is_ascii_alphabetic() || next == b'/' || next == b'!' || next == b'?')
                    {
                        i += 1;
                        continue;
                    }
                    self.text(&html[text_start..i]);
                    // Comments end at "-->", not at the first '>'.
                    if b[i..].starts_with(b"<!--") {
                        i = match find(b, i + 4, b"-->") {
                            Some(e) => e + 3,
                            None => b.len(),
                        };
                        text_start = i;
                        continue;
                    }
                    let Some(gt) = self.find_gt(b, i + 1) else {
                        // No tag ends anywhere: the rest is text.
                        text_start = i;
                        break;
                    };
                    let tag = &html[i + 1..gt];
                    i = gt + 1;
                    text_start = i;
                    if let Some(skip_to) = self.tag(tag, b, i) {
                        i = skip_to;
                        text_start = i;
                    }
                }
                b'&' => {
                    self.text(&html[text_start..i]);
                    let (s, len) = entity(&html[i..]);
                    match s {
                        Some(s) => self.text(s.as_str()),
                        None => self.text("&"),
                    }
                    i += len;
                    text_start = i;
                }
                _ => i += 1,
            }
        }
        if text_start < b.len() {
            self.text(&html[text_start..]);
        }
        while !self.tables.is_empty() {
            self.close_table();
        }
    }

    fn find_gt(&mut self, b: &[u8], from: usize) -> Option<usize> {
        if let Some(cached) = self.next_gt {
            match cached {
                Some(p) if p >= from => return Some(p),
                None => return None,
                _ => {}
            }
        }
        let found = b[from..].iter().position(|&c| c == b'>').map(|p| p + from);
        self.next_gt = Some(found);
        found
    }

    /// Handles one tag; returns where to resume when content is skipped.
    fn tag(&mut self, tag: &str, b: &[u8], after: usize) -> Option<usize> {
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/');
        let name_end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(body.len());
        // Lower-cased into a stack buffer: no allocation per tag.
        let mut buf = [0u8; 12];
        let raw_name = &body.as_bytes()[..name_end];
        let name: &str = if raw_name.len() <= buf.len() {
            for (d, s) in buf.iter_mut().zip(raw_name) {
                *d = s.to_ascii_lowercase();
            }
            std::str::from_utf8(&buf[..raw_name.len()]).unwrap_or("")
        } else {
            ""
        };
        let attrs = body[name_end..].trim().trim_end_matches('/').trim();
        // `<div style="display:none">Новый запрос от клиента<div>‌​…</div></div>`
        // (React Email's `<Preview>`, a template's preheader): the inbox's
        // preview line, never shown in the mail, so never read.
        if !closing
            && !self.hidden_unclosed
            && matches!(name, "div" | "span" | "p")
            && hidden_style(attrs)
        {
            match skip_element(b, after, name) {
                Some(end) => return Some(end),
                None => self.hidden_unclosed = true,
            }
        }
        match (name, closing) {
            ("style" | "script" | "head" | "title" | "noscript" | "template", false) => {
                let end = format!("</{name}");
                let stop = match name {
                    // A broken head must not swallow the body.
                    "head" => find_ci(b, after, &end).or_else(|| find_ci(b, after, "<body")),
                    _ => find_ci(b, after, &end),
                };
                // Never closed: ignore the tag rather than lose the rest of
                // a broken mail.
                let p = stop?;
                let gt = b[p..]
                    .iter()
                    .position(|&c| c == b'>')
                    .map_or(b.len(), |q| p + q + 1);
                return Some(gt);
            }
            ("br", _) => {
                // A title is one line: a heading broken into lines by `<br>`
                // (`<h3>Email from Анна,<br>Email: …`, often left unclosed)
                // wraps the mail's content, and its lines read as text.
                if self.heading > 0 {
                    self.settle_heading_colons(":");
                    self.heading = 0;
                }
                self.hard_break();
            }
            ("b" | "strong", false) => {
                if self.bold == 0 {
                    self.open_caption();
                }
                self.bold += 1;
            }
            ("b" | "strong", true) => {
                self.bold = self.bold.saturating_sub(1);
                if self.bold == 0 {
                    self.close_caption();
                }
            }
            ("a", false) => {
                if let Some(c) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    c.links = c.links.saturating_add(1);
                    c.href = if c.links == 1 { link_href(attrs) } else { None };
                }
            }
            ("thead" | "tbody" | "tfoot", _)
                if self.overflow_tables == 0 && !self.tables.is_empty() =>
            {
                if let Some(t) = self.tables.last_mut() {
                    t.head = name == "thead" && !closing;
                }
                self.soft_break();
            }
            ("dt" | "label", false) => {
                self.soft_break_if(name == "dt");
                self.open_caption();
            }
            ("dt" | "label", true) => {
                self.close_caption();
                self.soft_break_if(name == "dt");
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", _) => {
                self.settle_heading_colons(" —");
                let caption = if closing && self.heading == 1 {
                    self.minor_heading_caption()
                } else {
                    None
                };
                self.soft_break();
                self.item_captioned |= caption.is_some() && self.item_heading;
                self.pending_caption = caption;
                self.caption_start = None;
                self.minor_heading_start = None;
                if closing {
                    self.heading = self.heading.saturating_sub(1);
                } else {
                    // `<li><h3>Как вас зовут?</h3><p>Анна</p></li>` (HeyForm's
                    // answers): a heading that opens a list item captions
                    // the item, whatever its level.
                    let opens_item =
                        self.item_start.is_some() && self.item_start == self.line_start();
                    if self.heading == 0 && (opens_item || matches!(name, "h4" | "h5" | "h6")) {
                        self.minor_heading_start = self.line_start();
                        self.item_heading = opens_item;
                    }
                    self.heading += 1;
                }
            }
            ("pre", false) => {
                self.soft_break();
                self.pre += 1;
            }
            ("pre", true) => {
                self.pre = self.pre.saturating_sub(1);
                self.soft_break();
            }
            ("table", false) => {
                if self.tables.len() >= MAX_TABLE_DEPTH {
                    self.overflow_tables += 1;
                    self.soft_break();
                } else {
                    self.tables.push(Table::default());
                }
            }
            ("table", true) => {
                if self.overflow_tables > 0 {
                    self.overflow_tables -= 1;
                    self.soft_break();
                } else if !self.tables.is_empty() {
                    self.close_table();
                }
            }
            ("tr", _) if self.overflow_tables == 0 && !self.tables.is_empty() => {
                if let Some(t) = self.tables.last_mut() {
                    if closing {
                        t.close_row();
                    } else {
                        t.open_row();
                    }
                }
            }
            ("td" | "th", _) if self.overflow_tables == 0 && !self.tables.is_empty() => {
                if let Some(t) = self.tables.last_mut() {
                    t.close_cell();
                    if !closing {
                        t.cell = Some(Cell {
                            attrs: attrs.to_string(),
                            is_th: name == "th",
                            in_head: t.head,
                            serial: self.cells_made + 1,
                            ..Cell::default()
                        });
                        self.cells_made += 1;
                    }
                }
            }
            ("td" | "th" | "tr", _) => {
                if name == "tr" {
                    self.soft_break();
                } else {
                    self.text(" ");
                }
            }
            (
                "p" | "div" | "li" | "ul" | "ol" | "hr" | "blockquote" | "dl" | "dd" | "section"
                | "article" | "header" | "footer" | "center" | "address" | "form" | "fieldset"
                | "tbody" | "thead" | "tfoot" | "caption" | "body" | "html" | "main" | "nav"
                | "aside" | "figure" | "legend",
                _,
            ) => {
                self.soft_break();
                if name == "li" {
                    if self.item_captioned {
                        self.hard_break();
                        self.item_captioned = false;
                    }
                    self.item_start = if closing { None } else { self.line_start() };
                }
            }
            _ => {}
        }
        if matches!(name, "div" | "span" | "p") {
            self.class_caption(name, closing, attrs);
        }
        None
    }

    /// `<div class="field-label">Имя</div><div>Анна</div>`: an element
    /// whose class names it a label is a caption like `<b>`; so is one whose
    /// inline style sets a bold weight (`<p style="font-weight: Bold">Имя</p>
    /// <p>Анна</p>`, Kadence Blocks' form e-mail).
    fn class_caption(&mut self, name: &str, closing: bool, attrs: &str) {
        match (&mut self.caption_tag, closing) {
            (Some((tag, depth)), false) if tag.as_str() == name => *depth += 1,
            (Some((tag, depth)), true) if tag.as_str() == name => {
                if *depth == 0 {
                    self.caption_tag = None;
                    self.close_caption();
                } else {
                    *depth -= 1;
                }
            }
            (None, false) if self.bold == 0 => {
                let a = attrs.to_ascii_lowercase();
                let class = a.find("class=").map_or("", |i| &a[i..]);
                let class = class.split(['>']).next().unwrap_or("");
                let class = class.get(..class.len().min(120)).unwrap_or("");
                if class.contains("label")
                    || class.contains("field-name")
                    || class.contains("field_name")
                    || class.contains("question")
                    || style_bold(&a)
                {
                    self.caption_tag = Some((name.to_string(), 0));
                    self.open_caption();
                }
            }
            _ => {}
        }
    }

    /// The held-back colons of the heading that ends here become `with`.
    /// Only the heading's own text is rewritten (linear on any input).
    fn settle_heading_colons(&mut self, with: &str) {
        let Some((serial, at)) = self.heading_colons.take() else {
            return;
        };
        if self.current_serial() != serial {
            return;
        }
        if let Some(out) = self.sink(false)
            && out.is_char_boundary(at)
            && at <= out.len()
        {
            let tail = out[at..].replace(HEADING_COLON, with);
            out.truncate(at);
            out.push_str(&tail);
        }
    }

    fn sink(&mut self, create: bool) -> Option<&mut String> {
        match self.tables.last_mut() {
            None => Some(&mut self.root),
            Some(t) => {
                if t.cell.is_none() {
                    if !create {
                        return None;
                    }
                    if !t.row_open {
                        t.open_row();
                    }
                    self.cells_made += 1;
                    t.cell = Some(Cell {
                        serial: self.cells_made,
                        ..Cell::default()
                    });
                }
                t.cell.as_mut().map(|c| &mut c.text)
            }
        }
    }

    /// Serial of the cell text goes to now (0 outside tables, `None` when
    /// a table is open but no cell is).
    fn current_serial(&self) -> Option<u64> {
        match self.tables.last() {
            None => Some(0),
            Some(t) => t.cell.as_ref().map(|c| c.serial),
        }
    }

    /// A caption-like run opens: remember it when it starts a line.
    fn open_caption(&mut self) {
        self.caption_start = None;
        if self.heading > 0 {
            return;
        }
        let serial = self.current_serial();
        let at_line_start = match self.tables.last() {
            None => self.root.is_empty() || self.root.ends_with('\n'),
            Some(t) => t
                .cell
                .as_ref()
                .is_none_or(|c| c.text.trim_end_matches(' ').is_empty() || c.text.ends_with('\n')),
        };
        if at_line_start {
            let len = match self.tables.last() {
                None => self.root.len(),
                Some(t) => t.cell.as_ref().map_or(0, |c| c.text.len()),
            };
            // A cell not created yet gets the next serial.
            self.caption_start = Some((serial.unwrap_or(self.cells_made + 1), len));
        }
    }

    /// Where text written now starts: (cell serial, byte offset); a cell
    /// not created yet gets the next serial.
    fn line_start(&self) -> Option<(u64, usize)> {
        match self.tables.last() {
            None => Some((0, self.root.len())),
            Some(t) => match t.cell.as_ref() {
                Some(c) => Some((c.serial, c.text.len())),
                None => Some((self.cells_made + 1, 0)),
            },
        }
    }

    /// `<h4>Телефон</h4><p>+7 …</p>` (Umbraco Forms' e-mail template): a
    /// minor heading that is a short caption (a few words, no colon, no
    /// question) captions the value written next into the same cell, like
    /// a bold run. `<h1>`–`<h3>` stay titles.
    fn minor_heading_caption(&self) -> Option<(u64, usize)> {
        let (serial, start) = self.minor_heading_start?;
        if self.current_serial() != Some(serial) {
            return None;
        }
        let out = match self.tables.last() {
            None => &self.root,
            Some(t) => &t.cell.as_ref()?.text,
        };
        let cap = out.get(start..)?.trim_end();
        let label = cap.trim();
        let short = if self.item_heading {
            label.split_whitespace().count() <= 10
        } else {
            label.split_whitespace().count() <= 5 && !label.ends_with('?')
        };
        (caption_like(label) && short).then_some((serial, start + cap.len()))
    }

    /// A caption-like run closes: when it held a short caption and the
    /// same cell goes on with more text, that text is its value.
    fn close_caption(&mut self) {
        let Some((serial, start)) = self.caption_start.take() else {
            return;
        };
        if self.current_serial() != Some(serial) {
            return;
        }
        let out = match self.tables.last() {
            None => &self.root,
            Some(t) => match t.cell.as_ref() {
                Some(c) => &c.text,
                None => return,
            },
        };
        let Some(cap) = out.get(start..) else {
            return;
        };
        let cap = cap.trim_end();
        let label = cap.trim();
        if caption_like(label) && !label.ends_with([':', '：']) {
            self.pending_caption = Some((serial, start + cap.len()));
        }
    }

    fn soft_break_if(&mut self, yes: bool) {
        if yes {
            self.soft_break();
        }
    }

    /// Appends text with HTML whitespace folding (except inside `<pre>`).
    fn text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        let blank = s.chars().all(|c| c.is_whitespace());
        let mut s = s;
        if !blank && let Some((serial, at)) = self.pending_caption.take() {
            let serial_now = self.current_serial();
            // `<b>Заявка с формы</b><p>Имя: Иван</p>`: the text after the
            // bold run has its own label, so the bold run is a heading.
            // `Вітаю! Займуся …Facebook: контент-план` is a sentence with a
            // colon, not a caption of its own.
            let own_label = s.trim_start().chars().take(60).collect::<String>();
            let own_label = own_label
                .split_once(": ")
                .map(|(before, _)| before)
                .or_else(|| own_label.trim_end().strip_suffix(':'))
                .is_some_and(|before| {
                    !before.contains(['.', '!', '?']) && before.split_whitespace().count() <= 6
                });
            // `<b>Светлана</b> написал(а) вам по объявлению …` (a
            // classifieds' notice): the bold name opens the service's
            // sentence; the verb after it is no value of a caption.
            let sentence_goes_on = s.split_whitespace().next().is_some_and(writer_verb);
            if !own_label
                && !sentence_goes_on
                && (serial_now == Some(serial)
                    || (serial_now.is_none() && serial == self.cells_made + 1))
            {
                let out = match self.tables.last_mut() {
                    None => Some(&mut self.root),
                    Some(t) => t.cell.as_mut().map(|c| &mut c.text),
                };
                if let Some(out) = out
                    && out.is_char_boundary(at)
                    && at <= out.len()
                {
                    // `<strong>Имя</strong><span>Анна</span>` (WPZOOM Forms): no
                    // space in the markup, yet the caption and value are apart.
                    if s.starts_with(char::is_alphanumeric) {
                        out.insert_str(at, ": ");
                    } else {
                        out.insert(at, ':');
                    }
                    // `<strong>Имя</strong> - Анна` (Spectra): the dash
                    // between caption and value is a separator too.
                    let t = s.trim_start();
                    if let Some(rest) = t
                        .strip_prefix(['-', '–', '—'])
                        .filter(|r| r.starts_with(char::is_whitespace) && !r.trim().is_empty())
                    {
                        s = rest;
                    }
                }
            }
        }
        // A heading is never a pair: its `Label: text` reads as a title.
        let neutral;
        let s = if self.heading > 0 && s.contains(':') {
            neutral = neutralize_colons(s);
            neutral.as_str()
        } else {
            s
        };
        let pre = self.pre > 0;
        let bold = self.bold > 0;
        let held = s.contains(HEADING_COLON) && self.heading_colons.is_none();
        let Some(out) = self.sink(!blank) else {
            return;
        };
        let start = out.len();
        let mut count = 0usize;
        let invisible = |c: char| matches!(c, '\u{ad}' | '\u{200b}' | '\0');
        if pre || s.contains(invisible) {
            for c in s.chars() {
                if pre && (c == '\n' || c == '\r') {
                    if c == '\n' {
                        out.push('\n');
                    }
                    continue;
                }
                if c.is_whitespace() {
                    if !(out.is_empty() || out.ends_with(' ') || out.ends_with('\n')) {
                        out.push(' ');
                    }
                } else if !invisible(c) {
                    out.push(c);
                    count += 1;
                }
            }
        } else {
            // Word by word: whitespace runs fold to one space.
            let mut gap = s.starts_with(char::is_whitespace);
            for w in s.split(char::is_whitespace).filter(|w| !w.is_empty()) {
                if gap && !(out.is_empty() || out.ends_with(' ') || out.ends_with('\n')) {
                    out.push(' ');
                }
                out.push_str(w);
                count += w.len();
                gap = true;
            }
            if s.ends_with(char::is_whitespace)
                && !(out.is_empty() || out.ends_with(' ') || out.ends_with('\n'))
            {
                out.push(' ');
            }
        }
        if let Some(t) = self.tables.last_mut()
            && let Some(c) = t.cell.as_mut()
        {
            if bold {
                c.bold_chars += count;
            } else {
                c.plain_chars += count;
            }
        }
        if held {
            self.heading_colons = Some((self.current_serial(), start));
        }
    }

    fn hard_break(&mut self) {
        if let Some(out) = self.sink(false) {
            if out.ends_with(' ') {
                out.pop();
            }
            out.push('\n');
        }
    }

    fn soft_break(&mut self) {
        if let Some(out) = self.sink(false) {
            if out.ends_with(' ') {
                out.pop();
            }
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
        }
    }

    fn close_table(&mut self) {
        let Some(mut t) = self.tables.pop() else {
            return;
        };
        t.close_row();
        let rendered = render_table(t.rows);
        self.soft_break();
        let top = self.tables.is_empty();
        if let Some(out) = self.sink(!rendered.is_empty()) {
            out.push_str(&rendered);
            if top && holds_pairs(&rendered) && !rendered.ends_with(BLOCK_END) {
                out.push('\n');
                out.push(BLOCK_END);
            }
        }
        if let Some(t) = self.tables.last_mut()
            && let Some(c) = t.cell.as_mut()
        {
            c.plain_chars += rendered.len();
            // A nested table of pairs is a layout block; one holding a
            // single value (a cell wrapped in its own table) is that value,
            // and one holding a lone `Caption:` (JTL-Shop wraps its label
            // cells too) is that caption.
            let lone_caption = {
                let t = rendered.trim();
                !t.contains('\n') && t.ends_with(':')
            };
            if holds_pairs(&rendered) && !lone_caption {
                c.complex = true;
            }
        }
        self.soft_break();
    }
}

/// `style="display:none"` / `display: none;` among a tag's attributes
/// (byte tests only: this runs on every `div`, `span` and `p`).
fn hidden_style(attrs: &str) -> bool {
    let Some(i) = attrs.find("display").or_else(|| attrs.find("DISPLAY")) else {
        return false;
    };
    attrs[i + "display".len()..]
        .trim_start_matches([' ', '\t'])
        .strip_prefix(':')
        .map(|r| r.trim_start_matches([' ', '\t']).as_bytes())
        .is_some_and(|r| r.len() >= 4 && r[..4].eq_ignore_ascii_case(b"none"))
}

/// Where the element `name` opened just before `from` ends (after its
/// matching close tag, nested same-name elements counted); `None` when it
/// never closes.
fn skip_element(b: &[u8], from: usize, name: &str) -> Option<usize> {
    let n = name.as_bytes();
    let mut depth = 1usize;
    let mut i = from;
    while let Some(p) = b.get(i..).and_then(|r| r.iter().position(|&c| c == b'<')) {
        let at = i + p;
        let rest = &b[at + 1..];
        let (closing, r) = match rest.split_first() {
            Some((b'/', r)) => (true, r),
            _ => (false, rest),
        };
        let same = r.len() >= n.len()
            && r[..n.len()].eq_ignore_ascii_case(n)
            && r.get(n.len()).is_none_or(|c| !c.is_ascii_alphanumeric());
        if same {
            if closing {
                depth -= 1;
                if depth == 0 {
                    let gt = b[at..].iter().position(|&c| c == b'>')?;
                    return Some(at + gt + 1);
                }
            } else {
                depth += 1;
            }
        }
        i = at + 1;
    }
    None
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    b[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn find_ci(b: &[u8], from: usize, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    if from >= b.len() {
        return None;
    }
    b[from..]
        .windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
        .map(|p| p + from)
}

/// Text as an HTML template writes it between tags (`&`, `<`, `>`, `"`
/// escaped): how to find a value's own markup again.
pub fn escape_text(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"']) {
        return s.into();
    }
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .into()
}

/// `s` with its character references (`&amp;`, `&laquo;`, `&#1044;`,
/// `&#x414;`) decoded and nothing else changed: what a rule's
/// `[[extract]]` regex in the HTML or the body is matched against, so a
/// URL captured there reads `?a=1&b=2`, not `?a=1&amp;b=2`.
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let (decoded, used) = entity(&rest[at..]);
        match decoded {
            Some(t) => out.push_str(&t),
            None => out.push_str(&rest[at..at + used]),
        }
        rest = &rest[at + used..];
    }
    out.push_str(rest);
    out.into()
}

/// Decodes the entity at the start of `s` (which begins with '&'); returns
/// the text and how many bytes it used (1 when it is a bare '&').
fn entity(s: &str) -> (Option<String>, usize) {
    let b = s.as_bytes();
    let max = b.len().min(12);
    let Some(semi) = b[..max].iter().position(|&c| c == b';') else {
        return (None, 1);
    };
    let name = &s[1..semi];
    let ch: Option<char> = if let Some(num) = name.strip_prefix('#') {
        let v = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            u32::from_str_radix(hex, 16).ok()
        } else {
            num.parse::<u32>().ok()
        };
        v.map(|v| {
            char::from_u32(v)
                .filter(|c| *c != '\0')
                .unwrap_or('\u{FFFD}')
        })
    } else {
        named_entity(name)
    };
    match ch {
        Some(c) => (Some(c.to_string()), semi + 1),
        None => (None, 1),
    }
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "laquo" => '«',
        "raquo" => '»',
        "mdash" => '—',
        "ndash" => '–',
        "minus" => '−',
        "hellip" => '…',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "bdquo" => '„',
        "sbquo" => '‚',
        "times" => '×',
        "middot" => '·',
        "bull" => '•',
        "deg" => '°',
        "numero" => '№',
        "sup2" => '²',
        "sup3" => '³',
        "plusmn" => '±',
        "shy" | "zwnj" | "zwj" => '\u{ad}',
        "rarr" => '→',
        "larr" => '←',
        "para" => '¶',
        "sect" => '§',
        "cent" => '¢',
        "pound" => '£',
        "yen" => '¥',
        "iexcl" => '¡',
        "frac12" => '½',
        "frac14" => '¼',
        "frac34" => '¾',
        "rub" => '₽',
        _ => return None,
    })
}

/// A cell looks like a caption: set apart by markup (bold, `<th>`, a
/// field-name/label class) and short enough.
fn is_marked_label(c: &Cell, text: &str) -> bool {
    let attrs = c.attrs.to_ascii_lowercase();
    let marked = c.is_th
        || attrs.contains("field-name")
        || attrs.contains("field_name")
        || attrs.contains("label")
        || (c.bold_chars > 0 && c.plain_chars == 0);
    marked && label_like(text)
}

/// A run of bold text that may be a field caption: short, one line, no
/// sentence end, not a link.
/// A `<thead>` caption row without gaps over a shorter value row (its empty
/// cells dropped) whose cells each sit under a caption: columns by position.
/// A spanning cell (a `tfoot` total under `colspan=4`) leaves the grid.
fn in_columns(head: &[(Cell, String)], vals: &[(Cell, String)]) -> bool {
    vals.len() >= 2
        && head
            .iter()
            .enumerate()
            .all(|(j, (h, _))| usize::from(h.col) == j)
        && vals.iter().all(|(v, _)| {
            usize::from(v.col) < head.len() && !v.attrs.to_ascii_lowercase().contains("colspan")
        })
}

/// A past-tense verb of writing or answering as a service's sentence
/// puts it after the writer's name, the gender left open (`написал(а)`,
/// `надіслав(ла)`, `оставил(а)`, `откликнулся(-ась)`) or not (`wrote`):
/// `Светлана написал(а) вам по объявлению …` (Avito), `Олена надіслав(ла)
/// вам повідомлення …` (OLX), `Марина К. оставил(а) отзыв` (2GIS), `Сергей
/// Ильин откликнулся(-ась) на вакансию …` (hh.ru). Byte checks only.
pub fn writer_verb(word: &str) -> bool {
    // Asked of several words of many lines: the first letter, then a
    // case-blind prefix test, without allocating.
    if !word.starts_with(['н', 'Н', 'о', 'О', 'з', 'З', 'в', 'В', 'w', 'W', 'п', 'П']) {
        return false;
    }
    [
        "написал",
        "написав",
        "надіслав",
        "надiслав",
        "оставил",
        "залишив",
        "залишила",
        "откликнул",
        "відгукнув",
        "відгукнул",
        "wrote",
        // `Пользователь X прислал вам личное сообщение` (Freelance.ru),
        // `… отправил вам сообщение по кворку «Y»` (Kwork): sent to you
        // (the sentence must go on with `вам`, see `writer_intro`).
        "прислал",
        "отправил",
    ]
    .iter()
    .any(|v| starts_with_lower(word, v))
}

/// Stems of [`writer_verb`]'s verbs from their second letter, in lower and
/// upper case: a line without one holds no such verb (one literal search in
/// place of a verb test on each of its first words).
static WRITER_STEMS: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    crate::re::compile(
        "аписа|АПИСА|адісла|АДІСЛА|адiсла|АДIСЛА|стави|СТАВИ|алиши|АЛИШИ|ткликну|ТКЛИКНУ|ідгукну|ІДГУКНУ|rote|ROTE|рисла|РИСЛА|тправи|ТПРАВИ",
    )
    .ok()
});

/// Whether `line` may hold a [`writer_verb`]; `false` means it holds none.
pub fn may_hold_writer_verb(line: &str) -> bool {
    WRITER_STEMS.as_ref().is_none_or(|r| r.is_match(line))
}

/// Whether `word` lower-cased would start with `prefix` (lower case).
fn starts_with_lower(word: &str, prefix: &str) -> bool {
    let mut w = word.chars().flat_map(char::to_lowercase);
    prefix.chars().all(|p| w.next() == Some(p))
}

fn caption_like(text: &str) -> bool {
    let n = text.chars().count();
    n > 0
        && n <= 80
        && !text.contains('\n')
        && !crate::scan::has_scheme_sep(text)
        && !text.contains(':')
        // `A question was asked by Olena (olena@…)` in bold: the contact
        // line, not a caption.
        && !text.contains('@')
        && !text.ends_with(['.', '!', ','])
        && text.chars().any(char::is_alphabetic)
        && text.split_whitespace().count() <= 10
}

/// An inline style (lower-cased attributes) that sets a bold weight:
/// `font-weight: bold|bolder|600…900`.
fn style_bold(attrs: &str) -> bool {
    let Some(i) = attrs.find("style=") else {
        return false;
    };
    let style = &attrs[i..];
    let style = style.get(..style.len().min(400)).unwrap_or(style);
    let Some(j) = style.find("font-weight") else {
        return false;
    };
    let v = style[j + "font-weight".len()..]
        .trim_start()
        .trim_start_matches(':')
        .trim_start();
    v.starts_with("bold")
        || ["600", "700", "800", "900"]
            .iter()
            .any(|w| v.starts_with(w))
}

/// A heading's colon held back until the heading ends (private-use char).
const HEADING_COLON: char = '\u{E000}';

/// `Форма: обратная связь` in a heading → `Форма — обратная связь` (through
/// [`HEADING_COLON`], settled when the heading ends).
fn neutralize_colons(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == ':' && it.peek().is_none_or(|n| n.is_whitespace()) {
            out.push(HEADING_COLON);
        } else {
            out.push(c);
        }
    }
    out
}

fn label_like(text: &str) -> bool {
    !text.is_empty()
        && !text.contains('\n')
        && text.chars().count() <= MAX_LABEL_CHARS
        && !crate::scan::has_scheme_sep(text)
}

/// Text that already reads "Label: value": a bold heading above it is a
/// heading, not its label.
fn has_own_label(text: &str) -> bool {
    let first = crate::scan::lines(text).next().unwrap_or("");
    match first.find(':') {
        Some(p) => {
            p > 0 && first[..p].chars().count() <= 60 && first[p + 1..].starts_with([' ', '\t'])
        }
        None => false,
    }
}

/// Column titles of a two-column label/value table.
fn generic_header(a: &str, b: &str) -> bool {
    const LEFT: &[&str] = &[
        "field",
        "поле",
        "name",
        "параметр",
        "question",
        "вопрос",
        "питання",
        "item",
        "label",
        "заголовок",
        "caption",
    ];
    const RIGHT: &[&str] = &[
        "value",
        "значение",
        "answer",
        "response",
        "ответ",
        "відповідь",
        "данные",
        "data",
        "содержимое",
        "content",
    ];
    let norm = |s: &str| s.trim().trim_end_matches(':').to_lowercase();
    LEFT.contains(&norm(a).as_str()) && RIGHT.contains(&norm(b).as_str())
}

/// `href="https://…"` of an `<a>` tag's attributes (absolute http(s) only).
fn link_href(attrs: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let i = lower.find("href=")? + "href=".len();
    let rest = &attrs[i..];
    let (q, rest) = match rest.chars().next()? {
        c @ ('"' | '\'') => (Some(c), &rest[1..]),
        _ => (None, rest),
    };
    let end = match q {
        Some(q) => rest.find(q)?,
        None => rest.find(char::is_whitespace).unwrap_or(rest.len()),
    };
    let url = decode_entities(rest[..end].trim()).into_owned();
    (url.starts_with("http://") || url.starts_with("https://")).then_some(url)
}

/// A value cell under a caption that names a link (`Product Url`, `Ссылка`)
/// shows the link's title: the value is the link's address.
fn linked_value<'a>(label: &str, cell: &'a Cell, value: &'a str) -> &'a str {
    let l = label.to_lowercase();
    let names_link = ["url", "link", "ссылк", "посилан"]
        .iter()
        .any(|k| l.contains(k));
    match &cell.href {
        Some(h) if names_link && !crate::scan::has_scheme_sep(value) && !value.contains('\n') => h,
        _ => value,
    }
}

/// Rendered text that holds `Label: value` lines (or several lines).
fn holds_pairs(text: &str) -> bool {
    crate::scan::lines(text)
        .any(|l| has_own_label(l) || (l.ends_with(':') && l.chars().count() <= 80))
}

/// "label: value" (no second colon), continuation lines kept.
fn push_pair(out: &mut Vec<String>, label: &str, value: &str) {
    let label = label.trim();
    let sep = if label.ends_with(':') || label.ends_with('：') {
        " "
    } else {
        ": "
    };
    let mut lines = value
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(BLOCK_END));
    match lines.next() {
        Some(first) => out.push(format!("{label}{sep}{first}")),
        None => out.push(format!("{label}{}", sep.trim_end())),
    }
    out.extend(lines.map(str::to_string));
    // The cell held the whole value: what follows is not part of it.
    out.push(BLOCK_END.to_string());
}

/// A list bullet alone (`•`, `●`, `▪`, `►`, `✓`…); not `-` or `*`, which a
/// form writes for an empty value.
fn bullet_glyph(t: &str) -> bool {
    let mut c = t.trim().chars();
    matches!(
        (c.next(), c.next()),
        (
            Some(
                '•' | '·'
                    | '●'
                    | '○'
                    | '◦'
                    | '▪'
                    | '▫'
                    | '■'
                    | '□'
                    | '►'
                    | '▸'
                    | '▹'
                    | '➤'
                    | '✓'
                    | '✔'
            ),
            None
        )
    )
}

fn render_table(rows: Vec<Vec<Cell>>) -> String {
    // Each row as its non-empty cells with tidied text.
    let rows: Vec<Vec<(Cell, String)>> = rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .enumerate()
                .filter_map(|(j, mut c)| {
                    let t = tidy(&c.text, false);
                    c.col = u16::try_from(j).unwrap_or(u16::MAX);
                    (!t.is_empty()).then_some((c, t))
                })
                .collect::<Vec<_>>()
        })
        .map(|mut r| {
            // `<td>&bull;</td><td>…</td>` (Nextcloud's list items): a bullet
            // cell before the item is decoration, not the item's label.
            if r.len() >= 2 && r.first().is_some_and(|(_, t)| bullet_glyph(t)) {
                r.remove(0);
            }
            r
        })
        .filter(|r| !r.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let row = &rows[i];
        if row.len() == 1 && !row[0].0.complex {
            // A run of simple single-cell rows: maybe label row / value row pairs.
            let start = i;
            while i < rows.len() && rows[i].len() == 1 && !rows[i][0].0.complex {
                i += 1;
            }
            render_run(&rows[start..i], &mut out);
            continue;
        }
        // `Field | Value` over label/value rows: the header only names the
        // columns; the rows below are the pairs.
        if row.len() == 2 && i + 1 < rows.len() && generic_header(&row[0].1, &row[1].1) {
            i += 1;
            continue;
        }
        // `ID | Field | Value` (a key column first): the last two cells of
        // each row below are the pair.
        if row.len() == 3
            && generic_header(&row[1].1, &row[2].1)
            && rows.get(i + 1).is_some_and(|n| n.len() == 3)
        {
            let mut k = i + 1;
            while let Some(r) = rows
                .get(k)
                .filter(|r| r.len() == 3 && r.iter().all(|(c, _)| !c.complex))
            {
                push_pair(&mut out, &r[1].1, &r[2].1);
                k += 1;
            }
            i = k;
            continue;
        }
        // A header row of captions over rows of values: column pairs. The
        // captions may be plain `<td>`s of the table's `<thead>` (UpStore's
        // `Данные` | `Дата Добавления`) over body cells.
        let head_row = row.len() >= 2
            && row.iter().all(|(c, t)| c.in_head && caption_like(t))
            && rows
                .get(i + 1)
                .is_some_and(|n| n.iter().all(|(c, _)| !c.in_head));
        // `<thead>` captions `Фото | Наименование | Стоимость` over a row
        // whose photo cell holds only an image (NGCMS eshop's basket): the
        // values keep their columns, matched by position.
        let fits = |n: &[(Cell, String)]| {
            n.len() == row.len() || (head_row && n.len() < row.len() && in_columns(row, n))
        };
        if row.len() >= 2
            && row
                .iter()
                .all(|(c, t)| !c.complex && (head_row || is_marked_label(c, t)))
            && rows.get(i + 1).is_some_and(|n| {
                fits(n)
                    && n.iter().all(|(c, _)| !c.complex)
                    && !n.iter().all(|(c, t)| is_marked_label(c, t))
            })
        {
            let mut k = i + 1;
            while let Some(vals) = rows.get(k).filter(|n| {
                fits(n)
                    && n.iter().all(|(c, _)| !c.complex)
                    && !n.iter().all(|(c, t)| is_marked_label(c, t))
            }) {
                let pairs: Vec<(&str, &(Cell, String))> = if vals.len() == row.len() {
                    row.iter()
                        .zip(vals)
                        .map(|((_, l), v)| (l.as_str(), v))
                        .collect()
                } else {
                    vals.iter()
                        .filter_map(|v| {
                            let (_, l) = row.iter().find(|(h, _)| h.col == v.0.col)?;
                            Some((l.as_str(), v))
                        })
                        .collect()
                };
                for (label, (cell, value)) in pairs {
                    let value = linked_value(label, cell, value);
                    // A cell that holds its own `Label: value` lines (UpStore's
                    // 'Данные' column) is those fields, not one value.
                    if value.contains('\n')
                        && crate::scan::lines(value)
                            .filter(|l| has_own_label(l))
                            .count()
                            >= 2
                    {
                        out.extend(crate::scan::lines(value).map(str::to_string));
                        out.push(BLOCK_END.to_string());
                    } else {
                        push_pair(&mut out, label, value);
                    }
                }
                k += 1;
            }
            i = k;
            continue;
        }
        // `<td><b>Имя</b>: Иван</td><td><b>Телефон</b>: +7 …</td>`
        // (Supsystic's form data laid out in the form's columns): cells that
        // each read `Label: value` are fields side by side, not a label
        // cell and its value.
        if row.len() >= 2
            && row
                .iter()
                .all(|(c, t)| !c.complex && !t.contains('\n') && has_own_label(t))
        {
            for (_, t) in row {
                out.push(t.clone());
                out.push(BLOCK_END.to_string());
            }
        } else if row.len() == 2 && !row[0].0.complex && !row[1].0.complex && label_like(&row[0].1)
        {
            push_pair(
                &mut out,
                &row[0].1,
                linked_value(&row[0].1, &row[1].0, &row[1].1),
            );
        } else {
            let simple = row.iter().all(|(c, t)| !c.complex && !t.contains('\n'));
            if simple {
                out.push(
                    row.iter()
                        .map(|(_, t)| t.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                );
            } else {
                for (c, t) in row {
                    out.push(t.clone());
                    if c.complex {
                        out.push(BLOCK_END.to_string());
                    }
                }
            }
        }
        i += 1;
    }
    out.join("\n")
}

/// Single-cell rows: a marked label row takes the following unmarked rows
/// as its value; without markup, alternating rows whose cells look alike
/// (same attributes for labels, other same attributes for values) pair up.
fn render_run(run: &[Vec<(Cell, String)>], out: &mut Vec<String>) {
    let marks: Vec<bool> = run
        .iter()
        .map(|r| is_marked_label(&r[0].0, &r[0].1))
        .collect();
    if marks.iter().any(|m| *m) {
        let mut j = 0;
        while j < run.len() {
            let text = &run[j][0].1;
            if marks[j]
                && j + 1 < run.len()
                && !marks[j + 1]
                && !has_own_label(&run[j + 1][0].1)
                && !writer_sentence_first(&run[j + 1][0].1)
            {
                let mut value: Vec<&str> = Vec::new();
                let mut k = j + 1;
                while k < run.len() && !marks[k] {
                    value.push(run[k][0].1.as_str());
                    k += 1;
                }
                push_pair(out, text, &value.join("\n"));
                j = k;
            } else {
                out.push(text.clone());
                j += 1;
            }
        }
        return;
    }
    // Two pairs at least: one title row and one footer row are not a field.
    let alternating = run.len() >= 4
        && run.len().is_multiple_of(2)
        && run.iter().step_by(2).all(|r| {
            r[0].0.attrs == run[0][0].0.attrs
                    && label_like(&r[0].1)
                    // `На общую стоимость: 560 р.` rows: each already a pair.
                    && !has_own_label(&r[0].1)
        })
        && run
            .iter()
            .skip(1)
            .step_by(2)
            .all(|r| r[0].0.attrs == run[1][0].0.attrs)
        && run[0][0].0.attrs != run[1][0].0.attrs;
    if alternating {
        for pair in run.chunks(2) {
            push_pair(out, &pair[0][0].1, &pair[1][0].1);
        }
    } else {
        out.extend(run.iter().map(|r| r[0].1.clone()));
    }
}

/// A cell that opens with the site's sentence naming the writer and their
/// address in brackets, the text under it (`Вопрос был задан по Евгений
/// Титов (e@x.ru)` / the question: VirtueMart's mail to the vendor): the
/// caption above it is the mail's heading, not this cell's label.
fn writer_sentence_first(text: &str) -> bool {
    let Some((first, rest)) = text.split_once('\n') else {
        return false;
    };
    let first = first.trim_end();
    !rest.trim().is_empty()
        && first.ends_with(')')
        && first.split_whitespace().count() >= 4
        && first
            .rfind('(')
            .is_some_and(|k| first[k..].contains('@') && !first[k..].contains(' '))
}

/// Already in `tidy` form (the scanner folds spaces as it writes, so most
/// cells are): one byte scan instead of a rebuild.
fn is_tidy(s: &str, keep_blank: bool) -> bool {
    let b = s.as_bytes();
    if b.first().is_some_and(|c| c.is_ascii_whitespace())
        || b.last().is_some_and(|c| c.is_ascii_whitespace())
    {
        return false;
    }
    let mut prev = b'x';
    let mut prev2 = b'x';
    for &c in b {
        match c {
            b'\t' | b'\r' => return false,
            b' ' if prev == b' ' || prev == b'\n' => return false,
            b'\n' if prev == b' ' => return false,
            b'\n' if prev == b'\n' && (!keep_blank || prev2 == b'\n') => return false,
            _ => {}
        }
        prev2 = prev;
        prev = c;
    }
    true
}

/// Trims lines, folds spaces, drops empty lines at the ends; inner runs of
/// empty lines become one (`keep_blank`) or none.
fn tidy(s: &str, keep_blank: bool) -> String {
    if is_tidy(s, keep_blank) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut pending_blank = false;
    for line in crate::scan::split_nl(s) {
        let mut first = true;
        for w in line.split([' ', '\t', '\r']).filter(|w| !w.is_empty()) {
            if first {
                if !out.is_empty() {
                    out.push('\n');
                    if pending_blank && keep_blank {
                        out.push('\n');
                    }
                }
                pending_blank = false;
                first = false;
            } else {
                out.push(' ');
            }
            out.push_str(w);
        }
        if first {
            pending_blank = !out.is_empty();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn writer_verb_answers_as_lower_casing_the_word_did() {
        let former = |w: &str| {
            let w = w.to_lowercase();
            [
                "написал",
                "написав",
                "надіслав",
                "надiслав",
                "оставил",
                "залишив",
                "залишила",
                "откликнул",
                "відгукнув",
                "відгукнул",
                "wrote",
                "прислал",
                "отправил",
            ]
            .iter()
            .any(|v| w.starts_with(v))
        };
        for w in [
            "написал(а)",
            "Написала",
            "НАПИСАЛ",
            "написав",
            "надіслав(ла)",
            "надiслав",
            "оставил(а)",
            "Оставила",
            "залишив",
            "залишила",
            "откликнулся(-ась)",
            "відгукнувся",
            "відгукнулася",
            "wrote",
            "Wrote:",
            "WROTE",
            "напис",
            "написать",
            "оставьте",
            "write",
            "вам",
            "",
            "н",
            "Олег",
            "З",
            "wrot",
            "ОТКЛИКНУЛАСЬ",
            "прислал",
            "Отправила",
            "отправить",
            "прислать",
            "Прислали",
        ] {
            assert_eq!(writer_verb(w), former(w), "{w:?}");
            // The line gate never hides a verb.
            assert!(
                !writer_verb(w) || may_hold_writer_verb(&format!("Анна {w} вам")),
                "{w:?}"
            );
        }
    }

    #[test]
    fn br_and_p_lines() {
        assert_eq!(
            to_text(
                "Имя: Иван<br>Телефон: +7 999<br/>\n<p>Сообщение:  нужен&nbsp;замер</p><p>x</p>"
            ),
            "Имя: Иван\nТелефон: +7 999\nСообщение: нужен замер\nx"
        );
    }

    #[test]
    fn drops_style_script_head_comments() {
        let h = "<html><head><title>T</title><style>td{}</style></head><body><!-- c -->a<script>x<y</script>b</body>";
        assert_eq!(to_text(h), "ab");
    }

    #[test]
    fn unclosed_title_or_style_does_not_swallow_the_form() {
        assert_eq!(
            to_text("<title>Заявка<p>Имя: Иван</p>"),
            "Заявка\nИмя: Иван"
        );
        assert_eq!(to_text("<style>p{}<br>Имя: Иван"), "p{}\nИмя: Иван");
    }

    #[test]
    fn decode_entities_keeps_everything_else() {
        assert_eq!(
            decode_entities("<a href=\"/x?a=1&amp;b=2\">&laquo;Окна&raquo; &#1044; & &bogus;</a>"),
            "<a href=\"/x?a=1&b=2\">«Окна» Д & &bogus;</a>"
        );
        assert!(matches!(
            decode_entities("no refs"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn entities() {
        assert_eq!(
            to_text("&laquo;Окна&raquo; &amp; &#1044;&#x414; &bogus; &"),
            "«Окна» & ДД &bogus; &"
        );
    }

    #[test]
    fn two_cell_rows() {
        let h = "<table><tr><td>Имя</td><td><strong>Наталья</strong></td></tr><tr><th>Телефон:</th><td>+7 913</td></tr></table>";
        assert_eq!(to_text(h), "Имя: Наталья\nТелефон: +7 913");
    }

    #[test]
    fn label_row_value_row() {
        let h = r#"<table><tr><td class="field-name"><strong>Имя</strong></td></tr>
<tr class="field-name"><td class="field-value">Марина</td></tr>
<tr><td><strong>Комментарий</strong></td></tr><tr><td>строка 1<br/>строка 2</td></tr></table>"#;
        assert_eq!(to_text(h), "Имя: Марина\nКомментарий: строка 1\nстрока 2");
    }

    #[test]
    fn unmarked_alternating_rows_pair_by_style() {
        let h = r#"<table><tr><td style="a">Форма</td></tr><tr><td style="b">Замер</td></tr>
<tr><td style="a">Имя</td></tr><tr><td style="b">Павел</td></tr></table>"#;
        assert_eq!(to_text(h), "Форма: Замер\nИмя: Павел");
    }

    #[test]
    fn tidy_fast_path_agrees_with_the_rebuild() {
        for s in [
            "a b\nc", "a\n\nb", "a\n\n\nb", " a", "a ", "a  b", "a \nb", "a\n b", "a\tb", "",
            "x\r\ny",
        ] {
            for keep in [true, false] {
                let mut rebuilt = String::new();
                let mut pending = false;
                for line in s.split('\n') {
                    let folded = line
                        .split([' ', '\t', '\r'])
                        .filter(|w| !w.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    if folded.is_empty() {
                        pending = !rebuilt.is_empty();
                        continue;
                    }
                    if !rebuilt.is_empty() {
                        rebuilt.push('\n');
                        if pending && keep {
                            rebuilt.push('\n');
                        }
                    }
                    pending = false;
                    rebuilt.push_str(&folded);
                }
                assert_eq!(tidy(s, keep), rebuilt, "{s:?} keep={keep}");
            }
        }
    }

    #[test]
    fn headings_and_layout_rows_are_not_fields() {
        let h = "<table><tr><td><b>Заявка с сайта</b></td></tr><tr><td>Имя: Иван</td></tr></table>";
        assert_eq!(to_text(h), "Заявка с сайта\nИмя: Иван");
        let h = r#"<table><tr><td style="a">Новая заявка</td></tr><tr><td style="b">Отписаться</td></tr></table>"#;
        assert_eq!(to_text(h), "Новая заявка\nОтписаться");
    }

    #[test]
    fn bold_caption_at_a_line_start_pairs_with_the_text_after_it() {
        assert_eq!(
            to_text("<ul><li><b>Имя</b><br>Анна</li><li><strong>Телефон</strong> +7 900</li></ul>"),
            "Имя:\nАнна\nТелефон: +7 900"
        );
        assert_eq!(to_text("<dl><dt>Имя</dt><dd>Анна</dd></dl>"), "Имя:\nАнна");
        // A bold value in its own cell, bold inside a sentence, a bold
        // heading over labelled lines: no caption.
        assert_eq!(
            to_text("<table><tr><td>Имя</td><td><b>Анна</b></td></tr></table>"),
            "Имя: Анна"
        );
        assert_eq!(
            to_text("<p>Нужен <b>срочно</b> замер</p>"),
            "Нужен срочно замер"
        );
        assert_eq!(
            to_text("<p><b>Новая заявка</b></p><p>Имя: Анна</p>"),
            "Новая заявка\nИмя: Анна"
        );
    }

    #[test]
    fn bold_writer_name_opening_a_classifieds_sentence_is_no_caption() {
        // Avito's new-message notice: `<b>NAME</b> написал(а) вам по
        // объявлению …` is one sentence, not `NAME: …`.
        assert_eq!(
            to_text(
                "<p><b>Светлана</b> написал(а) вам по объявлению <a href=\"https://x.example/1\">Окна</a></p>"
            ),
            "Светлана написал(а) вам по объявлению Окна"
        );
        assert_eq!(
            to_text("<p><strong>Имя</strong> Светлана</p>"),
            "Имя: Светлана"
        );
    }

    #[test]
    fn a_minor_heading_captions_the_paragraph_under_it() {
        // Umbraco Forms' e-mail template: `<h4>label</h4><p>value<br /></p>`.
        assert_eq!(
            to_text(
                "<h2>Form Results</h2><h4 style=\"margin: 0\">Имя</h4><p>Руслан<br /></p>\
                 <h4>Номер телефону</h4><p>067 123 45 60<br /></p>"
            ),
            "Form Results\nИмя:\nРуслан\nНомер телефону:\n067 123 45 60"
        );
        // A minor heading over labelled lines, a question, a major heading:
        // no caption.
        assert_eq!(
            to_text("<h4>Контакты</h4><p>Имя: Иван</p>"),
            "Контакты\nИмя: Иван"
        );
        assert_eq!(
            to_text("<h4>Need more help?</h4><p>Docs</p>"),
            "Need more help?\nDocs"
        );
        assert_eq!(to_text("<h3>Объект</h3><p>x</p>"), "Объект\nx");
    }

    #[test]
    fn a_heading_that_opens_a_list_item_captions_the_item() {
        // HeyForm's answersToHtml: `<ol><li><h3>question</h3><p>answer</p>
        // </li></ol>`; the question may ask and run to ten words, and a
        // blank line closes the item.
        assert_eq!(
            to_text(
                "<ol>\n<li>\n  <h3>Как вас зовут?</h3>\n  <p>Анна</p>\n</li>\n\
                 <li>\n  <h3>Какой у вас номер телефона?</h3>\n  <p>+79261234455</p>\n</li>\n</ol>"
            ),
            // each item a stanza of its own
            "Как вас зовут?:\nАнна\n\nКакой у вас номер телефона?:\n+79261234455"
        );
        // A heading after the item's own text, or in no list, stays a title.
        assert_eq!(
            to_text("<li>Шаг 1<h3>Объект</h3><p>x</p></li>"),
            "Шаг 1\nОбъект\nx"
        );
        assert_eq!(
            to_text("<h3>Как вас зовут?</h3><p>Анна</p>"),
            "Как вас зовут?\nАнна"
        );
    }

    #[test]
    fn headings_keep_no_label_colon() {
        assert_eq!(
            to_text("<h2>Форма: обратная связь</h2><h3><b>Объект</b></h3><p>x</p>"),
            "Форма — обратная связь\nОбъект\nx"
        );
    }

    #[test]
    fn a_heading_broken_by_br_wraps_content_not_a_title() {
        // A Netlify function's `<h3>Email from NAME, <br> Email: x<h3>.
        // Phone num: y <br> Message: <p>text<p>` (the h3 never closed).
        let h = "<h3>Email from Карина, <br>\n Email: k@example.ru<h3>.\n Phone num: 8-918-402-77-65 <br>\n \
                 Message:\n <p>Пришлите замерщика.<p>";
        let t = to_text(h);
        assert!(t.contains("Email: k@example.ru"), "{t}");
        assert!(t.contains("Message:"), "{t}");
        assert!(t.starts_with("Email from Карина,"), "{t}");
    }

    #[test]
    fn header_row_over_value_row_and_nested_value_tables() {
        let h = "<table><tr><th>Имя</th><th>Телефон</th></tr><tr><td>Иван</td><td>8 912</td></tr></table>";
        assert_eq!(to_text(h), "Имя: Иван\nТелефон: 8 912");
        let h =
            "<table><tr><td>Имя</td><td><table><tr><td>Иван</td></tr></table></td></tr></table>";
        assert_eq!(to_text(h), "Имя: Иван");
    }

    #[test]
    fn table_ends_are_reported_beside_the_text() {
        let (t, ends) = to_text_and_ends(
            "<table><tr><td>Имя</td><td>Иван</td></tr><tr><td>Сообщение</td><td>a<br>b</td></tr></table>После",
        );
        assert_eq!(t, "Имя: Иван\nСообщение: a\nb\nПосле");
        assert_eq!(ends, vec![1, 3]);
        assert!(!t.contains(BLOCK_END));
    }

    #[test]
    fn deep_nesting_is_linear_and_safe() {
        let n = 100_000;
        let h = "<table><tr><td>".repeat(n) + "x" + &"</td></tr></table>".repeat(n);
        assert_eq!(to_text(&h), "x");
        let d = "<div>".repeat(n) + "y";
        assert_eq!(to_text(&d), "y");
        assert_eq!(to_text(&"<".repeat(n)), "<".repeat(n));
        assert_eq!(to_text(&"<a ".repeat(n)), "<a ".repeat(n).trim_end());
    }

    #[test]
    fn hidden_elements_are_skipped_linearly() {
        // React Email's `<Preview>`: a hidden div with a nested padding div.
        let h = "<div style=\"display:none;opacity:0\">Превью<div>\u{200c}\u{200b}</div></div><p>Имя: Анна</p>";
        assert_eq!(to_text(h), "Имя: Анна");
        assert_eq!(to_text("<P STYLE=\"DISPLAY : NONE\">x</P>y"), "y");
        assert_eq!(to_text("<div style=\"display:block\">x</div>"), "x");
        // Many hidden tags never closed: each is read, in linear time.
        let n = 50_000;
        let d = "<div style=\"display:none\">z".repeat(n);
        assert_eq!(to_text(&d).matches('z').count(), n);
    }

    #[test]
    fn link_href_takes_absolute_http_links_only() {
        assert_eq!(
            link_href(r#"href="https://dveri.example/p/?a=1&amp;b=2" target="_blank""#).as_deref(),
            Some("https://dveri.example/p/?a=1&b=2")
        );
        assert_eq!(
            link_href("HREF='http://x.example/'").as_deref(),
            Some("http://x.example/")
        );
        assert_eq!(link_href(r#"href="mailto:a@b.example""#), None);
        assert_eq!(link_href(r#"href="/relative""#), None);
        assert_eq!(link_href(r#"href="https://unclosed"#), None);
        assert_eq!(link_href("title=x"), None);
    }

    #[test]
    fn a_cell_opening_with_the_writer_sentence() {
        // Round 27c (VirtueMart's mail to the vendor).
        assert!(writer_sentence_first(
            "Вопрос был задан по Евгений Титов (e.t@example.ru)\nНужен забор."
        ));
        assert!(!writer_sentence_first(
            "Вопрос был задан по Евгений Титов (e.t@example.ru)"
        ));
        assert!(!writer_sentence_first(
            "Иван (ivan@example.ru)\n+7 912 000 11 22"
        ));
        assert!(!writer_sentence_first("Нужен забор.\nСколько стоит?"));
    }
}
