// Package charts draws report charts on the server as inline SVG: no
// script, no style attribute, nothing the page's Content-Security-Policy
// blocks. Colours are presentation attributes, text and axes use
// currentColor so that they follow the page's light or dark scheme, and the
// view box is narrow enough for labels to stay readable on a phone.
// Geometry uses floats; every amount shown as text is the exact decimal.
package charts

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"

	"github.com/shopspring/decimal"
)

// Size of the drawing in view-box units; it scales to the width of the page.
const (
	width       = 400.0
	height      = 240.0
	marginLeft  = 44.0
	marginRight = 8.0
	marginTop   = 22.0
	marginBelow = 26.0
	fontSize    = 12
	labelsMax   = 8 // more columns than this show every other label, or fewer
)

// Colours that read on light and dark backgrounds alike.
const (
	ColorIncome  = "#2a9d8f"
	ColorExpense = "#e76f51"
	ColorNet     = "#3d5a80"
	ColorAssets  = "#2a9d8f"
	ColorDebts   = "#e76f51"
)

// Series is one named row of values, one per label.
type Series struct {
	Name   string
	Color  string
	Values []decimal.Decimal
}

// Chart is what every chart draws: a title, the labels along the x axis (or
// of each bar) and the series, all in one Unit (a currency code).
type Chart struct {
	ID     string // unique on the page, for the accessible title
	Title  string
	Unit   string
	Labels []string
	Series []Series
}

// svg starts a drawing with its accessible title and a legend.
func (c Chart) svg(b *strings.Builder, legend bool) {
	id := html.EscapeString(c.ID)
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %g %g" width="100%%" role="img" aria-labelledby="%s-title" `+
		`xmlns="http://www.w3.org/2000/svg" font-size="%d" font-family="system-ui, sans-serif" fill="currentColor">`,
		width, height, id, fontSize)
	fmt.Fprintf(b, `<title id="%s-title">%s (%s)</title>`, id, html.EscapeString(c.Title), html.EscapeString(c.Unit))
	if !legend {
		return
	}
	x := marginLeft
	for _, series := range c.Series {
		fmt.Fprintf(b, `<rect x="%.1f" y="4" width="10" height="10" fill="%s"/>`, x, html.EscapeString(series.Color))
		fmt.Fprintf(b, `<text x="%.1f" y="13">%s</text>`, x+14, html.EscapeString(series.Name))
		x += 24 + float64(len([]rune(series.Name)))*6
	}
}

// scale maps values to the plot's height, always including zero.
type scale struct {
	low, high float64
	top, base float64 // y of the plot's top and bottom
}

func newScale(series []Series) scale {
	s := scale{top: marginTop, base: height - marginBelow}
	for _, one := range series {
		for _, value := range one.Values {
			f := value.InexactFloat64()
			s.low, s.high = math.Min(s.low, f), math.Max(s.high, f)
		}
	}
	if s.high == s.low {
		s.high = s.low + 1
	}
	step := niceStep((s.high - s.low) / 4)
	s.low, s.high = math.Floor(s.low/step)*step, math.Ceil(s.high/step)*step
	return s
}

func (s scale) y(value float64) float64 {
	return s.base - (value-s.low)/(s.high-s.low)*(s.base-s.top)
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	power := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, factor := range []float64{1, 2, 5, 10} {
		if raw <= factor*power {
			return factor * power
		}
	}
	return 10 * power
}

// axis draws horizontal grid lines with compact amounts on the left.
func (s scale) axis(b *strings.Builder) {
	step := niceStep((s.high - s.low) / 4)
	for value := s.low; value <= s.high+step/2; value += step {
		y := s.y(value)
		opacity := "0.15"
		if math.Abs(value) < step/2 {
			opacity = "0.5"
		}
		fmt.Fprintf(b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="currentColor" stroke-opacity="%s"/>`,
			marginLeft, width-marginRight, y, y, opacity)
		fmt.Fprintf(b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`, marginLeft-4, y+4, compact(value))
	}
}

