package domain

import (
	"bytes"
	"testing"
)

// legacyRenamed stands for an event whose payload shape changed: schema 1
// called the field "title", schema 2 calls it "name".
type legacyRenamed struct {
	Name string `json:"name"`
}

func (legacyRenamed) EventType() string { return "LegacyRenamedForTest" }

func TestDecodeUpgradesOldSchemaVersions(t *testing.T) {
	kind := registerEvent[legacyRenamed](2)
	t.Cleanup(func() { delete(eventKinds, "LegacyRenamedForTest") })
	kind.upgrades[1] = func(payload []byte) ([]byte, error) {
		return bytes.Replace(payload, []byte(`"title"`), []byte(`"name"`), 1), nil
	}

	event, err := DecodeEvent("LegacyRenamedForTest", 1, []byte(`{"title":"Bank"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := event.(legacyRenamed).Name; got != "Bank" {
		t.Errorf("got %q, want Bank", got)
	}
	if _, err := DecodeEvent("LegacyRenamedForTest", 0, []byte(`{}`)); err == nil {
		t.Error("decoded a version with no upgrade path")
	}
}
