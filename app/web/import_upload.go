package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"path"
	"strconv"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/imports"
	"folio/domain"
)

// Limits of a statement upload. The file is parsed as it arrives: only its lines are
// kept, never the whole file.
const (
	// statementBytesMax bounds the statement file; statementBodyBytesMax the whole
	// multipart body around it.
	statementBytesMax     = 16 << 20
	statementBodyBytesMax = statementBytesMax + 128<<10
	// uploadFieldBytesMax bounds a form field other than the file; the mapping has more.
	uploadFieldBytesMax   = 1 << 10
	uploadMappingBytesMax = 16 << 10
	statementPartsMax     = 40
)

func init() {
	for _, route := range []string{"/imports/preview", "/imports", "/api/v1/imports"} {
		streamedRoutes[fiber.MethodPost+" "+route] = statementBodyBytesMax
	}
}

// statementUpload is what a statement upload carried: the form fields and the parsed file.
type statementUpload struct {
	account  string // an account's id or name
	format   imports.Format
	mapping  *imports.Mapping
	dryRun   bool
	fileName string
	sha256   string
	// statement is the parsed file; parseErr a file that could not be read (a
	// *imports.ParseError or a mapping that does not fit it).
	statement imports.Statement
	parseErr  error
	sawFile   bool
}

// readStatementUpload reads a streamed multipart upload: fields first, then the file,
// which is parsed as it arrives. mappingFields are the mapping screen's inputs.
func (s *Server) readStatementUpload(c *fiber.Ctx, userID uuid.UUID) (upload statementUpload, err error) {
	form, err := streamedForm(c)
	if err != nil {
		return upload, err
	}
	defer func() { finishUpload(c, form, err != nil) }()
	mappingFields := map[string]string{}
	for parts := 0; ; parts++ {
		part, err := form.form.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || parts == statementPartsMax {
			return upload, uploadReadError(err)
		}
		if err := s.readUploadPart(c, userID, part, &upload, mappingFields); err != nil {
			return upload, err
		}
	}
	if !upload.sawFile {
		return upload, domain.Invalid("file", "choose a statement file")
	}
	return upload, nil
}

func (s *Server) readUploadPart(c *fiber.Ctx, userID uuid.UUID, part *multipart.Part, upload *statementUpload,
	mappingFields map[string]string) error {
	name := part.FormName()
	if name == "file" {
		if upload.sawFile {
			return domain.Invalid("file", "send one statement file at a time")
		}
		if upload.mapping == nil && mappingFields["mapping_date"] != "" {
			mapping, err := mappingFromFields(mappingFields)
			if err != nil {
				return err
			}
			upload.mapping = &mapping
		}
		return s.parseUploadedFile(c, userID, part, upload)
	}
	limit := int64(uploadFieldBytesMax)
	if name == "mapping" {
		limit = uploadMappingBytesMax
	}
	value, err := io.ReadAll(io.LimitReader(part, limit+1))
	if err != nil {
		return uploadReadError(err)
	}
	if int64(len(value)) > limit {
		return domain.Invalid(name, "this field is too long")
	}
	text := strings.TrimSpace(string(value))
	switch {
	case name == "account":
		upload.account = text
	case name == "format":
		upload.format = imports.Format(text)
	case name == "dry_run":
		upload.dryRun = text == "true" || text == "1" || text == "on"
	case name == "mapping" && text != "":
		if upload.sawFile {
			return newRequestError(fiber.StatusBadRequest, "field_order",
				"Send the mapping field before the file: the file is read as it arrives.")
		}
		var mapping imports.Mapping
		if err := json.Unmarshal(value, &mapping); err != nil {
			return domain.Invalid("mapping", "the mapping is not a JSON object of the documented shape")
		}
		upload.mapping = &mapping
	case strings.HasPrefix(name, "mapping_"):
		mappingFields[name] = text
	}
	return nil
}