// xLabels writes the labels under the columns, thinned out when crowded.
func xLabels(b *strings.Builder, labels []string, centre func(int) float64) {
	every := (len(labels) + labelsMax - 1) / labelsMax
	for i, label := range labels {
		if i%every != 0 {
			continue
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`, centre(i), height-8, html.EscapeString(label))
	}
}

// compact writes an axis amount briefly: 950, 1.2k, 35k, 1.5M.
func compact(value float64) string {
	abs := math.Abs(value)
	switch {
	case abs >= 1e6:
		return trimZero(fmt.Sprintf("%.1f", value/1e6)) + "M"
	case abs >= 1e4:
		return fmt.Sprintf("%.0fk", value/1e3)
	case abs >= 1e3:
		return trimZero(fmt.Sprintf("%.1f", value/1e3)) + "k"
	}
	return trimZero(fmt.Sprintf("%.1f", value))
}

func trimZero(text string) string { return strings.TrimSuffix(text, ".0") }

// tooltip is a hover title with the exact amount.
func tooltip(name, label string, value decimal.Decimal, unit string) string {
	return fmt.Sprintf(`<title>%s, %s: %s %s</title>`, html.EscapeString(name), html.EscapeString(label),
		html.EscapeString(value.StringFixed(2)), html.EscapeString(unit))
}

// Columns draws the first series as bars beside each other per label (up
// to two), and any further series as a line across them: income and
// expenses by month, with the net as a line.
func Columns(c Chart) template.HTML {
	var b strings.Builder
	c.svg(&b, true)
	s := newScale(c.Series)
	s.axis(&b)
	slot := (width - marginLeft - marginRight) / float64(max(len(c.Labels), 1))
	bars := min(len(c.Series), 2)
	barWidth := slot * 0.8 / float64(max(bars, 1))
	centre := func(i int) float64 { return marginLeft + slot*(float64(i)+0.5) }
	zero := s.y(0)
	for j, series := range c.Series[:bars] {
		for i, value := range series.Values {
			y := s.y(value.InexactFloat64())
			x := marginLeft + slot*float64(i) + slot*0.1 + barWidth*float64(j)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">%s</rect>`,
				x, math.Min(y, zero), barWidth, math.Abs(zero-y), html.EscapeString(series.Color),
				tooltip(series.Name, c.Labels[i], value, c.Unit))
		}
	}
	for _, series := range c.Series[bars:] {
		line(&b, s, series, c, centre)
	}
	xLabels(&b, c.Labels, centre)
	b.WriteString(`</svg>`)
	// #nosec G203 -- every text in the SVG went through html.EscapeString; the rest are numbers
	return template.HTML(b.String())
}

// Lines draws every series as a line with a dot per label: net worth over time.
func Lines(c Chart) template.HTML {
	var b strings.Builder
	c.svg(&b, true)
	s := newScale(c.Series)
	s.axis(&b)
	slot := (width - marginLeft - marginRight) / float64(max(len(c.Labels), 1))
	centre := func(i int) float64 { return marginLeft + slot*(float64(i)+0.5) }
	for _, series := range c.Series {
		line(&b, s, series, c, centre)
	}
	xLabels(&b, c.Labels, centre)
	b.WriteString(`</svg>`)
	// #nosec G203 -- every text in the SVG went through html.EscapeString; the rest are numbers
	return template.HTML(b.String())
}

func line(b *strings.Builder, s scale, series Series, c Chart, centre func(int) float64) {
	points := make([]string, len(series.Values))
	for i, value := range series.Values {
		points[i] = fmt.Sprintf("%.1f,%.1f", centre(i), s.y(value.InexactFloat64()))
	}
	color := html.EscapeString(series.Color)
	fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(points, " "), color)
	for i, value := range series.Values {
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s">%s</circle>`, centre(i),
			s.y(value.InexactFloat64()), color, tooltip(series.Name, c.Labels[i], value, c.Unit))
	}
}

// barRowsMax bounds the rows of a bar list; the rest become one row.
const barRowsMax = 8

// Bars draws the first series as horizontal bars, one per label, largest
// first as given, with the label above each bar and the amount at its end:
// spending by category. Rows past barRowsMax are summed into "Other".
func Bars(c Chart, other string) template.HTML {
	labels, values := c.Labels, c.Series[0].Values
	if len(values) > barRowsMax {
		rest := decimal.Zero
		for _, value := range values[barRowsMax-1:] {
			rest = rest.Add(value)
		}
		labels = append(append([]string{}, labels[:barRowsMax-1]...), other)
		values = append(append([]decimal.Decimal{}, values[:barRowsMax-1]...), rest)
	}
	rowHeight := 30.0
	chartHeight := marginTop + rowHeight*float64(len(values)) + 4
	var b strings.Builder
	id := html.EscapeString(c.ID)
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %.0f" width="100%%" role="img" aria-labelledby="%s-title" `+
		`xmlns="http://www.w3.org/2000/svg" font-size="%d" font-family="system-ui, sans-serif" fill="currentColor">`,
		width, chartHeight, id, fontSize)
	fmt.Fprintf(&b, `<title id="%s-title">%s (%s)</title>`, id, html.EscapeString(c.Title), html.EscapeString(c.Unit))
	largest := 0.0
	for _, value := range values {
		largest = math.Max(largest, value.InexactFloat64())
	}
	if largest <= 0 {
		largest = 1
	}
	color := html.EscapeString(c.Series[0].Color)
	for i, value := range values {
		y := marginTop + rowHeight*float64(i)
		barWidth := math.Max(0, value.InexactFloat64()) / largest * (width - 90)
		fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="13">%s</text>`, y-3, html.EscapeString(shorten(labels[i], 44)))
		fmt.Fprintf(&b, `<rect x="0" y="%.1f" width="%.1f" height="10" fill="%s">%s</rect>`, y, math.Max(barWidth, 1), color,
			tooltip(c.Series[0].Name, labels[i], value, c.Unit))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, barWidth+4, y+9, compact(value.InexactFloat64()))
	}
	b.WriteString(`</svg>`)
	// #nosec G203 -- every text in the SVG went through html.EscapeString; the rest are numbers
	return template.HTML(b.String())
}

// shorten cuts text to at most n characters, marking the cut.
func shorten(text string, n int) string {
	runes := []rune(text)
	if len(runes) <= n {
		return text
	}
	return string(runes[:n-1]) + "…"
}
