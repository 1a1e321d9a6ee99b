package web

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// forwardedHopsMax bounds how many X-Forwarded-For entries are examined.
const forwardedHopsMax = 16

// clientIP returns the address of the client, for rate limits and logs. A peer that is not a
// trusted proxy is the client, whatever X-Forwarded-For it sends. Behind trusted proxies the
// header is read from the right, skipping trusted hops: the first other address is the one
// the outermost trusted proxy saw, which the client cannot choose. (The leftmost entry, which
// Fiber's c.IP() would take, is whatever the client wrote.)
func (s *Server) clientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return "unknown"
	}
	peer = peer.Unmap()
	if !s.trustedProxy(peer) {
		return peer.String()
	}

	hops := strings.Split(string(c.Request().Header.Peek(fiber.HeaderXForwardedFor)), ",")
	client := peer
	for i := len(hops) - 1; i >= 0 && len(hops)-i <= forwardedHopsMax; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = hop.Unmap()
		if !s.trustedProxy(client) {
			break
		}
	}
	return client.String()
}

func (s *Server) trustedProxy(addr netip.Addr) bool {
	for _, prefix := range s.config.TrustedProxies {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}
