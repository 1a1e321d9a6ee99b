package web

import (
	"errors"
	"io"
	"mime/multipart"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/config"
	"folio/app/documents"
	"folio/domain"
	"folio/projections"
)

// openDocuments sets up the document library on storage, or on the upload
// folder of the configuration when storage is nil.
func (s *Server) openDocuments(storage documents.Storage) error {
	if storage == nil {
		root := s.config.UploadFolder
		if root == "" {
			root = config.DefaultUploadFolder
		}
		folder, err := documents.NewFolder(root)
		if err != nil {
			return err
		}
		storage = folder
	}
	s.documents = documents.NewLibrary(storage, s.pool)
	return nil
}

// documentView is a document as the pages show it.
type documentView struct {
	ID           uuid.UUID
	Name         string
	Size         string
	SHA256       string
	AddedAt      time.Time
	Transactions int
}

func documentViewOf(row projections.DocumentRow) documentView {
	return documentView{ID: row.ID, Name: row.Name, Size: domain.FormatBytes(row.Size), SHA256: row.SHA256,
		AddedAt: row.AddedAt, Transactions: len(row.TransactionIDs)}
}

// documentsUsage is how much of the quota the documents use.
type documentsUsage struct {
	Count   int
	Used    string
	Quota   string // empty when there is no quota
	Percent int64  // of the quota, 0 to 100
}

// documentsPageView is the data of pages/documents.html.
type documentsPageView struct {
	Documents      []documentView
	Usage          documentsUsage
	FileSizeMax    string
	FileSizeBytes  int64
	UploadFilesMax int
	ReadOnly       bool // reading somebody else's books
	Uploaded       []uploadOutcome
}

// uploadOutcome says what became of one file of the upload form.
type uploadOutcome struct {
	Name    string
	Stored  bool
	Created bool
	Message string
}

func (s *Server) loadDocumentsPage(c *fiber.Ctx) (documentsPageView, error) {
	rows, err := projections.Documents(c.UserContext(), s.pool, bookOf(c))
	if err != nil {
		return documentsPageView{}, err
	}
	view := documentsPageView{FileSizeMax: domain.FormatBytes(documents.FileSizeBytesMax),
		FileSizeBytes: documents.FileSizeBytesMax, UploadFilesMax: uploadFilesMax,
		ReadOnly: bookOf(c) != currentUser(c).ID}
	var used int64
	for _, row := range rows {
		view.Documents = append(view.Documents, documentViewOf(row))
		used += row.Size
	}
	view.Usage = s.usageOf(len(rows), used)
	return view, nil
}

func (s *Server) usageOf(count int, used int64) documentsUsage {
	usage := documentsUsage{Count: count, Used: domain.FormatBytes(used)}
	if quota := s.config.DocumentQuotaBytes; quota > 0 {
		usage.Quota = domain.FormatBytes(quota)
		usage.Percent = min(100, used*100/quota)
	}
	return usage
}

// documentsPage answers GET /documents: the upload form and the documents.
func (s *Server) documentsPage(c *fiber.Ctx) error {
	view, err := s.loadDocumentsPage(c)
	if err != nil {
		return err
	}
	return s.render(c, "documents", "documents_list", view)
}

// documentsUsagePage answers GET /documents/usage, which the settings page
// loads: the storage the documents use, out of the quota.
func (s *Server) documentsUsagePage(c *fiber.Ctx) error {
	if !isHTMX(c) {
		return c.Redirect("/documents", fiber.StatusSeeOther)
	}
	count, used, err := projections.DocumentUsage(c.UserContext(), s.pool, bookOf(c))
	if err != nil {
		return err
	}
	return s.render(c, "documents", "documents_usage", documentsPageView{Usage: s.usageOf(count, used)})
}

// uploadDocuments answers POST /documents, the upload form of the page
// for browsers without its script: every file of the form, one after the
// other. The script sends each file to the API instead, with a progress bar.
func (s *Server) uploadDocuments(c *fiber.Ctx) error {
	owner, err := ownBooks(c)
	if err != nil {
		return err
	}
	form, err := streamedForm(c)
	if err != nil {
		return err
	}

	outcomes, status, complete, err := s.uploadFormFiles(c, owner, form)
	form.finish(c, err != nil || !complete)
	if err != nil {
		return err
	}
	if status == fiber.StatusSeeOther {
		return c.Redirect("/documents", fiber.StatusSeeOther)
	}
	view, err := s.loadDocumentsPage(c)
	if err != nil {
		return err
	}
	view.Uploaded = outcomes
	c.Status(status)
	return s.render(c, "documents", "", view)
}

// uploadFormFiles stores each file of the form and says what became of it.
// The status is 303 when every file was stored, or else that of the first
// failure. complete says whether the form was read to its end; a form that
// breaks off ends the loop. Internal failures end it with an error.
func (s *Server) uploadFormFiles(c *fiber.Ctx, owner uuid.UUID,
	form *streamedBody) (outcomes []uploadOutcome, status int, complete bool, err error) {
	status, parts, files := fiber.StatusSeeOther, 0, 0
	fail := func(name string, err error) (int, bool) {
		failure, _, message, internal := errorStatus(err)
		if !internal {
			outcomes = append(outcomes, uploadOutcome{Name: name, Message: message})
			if status == fiber.StatusSeeOther {
				status = failure
			}
		}
		return failure, internal
	}
	for files < uploadFilesMax {
		part, err := nextFile(form, &parts)
		if errors.Is(err, io.EOF) {
			complete = true
			break
		}
		if err != nil {
			fail("", formError(err))
			return outcomes, status, false, nil
		}
		if part.FileName() == "" {
			continue // the form was sent without a file chosen
		}
		files++
		stored, err := s.storeFormFile(c, owner, part)
		if err == nil {
			outcomes = append(outcomes, uploadOutcome{Name: stored.Name, Stored: true, Created: stored.Created})
			continue
		}
		failure, internal := fail(domain.NormalizeDocumentName(part.FileName()), err)
		if internal {
			return nil, 0, false, err
		}
		if failure == fiber.StatusBadRequest {
			return outcomes, status, false, nil // the form broke off
		}
	}
	if !complete && files == uploadFilesMax {
		fail("", domain.Invalid(uploadFileField, "upload at most %d files at once", uploadFilesMax))
	}
	if len(outcomes) == 0 {
		fail("", domain.Invalid(uploadFileField, "choose PDF files to upload"))
	}
	return outcomes, status, complete, nil
}

func (s *Server) storeFormFile(c *fiber.Ctx, owner uuid.UUID, part *multipart.Part) (storedDocument, error) {
	upload, err := s.receiveDocument(c, owner, part)
	if err != nil {
		return storedDocument{}, err
	}
	defer upload.Discard()
	return s.recordDocument(c, owner, part.FileName(), upload)
}

// deleteDocument answers POST /documents/{id}/delete.
func (s *Server) deleteDocument(c *fiber.Ctx) error {
	if err := s.removeDocument(c); err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect("/documents", fiber.StatusSeeOther)
	}
	return s.documentsPage(c)
}
