package domain

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Limits of one statement import. One import is one append, which holds at
// most 100,000 events: one per new line plus the import's own.
const (
	ImportLinesMax       = 90_000
	importKeysPerLineMax = 4
	importKeyLengthMax   = 200
	importSourceMax      = 40
	importFileNameMax    = 200
)

var fileSHA256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ImportLine is one statement line turned into an entry. Keys identify the
// line at its source (a bank's transaction id, or a fingerprint of its
// content); a line any of whose keys an earlier import already recorded is a
// duplicate and is skipped. Line is the line's number in the file, for
// messages.
type ImportLine struct {
	Line  int
	Keys  []string
	Entry Entry
}

// ImportStatement records the new lines of a statement as transactions, all
// of them or none, and skips the lines recorded before.
type ImportStatement struct {
	// AccountID is the bank account the statement belongs to; uuid.Nil for
	// an import that spans several accounts (the balances of a Wise profile).
	AccountID  uuid.UUID
	Source     string // the format, such as "csv", "ofx", "camt.053", "wise"
	FileName   string
	FileSHA256 string // hex; "" when the lines did not come from a file
	ImportedAt time.Time
	ImportedBy uuid.UUID
	Lines      []ImportLine
}

// UndoImport voids every transaction an import recorded and forgets its
// keys, so that the same statement can be imported again.
type UndoImport struct {
	ImportID uuid.UUID
	UndoneAt time.Time
	UndoneBy uuid.UUID
}

func (ImportStatement) commandName() string { return "ImportStatement" }
func (UndoImport) commandName() string      { return "UndoImport" }

// StatementImported records an import: where the lines came from, who
// imported them and when, and which transaction each new line became. The
// TransactionRecorded events of the lines precede it in the same append.
type StatementImported struct {
	ImportID     uuid.UUID             `json:"import_id"`
	AccountID    uuid.UUID             `json:"account_id"`
	Source       string                `json:"source"`
	FileName     string                `json:"file_name,omitempty"`
	FileSHA256   string                `json:"file_sha256,omitempty"`
	ImportedAt   time.Time             `json:"imported_at"`
	ImportedBy   uuid.UUID             `json:"imported_by"`
	Duplicates   int                   `json:"duplicates"`
	Transactions []ImportedTransaction `json:"transactions"`
}

// ImportedTransaction is a transaction an import recorded, with the keys of
// the statement line it came from.
type ImportedTransaction struct {
	TransactionID uuid.UUID `json:"id"`
	Keys          []string  `json:"keys"`
}

// ImportUndone records that an import was undone. The TransactionVoided
// events of its transactions precede it in the same append.
type ImportUndone struct {
	ImportID uuid.UUID `json:"import_id"`
	UndoneAt time.Time `json:"undone_at"`
	UndoneBy uuid.UUID `json:"undone_by"`
}

func (StatementImported) EventType() string { return "StatementImported" }
func (ImportUndone) EventType() string      { return "ImportUndone" }

func init() {
	registerEvent[StatementImported](1)
	registerEvent[ImportUndone](1)
}

// Import is an import as the books know it.
type Import struct {
	ID             uuid.UUID
	AccountID      uuid.UUID
	Source         string
	FileName       string
	FileSHA256     string
	ImportedAt     time.Time
	ImportedBy     uuid.UUID
	Duplicates     int
	TransactionIDs []uuid.UUID
	Undone         bool
	UndoneAt       time.Time
	UndoneBy       uuid.UUID
}

// importState is the part of the books that imports keep: every import, and
// the key of every line recorded by an import that was not undone. Keys live
// in the books so that de-duplication is decided against the same state
// whose version the append checks: two imports racing on one statement
// cannot both record a line.
type importState struct {
	imports map[uuid.UUID]*Import
	order   []uuid.UUID
	keys    map[string]uuid.UUID // line key → import id
}

func (b *Books) importState() *importState {
	if b.imports == nil {
		b.imports = &importState{imports: map[uuid.UUID]*Import{}, keys: map[string]uuid.UUID{}}
	}
	return b.imports
}

// The readers below never create the state: books read under a shared lock
// must not change.

// Imports returns every import, the first one first.
func (b *Books) Imports() []*Import {
	if b.imports == nil {
		return nil
	}
	state := b.imports
	imports := make([]*Import, 0, len(state.order))
	for _, id := range state.order {
		imports = append(imports, state.imports[id])
	}
	return imports
}

