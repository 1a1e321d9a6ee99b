package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"html/template"
	"sync"
)

// renderedEntriesMax bounds the journal entries kept rendered: two
// generations of this many, about 1.5 KiB each.
const renderedEntriesMax = 4096

// entryTemplate renders one transaction of the journal. Every page set
// holds it, as every set holds all the partials.
const entryTemplate = "journal_entry"

// renderedEntries keeps journal entries as html/template rendered them,
// keyed by a digest of everything the template reads. A list of fifty
// entries spends most of its time in html/template's escapers, and the same
// entries come back on every reload of the list, the dashboard's recent
// entries and each page a filter shares with another. Keyed by content, an
// entry never needs invalidating: any change (an amendment, a void, a
// renamed account, a lock date) makes a different key.
//
// It is a two-generation cache: lookups read the current map, then the
// previous one, and move a hit found there into the current one; when the
// current map is full it becomes the previous one. Entries not read for a
// generation are dropped, so the size stays within twice renderedEntriesMax.
type renderedEntries struct {
	mu       sync.Mutex
	current  map[[sha256.Size]byte]template.HTML
	previous map[[sha256.Size]byte]template.HTML
	render   func(*bytes.Buffer, transactionView) error
}

func newRenderedEntries(render func(*bytes.Buffer, transactionView) error) *renderedEntries {
	return &renderedEntries{current: map[[sha256.Size]byte]template.HTML{}, render: render}
}

// html returns the entry rendered by entryTemplate, from the cache when an
// identical entry was rendered before.
func (r *renderedEntries) html(entry transactionView) (template.HTML, error) {
	key := entry.digest()
	if html, ok := r.lookup(key); ok {
		return html, nil
	}

	var buffer bytes.Buffer
	if err := r.render(&buffer, entry); err != nil {
		return "", fmt.Errorf("render journal entry: %w", err)
	}
	// The text came out of html/template, escaped for the body context in
	// which the list places it.
	html := template.HTML(buffer.String()) // #nosec G203 -- html/template's own output
	r.store(key, html)
	return html, nil
}

func (r *renderedEntries) lookup(key [sha256.Size]byte) (template.HTML, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if html, ok := r.current[key]; ok {
		return html, true
	}
	html, ok := r.previous[key]
	if ok {
		r.storeLocked(key, html)
	}
	return html, ok
}

func (r *renderedEntries) store(key [sha256.Size]byte, html template.HTML) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.storeLocked(key, html)
}

func (r *renderedEntries) storeLocked(key [sha256.Size]byte, html template.HTML) {
	if len(r.current) >= renderedEntriesMax {
		r.previous = r.current
		r.current = make(map[[sha256.Size]byte]template.HTML, renderedEntriesMax)
	}
	r.current[key] = html
}

// digest is a SHA-256 of every field of the entry, each written with its
// length, so that no two different entries share a key. A field added to
// transactionView, postingView or amount must be added here; a test fails
// until it is.
func (v transactionView) digest() [sha256.Size]byte {
	var d fieldDigest
	d.text(v.ID)
	d.text(v.Date)
	d.text(v.Description)
	d.text(v.Payee)
	d.number(len(v.Tags))
	for _, tag := range v.Tags {
		d.text(tag)
	}
	d.number(v.Revision)
	d.flag(v.Voided)
	d.text(v.Alert)
	d.flag(v.ReadOnly)
	d.number(len(v.Postings))
	for _, posting := range v.Postings {
		d.text(posting.AccountID)
		d.text(posting.AccountName)
		d.text(posting.Amount.Text)
		d.text(posting.Amount.Currency)
		d.flag(posting.Amount.Negative)
		d.text(posting.Price)
	}
	return sha256.Sum256(d.fields)
}

// fieldDigest lays values out unambiguously, each with its length, for
// hashing.
type fieldDigest struct {
	fields []byte
}

func (d *fieldDigest) number(n int) {
	d.fields = binary.AppendVarint(d.fields, int64(n))
}

func (d *fieldDigest) text(s string) {
	d.number(len(s))
	d.fields = append(d.fields, s...)
}

func (d *fieldDigest) flag(b bool) {
	if b {
		d.number(1)
		return
	}
	d.number(0)
}
