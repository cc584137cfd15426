//! HTML to text that keeps table structure. (skeleton)
