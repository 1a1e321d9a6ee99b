// Package s3test serves a real S3 API in memory for tests: gofakes3 behind httptest, on a
// loopback address over plain HTTP, with one bucket created.
package s3test

import (
	"io"
	"net/http/httptest"
	"net/url"
	"sort"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"folio/app/documents"
)

// Keys the test server hands out. gofakes3 does not check signatures: these only make the
// client sign its requests as it would for a real store.
const (
	AccessKey = "FOLIOTESTACCESSKEY"
	// #nosec G101 -- a key for the in-memory test server only, which checks no signature
	SecretKey = "folio-test-secret-key-never-in-an-error"
	Bucket    = "folio-documents"
)

// Server is an S3 API with the bucket Bucket.
type Server struct {
	// Endpoint is the server's host:port, reached over plain HTTP.
	Endpoint string
	backend  *s3mem.Backend
	t        testing.TB
}

// New starts a server for the test and stops it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(Bucket); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(server.Close)
	parsed, err := url.Parse(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &Server{Endpoint: parsed.Host, backend: backend, t: t}
}

// Options are documents.S3Options for this server's bucket, with prefix and a spool folder
// of the test's own.
func (s *Server) Options(prefix string) documents.S3Options {
	return documents.S3Options{Endpoint: s.Endpoint, Insecure: true,
		Bucket: Bucket, AccessKey: AccessKey, SecretKey: SecretKey, Prefix: prefix,
		SpoolFolder: s.t.TempDir()}
}

// Store returns a documents.S3 on this server's bucket.
func (s *Server) Store(prefix string) *documents.S3 {
	s.t.Helper()
	store, err := documents.NewS3(s.Options(prefix))
	if err != nil {
		s.t.Fatal(err)
	}
	return store
}

// Keys lists the keys of every object in the bucket, sorted.
func (s *Server) Keys() []string {
	s.t.Helper()
	list, err := s.backend.ListBucket(Bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		s.t.Fatal(err)
	}
	keys := make([]string, 0, len(list.Contents))
	for _, content := range list.Contents {
		keys = append(keys, content.Key)
	}
	sort.Strings(keys)
	return keys
}

// Object returns the bytes of the object at key.
func (s *Server) Object(key string) []byte {
	s.t.Helper()
	object, err := s.backend.GetObject(Bucket, key, nil)
	if err != nil {
		s.t.Fatalf("object %s: %v", key, err)
	}
	defer object.Contents.Close()
	content := make([]byte, object.Size)
	if _, err := io.ReadFull(object.Contents, content); err != nil {
		s.t.Fatalf("object %s: %v", key, err)
	}
	return content
}
