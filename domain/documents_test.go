package domain_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/uuid"

	"folio/domain"
)

func digestOf(seed string) string {
	return strings.Repeat(seed, 64/len(seed))
}

func addDocument(t *testing.T, f *fixture, digest string, size int64) uuid.UUID {
	t.Helper()
	events := run(t, f.books, f.newID, domain.AddDocument{SHA256: digest, Size: size, Name: "receipt.pdf",
		QuotaBytes: 1000})
	return events[0].(domain.DocumentAdded).DocumentID
}

func TestDocumentsAttachDetachRemove(t *testing.T) {
	f := newFixture(t)
	txn := run(t, f.books, f.newID, domain.RecordTransaction{Entry: f.spend("2026-01-10", "12.50")})[0].(domain.TransactionRecorded).TransactionID
	other := run(t, f.books, f.newID, domain.RecordTransaction{Entry: f.spend("2026-01-11", "3")})[0].(domain.TransactionRecorded).TransactionID
	receipt := addDocument(t, f, digestOf("ab"), 400)
	invoice := addDocument(t, f, digestOf("cd"), 500)

	if events := run(t, f.books, f.newID, domain.AddDocument{SHA256: digestOf("ab"), Size: 400,
		Name: "again.pdf", QuotaBytes: 1000}); len(events) != 0 {
		t.Errorf("the same file again: got %v, want no events", events)
	}
	if got := f.books.DocumentBytes(); got != 900 {
		t.Errorf("bytes: got %d, want 900", got)
	}

	run(t, f.books, f.newID, domain.AttachDocument{DocumentID: receipt, TransactionID: txn})
	run(t, f.books, f.newID, domain.AttachDocument{DocumentID: invoice, TransactionID: txn})
	run(t, f.books, f.newID, domain.AttachDocument{DocumentID: receipt, TransactionID: other})
	if events := run(t, f.books, f.newID, domain.AttachDocument{DocumentID: receipt, TransactionID: txn}); len(events) != 0 {
		t.Errorf("attaching twice: got %v, want no events", events)
	}
	if got := ids(f.books.TransactionDocuments(txn)); !equalIDs(got, []uuid.UUID{receipt, invoice}) {
		t.Errorf("documents of the transaction: got %v", got)
	}

	run(t, f.books, f.newID, domain.DetachDocument{DocumentID: invoice, TransactionID: txn})
	if events := run(t, f.books, f.newID, domain.DetachDocument{DocumentID: invoice, TransactionID: txn}); len(events) != 0 {
		t.Errorf("detaching twice: got %v, want no events", events)
	}

	// Removing a document detaches it everywhere first, as facts of their own.
	events := run(t, f.books, f.newID, domain.RemoveDocument{DocumentID: receipt})
	if len(events) != 3 {
		t.Fatalf("remove: got %d events, want 2 detachments and the removal: %v", len(events), events)
	}
	if _, ok := f.books.Document(receipt); ok {
		t.Error("a removed document is still in the books")
	}
	if got := f.books.TransactionDocuments(txn); len(got) != 0 {
		t.Errorf("documents of the transaction after removal: got %d", len(got))
	}
	if got := f.books.DocumentBytes(); got != 500 {
		t.Errorf("bytes after removal: got %d, want 500", got)
	}
	// The same bytes can come back as a new document.
	if again := addDocument(t, f, digestOf("ab"), 400); again == receipt {
		t.Error("a document came back under its old id")
	}
}

func TestDocumentCommandsReject(t *testing.T) {
	f := newFixture(t)
	txn := run(t, f.books, f.newID, domain.RecordTransaction{Entry: f.spend("2026-01-10", "12.50")})[0].(domain.TransactionRecorded).TransactionID
	voided := run(t, f.books, f.newID, domain.RecordTransaction{Entry: f.spend("2026-01-11", "3")})[0].(domain.TransactionRecorded).TransactionID
	run(t, f.books, f.newID, domain.VoidTransaction{TransactionID: voided})
	document := addDocument(t, f, digestOf("ab"), 600)

	tests := []struct {
		name  string
		cmd   domain.Command
		code  domain.Code
		field string
	}{
		{"digest in upper case", domain.AddDocument{SHA256: strings.ToUpper(digestOf("ef")), Size: 1}, domain.CodeInvalid, "sha256"},
		{"short digest", domain.AddDocument{SHA256: "abc", Size: 1}, domain.CodeInvalid, "sha256"},
		{"empty file", domain.AddDocument{SHA256: digestOf("ef"), Size: 0}, domain.CodeInvalid, "file"},
		{"over the quota", domain.AddDocument{SHA256: digestOf("ef"), Size: 401, QuotaBytes: 1000}, domain.CodeConflict, domain.QuotaField},
		{"unknown document", domain.AttachDocument{DocumentID: uuid.New(), TransactionID: txn}, domain.CodeNotFound, ""},
		{"unknown transaction", domain.AttachDocument{DocumentID: document, TransactionID: uuid.New()}, domain.CodeNotFound, ""},
		{"voided transaction", domain.AttachDocument{DocumentID: document, TransactionID: voided}, domain.CodeConflict, ""},
		{"detach unknown document", domain.DetachDocument{DocumentID: uuid.New(), TransactionID: txn}, domain.CodeNotFound, ""},
		{"remove unknown document", domain.RemoveDocument{DocumentID: uuid.New()}, domain.CodeNotFound, ""},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			events, err := domain.Decide(f.books, test.cmd, f.newID)
			var domainErr *domain.Error
			if !asDomainError(err, &domainErr) || domainErr.Code != test.code || domainErr.Field != test.field {
				t.Fatalf("got %v (%v), want %s on %q", events, err, test.code, test.field)
			}
		})
	}

	// Exactly at the quota fits; no quota means no bound.
	run(t, f.books, f.newID, domain.AddDocument{SHA256: digestOf("ef"), Size: 400, QuotaBytes: 1000})
	run(t, f.books, f.newID, domain.AddDocument{SHA256: digestOf("12"), Size: 1 << 40})
}

