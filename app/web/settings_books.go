package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"folio/app/ledger"
	"folio/domain"
)

// monthOption is a choice of the fiscal-year select.
type monthOption struct {
	Value int
	Label string
}

var monthOptions = func() []monthOption {
	options := make([]monthOption, 12)
	for i := range options {
		options[i] = monthOption{Value: i + 1, Label: time.Month(i + 1).String()}
	}
	return options
}()

// booksSettingsForm is the data of the books settings: pages/settings_books.html, and the
// part of the settings page that loads it.
type booksSettingsForm struct {
	BaseCurrency         string
	FiscalYearStartMonth int
	LockDate             string
	Months               []monthOption
	Errors               map[string]string
	Saved                bool
}

// booksSettingsPage answers GET /settings/books (saved=1 after a change): base currency,
// first month of the fiscal year and lock date. htmx gets the form, which the settings page
// loads into itself.
func (s *Server) booksSettingsPage(c *fiber.Ctx) error {
	var settings domain.Settings
	err := s.ledger.Read(c.UserContext(), bookOf(c), func(books *domain.Books) error {
		settings = books.Settings
		return nil
	})
	if err != nil {
		return err
	}

	form := booksSettingsForm{BaseCurrency: settings.BaseCurrency,
		FiscalYearStartMonth: settings.FiscalYearStartMonth, LockDate: settings.LockDate.String(),
		Months: monthOptions, Errors: map[string]string{}, Saved: c.Query("saved") == "1"}
	return s.renderPart(c, "settings_books", "books_settings", nil, form)
}

// changeBooksSettings answers POST /settings/books (base_currency, fiscal_year_start_month,
// lock_date; an empty lock date unlocks every date). Every field is checked before anything
// is saved, so a rejected form changes nothing; it comes back with the input kept (422).
func (s *Server) changeBooksSettings(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user := currentUser(c)
	form := booksSettingsForm{BaseCurrency: formValue(c, "base_currency"),
		LockDate: formValue(c, "lock_date"), Months: monthOptions,
		Errors: map[string]string{}}
	form.FiscalYearStartMonth, _ = strconv.Atoi(c.FormValue("fiscal_year_start_month"))

	commands, err := s.booksSettingsCommands(c, &form)
	if err != nil {
		return err
	}
	if len(form.Errors) == 0 {
		for _, cmd := range commands {
			_, err = s.ledger.Execute(ctx, commandMeta(c), cmd)
			if ledger.IsRejection(err) {
				form.Errors = rejectionErrors(err)
				break
			}
			if err != nil {
				return err
			}
		}
	}
	if len(form.Errors) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "settings_books", "books_settings", form)
	}

	s.log(c).Info("books settings changed", "user_id", user.ID.String())
	if !isHTMX(c) {
		return c.Redirect("/settings/books?saved=1", fiber.StatusSeeOther)
	}
	form.Saved = true
	return s.render(c, "settings_books", "books_settings", form)
}

// booksSettingsCommands checks the form and returns the commands that carry out what it
// changes. What cannot be read is marked on the form.
func (s *Server) booksSettingsCommands(c *fiber.Ctx, form *booksSettingsForm) (
	[]domain.Command, error) {
	var current domain.Settings
	err := s.ledger.Read(c.UserContext(), currentUser(c).ID, func(books *domain.Books) error {
		current = books.Settings
		return nil
	})
	if err != nil {
		return nil, err
	}

	currency, err := domain.NormalizeCurrency("base_currency", form.BaseCurrency)
	if err != nil {
		form.Errors["base_currency"] = messageOf(err)
	}
	if form.FiscalYearStartMonth < 1 || form.FiscalYearStartMonth > 12 {
		form.Errors["fiscal_year_start_month"] = "choose a month"
	}
	var lockDate domain.Date
	if form.LockDate != "" {
		lockDate, err = domain.ParseDate("lock_date", form.LockDate)
		if err != nil {
			form.Errors["lock_date"] = messageOf(err)
		}
	}

	var commands []domain.Command
	if currency != current.BaseCurrency ||
		form.FiscalYearStartMonth != current.FiscalYearStartMonth {
		commands = append(commands, domain.ChangeSettings{BaseCurrency: currency,
			FiscalYearStartMonth: form.FiscalYearStartMonth})
	}
	if lockDate.String() != current.LockDate.String() {
		commands = append(commands, domain.SetLockDate{LockDate: lockDate})
	}
	return commands, nil
}
