// Package scan finds personal data in files and folders: CSV and TSV (UTF-8 with or without a
// BOM, Shift_JIS/CP932), JSON and JSON Lines, MySQL and PostgreSQL dumps, web-server and
// application logs, plain text, and gzip-compressed copies of any of these. It is the engine
// behind `kinko scan`; the detectors themselves live in internal/detect (DESIGN.md "One
// detector").
//
// Structure gives context: every value is handed to the detector together with the
// detect.Context of its CSV header, JSON key or SQL column, computed once per column; log and
// text lines go in with a zero Context so that the engine finds inline keys itself.
//
// The pipeline is one producer, a pool of workers and one consumer. The producer reads a file
// in blocks, cuts them at boundaries the format allows (lines, CSV records, complete JSON or
// SQL tokens) and, for JSON and SQL, parses the structure; workers decode (Shift_JIS, escapes),
// run the detector and build redacted output; the consumer reports the results in file and
// offset order. Blocks are bounded, so memory does not grow with file size, and both cores
// work on a folder of small files as well as on one large file.
//
// Invariants:
//   - Offsets in a Finding are byte offsets into the file's own bytes (the Shift_JIS bytes of a
//     Shift_JIS file, the decompressed stream of a .gz), covering exactly the detected value.
//   - Nothing in this package prints, logs or returns a detected value; a Finding carries a
//     masked preview at most, and errors never quote file content.
//   - Redaction writes NAME.redacted next to the file and never modifies the original.
package scan