func TestApplyRefusesBrokenDocumentHistories(t *testing.T) {
	f := newFixture(t)
	document := addDocument(t, f, digestOf("ab"), 10)
	broken := []domain.Event{
		domain.DocumentAdded{DocumentID: document, SHA256: digestOf("cd"), Size: 1},
		domain.DocumentAdded{DocumentID: uuid.New(), SHA256: digestOf("ab"), Size: 1},
		domain.DocumentAdded{DocumentID: uuid.New(), SHA256: digestOf("cd"), Size: 0},
		domain.DocumentAttached{DocumentID: document, TransactionID: uuid.New()},
		domain.DocumentAttached{DocumentID: uuid.New(), TransactionID: uuid.New()},
		domain.DocumentDetached{DocumentID: document, TransactionID: uuid.New()},
		domain.DocumentRemoved{DocumentID: uuid.New()},
	}
	for _, event := range broken {
		if err := f.books.Apply(event); err == nil {
			t.Errorf("applied %#v", event)
		}
	}
}

func TestDocumentEventsRoundTrip(t *testing.T) {
	events := []domain.Event{
		domain.DocumentAdded{DocumentID: uuid.New(), SHA256: digestOf("ab"), Size: 12, Name: "a \"b\".pdf"},
		domain.DocumentAttached{DocumentID: uuid.New(), TransactionID: uuid.New()},
		domain.DocumentDetached{DocumentID: uuid.New(), TransactionID: uuid.New()},
		domain.DocumentRemoved{DocumentID: uuid.New()},
	}
	for _, event := range events {
		eventType, schemaVersion, payload, err := domain.EncodeEvent(event)
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := domain.DecodeEvent(eventType, schemaVersion, payload)
		if err != nil {
			t.Fatalf("decode %s: %v", eventType, err)
		}
		if _, _, again, _ := domain.EncodeEvent(decoded); !bytes.Equal(payload, again) || decoded != event {
			t.Errorf("%s: got %#v from %s", eventType, decoded, payload)
		}
	}
}

func TestDocumentEventsDescribeThemselves(t *testing.T) {
	added := domain.DocumentAdded{Name: "receipt.pdf", Size: 2048}
	if got := added.HistoryDescription(); got != "Added the document “receipt.pdf” (2 KB)" {
		t.Errorf("got %q", got)
	}
}

func TestNormalizeDocumentName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Receipt 2026-01.pdf", "Receipt 2026-01.pdf"},
		{"folders of either kind", `..\..\windows/../../etc/passwd.pdf`, "passwd.pdf"},
		{"extension added", "scan", "scan.pdf"},
		{"extension in any case kept once", "SCAN.PDF", "SCAN.pdf"},
		{"quotes stay, as data", `say "hi".pdf`, `say "hi".pdf`},
		{"line breaks and tabs become one space", "a\r\nb\tc.pdf", "a b c.pdf"},
		{"right-to-left override removed", "bill\u202Efdp.exe", "billfdp.exe.pdf"},
		{"zero-width and bidi isolates removed", "a\u200Bb\u2066c\u2069.pdf", "abc.pdf"},
		{"control characters removed", "a\x00b\x1bc\x7f.pdf", "abc.pdf"},
		{"hidden-file dots removed", "...hidden.pdf", "hidden.pdf"},
		{"nothing left", " ../ \u202E ", "document.pdf"},
		{"only the extension", ".pdf", "document.pdf"},
		{"invalid UTF-8 dropped", "caf\xe9.pdf", "caf.pdf"},
		{"unicode kept", "Quittung Müller 東京.pdf", "Quittung Müller 東京.pdf"},
		{"long names cut before the extension", strings.Repeat("é", 300) + ".pdf", strings.Repeat("é", 196) + ".pdf"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := domain.NormalizeDocumentName(test.in); got != test.want {
				t.Errorf("got %q, want %q", got, test.want)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	tests := map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KB", 1536: "1.5 KB",
		16 << 20: "16 MB", 1 << 30: "1 GB", 5 << 40: "5 TB"}
	for size, want := range tests {
		if got := domain.FormatBytes(size); got != want {
			t.Errorf("%d: got %q, want %q", size, got, want)
		}
	}
}

func ids(documents []*domain.Document) []uuid.UUID {
	var result []uuid.UUID
	for _, document := range documents {
		result = append(result, document.ID)
	}
	return result
}

func equalIDs(a, b []uuid.UUID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func asDomainError(err error, target **domain.Error) bool {
	domainErr, ok := err.(*domain.Error)
	*target = domainErr
	return ok
}
