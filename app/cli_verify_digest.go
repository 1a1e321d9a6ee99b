package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"

	"folio/app/digest"
	"folio/eventstore"
)

// errDigestInvalid makes verify-digest exit with status 1 after it printed why.
var errDigestInvalid = errors.New("the digest is not valid")

func runVerifyDigest(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("verify-digest", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	publicKey := flags.String("public-key", "", "require this signer (base64, as the Verify page shows it)")
	checkDatabase := flags.Bool("check-database", false,
		"also check that the database still holds this history, unchanged")
	if err := flags.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if flags.NArg() != 1 {
		return usagef("give the digest file: verify-digest [--public-key KEY] [--check-database] FILE")
	}
	var trusted ed25519.PublicKey
	if *publicKey != "" {
		key, err := digest.ParsePublicKey(*publicKey)
		if err != nil {
			return usagef("--public-key: %v", err)
		}
		trusted = key
	}

	data, err := os.ReadFile(flags.Arg(0))
	if err != nil {
		return fmt.Errorf("read the digest: %w", err)
	}
	signed, err := digest.Parse(data)
	if err == nil {
		err = digest.Verify(signed, trusted)
	}
	if err != nil {
		fmt.Fprintf(env.stdout, "INVALID: %v\n", err)
		return errDigestInvalid
	}
	key, _ := digest.ParsePublicKey(signed.PublicKey)
	fmt.Fprintf(env.stdout, "valid: the books of %s (%s) had %d events, the last with hash %s, "+
		"when signed at %s by key %s\n", signed.Owner, signed.Book, signed.Version, signed.HeadHash,
		signed.SignedAt.Format("2006-01-02 15:04:05 UTC"), digest.Fingerprint(key))
	if trusted == nil {
		fmt.Fprintln(env.stdout, "compare that key with the one on the server's Verify page, "+
			"or pass --public-key to require it")
	}
	if *checkDatabase {
		return checkDigestAgainstDatabase(ctx, env, signed)
	}
	return nil
}

// checkDigestAgainstDatabase checks that the signed head is still in the book's chain and
// that the chain verifies: then nothing up to the head was rewritten since it was signed.
func checkDigestAgainstDatabase(ctx context.Context, env *environment, signed digest.Digest) error {
	db, err := openDatabase(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	broken, err := eventstore.VerifyChain(ctx, db.Pool, signed.Book)
	if err != nil {
		return err
	}
	if broken != nil && broken.Version <= signed.Version {
		fmt.Fprintf(env.stdout, "INVALID: the chain is broken at event %d: %s\n", broken.Version, broken.Reason)
		return errDigestInvalid
	}
	if signed.Version == 0 {
		fmt.Fprintln(env.stdout, "the database holds this history (it was empty when signed)")
		return nil
	}
	var hash []byte
	err = db.Pool.QueryRow(ctx, `SELECT hash FROM events WHERE user_id = $1 AND version = $2`,
		signed.Book, signed.Version).Scan(&hash)
	want, _ := hex.DecodeString(signed.HeadHash)
	if err != nil || !bytes.Equal(hash, want) {
		fmt.Fprintf(env.stdout, "INVALID: the database no longer holds event %d with the signed "+
			"hash: history was rewritten or removed\n", signed.Version)
		return errDigestInvalid
	}
	fmt.Fprintf(env.stdout, "the database still holds this history: event %d has the signed hash "+
		"and the chain up to it verifies\n", signed.Version)
	if broken != nil {
		fmt.Fprintf(env.stdout, "note: the chain breaks later, at event %d: %s\n", broken.Version,
			broken.Reason)
	}
	return nil
}
