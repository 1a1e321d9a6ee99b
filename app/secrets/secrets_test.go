package secrets_test

import (
	"bytes"
	"errors"
	"testing"

	"folio/app/secrets"
)

const secretKey = "4c1f8a2e9b7d3065f1e2a9c4b8d7e6f50a1b2c3d4e5f60718293a4b5c6d7e8f9"

func TestSealOpens(t *testing.T) {
	box, err := secrets.New(secretKey, "wise token")
	if err != nil {
		t.Fatal(err)
	}
	sealed := box.Seal([]byte("token-123"), []byte("user-a"))
	if bytes.Contains(sealed, []byte("token-123")) {
		t.Fatal("the sealed value contains the plaintext")
	}
	if again := box.Seal([]byte("token-123"), []byte("user-a")); bytes.Equal(again, sealed) {
		t.Fatal("sealing twice gave the same bytes: the nonce repeats")
	}
	got, err := box.Open(sealed, []byte("user-a"))
	if err != nil || string(got) != "token-123" {
		t.Fatalf("open: got %q %v", got, err)
	}

	otherPurpose, _ := secrets.New(secretKey, "wise private key")
	otherKey, _ := secrets.New(secretKey+"x", "wise token")
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name   string
		box    *secrets.Box
		sealed []byte
		owner  string
	}{
		{"OtherOwner", box, sealed, "user-b"},
		{"OtherPurpose", otherPurpose, sealed, "user-a"},
		{"OtherSecretKey", otherKey, sealed, "user-a"},
		{"Tampered", box, tampered, "user-a"},
		{"Short", box, sealed[:10], "user-a"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if _, err := test.box.Open(test.sealed, []byte(test.owner)); !errors.Is(err, secrets.ErrOpen) {
				t.Fatalf("got %v, want ErrOpen", err)
			}
		})
	}
}
