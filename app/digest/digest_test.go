package digest_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"folio/app/digest"
)

func testKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	key, err := digest.LoadKey("", "a test secret that is long enough for the derivation")
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func signed(t *testing.T) (digest.Digest, ed25519.PrivateKey) {
	key := testKey(t)
	d := digest.Sign(key, digest.Digest{Book: uuid.New(), Owner: "ann@example.com", Version: 42,
		HeadHash: strings.Repeat("ab", 32), SignedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})
	return d, key
}

func TestSignedDigestVerifiesAfterARoundTrip(t *testing.T) {
	d, key := signed(t)
	parsed, err := digest.Parse(digest.Encode(d))
	if err != nil {
		t.Fatal(err)
	}
	if err := digest.Verify(parsed, nil); err != nil {
		t.Errorf("embedded key: %v", err)
	}
	if err := digest.Verify(parsed, key.Public().(ed25519.PublicKey)); err != nil {
		t.Errorf("trusted key: %v", err)
	}
}

func TestVerifyRejectsEveryChange(t *testing.T) {
	d, _ := signed(t)
	other, _ := digest.LoadKey(base64.StdEncoding.EncodeToString(make([]byte, 32)), "")
	cases := map[string]func(*digest.Digest){
		"version":   func(d *digest.Digest) { d.Version++ },
		"head hash": func(d *digest.Digest) { d.HeadHash = strings.Repeat("cd", 32) },
		"book":      func(d *digest.Digest) { d.Book = uuid.New() },
		"owner":     func(d *digest.Digest) { d.Owner = "eve@example.com" },
		"time":      func(d *digest.Digest) { d.SignedAt = d.SignedAt.Add(time.Second) },
		"format":    func(d *digest.Digest) { d.Format = "folio-chain-digest-v0" },
		"short hash": func(d *digest.Digest) {
			d.HeadHash = "abcd"
		},
		"public key swapped": func(d *digest.Digest) {
			d.PublicKey = digest.PublicKeyText(other)
		},
		"signature": func(d *digest.Digest) {
			signature, _ := base64.StdEncoding.DecodeString(d.Signature)
			signature[0] ^= 1
			d.Signature = base64.StdEncoding.EncodeToString(signature)
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			changed := d
			change(&changed)
			if err := digest.Verify(changed, nil); err == nil {
				t.Error("got nil, want an error")
			}
		})
	}
}

func TestVerifyRejectsAnotherSignersKey(t *testing.T) {
	d, _ := signed(t)
	other, _ := digest.LoadKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)), "")
	err := digest.Verify(d, other.Public().(ed25519.PublicKey))
	if err == nil || !strings.Contains(err.Error(), "trusted key") {
		t.Errorf("got %v, want a complaint about the trusted key", err)
	}
}

func TestParseRefusesUnknownFieldsAndTrailingData(t *testing.T) {
	d, _ := signed(t)
	encoded := digest.Encode(d)
	withField := bytes.Replace(encoded, []byte(`"format"`), []byte(`"note": "x", "format"`), 1)
	for name, data := range map[string][]byte{
		"unknown field": withField,
		"trailing":      append(append([]byte{}, encoded...), []byte("{}")...),
		"not json":      []byte("hello"),
	} {
		if _, err := digest.Parse(data); err == nil {
			t.Errorf("%s: got nil, want an error", name)
		}
	}
}

func TestLoadKey(t *testing.T) {
	seed := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	fromSeed, err := digest.LoadKey(seed, "ignored when a seed is given")
	if err != nil {
		t.Fatal(err)
	}
	if !fromSeed.Equal(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))) {
		t.Error("the seed was not used")
	}
	first, _ := digest.LoadKey("", "secret one")
	again, _ := digest.LoadKey("", "secret one")
	second, _ := digest.LoadKey("", "secret two")
	if !first.Equal(again) || first.Equal(second) {
		t.Error("derived keys must depend on the secret and only on it")
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := digest.LoadKey(bad, "secret"); err == nil {
			t.Errorf("seed %q: got nil, want an error", bad)
		}
	}
	if _, err := digest.LoadKey("", ""); err == nil {
		t.Error("no seed and no secret: got nil, want an error")
	}
}
