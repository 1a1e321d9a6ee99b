// Package static holds the files browsers load beside Folio's pages: style sheets, scripts and
// icons. They are embedded in the binary and served under versioned URLs.
package static

import "embed"

// FS holds the static files, at its root.
//
//go:embed *.css *.js *.svg
var FS embed.FS
