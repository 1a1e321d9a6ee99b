package web

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"folio/domain"
	"folio/projections"
)

// reportPeriodDaysMax bounds a report's period: five years of month columns
// is as wide as a statement gets.
const reportPeriodDaysMax = 5*366 + 1

// reportTagLengthMax is the longest tag the domain accepts.
const reportTagLengthMax = 40

// reportContext is what every report needs to know about the books and the
// request: the settings, today's date and the parsed filter.
type reportContext struct {
	base             string
	fiscalStartMonth int
	today            domain.Date
	asOf             domain.Date
	preset           string
	period           projections.Period
	options          projections.ReportOptions
}

// reportSettings reads the book's base currency and fiscal year.
func (s *Server) reportSettings(c *fiber.Ctx) (reportContext, error) {
	report := reportContext{today: domain.DateOf(s.now().UTC())}
	err := s.ledger.Read(c.UserContext(), bookOf(c), func(books *domain.Books) error {
		report.base = books.Settings.BaseCurrency
		report.fiscalStartMonth = books.Settings.FiscalYearStartMonth
		return nil
	})
	return report, err
}

// parseReportQuery reads the filter of a report page or download: as_of (a
// date, today by default), period (a preset, or custom with from and to),
// tag, and convert, which asks for amounts in the base currency. Invalid
// input is a domain.Invalid error naming the parameter.
func (s *Server) parseReportQuery(c *fiber.Ctx, kind reportKind, defaultPreset string) (reportContext, error) {
	report, err := s.reportSettings(c)
	if err != nil {
		return report, err
	}
	report.asOf = report.today
	if text := c.Query("as_of"); text != "" {
		if report.asOf, err = domain.ParseDate("as_of", text); err != nil {
			return report, err
		}
	}
	if kind == reportOverPeriod {
		if report.period, report.preset, err = parseReportPeriod(c, report, defaultPreset); err != nil {
			return report, err
		}
	}
	report.options.Tag = strings.TrimPrefix(strings.TrimSpace(c.Query("tag")), "#")
	if len([]rune(report.options.Tag)) > reportTagLengthMax {
		return report, domain.Invalid("tag", "a tag has at most %d characters", reportTagLengthMax)
	}
	if convert := c.Query("convert"); convert != "" && convert != "0" && convert != "false" && report.base != "" {
		report.options.ConvertTo = report.base
	}
	return report, nil
}

func parseReportPeriod(c *fiber.Ctx, report reportContext, defaultPreset string) (projections.Period, string, error) {
	preset := c.Query("period")
	if preset == "" {
		preset = defaultPreset
		if c.Query("from") != "" || c.Query("to") != "" {
			preset = projections.PresetCustom
		}
	}
	if period, ok := projections.PresetPeriod(preset, report.today, report.fiscalStartMonth); ok {
		return period, preset, nil
	}
	if preset != projections.PresetCustom {
		return projections.Period{}, preset, domain.Invalid("period", "choose one of the periods offered")
	}
	from, err := domain.ParseDate("from", c.Query("from"))
	if err != nil {
		return projections.Period{}, preset, err
	}
	to, err := domain.ParseDate("to", c.Query("to"))
	if err != nil {
		return projections.Period{}, preset, err
	}
	if to.Before(from) {
		return projections.Period{}, preset, domain.Invalid("to", "the period ends before it starts")
	}
	if to.Time().Sub(from.Time()).Hours()/24 >= reportPeriodDaysMax {
		return projections.Period{}, preset, domain.Invalid("to", "choose a period of at most five years")
	}
	return projections.Period{From: from, To: to}, preset, nil
}

// reportQueryString is the filter of a report as a query string, for the
// links of its download and its pages.
func (r reportContext) queryString(kind reportKind, extra url.Values) string {
	values := url.Values{}
	for key, list := range extra {
		values[key] = list
	}
	if kind == reportAsOf {
		values.Set("as_of", r.asOf.String())
	} else {
		values.Set("period", r.preset)
		if r.preset == projections.PresetCustom {
			values.Set("from", r.period.From.String())
			values.Set("to", r.period.To.String())
		}
	}
	if r.options.Tag != "" {
		values.Set("tag", r.options.Tag)
	}
	if r.options.ConvertTo != "" {
		values.Set("convert", "1")
	}
	return values.Encode()
}

// reportKind says whether a report is as of a date or over a period.
type reportKind int

const (
	reportAsOf reportKind = iota
	reportOverPeriod
)
