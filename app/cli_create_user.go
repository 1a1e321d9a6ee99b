package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"

	"folio/app/users"
)

// passwordLineBytesMax bounds what is read from stdin for a password.
const passwordLineBytesMax = 4096

func runCreateUser(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("create-user", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	email := flags.String("email", "", "the new user's email")
	admin := flags.Bool("admin", false, "make the user an admin")
	if err := flags.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if *email == "" || flags.NArg() > 0 {
		return usagef("give --email, and the password on stdin (never as an argument)")
	}
	password, err := readPassword(env.stdin)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	_, service := newLedger(db, env)

	user, err := users.NewStore(db.Pool, nil).Create(ctx, *email, password, *admin)
	if err != nil {
		return err
	}
	if err := service.EnsureOpened(ctx, user.ID, user.ID, "cli-"+uuid.NewString()); err != nil {
		return fmt.Errorf("open books of %s: %w", user.Email, err)
	}
	role := "user"
	if user.Admin {
		role = "admin"
	}
	fmt.Fprintf(env.stdout, "created %s %s (%s)\n", role, user.Email, user.ID)
	return nil
}

// readPassword reads the first line of stdin, without its line ending.
func readPassword(stdin io.Reader) (string, error) {
	reader := bufio.NewReaderSize(io.LimitReader(stdin, passwordLineBytesMax), passwordLineBytesMax)
	line, err := reader.ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", usagef("write the password to stdin, for example: echo \"$PASSWORD\" | go run ./app create-user --email you@example.com")
	}
	return password, nil
}
