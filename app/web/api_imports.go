package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/ledger"
	"folio/domain"
	"folio/projections"
)

// importJSON is the answer of POST /api/v1/imports and POST /api/v1/wise/import: the
// counts of new, duplicate and failed lines, and for a dry run the lines themselves.
type importJSON struct {
	ID           *string            `json:"id"` // null for a dry run
	DryRun       bool               `json:"dry_run"`
	Format       string             `json:"format"`
	FileName     string             `json:"file_name,omitempty"`
	FileSHA256   string             `json:"file_sha256,omitempty"`
	AccountID    *string            `json:"account_id"`
	New          int                `json:"new"`
	Duplicates   int                `json:"duplicates"`
	Failed       int                `json:"failed"`
	Ignored      int                `json:"ignored"`
	Message      string             `json:"message"`
	FirstFailure string             `json:"first_failure,omitempty"`
	Lines        []importLineJSON   `json:"lines,omitempty"`
	BalanceCheck []balanceCheckJSON `json:"balance_check,omitempty"`
}

type importLineJSON struct {
	Line        int     `json:"line"`
	Status      string  `json:"status"`
	Date        string  `json:"date"`
	Description string  `json:"description"`
	Payee       string  `json:"payee"`
	Amount      string  `json:"amount"`
	Currency    string  `json:"currency"`
	Account     string  `json:"account"`
	Rule        *string `json:"rule"`
	Error       *string `json:"error"`
}

// balanceCheckJSON compares a Wise balance with the books after an import.
type balanceCheckJSON struct {
	Currency string `json:"currency"`
	Date     string `json:"date"`
	Wise     string `json:"wise"`
	Books    string `json:"books"`
}

func importJSONOf(result importResult) importJSON {
	response := importJSON{DryRun: result.DryRun, Format: result.Source, FileName: result.FileName,
		FileSHA256: result.FileSHA256, New: result.New, Duplicates: result.Duplicates, Failed: result.Failed,
		Ignored: result.Ignored, Message: result.Message(), FirstFailure: result.FirstFailure,
		Lines: []importLineJSON{}}
	if result.ImportID != uuid.Nil {
		id := result.ImportID.String()
		response.ID = &id
	}
	if result.Account != nil {
		id := result.Account.ID.String()
		response.AccountID = &id
	}
	for _, line := range result.Lines {
		item := importLineJSON{Line: line.Line, Status: string(line.Status), Date: line.Date,
			Description: line.Description, Payee: line.Payee, Amount: line.Amount, Currency: line.Currency,
			Account: line.Counter}
		if line.Rule != "" {
			item.Rule = &line.Rule
		}
		if line.Error != "" {
			item.Error = &line.Error
		}
		response.Lines = append(response.Lines, item)
	}
	return response
}

// apiImport answers POST /api/v1/imports: a multipart upload with the fields account,
// optional format, mapping (JSON) and dry_run, then file. A dry run answers 200 with the
// preview, an import 201 with its id and counts.
func (s *Server) apiImport(c *fiber.Ctx) error {
	upload, err := s.readStatementUpload(c, currentUser(c).ID)
	if err != nil {
		return err
	}
	result, err := s.runStatementImport(c, upload)
	if err != nil {
		return err
	}
	return writeImportJSON(c, result)
}

func writeImportJSON(c *fiber.Ctx, result importResult) error {
	if result.DryRun {
		return c.JSON(importJSONOf(result))
	}
	if result.Replayed {
		c.Set(replayedHeader, "true")
	}
	return c.Status(fiber.StatusCreated).JSON(importJSONOf(result))
}

// importRowJSON is an import in GET /api/v1/imports.
type importRowJSON struct {
	ID         string  `json:"id"`
	AccountID  *string `json:"account_id"`
	Source     string  `json:"format"`
	FileName   string  `json:"file_name"`
	FileSHA256 string  `json:"file_sha256"`
	ImportedAt string  `json:"imported_at"`
	ImportedBy string  `json:"imported_by"`
	New        int     `json:"new"`
	Duplicates int     `json:"duplicates"`
	Undone     bool    `json:"undone"`
	UndoneAt   *string `json:"undone_at"`
}

// apiImports answers GET /api/v1/imports: the imports, the most recent first.
func (s *Server) apiImports(c *fiber.Ctx) error {
	rows, err := projections.Imports(c.UserContext(), s.pool, bookOf(c), c.QueryInt("limit"))
	if err != nil {
		return err
	}
	response := make([]importRowJSON, 0, len(rows))
	for _, row := range rows {
		item := importRowJSON{ID: row.ImportID.String(), Source: row.Source, FileName: row.FileName,
			FileSHA256: row.FileSHA256, ImportedAt: row.ImportedAt.UTC().Format(time.RFC3339),
			ImportedBy: row.ImportedBy.String(), New: row.Created, Duplicates: row.Duplicates, Undone: row.Undone}
		if row.AccountID != uuid.Nil {
			id := row.AccountID.String()
			item.AccountID = &id
		}
		if row.Undone {
			at := row.UndoneAt.UTC().Format(time.RFC3339)
			item.UndoneAt = &at
		}
		response = append(response, item)
	}
	return c.JSON(response)
}

// apiUndoImport answers POST /api/v1/imports/{id}/undo.
func (s *Server) apiUndoImport(c *fiber.Ctx) error {
	voided, err := s.undoImport(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": c.Params("id"), "undone": true, "voided": voided})
}

// undoImport undoes the import named by the route's id and returns how many transactions
// it voided. An id that is not one of the user's imports is not found.
func (s *Server) undoImport(c *fiber.Ctx) (int, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return 0, domain.NotFound("there is no such import")
	}
	user := currentUser(c)
	result, err := s.ledger.Execute(c.UserContext(), ledger.Meta{UserID: user.ID, ActorID: user.ID,
		RequestID: requestID(c)}, domain.UndoImport{ImportID: id, UndoneAt: s.now(), UndoneBy: user.ID})
	if err != nil {
		return 0, err
	}
	s.log(c).Info("import undone", "user_id", user.ID.String(), "import_id", id.String())
	return len(result.Events) - 1, nil
}
