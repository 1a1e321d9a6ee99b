package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/imports"
	"folio/domain"
	"folio/projections"
)

// importsListMax bounds the imports the imports page lists.
const importsListMax = 50

// importsView is the data of pages/imports.html.
type importsView struct {
	Accounts []*domain.Account // accounts a statement can belong to
	Imports  []importRowView
	Formats  []imports.Format
	Account  string // the account chosen in the form
	Preview  *importPreviewView
}

type importRowView struct {
	projections.ImportRow
	AccountName string
}

// importPreviewView is what the preview shows: the lines and counts, or why the file
// cannot be read, and for a generic CSV the mapping to confirm.
type importPreviewView struct {
	Result      importResult
	Error       string
	Mapping     *imports.Mapping
	Guess       *imports.Guess
	DateFormats []string
	Format      string
}

// delimiterChoice is an option of the delimiter picker.
type delimiterChoice struct {
	Value, Label string
	Selected     bool
}

// Delimiters lists the delimiters the mapping screen offers.
func (v importPreviewView) Delimiters() []delimiterChoice {
	choices := []delimiterChoice{{",", "comma ,", false}, {";", "semicolon ;", false},
		{"tab", "tab", false}, {"|", "bar |", false}}
	for i := range choices {
		value := choices[i].Value
		if value == "tab" {
			value = "\t"
		}
		choices[i].Selected = v.Mapping != nil && v.Mapping.Delimiter == value
	}
	return choices
}

// columnView is a column picker of the mapping screen.
type columnView struct {
	Name, Label, Selected string
	Columns               []string
}

// Column returns the picker for the mapping field name, offering the file's columns.
func (v importPreviewView) Column(name, label, selected string) columnView {
	view := columnView{Name: name, Label: label, Selected: selected}
	if v.Guess != nil {
		view.Columns = v.Guess.Header
	}
	return view
}

// AmountMode says which way the mapping reads amounts, for the mapping screen.
func (v importPreviewView) AmountMode() string {
	switch {
	case v.Mapping == nil || v.Mapping.Amount != "" && v.Mapping.Direction == "":
		return "amount"
	case v.Mapping.Direction != "":
		return "direction"
	}
	return "debit_credit"
}

// importsPage answers GET /imports.
func (s *Server) importsPage(c *fiber.Ctx) error {
	data, err := s.loadImportsView(c)
	if err != nil {
		return err
	}
	return s.render(c, "imports", "", data)
}

func (s *Server) loadImportsView(c *fiber.Ctx) (importsView, error) {
	data := importsView{Formats: imports.Formats}
	rows, err := projections.Imports(c.UserContext(), s.pool, bookOf(c), importsListMax)
	if err != nil {
		return data, err
	}
	err = s.ledger.Read(c.UserContext(), bookOf(c), func(books *domain.Books) error {
		for _, account := range books.Accounts() {
			if !account.Closed && (account.Type == domain.Asset || account.Type == domain.Liability) {
				data.Accounts = append(data.Accounts, account)
			}
		}
		for _, row := range rows {
			view := importRowView{ImportRow: row, AccountName: "several accounts"}
			if account, ok := books.Account(row.AccountID); ok {
				view.AccountName = account.Name
			}
			data.Imports = append(data.Imports, view)
		}
		return nil
	})
	return data, err
}

// previewImport answers POST /imports/preview: the statement's lines as they would be
// imported, or the mapping screen and the reason a file cannot be read.
func (s *Server) previewImport(c *fiber.Ctx) error {
	upload, err := s.readStatementUpload(c, currentUser(c).ID)
	if err != nil && fieldErrors(err) == nil {
		return err
	}
	upload.dryRun = true
	preview := &importPreviewView{Format: string(upload.statement.Format), Guess: upload.statement.Guess,
		Mapping: upload.statement.Mapping}
	if preview.Mapping == nil && preview.Guess != nil {
		preview.Mapping = &preview.Guess.Mapping
	}
	for _, format := range imports.DateFormats {
		preview.DateFormats = append(preview.DateFormats, format.Name)
	}
	if err == nil {
		preview.Result, err = s.runStatementImport(c, upload)
	}
	if err != nil {
		if fieldErrors(err) == nil {
			return err
		}
		preview.Error = err.Error()
		c.Status(fiber.StatusUnprocessableEntity)
	}
	data, loadErr := s.loadImportsView(c)
	if loadErr != nil {
		return loadErr
	}
	data.Preview, data.Account = preview, upload.account
	return s.render(c, "imports", "import_preview", data)
}

// importStatement answers POST /imports: the import itself, then its page.
func (s *Server) importStatement(c *fiber.Ctx) error {
	upload, err := s.readStatementUpload(c, currentUser(c).ID)
	if err == nil {
		upload.dryRun = false
		var result importResult
		result, err = s.runStatementImport(c, upload)
		if err == nil {
			return s.redirectAfterImport(c, result.ImportID)
		}
	}
	if fieldErrors(err) == nil {
		return err
	}
	data, loadErr := s.loadImportsView(c)
	if loadErr != nil {
		return loadErr
	}
	data.Preview, data.Account = &importPreviewView{Error: err.Error()}, upload.account
	c.Status(fiber.StatusUnprocessableEntity)
	return s.render(c, "imports", "import_preview", data)
}

func (s *Server) redirectAfterImport(c *fiber.Ctx, id uuid.UUID) error {
	target := "/imports/" + id.String()
	if isHTMX(c) {
		c.Set("HX-Redirect", target)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// importDetailView is the data of pages/import_detail.html.
type importDetailView struct {
	Import       *domain.Import
	AccountName  string
	ByYou        bool
	Transactions []*domain.Transaction
	More         int // transactions not listed
}

// importDetailTransactionsMax bounds the transactions an import's page lists.
const importDetailTransactionsMax = 200

// importPage answers GET /imports/{id}.
func (s *Server) importPage(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return domain.NotFound("there is no such import")
	}
	var data importDetailView
	err = s.ledger.Read(c.UserContext(), bookOf(c), func(books *domain.Books) error {
		imported, ok := books.Import(id)
		if !ok {
			return domain.NotFound("there is no such import")
		}
		copied := *imported
		data.Import, data.ByYou = &copied, imported.ImportedBy == currentUser(c).ID
		data.AccountName = "several accounts"
		if account, ok := books.Account(imported.AccountID); ok {
			data.AccountName = account.Name
		}
		for i, txnID := range imported.TransactionIDs {
			if i == importDetailTransactionsMax {
				data.More = len(imported.TransactionIDs) - i
				break
			}
			txn, _ := books.Transaction(txnID)
			copiedTxn := *txn
			copiedTxn.Postings = slices.Clone(txn.Postings)
			data.Transactions = append(data.Transactions, &copiedTxn)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.render(c, "import_detail", "", data)
}

// undoImportFromPage answers POST /imports/{id}/undo.
func (s *Server) undoImportFromPage(c *fiber.Ctx) error {
	if _, err := s.undoImport(c); err != nil {
		return err
	}
	return c.Redirect("/imports/"+c.Params("id"), fiber.StatusSeeOther)
}