// Import returns the import with id, or false.
func (b *Books) Import(id uuid.UUID) (*Import, bool) {
	if b.imports == nil {
		return nil, false
	}
	imported, ok := b.imports.imports[id]
	return imported, ok
}

// ImportKeyKnown reports whether a line with key was imported and not undone.
func (b *Books) ImportKeyKnown(key string) bool {
	if b.imports == nil {
		return false
	}
	_, ok := b.imports.keys[key]
	return ok
}

func (e StatementImported) applyTo(b *Books) error {
	state := b.importState()
	if _, exists := state.imports[e.ImportID]; exists {
		return fmt.Errorf("import %s recorded twice", e.ImportID)
	}
	imported := &Import{ID: e.ImportID, AccountID: e.AccountID, Source: e.Source, FileName: e.FileName,
		FileSHA256: e.FileSHA256, ImportedAt: e.ImportedAt, ImportedBy: e.ImportedBy,
		Duplicates: e.Duplicates, TransactionIDs: make([]uuid.UUID, 0, len(e.Transactions))}
	for _, txn := range e.Transactions {
		if _, ok := b.transactions[txn.TransactionID]; !ok {
			return fmt.Errorf("import %s names unknown transaction %s", e.ImportID, txn.TransactionID)
		}
		for _, key := range txn.Keys {
			if _, taken := state.keys[key]; taken {
				return fmt.Errorf("import %s repeats the line key %q", e.ImportID, key)
			}
			state.keys[key] = e.ImportID
		}
		imported.TransactionIDs = append(imported.TransactionIDs, txn.TransactionID)
	}
	state.imports[e.ImportID] = imported
	state.order = append(state.order, e.ImportID)
	return nil
}

func (e ImportUndone) applyTo(b *Books) error {
	state := b.importState()
	imported, ok := state.imports[e.ImportID]
	if !ok || imported.Undone {
		return fmt.Errorf("undo of unknown or undone import %s", e.ImportID)
	}
	for key, importID := range state.keys {
		if importID == e.ImportID {
			delete(state.keys, key)
		}
	}
	imported.Undone, imported.UndoneAt, imported.UndoneBy = true, e.UndoneAt, e.UndoneBy
	return nil
}

// LineStatus is what an import does with one statement line.
type LineStatus string

const (
	LineNew       LineStatus = "new"
	LineDuplicate LineStatus = "duplicate"
	LineFailed    LineStatus = "failed"
)

// PlannedLine is the fate of one line: its entry as it would be recorded,
// and for a failed line the reason.
type PlannedLine struct {
	Line   int
	Status LineStatus
	Entry  Entry
	Err    *Error
}

// ImportPlan is what an import would do, line by line.
type ImportPlan struct {
	Lines                 []PlannedLine
	New, Duplicates, Fail int
}

// FirstFailure returns the error of the first failed line, naming the line,
// or nil when no line failed.
func (p ImportPlan) FirstFailure() error {
	for _, line := range p.Lines {
		if line.Status == LineFailed {
			return &Error{Code: CodeInvalid, Field: "file",
				Message: fmt.Sprintf("line %d: %s", line.Line, line.Err.Error())}
		}
	}
	return nil
}

// PlanImport checks an import against the books without changing them: the
// preview shows its result, and deciding the command acts on it. A rejection
// of the whole import (an unknown account, too many lines) is an error; a
// line that cannot be recorded is a failed line in the plan.
func PlanImport(b *Books, c ImportStatement) (ImportPlan, error) {
	if err := checkImport(b, c); err != nil {
		return ImportPlan{}, err
	}
	plan := ImportPlan{Lines: make([]PlannedLine, len(c.Lines))}
	seen := make(map[string]bool, len(c.Lines))
	for i, line := range c.Lines {
		planned := planLine(b, line, seen)
		switch planned.Status {
		case LineNew:
			plan.New++
		case LineDuplicate:
			plan.Duplicates++
		case LineFailed:
			plan.Fail++
		}
		plan.Lines[i] = planned
	}
	return plan, nil
}

