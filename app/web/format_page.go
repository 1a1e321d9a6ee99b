package web

import "github.com/gofiber/fiber/v2"

// renderPart renders like render, with two differences for pages built of several parts.
// An htmx request names the part it wants by its target element (HX-Target): parts maps
// element ids to fragments, and any other target gets fragment. And htmx restoring a page
// from history (HX-History-Restore-Request) gets the whole page, which it swaps into the
// body.
func (s *Server) renderPart(c *fiber.Ctx, page, fragment string, parts map[string]string,
	data any) error {
	c.Vary("HX-Request", "HX-Target")
	if isHistoryRestore(c) {
		return s.render(c, page, "", data)
	}
	if part, ok := parts[c.Get("HX-Target")]; ok {
		fragment = part
	}
	return s.render(c, page, fragment, data)
}

// isHistoryRestore reports whether htmx asks for a page it had no copy of while going back
// or forward in the history; it wants the whole page then, though it sends HX-Request.
func isHistoryRestore(c *fiber.Ctx) bool {
	return c.Get("HX-History-Restore-Request") == "true"
}

// wantsPart reports whether an htmx request asks for the part with element id target.
func wantsPart(c *fiber.Ctx, target string) bool {
	return isHTMX(c) && !isHistoryRestore(c) && c.Get("HX-Target") == target
}
