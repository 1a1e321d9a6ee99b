package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
	"folio/projections"
)

// ratesListedMax bounds the rates the page lists, newest first.
const ratesListedMax = 200

// rateView is one exchange rate of the books.
type rateView struct {
	ID        string
	Date      string
	Commodity string
	Currency  string
	Rate      string
	Entered   bool
}

// rateForm is what the user typed into the form for a new rate.
type rateForm struct {
	Date      string
	Commodity string
	Amount    string
	Currency  string
}

// ratesView is the data of pages/reports_rates.html.
type ratesView struct {
	Base   string
	Rates  []rateView
	Form   rateForm
	Errors map[string]string
	Saved  bool
}

// ratesPage answers GET /reports/rates: the exchange rates the books know,
// from conversions and entered by hand, and a form to enter one.
func (s *Server) ratesPage(c *fiber.Ctx) error {
	view, err := s.loadRates(c, rateForm{Date: domain.DateOf(s.now().UTC()).String()})
	if err != nil {
		return err
	}
	view.Saved = c.Query("saved") == "1"
	return s.render(c, "reports_rates", "reports_rates_body", view)
}

// loadRates reads the rates of the books for the page; an empty currency in
// the form becomes the base currency.
func (s *Server) loadRates(c *fiber.Ctx, form rateForm) (ratesView, error) {
	report, err := s.reportSettings(c)
	if err != nil {
		return ratesView{}, err
	}
	if form.Currency == "" {
		form.Currency = report.base
	}
	prices, err := projections.Prices(c.UserContext(), s.pool, bookOf(c), ratesListedMax)
	if err != nil {
		return ratesView{}, err
	}
	view := ratesView{Base: report.base, Form: form}
	for _, price := range prices {
		view.Rates = append(view.Rates, rateView{ID: price.SourceID.String(), Date: price.Date.String(),
			Commodity: price.Commodity, Currency: price.Currency, Rate: price.Rate.String(), Entered: price.Entered})
	}
	return view, nil
}

// recordRate answers POST /reports/rates (date, commodity, amount, currency): one
// commodity was worth amount of currency on date.
func (s *Server) recordRate(c *fiber.Ctx) error {
	userID, err := ownBooks(c)
	if err != nil {
		return err
	}
	form := rateForm{Date: strings.TrimSpace(c.FormValue("date")), Commodity: c.FormValue("commodity"),
		Amount: strings.TrimSpace(c.FormValue("amount")), Currency: c.FormValue("currency")}
	command, err := rateCommand(form)
	if err == nil {
		_, err = s.ledger.Execute(c.UserContext(), ledgerMeta(c, userID, uuid.Nil), command)
	}
	if domain.ErrorCode(err) == domain.CodeInvalid {
		view, loadErr := s.loadRates(c, form)
		if loadErr != nil {
			return loadErr
		}
		view.Errors = fieldErrors(err)
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "reports_rates", "reports_rates_body", view)
	}
	if err != nil {
		return err
	}

	s.log(c).Info("rate recorded", "user_id", userID.String())
	if !isHTMX(c) {
		return c.Redirect("/reports/rates?saved=1", fiber.StatusSeeOther)
	}
	view, err := s.loadRates(c, rateForm{Date: form.Date})
	if err != nil {
		return err
	}
	view.Saved = true
	return s.render(c, "reports_rates", "reports_rates_body", view)
}

func rateCommand(form rateForm) (domain.RecordPrice, error) {
	date, err := domain.ParseDate("date", form.Date)
	if err != nil {
		return domain.RecordPrice{}, err
	}
	rate, err := domain.ParseAmount("amount", form.Amount)
	if err != nil {
		return domain.RecordPrice{}, err
	}
	return domain.RecordPrice{Date: date, Commodity: form.Commodity, Amount: rate, Currency: form.Currency}, nil
}

// removeRate answers POST /reports/rates/:id/remove. A rate of another user,
// a conversion's rate and a made-up id all get the same 404.
func (s *Server) removeRate(c *fiber.Ctx) error {
	userID, err := ownBooks(c)
	if err != nil {
		return err
	}
	priceID, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return domain.NotFound("there is no such rate")
	}
	if _, err := s.ledger.Execute(c.UserContext(), ledgerMeta(c, userID, uuid.Nil), domain.RemovePrice{PriceID: priceID}); err != nil {
		return err
	}

	s.log(c).Info("rate removed", "user_id", userID.String(), "price_id", priceID.String())
	return c.Redirect("/reports/rates", fiber.StatusSeeOther)
}
