// Package templates holds Folio's HTML templates: layout.html (the page around every screen),
// partials/ (fragments shared by several pages) and pages/ (one file per page). They are
// embedded in the binary and parsed at start-up.
package templates

import "embed"

// FS holds layout.html, partials/*.html and pages/*.html.
//
//go:embed layout.html partials/*.html pages/*.html
var FS embed.FS
