package web

import (
	"context"
	"errors"
	"io"
	"mime/multipart"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/documents"
	"folio/app/ledger"
	"folio/domain"
)

// Limits of one upload request.
const (
	// uploadFilesMax bounds how many files the documents page's form takes
	// at once. Scripts and the page's own script send one file a request.
	uploadFilesMax = 20
	// uploadPartsMax bounds the parts of an upload form, files and fields.
	uploadPartsMax = uploadFilesMax + 10
	// uploadFileField is the form field that carries a file.
	uploadFileField = "file"
)

// storedDocument is the outcome of one upload.
type storedDocument struct {
	ID      uuid.UUID
	SHA256  string
	Size    int64
	Name    string
	Created bool // false when the books already held the same file
}

// nextFile returns the form's next file part, skipping other fields, or
// io.EOF after the last part.
func nextFile(form *streamedBody, parts *int) (*multipart.Part, error) {
	for {
		if *parts >= uploadPartsMax {
			return nil, newRequestError(fiber.StatusBadRequest, "bad_upload",
				"The form has too many fields.")
		}
		part, err := form.form.NextPart()
		if err != nil {
			return nil, err
		}
		*parts++
		if part.FormName() == uploadFileField {
			return part, nil
		}
		if _, err := io.Copy(io.Discard, io.LimitReader(part, formTokenBytesMax+1)); err != nil {
			return nil, err
		}
	}
}

// receiveDocument reads one uploaded file into a spool file and checks it.
// The caller must record it or discard it.
func (s *Server) receiveDocument(c *fiber.Ctx, owner uuid.UUID, part io.Reader) (*documents.Upload, error) {
	upload, err := s.documents.Receive(c.UserContext(), owner, part)
	if err != nil {
		return nil, uploadError(err)
	}
	return upload, nil
}

// recordDocument records a received file in the owner's books and keeps
// its bytes. The books come first: a file is only kept for a document the
// books hold.
func (s *Server) recordDocument(c *fiber.Ctx, owner uuid.UUID, name string,
	upload *documents.Upload) (storedDocument, error) {
	ctx := c.UserContext()
	command := domain.AddDocument{SHA256: upload.SHA256, Size: upload.Size, Name: name,
		QuotaBytes: s.config.DocumentQuotaBytes}
	result, err := s.ledger.Execute(ctx, ledgerMeta(c, owner, uuid.Nil), command)
	if err != nil {
		return storedDocument{}, quotaError(err)
	}

	stored := storedDocument{SHA256: upload.SHA256, Size: upload.Size}
	if len(result.Events) > 0 {
		added := result.Events[0].(domain.DocumentAdded)
		stored.ID, stored.Name, stored.Created = added.DocumentID, added.Name, true
	}
	if err := s.documents.Keep(ctx, upload); err != nil {
		if stored.Created {
			s.undoDocument(c, owner, stored.ID)
		}
		return storedDocument{}, err
	}
	if stored.Created {
		return stored, nil
	}
	// The same bytes were there already: answer with that document.
	err = s.ledger.Read(ctx, owner, func(books *domain.Books) error {
		document, found := books.DocumentBySHA256(upload.SHA256)
		if !found {
			return domain.Conflict("this document was removed while it was uploaded again: try again")
		}
		stored.ID, stored.Name = document.ID, document.Name
		return nil
	})
	return stored, err
}

// undoDocument removes a document whose file could not be kept, so that
// the books hold no document without its file.
func (s *Server) undoDocument(c *fiber.Ctx, owner, documentID uuid.UUID) {
	meta := ledger.Meta{UserID: owner, ActorID: currentUser(c).ID, RequestID: requestID(c)}
	_, err := s.ledger.Execute(context.WithoutCancel(c.UserContext()), meta,
		domain.RemoveDocument{DocumentID: documentID})
	if err != nil {
		s.log(c).Error("undo document whose file was not kept", "user_id", owner.String(),
			"document_id", documentID.String(), "error", err)
	}
}

// uploadError turns a failed upload into the answer the client gets.
func uploadError(err error) error {
	var requestErr *requestError
	switch {
	case errors.As(err, &requestErr):
		return err
	case errors.Is(err, documents.ErrNotPDF):
		return newRequestError(fiber.StatusUnsupportedMediaType, "not_pdf",
			"This file is not a PDF ("+errors.Unwrap(err).Error()+"). Only PDF documents are kept.")
	case errors.Is(err, documents.ErrTooLarge), errors.Is(err, errBodyTooLarge):
		return newRequestError(fiber.StatusRequestEntityTooLarge, "too_large",
			"A document may be at most "+domain.FormatBytes(documents.FileSizeBytesMax)+".")
	case errors.Is(err, documents.ErrIncomplete):
		return errBadUpload
	}
	return err
}

// formError answers an error in reading the parts of an upload form,
// which is always the client's.
func formError(err error) error {
	var requestErr *requestError
	if errors.As(err, &requestErr) || errors.Is(err, errBodyTooLarge) {
		return uploadError(err)
	}
	return errBadUpload
}

var errBadUpload = newRequestError(fiber.StatusBadRequest, "bad_upload",
	"The upload broke off or is not a well-formed form. Try again.")

// quotaError answers a document over the quota with 413, which tells a
// client that this body is too large for what is left.
func quotaError(err error) error {
	var domainErr *domain.Error
	if errors.As(err, &domainErr) && domainErr.Field == domain.QuotaField {
		return newRequestError(fiber.StatusRequestEntityTooLarge, "quota_exceeded", domainErr.Message)
	}
	return err
}

// documentCreatedJSON answers POST /api/v1/documents.
type documentCreatedJSON struct {
	ID     string `json:"id"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// apiUploadDocument answers POST /api/v1/documents: one PDF in the
// multipart field file. 201 with the new document; 200 with the existing
// one when the books already hold the same file.
func (s *Server) apiUploadDocument(c *fiber.Ctx) (err error) {
	owner, err := ownBooks(c)
	if err != nil {
		return err
	}
	form, err := streamedForm(c)
	if err != nil {
		return err
	}
	defer func() { form.finish(c, err != nil) }()

	parts := 0
	part, err := nextFile(form, &parts)
	if errors.Is(err, io.EOF) {
		return domain.Invalid(uploadFileField, "send a PDF file in the form field %q", uploadFileField)
	}
	if err != nil {
		return formError(err)
	}
	upload, err := s.receiveDocument(c, owner, part)
	if err != nil {
		return err
	}
	defer upload.Discard()
	if _, err := nextFile(form, &parts); !errors.Is(err, io.EOF) {
		if err == nil {
			return newRequestError(fiber.StatusBadRequest, "one_file", "Send one file a request.")
		}
		return formError(err)
	}

	stored, err := s.recordDocument(c, owner, part.FileName(), upload)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if stored.Created {
		status = fiber.StatusCreated
		c.Location("/api/v1/documents/" + stored.ID.String())
	}
	return c.Status(status).JSON(documentCreatedJSON{ID: stored.ID.String(), SHA256: stored.SHA256,
		Size: stored.Size})
}
