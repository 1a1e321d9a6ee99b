package web_test

import (
	"net/http"
	"testing"

	"folio/app/documents/pdftest"
	"folio/app/documents/s3test"
	"folio/app/web"
)

// TestAPIDocumentsInAnS3Bucket uploads, downloads and deletes a document through the API
// with documents kept in an S3 bucket, as serve sets it up when DOCUMENTS_S3_BUCKET is set.
func TestAPIDocumentsInAnS3Bucket(t *testing.T) {
	t.Parallel()
	bucket := s3test.New(t)
	ts, root := newDocumentServer(t, func(deps *web.Deps) { deps.Documents = bucket.Store("folio") })
	ada := newAPIUser(t, ts, "ada@example.org")
	bob := newAPIUser(t, ts, "bob@example.org")
	receipt := pdftest.Document("Receipt 2026-02")

	id := ada.uploaded("receipt.pdf", receipt, http.StatusCreated)

	key := "folio/" + ts.userID("ada@example.org").String() + "/" + digestOf(receipt)
	if got := bucket.Keys(); len(got) != 1 || got[0] != key {
		t.Fatalf("keys: got %v, want [%s]", got, key)
	}
	if files := pdfFiles(t, root); len(files) != 0 {
		t.Errorf("files in the upload folder: got %v, want none", files)
	}
	got := ada.call(http.MethodGet, "/api/v1/documents/"+id, nil)
	wantStatus(t, got, http.StatusOK)
	if got.body != string(receipt) || got.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("download: got %d bytes of %q, want the file's %d", len(got.body),
			got.header.Get("Content-Type"), len(receipt))
	}
	wantAPIError(t, bob.call(http.MethodGet, "/api/v1/documents/"+id, nil), http.StatusNotFound, "not_found")

	wantStatus(t, ada.call(http.MethodDelete, "/api/v1/documents/"+id, nil), http.StatusNoContent)
	if got := bucket.Keys(); len(got) != 0 {
		t.Errorf("keys after delete: got %v, want none", got)
	}
}
