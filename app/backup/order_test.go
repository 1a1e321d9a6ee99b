package backup

import (
	"archive/tar"
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParentsFirstOrdersByForeignKeys(t *testing.T) {
	names := []string{"access_log", "grants", "tokens", "users"}
	parents := map[string][]string{"grants": {"users"}, "tokens": {"users"},
		"access_log": {"grants", "elsewhere"}}

	got, err := parentsFirst(names, parents)

	if err != nil {
		t.Fatal(err)
	}
	for child, its := range parents {
		for _, parent := range its {
			if slices.Contains(names, parent) && slices.Index(got, parent) > slices.Index(got, child) {
				t.Errorf("%s comes before its parent %s in %v", child, parent, got)
			}
		}
	}
	if len(got) != len(names) {
		t.Errorf("got %v, want every one of %v", got, names)
	}

	_, err = parentsFirst([]string{"a", "b"}, map[string][]string{"a": {"b"}, "b": {"a"}})
	if err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("a cycle: got %v", err)
	}
}

func TestChunkWriterCutsOnRowBoundaries(t *testing.T) {
	var out bytes.Buffer
	archive := &archiveWriter{tar: tar.NewWriter(&out)}
	chunks := &chunkWriter{archive: archive, prefix: "tables/t/", suffix: ".tsv"}
	row := strings.Repeat("x", 999) + "\n"
	rows := 3*chunkBytes/len(row) + 7
	for i := 0; i < rows; i++ {
		// COPY hands over data in pieces that need not end with a row.
		if _, err := chunks.Write([]byte(row[:400])); err != nil {
			t.Fatal(err)
		}
		if _, err := chunks.Write([]byte(row[400:])); err != nil {
			t.Fatal(err)
		}
	}
	if err := chunks.flushAll(); err != nil {
		t.Fatal(err)
	}
	if err := archive.tar.Close(); err != nil {
		t.Fatal(err)
	}

	if chunks.rows != int64(rows) {
		t.Errorf("rows: got %d, want %d", chunks.rows, rows)
	}
	if len(archive.entries) < 3 {
		t.Errorf("got %d entries, want the rows cut into at least 3", len(archive.entries))
	}
	reader := tar.NewReader(&out)
	total := 0
	for {
		header, err := reader.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(reader)
		if len(data)%len(row) != 0 || !bytes.HasSuffix(data, []byte("\n")) {
			t.Errorf("%s: %d bytes, not whole rows", header.Name, len(data))
		}
		total += len(data) / len(row)
	}
	if total != rows {
		t.Errorf("rows read back: got %d, want %d", total, rows)
	}
}
