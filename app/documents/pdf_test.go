package documents_test

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"folio/app/documents"
	"folio/app/documents/pdftest"
)

func checkBytes(data []byte) error {
	return documents.CheckPDF(bytes.NewReader(data), int64(len(data)))
}

func TestCheckPDFAccepts(t *testing.T) {
	// chromium-print.pdf is a page of our own printed to PDF by Chromium,
	// as a file from a writer other than ours.
	printed, err := os.ReadFile("testdata/chromium-print.pdf")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"classic table":                  pdftest.Document("Receipt"),
		"cross-reference stream":         pdftest.WithXRefStream("Receipt"),
		"incremental update":             pdftest.Updated("Receipt"),
		"padded":                         pdftest.Padded("Receipt", 100_000),
		"printed by Chromium":            printed,
		"19-byte entries":                shortEntries(pdftest.Document("Receipt")),
		"garbage after %%EOF":            append(pdftest.Document("Receipt"), "\r\n\x00\x00junk"...),
		"comment between xref and table": bytes.Replace(pdftest.Document("R"), []byte("xref\n0 7"), []byte("xref\n% note\n0 7"), 1),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if err := checkBytes(data); err != nil {
				t.Errorf("got %v, want a PDF", err)
			}
		})
	}
}

// shortEntries rewrites "nnnnnnnnnn ggggg n \n" entries as 19 bytes, "…n\n",
// moving startxref's target along.
func shortEntries(data []byte) []byte {
	text := string(data)
	table := strings.Index(text, "xref\n")
	head, tail := text[:table], text[table:]
	tail = strings.ReplaceAll(tail, " n \n", " n\n")
	tail = strings.ReplaceAll(tail, " f \n", " f\n")
	return []byte(head + tail)
}

func TestCheckPDFRefuses(t *testing.T) {
	document := pdftest.Document("Receipt")
	text := string(document)
	xref := strings.Index(text, "xref\n")
	tests := []struct {
		name string
		data []byte
		why  string
	}{
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "%PDF-"},
		{"HTML", []byte("<!doctype html><script>alert(1)</script>"), "%PDF-"},
		{"empty", nil, "%PDF-"},
		{"header without version", []byte("%PDF-x\n%%EOF"), "%PDF-"},
		{"header and nothing else", []byte("%PDF-1.7\n"), "%%EOF"},
		{"HTML after a PDF header", []byte("%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"), "startxref"},
		{"cut in half", document[:len(document)/2], "%%EOF"},
		{"startxref past the end", []byte(strings.Replace(text, "startxref\n"+itoa(xref), "startxref\n999999", 1)), "startxref"},
		{"startxref to nowhere", []byte(strings.Replace(text, "startxref\n"+itoa(xref), "startxref\n"+itoa(xref+1), 1)), "cross-reference"},
		{"entry mangled", []byte(strings.Replace(text, "0000000000 65535 f", "00000000x0 65535 f", 1)), "entry"},
		{"no root", []byte(strings.Replace(text, "/Root 1 0 R", "/Ro0t 1 0 R", 1)), "/Root"},
		{"catalog moved", []byte(strings.Replace(text, "1 0 obj", "9 0 obj", 1)), "catalog"},
		{"catalog of the wrong type", []byte(strings.Replace(text, "/Type /Catalog", "/Type /Page   ", 1)), "type"},
		{"trailer not a dictionary", []byte(strings.Replace(text, "trailer\n<<", "trailer\n[[", 1)), "trailer"},
		{"loop of sections", []byte(strings.Replace(text, "/Root 1 0 R", "/Root 1 0 R /Prev "+itoa(xref), 1)), "loop"},
		{"cross-reference stream that does not inflate", corruptStream(pdftest.WithXRefStream("R")), "inflate"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			err := checkBytes(test.data)
			if !errors.Is(err, documents.ErrNotPDF) || !strings.Contains(err.Error(), test.why) {
				t.Errorf("got %v, want ErrNotPDF about %q", err, test.why)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// corruptStream flips bytes inside the compressed cross-reference stream.
func corruptStream(data []byte) []byte {
	data = bytes.Clone(data)
	marker := bytes.LastIndex(data, []byte(">>\nstream\n")) + len(">>\nstream\n")
	for i := marker; i < marker+4; i++ {
		data[i] ^= 0xff
	}
	return data
}

func FuzzCheckPDF(f *testing.F) {
	f.Add(pdftest.Document("a"))
	f.Add(pdftest.WithXRefStream("a"))
	f.Add(pdftest.Updated("a"))
	f.Add([]byte("%PDF-1.4\nstartxref\n9\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := checkBytes(data)
		if err != nil && !errors.Is(err, documents.ErrNotPDF) {
			t.Fatalf("an error other than ErrNotPDF: %v", err)
		}
	})
}