func checkImport(b *Books, c ImportStatement) error {
	if !b.Opened {
		return Conflict("these books have not been opened yet")
	}
	if c.AccountID != uuid.Nil {
		account, err := findAccount(b, c.AccountID)
		if err != nil {
			return &Error{Code: CodeInvalid, Field: "account", Message: "choose one of your accounts"}
		}
		if account.Type != Asset && account.Type != Liability {
			return Invalid("account", "a statement belongs to an asset or liability account, not to %q", account.Name)
		}
		if account.Closed {
			return Invalid("account", "the account %q is closed: reopen it first", account.Name)
		}
	}
	if c.Source == "" || len(c.Source) > importSourceMax {
		return Invalid("source", "name the format of the statement")
	}
	if len([]rune(c.FileName)) > importFileNameMax {
		return Invalid("file", "the file name is longer than %d characters", importFileNameMax)
	}
	if c.FileSHA256 != "" && !fileSHA256Pattern.MatchString(c.FileSHA256) {
		return Invalid("file", "the file hash is not a hex SHA-256")
	}
	if len(c.Lines) > ImportLinesMax {
		return Invalid("file", "the statement has %d lines; import at most %d at once by splitting it",
			len(c.Lines), ImportLinesMax)
	}
	return nil
}

func planLine(b *Books, line ImportLine, seen map[string]bool) PlannedLine {
	planned := PlannedLine{Line: line.Line, Status: LineNew, Entry: line.Entry}
	if len(line.Keys) == 0 || len(line.Keys) > importKeysPerLineMax {
		return failedLine(planned, Invalid("keys", "a statement line needs 1 to %d keys", importKeysPerLineMax))
	}
	duplicate := false
	for _, key := range line.Keys {
		if key == "" || len(key) > importKeyLengthMax {
			return failedLine(planned, Invalid("keys", "a line key has 1 to %d bytes", importKeyLengthMax))
		}
		duplicate = duplicate || seen[key] || b.ImportKeyKnown(key)
	}
	if duplicate {
		planned.Status = LineDuplicate
		return planned
	}
	entry, err := b.checkNewEntry(line.Entry)
	if err != nil {
		var domainErr *Error
		if !errors.As(err, &domainErr) {
			domainErr = Invalid("", "%s", err.Error())
		}
		return failedLine(planned, domainErr)
	}
	for _, key := range line.Keys {
		seen[key] = true
	}
	planned.Entry = entry
	return planned
}

func failedLine(planned PlannedLine, err *Error) PlannedLine {
	planned.Status, planned.Err = LineFailed, err
	return planned
}

func (c ImportStatement) decide(b *Books, newID func() uuid.UUID) ([]Event, error) {
	plan, err := PlanImport(b, c)
	if err != nil {
		return nil, err
	}
	if err := plan.FirstFailure(); err != nil {
		return nil, err
	}
	events := make([]Event, 0, plan.New+1)
	summary := StatementImported{ImportID: newID(), AccountID: c.AccountID, Source: c.Source,
		FileName: c.FileName, FileSHA256: c.FileSHA256, ImportedAt: c.ImportedAt.UTC(),
		ImportedBy: c.ImportedBy, Duplicates: plan.Duplicates,
		Transactions: make([]ImportedTransaction, 0, plan.New)}
	for i, planned := range plan.Lines {
		if planned.Status != LineNew {
			continue
		}
		id := newID()
		events = append(events, TransactionRecorded{TransactionID: id, Entry: planned.Entry})
		summary.Transactions = append(summary.Transactions,
			ImportedTransaction{TransactionID: id, Keys: slices.Clone(c.Lines[i].Keys)})
	}
	return append(events, summary), nil
}

func (c UndoImport) decide(b *Books, _ func() uuid.UUID) ([]Event, error) {
	imported, ok := b.Import(c.ImportID)
	if !ok {
		return nil, NotFound("there is no such import")
	}
	if imported.Undone {
		return nil, Conflict("this import was already undone")
	}
	events := make([]Event, 0, len(imported.TransactionIDs)+1)
	for _, id := range imported.TransactionIDs {
		txn := b.transactions[id]
		if txn.Voided {
			continue // voided by hand since
		}
		if _, err := findChangeableTransaction(b, id); err != nil {
			return nil, Conflict("the import cannot be undone: a transaction of %s lies in the locked period up to %s",
				txn.Date, b.Settings.LockDate)
		}
		events = append(events, TransactionVoided{TransactionID: id, Reason: "import undone"})
	}
	return append(events, ImportUndone{ImportID: imported.ID, UndoneAt: c.UndoneAt.UTC(), UndoneBy: c.UndoneBy}), nil
}
