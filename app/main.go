// Command folio is the Folio bookkeeping server and its operator commands.
//
// With no argument it serves the web app. Run `go run ./app help` for the
// commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// dataDir is the project-local folder for the private database, the
// development secret and uploads. It is never committed.
const dataDir = ".data"

// exitCodeFailure is returned when a command ran but found a problem (a
// failed verification, a bad digest); usage errors return exitCodeUsage.
const (
	exitCodeFailure = 1
	exitCodeUsage   = 2
)

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the web app on ADDR (the default command)", runServe},
		{"migrate", "apply pending database migrations", runMigrate},
		{"check", "validate a production configuration; with --url URL also probe a running instance", runCheck},
		{"create-user", "create a user: --email E [--admin]; the password is read from stdin", runCreateUser},
		{"rebuild", "rebuild read models from the events: [--projection NAME] [--user EMAIL]", runRebuild},
		{"verify", "check hash chains and read models: [--user EMAIL]; exit 1 on the first problem", runVerify},
		{"replay", "print the trial balance at a point in history: --user EMAIL (--version N | --date YYYY-MM-DD)", runReplay},
		{"backup", "write users, events and documents into one archive: --out FILE", runBackup},
		{"restore", "restore an archive into an empty database and upload folder: --in FILE [--force]", runRestore},
		{"verify-digest", "check a signed chain digest: [--public-key KEY] [--check-database] FILE", runVerifyDigest},
	}
}

// environment is what every command may use: the process's streams and
// settings, injectable for tests.
type environment struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	logger *slog.Logger
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &environment{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	os.Exit(run(ctx, env, os.Args[1:]))
}

// run executes the command named by args and returns the exit code.
func run(ctx context.Context, env *environment, args []string) int {
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		printHelp(env.stdout)
		return 0
	}
	for _, cmd := range commands() {
		if cmd.name != name {
			continue
		}
		err := cmd.run(ctx, env, args)
		var usage usageError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &usage):
			fmt.Fprintf(env.stderr, "folio %s: %v\n", name, err)
			return exitCodeUsage
		default:
			fmt.Fprintf(env.stderr, "folio %s: %v\n", name, err)
			return exitCodeFailure
		}
	}
	fmt.Fprintf(env.stderr, "folio: unknown command %q\n\n", name)
	printHelp(env.stderr)
	return exitCodeUsage
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "usage: go run ./app [command] [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nWithout DATABASE_URL, a private PostgreSQL cluster is started in .data/postgres.")
}

// usageError marks a mistake in the command line, answered with exit code 2.
type usageError struct{ message string }

func (e usageError) Error() string { return e.message }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }
