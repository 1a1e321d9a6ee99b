package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"

	"github.com/gofiber/fiber/v2"
)

// Static files are served from memory under /static/<version>/<name>, where version is the
// start of the file's SHA-256. A changed file gets a new URL, so browsers may keep every
// version for a year without asking again.
const (
	assetVersionLength = 12
	assetCacheControl  = "public, max-age=31536000, immutable"
)

// contentTypes lists the types Folio serves; a file of another kind is refused at start-up.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

type asset struct {
	body        []byte
	contentType string
	version     string
}

type assets struct {
	byName map[string]asset
}

// loadAssets reads every file at the root of fsys and fingerprints it.
func loadAssets(fsys fs.FS) (*assets, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("list static files: %w", err)
	}

	loaded := &assets{byName: make(map[string]asset, len(entries))}
	for _, entry := range entries {
		if entry.IsDir() {
			continue
		}
		name := entry.Name()
		contentType, ok := contentTypes[path.Ext(name)]
		if !ok {
			return nil, fmt.Errorf("static file %s: no content type known for %q", name,
				mime.TypeByExtension(path.Ext(name)))
		}

		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read static file %s: %w", name, err)
		}
		sum := sha256.Sum256(body)
		loaded.byName[name] = asset{
			body:        body,
			contentType: contentType,
			version:     hex.EncodeToString(sum[:])[:assetVersionLength],
		}
	}
	return loaded, nil
}

// assetURL returns the versioned URL of the static file name. Templates call it as asset;
// an unknown name fails the page's rendering, and so its test.
func (s *Server) assetURL(name string) (string, error) {
	file, ok := s.assets.byName[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + file.version + "/" + name, nil
}

// serveAsset answers GET /static/:version/:name. An outdated version is a 404 rather than
// today's file, which a year-long cache would then keep under the old URL.
func (s *Server) serveAsset(c *fiber.Ctx) error {
	file, ok := s.assets.byName[c.Params("name")]
	if !ok || c.Params("version") != file.version {
		return fiber.ErrNotFound
	}

	c.Set(fiber.HeaderContentType, file.contentType)
	c.Set(fiber.HeaderCacheControl, assetCacheControl)
	return c.Send(file.body)
}
