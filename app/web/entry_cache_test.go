package web

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func sampleEntry() transactionView {
	return transactionView{ID: "0b6f3c4e-1111-4222-8333-944445555666", Date: "2026-01-15",
		Description: "Weekend groceries", Payee: "Market", Tags: []string{"food"}, Revision: 2,
		Postings: []postingView{
			{AccountID: "a1", AccountName: "Groceries", Amount: amount{Text: "20.00", Currency: "EUR"}},
			{AccountID: "a2", AccountName: "Card", Amount: amount{Text: "-20.00", Currency: "EUR", Negative: true},
				Price: "1.08 USD"},
		}}
}

// TestEntryDigestCoversEveryField changes each field of an entry in turn,
// through reflection, so that a field added to the view without being added
// to the digest fails here instead of showing stale rows.
func TestEntryDigestCoversEveryField(t *testing.T) {
	base := sampleEntry()
	baseDigest := base.digest()
	changed := 0
	var visit func(path string, get func(*transactionView) reflect.Value)
	visit = func(path string, get func(*transactionView) reflect.Value) {
		probe := sampleEntry()
		field := get(&probe)
		switch field.Kind() {
		case reflect.Struct:
			for i := range field.NumField() {
				name := field.Type().Field(i).Name
				visit(path+"."+name, func(v *transactionView) reflect.Value { return get(v).Field(i) })
			}
			return
		case reflect.Slice:
			if field.Len() == 0 {
				t.Fatalf("%s: the sample entry needs an element here", path)
			}
			visit(path+"[last]", func(v *transactionView) reflect.Value {
				slice := get(v)
				return slice.Index(slice.Len() - 1)
			})
			field.Set(reflect.Append(field, field.Index(0)))
		case reflect.String:
			field.SetString(field.String() + "x")
		case reflect.Bool:
			field.SetBool(!field.Bool())
		case reflect.Int:
			field.SetInt(field.Int() + 1)
		default:
			t.Fatalf("%s: teach this test to change a %s", path, field.Kind())
		}
		changed++
		if probe.digest() == baseDigest {
			t.Errorf("changing %s leaves the digest as it was", path)
		}
	}
	visit("entry", func(v *transactionView) reflect.Value { return reflect.ValueOf(v).Elem() })
	if changed < 15 {
		t.Fatalf("changed %d fields; the walk missed some", changed)
	}

	// Lengths keep fields apart: moving a character between neighbours is a change.
	moved := sampleEntry()
	moved.Description, moved.Payee = "Weekend groceriesM", "arket"
	if moved.digest() == baseDigest {
		t.Error("moving text from the payee to the description leaves the digest as it was")
	}
}

// TestCachedEntriesRenderAsTheTemplateDoes renders a list twice, the second
// time from the cache, and compares both with the template's own output,
// including for text that must be escaped.
func TestCachedEntriesRenderAsTheTemplateDoes(t *testing.T) {
	s := templateServer(t)
	hostile := sampleEntry()
	hostile.Description, hostile.Postings[0].AccountName = `<script>alert(1)</script>`, `"><img src=x>`
	entries := []transactionView{sampleEntry(), hostile}

	var want bytes.Buffer
	for _, entry := range entries {
		if err := s.pages["transactions"].ExecuteTemplate(&want, entryTemplate, entry); err != nil {
			t.Fatal(err)
		}
	}
	for round := 1; round <= 2; round++ {
		var got bytes.Buffer
		if err := s.pages["transactions"].ExecuteTemplate(&got, "journal_table", entries); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.String(), want.String()) {
			t.Errorf("round %d: the table does not hold the entries as the template renders them:\n%s", round, got.String())
		}
		if strings.Contains(got.String(), "<script>") || strings.Contains(got.String(), "<img") {
			t.Errorf("round %d: unescaped markup in\n%s", round, got.String())
		}
	}
}

func TestRenderedEntriesStayBoundedAndKeepWhatIsRead(t *testing.T) {
	renders := 0
	cache := newRenderedEntries(func(buffer *bytes.Buffer, entry transactionView) error {
		renders++
		buffer.WriteString(entry.ID)
		return nil
	})
	entry := func(i int) transactionView { return transactionView{ID: fmt.Sprint(i)} }
	for i := range 3 * renderedEntriesMax {
		if _, err := cache.html(entry(i)); err != nil {
			t.Fatal(err)
		}
		// Entry 0 is read all along, as a list's newest rows are.
		if _, err := cache.html(entry(0)); err != nil {
			t.Fatal(err)
		}
	}
	if size := len(cache.current) + len(cache.previous); size > 2*renderedEntriesMax {
		t.Errorf("the cache holds %d entries, over %d", size, 2*renderedEntriesMax)
	}
	if renders != 3*renderedEntriesMax {
		t.Errorf("rendered %d times for %d distinct entries", renders, 3*renderedEntriesMax)
	}
	html, err := cache.html(entry(0))
	if err != nil || html != "0" || renders != 3*renderedEntriesMax {
		t.Errorf("the entry read all along: got %q, %v, %d renders", html, err, renders)
	}
	if _, err := cache.html(entry(1)); err != nil || renders != 3*renderedEntriesMax+1 {
		t.Errorf("an entry unread for two generations is rendered again: %d renders", renders)
	}
}
