package web

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/imports"
	"folio/app/ledger"
	"folio/domain"
)

// Names of the starter chart's accounts that imports post to.
const (
	uncategorizedAccountName = "Uncategorized"
	feesAccountName          = "Bank Fees"
)

// previewLinesMax bounds the lines a preview lists; the counts cover every line.
const previewLinesMax = 500

// importResult is what an import did, or, for a dry run, would do.
type importResult struct {
	ImportID   uuid.UUID // uuid.Nil for a dry run
	DryRun     bool
	Replayed   bool
	Source     string
	FileName   string
	FileSHA256 string
	Account    *domain.Account // nil for an import over several accounts
	New        int
	Duplicates int
	Failed     int
	Ignored    int
	Lines      []previewLine // dry runs only, at most previewLinesMax
	// FirstFailure is the error of the first failed line of a dry run.
	FirstFailure string
}

// previewLine is one line of a preview.
type previewLine struct {
	Line        int
	Status      domain.LineStatus
	Date        string
	Description string
	Payee       string
	Amount      string
	Currency    string
	Counter     string // the counter-account's name
	Rule        string // the rule that chose it, "" for none
	Error       string
}

// Message sums the result up in a sentence.
func (r importResult) Message() string {
	verb := "were imported"
	if r.DryRun {
		verb = "will be imported"
	}
	message := fmt.Sprintf("%d new %s %s; %d already imported %s skipped.", r.New, plural(r.New, "line", "lines"),
		verb, r.Duplicates, plural(r.Duplicates, "line is", "lines are"))
	if r.Failed > 0 {
		message += fmt.Sprintf(" %d %s cannot be imported: nothing will be until the file is fixed.",
			r.Failed, plural(r.Failed, "line", "lines"))
	}
	return message
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// importTarget finds where lines go in the books: the bank account, the account of
// uncategorised lines and the fees account.
func importTarget(books *domain.Books, reference string, rules *imports.Rules) (imports.Target, error) {
	if strings.TrimSpace(reference) == "" {
		return imports.Target{}, domain.Invalid("account", "choose the account the statement belongs to")
	}
	account, ok := accountByReference(books, reference)
	if !ok {
		return imports.Target{}, domain.Invalid("account", "no account has this id or name")
	}
	uncategorized, fees, err := importAccounts(books)
	if err != nil {
		return imports.Target{}, err
	}
	return imports.Target{Account: account, Currency: firstNonEmpty(account.Currency, books.Settings.BaseCurrency),
		Uncategorized: uncategorized, Fees: fees, Rules: rules, Lookup: books.Account}, nil
}

// importAccounts finds the account of lines no rule matches and the fees account (the
// former when there is no "Bank Fees").
func importAccounts(books *domain.Books) (uncategorized, fees uuid.UUID, err error) {
	account, ok := books.AccountByName(uncategorizedAccountName)
	if !ok || account.Closed {
		return uuid.Nil, uuid.Nil, domain.Invalid("account",
			"open an expense account named %q: imported lines no rule matches go there", uncategorizedAccountName)
	}
	uncategorized, fees = account.ID, account.ID
	if account, ok := books.AccountByName(feesAccountName); ok && !account.Closed {
		fees = account.ID
	}
	return uncategorized, fees, nil
}

// runStatementImport turns an upload into an import and runs it, or plans it for a dry
// run. A file that could not be read is an invalid error naming its line.
func (s *Server) runStatementImport(c *fiber.Ctx, upload statementUpload) (importResult, error) {
	if upload.parseErr != nil {
		return importResult{}, fileError(upload.parseErr)
	}
	user := currentUser(c)
	rules, err := s.compiledRules(c.UserContext(), user.ID)
	if err != nil {
		return importResult{}, err
	}
	result := importResult{DryRun: upload.dryRun, Source: string(upload.statement.Format),
		FileName: upload.fileName, FileSHA256: upload.sha256}
	var cmd domain.ImportStatement
	err = s.ledger.Read(c.UserContext(), user.ID, func(books *domain.Books) error {
		target, err := importTarget(books, upload.account, rules)
		if err != nil {
			return err
		}
		built := imports.Build(upload.statement, target)
		result.Account, result.Ignored = target.Account, built.Ignored
		cmd = domain.ImportStatement{AccountID: target.Account.ID, Source: result.Source,
			FileName: upload.fileName, FileSHA256: upload.sha256, ImportedAt: s.now(), ImportedBy: user.ID,
			Lines: built.Lines}
		if upload.dryRun {
			return planPreview(books, cmd, built, &result)
		}
		return nil
	})
	if err != nil || upload.dryRun {
		return result, err
	}
	if err := s.executeImport(c, cmd, &result); err != nil {
		return result, err
	}
	if mapping := upload.statement.Mapping; mapping != nil && upload.statement.Guess != nil {
		if err := s.saveMapping(c.UserContext(), user.ID, cmd.AccountID, upload.statement.Guess.Signature, *mapping); err != nil {
			s.log(c).Error("save import mapping", "error", err)
		}
	}
	return result, nil
}

// executeImport appends an import command and fills in what it recorded.
func (s *Server) executeImport(c *fiber.Ctx, cmd domain.ImportStatement, result *importResult) error {
	user := currentUser(c)
	executed, err := s.ledger.Execute(c.UserContext(), ledger.Meta{UserID: user.ID, ActorID: user.ID,
		RequestID: requestID(c)}, cmd)
	if err != nil {
		return err
	}
	summary, ok := executed.Events[len(executed.Events)-1].(domain.StatementImported)
	if !ok {
		return errors.New("import: the last event is not StatementImported")
	}
	result.ImportID, result.Replayed = summary.ImportID, executed.Duplicate
	result.New, result.Duplicates = len(summary.Transactions), summary.Duplicates
	s.log(c).Info("statement imported", "user_id", user.ID.String(), "import_id", summary.ImportID.String(),
		"source", cmd.Source, "new", result.New, "duplicates", result.Duplicates)
	return nil
}

// planPreview fills a dry run's counts and lines.
func planPreview(books *domain.Books, cmd domain.ImportStatement, built imports.Built, result *importResult) error {
	plan, err := domain.PlanImport(books, cmd)
	if err != nil {
		return err
	}
	result.New, result.Duplicates, result.Failed = plan.New, plan.Duplicates, plan.Fail
	if err := plan.FirstFailure(); err != nil {
		result.FirstFailure = err.Error()
	}
	for i, planned := range plan.Lines {
		if i == previewLinesMax {
			break
		}
		result.Lines = append(result.Lines, previewLineOf(books, planned, cmd.Lines[i], built.Rules[i]))
	}
	return nil
}

func previewLineOf(books *domain.Books, planned domain.PlannedLine, line domain.ImportLine, rule *imports.Rule) previewLine {
	entry := line.Entry
	preview := previewLine{Line: planned.Line, Status: planned.Status, Date: entry.Date.String(),
		Description: entry.Description, Payee: entry.Payee}
	if len(entry.Postings) > 0 {
		bank := entry.Postings[0]
		preview.Amount, preview.Currency = domain.FormatAmount(bank.Amount), bank.Currency
		counter := entry.Postings[len(entry.Postings)-1]
		for _, posting := range entry.Postings[1:] {
			if account, ok := books.Account(posting.AccountID); ok && account.Name != feesAccountName {
				counter = posting
				break
			}
		}
		if account, ok := books.Account(counter.AccountID); ok {
			preview.Counter = account.Name
		}
	}
	if rule != nil {
		preview.Rule = ruleLabel(*rule)
	}
	if planned.Err != nil {
		preview.Error = planned.Err.Error()
	}
	return preview
}

// ruleLabel describes a rule in a few words: payee contains "rewe".
func ruleLabel(rule imports.Rule) string {
	verb := "contains"
	if rule.Match == imports.RuleRegex {
		verb = "matches"
	}
	return fmt.Sprintf("%s %s %q", rule.Field, verb, rule.Pattern)
}

// fileError turns a file that could not be read into an invalid error on the file.
func fileError(err error) error {
	var parseErr *imports.ParseError
	if errors.As(err, &parseErr) {
		return domain.Invalid("file", "%s", parseErr.Error())
	}
	return err
}
