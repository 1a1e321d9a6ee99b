package domain

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits on the documents of one user's books. The size of each file and
// the storage quota are the application's to choose; the books only check
// that a new document fits the quota the command carries.
const (
	documentsMax               = 10_000
	documentsPerTransactionMax = 100
	documentNameLengthMax      = 200
	documentNameDefault        = "document.pdf"
	documentExtension          = ".pdf"
)

// Document is a PDF kept with the books, such as a receipt or an invoice.
// Its bytes live in a document store under its SHA-256; the books hold what
// is known about them.
type Document struct {
	ID     uuid.UUID
	SHA256 string // lower-case hex
	Size   int64  // bytes
	Name   string // the uploaded file's name, sanitised; never part of a path
	// AddedVersion is the stream version of the event that added it.
	AddedVersion int64
	// Attachments are the transactions it is attached to, in the order it
	// was attached to them.
	Attachments []DocumentAttachment
}

// DocumentAttachment links a document to a transaction.
type DocumentAttachment struct {
	TransactionID   uuid.UUID
	AttachedVersion int64
}

// DocumentAdded records a new document.
type DocumentAdded struct {
	DocumentID uuid.UUID `json:"document_id"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	Name       string    `json:"name"`
}

// DocumentAttached links a document to a transaction, as its evidence.
type DocumentAttached struct {
	DocumentID    uuid.UUID `json:"document_id"`
	TransactionID uuid.UUID `json:"transaction_id"`
}

// DocumentDetached undoes a DocumentAttached.
type DocumentDetached struct {
	DocumentID    uuid.UUID `json:"document_id"`
	TransactionID uuid.UUID `json:"transaction_id"`
}

// DocumentRemoved takes a document out of the books. Its history stays.
type DocumentRemoved struct {
	DocumentID uuid.UUID `json:"document_id"`
}

func (DocumentAdded) EventType() string    { return "DocumentAdded" }
func (DocumentAttached) EventType() string { return "DocumentAttached" }
func (DocumentDetached) EventType() string { return "DocumentDetached" }
func (DocumentRemoved) EventType() string  { return "DocumentRemoved" }

// HistoryDescription puts the event into words for the history of the books.
func (e DocumentAdded) HistoryDescription() string {
	return fmt.Sprintf("Added the document “%s” (%s)", e.Name, FormatBytes(e.Size))
}

// HistoryDescription puts the event into words for the history of the books.
func (DocumentAttached) HistoryDescription() string { return "Attached a document to a transaction" }

// HistoryDescription puts the event into words for the history of the books.
func (DocumentDetached) HistoryDescription() string { return "Detached a document from a transaction" }

// HistoryDescription puts the event into words for the history of the books.
func (DocumentRemoved) HistoryDescription() string { return "Removed a document" }

func init() {
	registerEvent[DocumentAdded](1)
	registerEvent[DocumentAttached](1)
	registerEvent[DocumentDetached](1)
	registerEvent[DocumentRemoved](1)
}

// AddDocument adds a document whose bytes were checked and hashed by the
// caller. Adding a file whose SHA-256 the books already hold adds nothing:
// Decide returns no events, and the caller finds the existing document with
// Books.DocumentBySHA256. QuotaBytes bounds the total size of the user's
// documents; zero or less means no bound.
type AddDocument struct {
	SHA256     string
	Size       int64
	Name       string
	QuotaBytes int64
}

// AttachDocument attaches a document to a transaction. Attaching it again
// does nothing. Voided transactions take no new documents; locked periods
// do, because a document changes no amount.
type AttachDocument struct {
	DocumentID    uuid.UUID
	TransactionID uuid.UUID
}

// DetachDocument detaches a document from a transaction. Detaching one that
// is not attached does nothing.
type DetachDocument struct {
	DocumentID    uuid.UUID
	TransactionID uuid.UUID
}

// RemoveDocument detaches a document from every transaction and removes it.
type RemoveDocument struct {
	DocumentID uuid.UUID
}

func (AddDocument) commandName() string    { return "AddDocument" }
func (AttachDocument) commandName() string { return "AttachDocument" }
func (DetachDocument) commandName() string { return "DetachDocument" }
func (RemoveDocument) commandName() string { return "RemoveDocument" }

// QuotaField is the field of the error that rejects a document over the
// storage quota, so that callers can tell it from other rejections.
const QuotaField = "quota"

func (c AddDocument) decide(b *Books, newID func() uuid.UUID) ([]Event, error) {
	if !isSHA256(c.SHA256) {
		return nil, Invalid("sha256", "this is not a SHA-256 digest in lower-case hex")
	}
	if c.Size <= 0 {
		return nil, Invalid("file", "the file is empty")
	}
	if _, exists := b.DocumentBySHA256(c.SHA256); exists {
		return nil, nil
	}
	if len(b.documents.order) >= documentsMax {
		return nil, Conflict("these books already hold %d documents: remove some first", documentsMax)
	}
	used := b.DocumentBytes()
	if c.QuotaBytes > 0 && used+c.Size > c.QuotaBytes {
		return nil, &Error{Code: CodeConflict, Field: QuotaField, Message: fmt.Sprintf(
			"this file (%s) does not fit: %s of your %s for documents are used; remove documents to make room",
			FormatBytes(c.Size), FormatBytes(used), FormatBytes(c.QuotaBytes))}
	}
	return []Event{DocumentAdded{DocumentID: newID(), SHA256: c.SHA256, Size: c.Size,
		Name: NormalizeDocumentName(c.Name)}}, nil
}

func (c AttachDocument) decide(b *Books, _ func() uuid.UUID) ([]Event, error) {
	document, txn, err := findDocumentAndTransaction(b, c.DocumentID, c.TransactionID)
	if err != nil {
		return nil, err
	}
	if document.attachedTo(txn.ID) {
		return nil, nil
	}
	if txn.Voided {
		return nil, Conflict("this transaction was voided: it takes no new documents")
	}
	if len(b.documents.byTransaction[txn.ID]) >= documentsPerTransactionMax {
		return nil, Conflict("this transaction already has %d documents", documentsPerTransactionMax)
	}
	return []Event{DocumentAttached{DocumentID: document.ID, TransactionID: txn.ID}}, nil
}

func (c DetachDocument) decide(b *Books, _ func() uuid.UUID) ([]Event, error) {
	document, txn, err := findDocumentAndTransaction(b, c.DocumentID, c.TransactionID)
	if err != nil {
		return nil, err
	}
	if !document.attachedTo(txn.ID) {
		return nil, nil
	}
	return []Event{DocumentDetached{DocumentID: document.ID, TransactionID: txn.ID}}, nil
}

func (c RemoveDocument) decide(b *Books, _ func() uuid.UUID) ([]Event, error) {
	document, ok := b.Document(c.DocumentID)
	if !ok {
		return nil, NotFound("there is no such document")
	}
	events := make([]Event, 0, len(document.Attachments)+1)
	for _, attachment := range document.Attachments {
		events = append(events, DocumentDetached{DocumentID: document.ID, TransactionID: attachment.TransactionID})
	}
	return append(events, DocumentRemoved{DocumentID: document.ID}), nil
}

func findDocumentAndTransaction(b *Books, documentID, txnID uuid.UUID) (*Document, *Transaction, error) {
	txn, ok := b.Transaction(txnID)
	if !ok {
		return nil, nil, NotFound("there is no such transaction")
	}
	document, ok := b.Document(documentID)
	if !ok {
		return nil, nil, NotFound("there is no such document")
	}
	return document, txn, nil
}

// documentShelf is the documents part of Books. Its maps are made on first
// use, so that the zero value is an empty shelf.
type documentShelf struct {
	byID          map[uuid.UUID]*Document
	bySHA256      map[string]uuid.UUID
	order         []uuid.UUID
	byTransaction map[uuid.UUID][]uuid.UUID // transaction to documents, in attachment order
	bytes         int64
}

// Document returns a document that has not been removed, or false.
func (b *Books) Document(id uuid.UUID) (*Document, bool) {
	document, ok := b.documents.byID[id]
	return document, ok
}

// DocumentBySHA256 returns the document with these bytes, or false.
func (b *Books) DocumentBySHA256(digest string) (*Document, bool) {
	id, ok := b.documents.bySHA256[digest]
	if !ok {
		return nil, false
	}
	return b.documents.byID[id], true
}

// Documents returns the documents in the order they were added.
func (b *Books) Documents() []*Document {
	documents := make([]*Document, 0, len(b.documents.order))
	for _, id := range b.documents.order {
		documents = append(documents, b.documents.byID[id])
	}
	return documents
}

// TransactionDocuments returns the documents attached to a transaction, in
// the order they were attached.
func (b *Books) TransactionDocuments(txnID uuid.UUID) []*Document {
	ids := b.documents.byTransaction[txnID]
	documents := make([]*Document, 0, len(ids))
	for _, id := range ids {
		documents = append(documents, b.documents.byID[id])
	}
	return documents
}

// DocumentBytes is the total size of the documents, which the quota bounds.
func (b *Books) DocumentBytes() int64 { return b.documents.bytes }

func (d *Document) attachedTo(txnID uuid.UUID) bool {
	return slices.ContainsFunc(d.Attachments, func(a DocumentAttachment) bool { return a.TransactionID == txnID })
}

func (e DocumentAdded) applyTo(b *Books) error {
	shelf := &b.documents
	if shelf.byID == nil {
		shelf.byID = map[uuid.UUID]*Document{}
		shelf.bySHA256 = map[string]uuid.UUID{}
		shelf.byTransaction = map[uuid.UUID][]uuid.UUID{}
	}
	if _, exists := shelf.byID[e.DocumentID]; exists {
		return fmt.Errorf("document %s added twice", e.DocumentID)
	}
	if _, exists := shelf.bySHA256[e.SHA256]; exists {
		return fmt.Errorf("document with SHA-256 %s added twice", e.SHA256)
	}
	if !isSHA256(e.SHA256) || e.Size <= 0 {
		return fmt.Errorf("document %s has digest %q and size %d", e.DocumentID, e.SHA256, e.Size)
	}
	shelf.byID[e.DocumentID] = &Document{ID: e.DocumentID, SHA256: e.SHA256, Size: e.Size, Name: e.Name,
		AddedVersion: b.Version + 1}
	shelf.bySHA256[e.SHA256] = e.DocumentID
	shelf.order = append(shelf.order, e.DocumentID)
	shelf.bytes += e.Size
	return nil
}

func (e DocumentAttached) applyTo(b *Books) error {
	document, ok := b.Document(e.DocumentID)
	if !ok {
		return fmt.Errorf("attachment of unknown document %s", e.DocumentID)
	}
	if _, ok := b.Transaction(e.TransactionID); !ok {
		return fmt.Errorf("attachment to unknown transaction %s", e.TransactionID)
	}
	if document.attachedTo(e.TransactionID) {
		return fmt.Errorf("document %s attached twice to %s", e.DocumentID, e.TransactionID)
	}
	document.Attachments = append(document.Attachments,
		DocumentAttachment{TransactionID: e.TransactionID, AttachedVersion: b.Version + 1})
	b.documents.byTransaction[e.TransactionID] = append(b.documents.byTransaction[e.TransactionID], e.DocumentID)
	return nil
}

func (e DocumentDetached) applyTo(b *Books) error {
	document, ok := b.Document(e.DocumentID)
	if !ok || !document.attachedTo(e.TransactionID) {
		return fmt.Errorf("detachment of document %s that is not attached to %s", e.DocumentID, e.TransactionID)
	}
	document.Attachments = slices.DeleteFunc(document.Attachments,
		func(a DocumentAttachment) bool { return a.TransactionID == e.TransactionID })
	shelf := &b.documents
	shelf.byTransaction[e.TransactionID] = slices.DeleteFunc(shelf.byTransaction[e.TransactionID],
		func(id uuid.UUID) bool { return id == e.DocumentID })
	if len(shelf.byTransaction[e.TransactionID]) == 0 {
		delete(shelf.byTransaction, e.TransactionID)
	}
	return nil
}

func (e DocumentRemoved) applyTo(b *Books) error {
	document, ok := b.Document(e.DocumentID)
	if !ok {
		return fmt.Errorf("removal of unknown document %s", e.DocumentID)
	}
	if len(document.Attachments) > 0 {
		return fmt.Errorf("removal of document %s that is still attached", e.DocumentID)
	}
	shelf := &b.documents
	delete(shelf.byID, e.DocumentID)
	delete(shelf.bySHA256, document.SHA256)
	shelf.order = slices.DeleteFunc(shelf.order, func(id uuid.UUID) bool { return id == e.DocumentID })
	shelf.bytes -= document.Size
	return nil
}

func isSHA256(digest string) bool {
	if len(digest) != 64 {
		return false
	}
	for _, r := range digest {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// NormalizeDocumentName turns an uploaded file's name into one that is safe
// to show and to offer as a download name: no folders, no control or
// formatting characters (among them the bidirectional overrides that make
// "bill\u202Efdp.exe" display as "billexe.pdf"), no leading dots, spaces collapsed, at most
// documentNameLengthMax characters, ending in ".pdf". It never fails: a name
// with nothing left becomes "document.pdf".
func NormalizeDocumentName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var cleaned strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == utf8.RuneError,
			unicode.Is(unicode.Co, r), unicode.Is(unicode.Cs, r):
			continue
		}
		if space && cleaned.Len() > 0 {
			cleaned.WriteByte(' ')
		}
		space = false
		cleaned.WriteRune(r)
	}
	stem := cleaned.String()
	if strings.EqualFold(path.Ext(stem), documentExtension) {
		stem = stem[:len(stem)-len(documentExtension)]
	}
	stem = strings.Trim(stem, ". ")
	if stem == "" {
		return documentNameDefault
	}
	if runes := []rune(stem); len(runes) > documentNameLengthMax-len(documentExtension) {
		stem = strings.TrimRight(string(runes[:documentNameLengthMax-len(documentExtension)]), ". ")
	}
	return stem + documentExtension
}

// FormatBytes writes a size for people: "512 B", "1.5 MB", "1 GB" (powers
// of 1024, as file managers show them).
func FormatBytes(size int64) string {
	const unit = 1024
	if size < unit {
		return fmt.Sprintf("%d B", size)
	}
	value, exponent := float64(size)/unit, 0
	for value >= unit && exponent < 4 {
		value /= unit
		exponent++
	}
	text := fmt.Sprintf("%.1f", value)
	text = strings.TrimSuffix(text, ".0")
	return text + " " + [...]string{"KB", "MB", "GB", "TB", "PB"}[exponent]
}