// parseUploadedFile parses the file part as it streams in, hashing every byte.
func (s *Server) parseUploadedFile(c *fiber.Ctx, userID uuid.UUID, part *multipart.Part, upload *statementUpload) error {
	upload.sawFile = true
	upload.fileName = cleanFileName(part.FileName())
	if upload.format != "" && !knownFormat(upload.format) {
		return domain.Invalid("format", "choose csv, wise-csv, ofx or camt.053, or leave it empty to detect it")
	}
	if upload.mapping != nil {
		if err := upload.mapping.Check(); err != nil {
			return err
		}
	}
	hash := sha256.New()
	file := &limitedBody{reader: io.TeeReader(part, hash), remaining: statementBytesMax, tooLarge: errFileTooLarge}
	options := imports.Options{Format: upload.format, Mapping: upload.mapping,
		MappingFor: func(guess imports.Guess) *imports.Mapping {
			mapping, err := s.savedMappingFor(c, userID, upload.account, guess.Signature)
			if err != nil {
				s.log(c).Error("load import mapping", "error", err)
			}
			return mapping
		}}
	upload.statement, upload.parseErr = imports.Parse(file, options)
	if _, err := io.Copy(io.Discard, file); err != nil && !errors.Is(err, errFileTooLarge) {
		return uploadReadError(err)
	}
	if file.remaining < 0 {
		return newRequestError(fiber.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("The statement file is larger than %d MB.", statementBytesMax>>20))
	}
	var parseErr *imports.ParseError
	if upload.parseErr != nil && !errors.As(upload.parseErr, &parseErr) && domain.ErrorCode(upload.parseErr) == "" {
		if errors.Is(upload.parseErr, errFileTooLarge) || errors.Is(upload.parseErr, errBodyTooLarge) {
			return newRequestError(fiber.StatusRequestEntityTooLarge, "too_large",
				fmt.Sprintf("The statement file is larger than %d MB.", statementBytesMax>>20))
		}
		return uploadReadError(upload.parseErr)
	}
	upload.sha256 = hex.EncodeToString(hash.Sum(nil))
	return nil
}

// finishUpload ends a streamed upload. After a failure the rest of the body is not worth
// reading, so the connection closes after the answer; after a success what follows the
// form's last boundary is read, so that the connection can serve another request.
func finishUpload(c *fiber.Ctx, form *streamedBody, failed bool) {
	if failed {
		c.Context().SetConnectionClose()
		return
	}
	if _, err := io.Copy(io.Discard, form.body); err != nil {
		c.Context().SetConnectionClose()
	}
}

// savedMappingFor finds the mapping saved for the upload's account or the file's layout.
func (s *Server) savedMappingFor(c *fiber.Ctx, userID uuid.UUID, reference, signature string) (*imports.Mapping, error) {
	accountID := uuid.Nil
	if reference != "" {
		err := s.ledger.Read(c.UserContext(), userID, func(books *domain.Books) error {
			if account, ok := accountByReference(books, reference); ok {
				accountID = account.ID
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return s.savedMapping(c.UserContext(), userID, accountID, signature)
}

var errFileTooLarge = errors.New("statement file too large")

func uploadReadError(err error) error {
	if errors.Is(err, errBodyTooLarge) {
		return newRequestError(fiber.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("The upload is larger than %d MB.", statementBytesMax>>20))
	}
	return newRequestError(fiber.StatusBadRequest, "bad_upload",
		"The upload could not be read: send it as multipart/form-data with the file in a field named file.")
}

func knownFormat(format imports.Format) bool {
	for _, known := range imports.Formats {
		if format == known {
			return true
		}
	}
	return false
}

// cleanFileName keeps the base name of an uploaded file, printable, for display only.
func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" {
		name = ""
	}
	if runes := []rune(name); len(runes) > 200 {
		name = string(runes[:200])
	}
	return name
}

// mappingFromFields reads the mapping screen's inputs.
func mappingFromFields(fields map[string]string) (imports.Mapping, error) {
	skip, err := strconv.Atoi(firstNonEmpty(fields["mapping_skip_rows"], "0"))
	if err != nil {
		return imports.Mapping{}, domain.Invalid("mapping.skip_rows", "enter a number")
	}
	delimiter := fields["mapping_delimiter"]
	if delimiter == "tab" {
		delimiter = "\t"
	}
	mapping := imports.Mapping{Delimiter: delimiter, Encoding: fields["mapping_encoding"], SkipRows: skip,
		Header: fields["mapping_header"] == "true", DateFormat: fields["mapping_date_format"],
		Decimal: imports.DecimalSeparator(fields["mapping_decimal"]), Date: fields["mapping_date"],
		Description: fields["mapping_description"], Payee: fields["mapping_payee"],
		Reference: fields["mapping_reference"], Currency: fields["mapping_currency"]}
	switch fields["mapping_amount_mode"] {
	case "debit_credit":
		mapping.Debit, mapping.Credit = fields["mapping_debit"], fields["mapping_credit"]
	case "direction":
		mapping.Amount, mapping.Direction = fields["mapping_amount"], fields["mapping_direction"]
		mapping.DebitValue = fields["mapping_debit_value"]
	default:
		mapping.Amount = fields["mapping_amount"]
	}
	return mapping, mapping.Check()
}

func firstNonEmpty(values ...string) string {
	for _, value := range values {
		if value != "" {
			return value
		}
	}
	return ""
}
