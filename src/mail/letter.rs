//! Raw mail bytes to a [`Letter`]: decoded headers plus the form's text.
//! (skeleton: implemented by the parsing work)
