package web

import (
	"net/url"
	"strings"
)

// nextPathBytesMax bounds a "next" path worth keeping.
const nextPathBytesMax = 2048

// localPath returns next when it is a path on this site, and "/" otherwise, so that a link
// to the login page cannot send someone elsewhere afterwards. Browsers read "//host",
// "/\host" and paths with tabs or newlines as other sites, so those are refused too.
func localPath(next string) string {
	if next == "" || len(next) > nextPathBytesMax || next[0] != '/' {
		return "/"
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	if strings.HasPrefix(next, "/login") || strings.HasPrefix(next, "/logout") {
		return "/"
	}

	parsed, err := url.Parse(next)
	if err != nil || parsed.Scheme != "" || parsed.Host != "" || parsed.User != nil {
		return "/"
	}
	return next
}
