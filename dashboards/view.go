package dashboards

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

//go:embed templates/*.html
var templateFiles embed.FS

// page is what a page shows: tiles, then sections of a chart beside a table.
type page struct {
	Title    string
	Subtitle string
	Notes    []string
	Tiles    []tile
	Sections []section
	// Print marks a page laid out for printing (the review pages).
	Print bool
	// partial marks a page shown while its numbers are still being computed: it is not cached.
	partial bool
}

// tile is one headline number.
type tile struct {
	Label string
	Value string
	Sub   string
	// Tone is "good", "bad" or empty.
	Tone string
}

// section is a titled block: a chart, a table, or both side by side.
type section struct {
	ID    string
	Title string
	Note  string
	Chart *chart
	Table *table
	// Links are extra links shown under the section.
	Links []link
	// Form is the plan form, shown under the section; the layout adds the session's CSRF token to it.
	Form *planForm
	// CallForm is a forecast call form shown under the section, given the CSRF token the same way.
	CallForm *callForm
}

// link is a labelled href.
type link struct {
	Label string
	Href  string
}

// builtPage is a page rendered once and cached: its body HTML and its tables for CSV.
type builtPage struct {
	title   string
	print   bool
	partial bool
	body    []byte
	tables  map[string]*table
	// forms are the ids of the page's forms, which the layout gives the session's CSRF token.
	forms []string
}

// layoutData fills the layout around a page body.
type layoutData struct {
	Title    string
	Nav      []navItem
	User     string
	Role     string
	CSRF     string
	Logout   bool
	Selector *selector
	Scripts  []string
	Print    bool
	// Forms are the ids of the page's forms that get a hidden CSRF field (form="id").
	Forms []string
}

// navItem is one link of the navigation bar.
type navItem struct {
	Label   string
	Href    string
	Current bool
}

// selector is the period and as-of form with links to the neighbouring periods.
type selector struct {
	Period string
	AsOf   string
	Prev   string
	Next   string
	Now    string
}

// parseViews parses the embedded templates.
func parseViews() (*template.Template, error) {
	t, err := template.New("views").ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return t, nil
}

// build renders a page's body and indexes its tables, giving each a CSV link for the selection.
func (s *Server) build(p *page, path string, q params) (*builtPage, error) {
	bp := &builtPage{title: p.Title, print: p.Print, partial: p.partial, tables: map[string]*table{}}
	for _, sec := range p.Sections {
		if t := sec.Table; t != nil {
			v := q.values()
			v.Set("csv", t.ID)
			t.CSVLink = path + "?" + v.Encode()
			bp.tables[t.ID] = t
		}
		if sec.Form != nil {
			bp.forms = append(bp.forms, sec.Form.ID)
		}
		if sec.CallForm != nil {
			bp.forms = append(bp.forms, sec.CallForm.ID)
		}
	}
	var b bytes.Buffer
	if err := s.views.ExecuteTemplate(&b, "body", p); err != nil {
		return nil, fmt.Errorf("render %s: %w", p.Title, err)
	}
	bp.body = b.Bytes()
	return bp, nil
}

// write sends a built page inside the layout, or one of its tables as CSV when ?csv= names it.
func (s *Server) write(w http.ResponseWriter, req *request, bp *builtPage) error {
	if id := req.URL.Query().Get("csv"); id != "" {
		t, ok := bp.tables[id]
		if !ok {
			return errNotFound
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.csv"`, id, req.q.period))
		w.Header().Set("Cache-Control", "private, no-store")
		return t.writeCSV(w)
	}
	return s.layout(w, req, http.StatusOK, bp.title, bp.body, bp.print, true, bp.forms...)
}

// layout writes the page shell (navigation, user, selector) around a body,
// which goes out as it is, uncopied.
func (s *Server) layout(w http.ResponseWriter, req *request, code int, title string, body []byte, print, withSelector bool, forms ...string) error {
	d := layoutData{Title: title, Print: print, Scripts: s.scripts, Forms: forms}
	if req != nil && req.who != nil {
		u := req.who.user
		d.User, d.Role, d.Nav = u.Name, string(u.Role), s.nav(req)
		if req.who.via == "cookie" {
			d.Logout, d.CSRF = true, s.sign.csrf("session", req.who.ses.nonce)
		}
		if withSelector {
			d.Selector = selectorFor(req)
		}
	}
	var head, foot bytes.Buffer
	if err := s.views.ExecuteTemplate(&head, "head", d); err != nil {
		return fmt.Errorf("render layout: %w", err)
	}
	if err := s.views.ExecuteTemplate(&foot, "foot", d); err != nil {
		return fmt.Errorf("render layout: %w", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Length", strconv.Itoa(head.Len()+len(body)+foot.Len()))
	w.WriteHeader(code)
	for _, part := range [][]byte{head.Bytes(), body, foot.Bytes()} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// nav lists the pages the viewer may open.
func (s *Server) nav(req *request) []navItem {
	u := req.who.user
	var items []navItem
	add := func(label, href string) {
		items = append(items, navItem{Label: label, Href: href, Current: req.URL.Path == href})
	}
	if u.Role == RoleRep {
		add("My numbers", "/reps/"+url.PathEscape(u.RepID))
		add("Review", "/review/"+url.PathEscape(u.RepID))
	} else {
		add("Team", "/team")
		add("Review", "/review")
	}
	add("Pipeline", "/pipeline")
	add("Recipe", "/recipe")
	add("Accuracy", "/accuracy")
	add("Contests", "/contests")
	q := req.q.with(req.q.period).Encode()
	for i := range items {
		if q != "" {
			items[i].Href += "?" + q
		}
	}
	return items
}

// selectorFor builds the period and as-of form of a request.
func selectorFor(req *request) *selector {
	path := req.URL.Path
	return &selector{
		Period: req.q.period.String(),
		AsOf:   req.q.asOfDay(),
		Prev:   path + "?" + req.q.with(req.q.period.Prev()).Encode(),
		Next:   path + "?" + req.q.with(req.q.period.Next()).Encode(),
		Now:    path,
	}
}

// errorPage answers with a short page in the layout.
func (s *Server) errorPage(w http.ResponseWriter, req *request, code int, msg string) {
	body := []byte("<h1>" + template.HTMLEscapeString(http.StatusText(code)) + "</h1><p>" + template.HTMLEscapeString(msg) + "</p>")
	if req != nil && req.who != nil {
		body = append(body, `<p><a href="`+template.HTMLEscapeString(req.who.landing())+`">Go to your start page</a></p>`...)
	}
	if err := s.layout(w, req, code, http.StatusText(code), body, false, false); err != nil {
		s.log.Error("error page", "err", err)
	}
}

// encodeJSON renders v as indented JSON and a final newline.
func encodeJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	return append(b, '\n'), nil
}

// writeJSON writes v as indented JSON with the status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := encodeJSON(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`+"\n")
	}
	writeBody(w, code, "application/json", b)
}

// writeBody writes a private, uncacheable answer.
func writeBody(w http.ResponseWriter, code int, ctype string, b []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	w.Write(b)
}

// asOfLabel renders an as-of moment for subtitles.
func asOfLabel(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
