package ingest

import (
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe/queries"
)

// The authorization outcomes a Handler maps to HTTP statuses.
var (
	// ErrUnauthenticated means no valid credentials: 401.
	ErrUnauthenticated = errors.New("missing or unknown token")
	// ErrForbidden means valid credentials without the right: 403.
	ErrForbidden = errors.New("this token may not load data into this firm")
)

// HandlerConfig wires the ingest HTTP API.
type HandlerConfig struct {
	// Store receives the rows.
	Store *queries.Store
	// Authorize returns the firm the request may load into, or an error wrapping
	// ErrUnauthenticated or ErrForbidden; requested is the ?firm= parameter or "".
	Authorize func(r *http.Request, requested string) (firm string, err error)
	// MaxBodyBytes bounds a request body, compressed and once decompressed (default 256 MiB).
	MaxBodyBytes int64
	// BodyGrace and MinBodyRate drop a client that sends its body too slowly (408): reading may
	// wait BodyGrace plus one second per MinBodyRate bytes received (defaults 10 s and 8 KiB/s).
	BodyGrace   time.Duration
	MinBodyRate int64
	// Limiter bounds the loads in flight per firm; share one between every handler of a server.
	// Nil means a limiter of this handler alone with DefaultLoadsPerFirm and DefaultLoadWait.
	Limiter *LoadLimiter
	// Backoff governs storage retries within a request (default: 3 tries from 200 ms).
	Backoff Backoff
	// Logger receives failed loads; nil discards them.
	Logger *slog.Logger
	// Observe, when set, is told of every finished load of a firm (for metrics and refits).
	Observe func(firm string, kind Kind, res Result, err error)
}

// handler serves POST /api/v1/ingest/{kind}.
type handler struct{ cfg HandlerConfig }

// NewHandler returns the handler of `POST /api/v1/ingest/{kind}`: each
// request is one all-or-nothing load of one kind.
func NewHandler(cfg HandlerConfig) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 256 << 20
	}
	if cfg.Backoff.Attempts == 0 {
		cfg.Backoff = Backoff{Attempts: 3, First: 200 * time.Millisecond, Max: time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.BodyGrace = cmp.Or(cfg.BodyGrace, DefaultBodyGrace)
	cfg.MinBodyRate = cmp.Or(cfg.MinBodyRate, DefaultMinBodyRate)
	if cfg.Limiter == nil {
		cfg.Limiter = NewLoadLimiter(DefaultLoadsPerFirm, DefaultLoadWait)
	}
	return &handler{cfg: cfg}
}

// apiError is one problem of a rejected request.
type apiError struct {
	Row    int    `json:"row"`
	Field  string `json:"field"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

// ServeHTTP loads the body.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind, err := ParseKind(r.PathValue("kind"))
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		return
	}
	firm, err := h.cfg.Authorize(r, r.URL.Query().Get("firm"))
	if err != nil {
		status := http.StatusForbidden
		if errors.Is(err, ErrUnauthenticated) {
			status = http.StatusUnauthorized
			w.Header().Set("WWW-Authenticate", `Bearer realm="salesrecipe"`)
		}
		writeJSON(w, status, map[string]string{"error": err.Error()})
		return
	}
	format, err := requestFormat(r)
	if err != nil {
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": err.Error()})
		return
	}
	release, ok := h.cfg.Limiter.acquire(r.Context(), firm)
	if !ok {
		h.busy(w)
		return
	}
	defer release()
	body := http.MaxBytesReader(w, io.NopCloser(newRateBody(w, r.Body, h.cfg.BodyGrace, h.cfg.MinBodyRate)), h.cfg.MaxBodyBytes)
	job := Job{Firm: firm, Kind: kind, Format: format, Backoff: h.cfg.Backoff, MaxBytes: h.cfg.MaxBodyBytes}
	res, err := Run(r.Context(), h.cfg.Store, job, []Input{{Name: "body", R: body}})
	if h.cfg.Observe != nil {
		h.cfg.Observe(firm, kind, res, err)
	}
	h.answer(w, r, kind, res, err)
}

// busy answers 429: the firm has as many loads in flight as it may.
func (h *handler) busy(w http.ResponseWriter) {
	after := strconv.Itoa(max(1, int(h.cfg.Limiter.wait.Round(time.Second)/time.Second)))
	w.Header().Set("Retry-After", after)
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": strconv.Itoa(h.cfg.Limiter.perFirm) +
		" loads of this firm are already in flight; retry after " + after + " s"})
}

// answer maps a load's outcome to the response.
func (h *handler) answer(w http.ResponseWriter, r *http.Request, kind Kind, res Result, err error) {
	var tooBig *http.MaxBytesError
	var inflated *TooLargeError
	var list *ErrorList
	var storeErr *StoreError
	switch {
	case err == nil:
		body := map[string]int64{"rows": res.Read, "loaded": res.Loaded, "duplicates": res.Duplicates}
		for k, v := range map[string]int64{"inferred": res.Inferred, "no_created_at": res.NoCreated, "superseded": res.Superseded} {
			if v > 0 { // deals only: what the store completed of their history
				body[k] = v
			}
		}
		writeJSON(w, http.StatusOK, body)
	case errors.As(err, &tooBig):
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "body larger than " + strconv.FormatInt(tooBig.Limit, 10) + " bytes; split the load"})
	case errors.As(err, &inflated):
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "body larger than " + strconv.FormatInt(inflated.Limit, 10) + " bytes once decompressed; split the load"})
	case errors.Is(err, ErrSlowBody):
		writeJSON(w, http.StatusRequestTimeout, map[string]string{"error": err.Error()})
	case errors.As(err, &list):
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": apiErrors(list), "more": list.More,
			"groups": apiGroups(list), "other_problems": list.OtherProblems})
	case errors.As(err, &storeErr):
		h.storeFailed(w, r, kind, storeErr)
	default:
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []apiError{{Reason: err.Error()}}})
	}
}

// storeFailed answers a storage failure: 503 with Retry-After only when a later try may succeed;
// a value the storage refused is the client's to fix (400), anything else the operator's (500).
func (h *handler) storeFailed(w http.ResponseWriter, r *http.Request, kind Kind, err *StoreError) {
	switch {
	case Transient(err.Err):
		h.cfg.Logger.ErrorContext(r.Context(), "ingest: storage unavailable", "kind", kind, "err", err)
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
	case DataError(err.Err):
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []apiError{{Reason: "storage refused a value: " + err.Err.Error()}}})
	default:
		h.cfg.Logger.ErrorContext(r.Context(), "ingest: storage failed", "kind", kind, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
	}
}

// apiErrors flattens row errors into one entry per field.
func apiErrors(list *ErrorList) []apiError {
	var out []apiError
	for _, e := range list.Errors {
		var re *RowError
		if !errors.As(e, &re) {
			out = append(out, apiError{Reason: e.Error()})
			continue
		}
		if len(re.Fields) == 0 {
			out = append(out, apiError{Row: re.Line, Reason: re.Reason})
		}
		for _, f := range re.Fields {
			out = append(out, apiError{Row: re.Line, Field: f.Field, Value: f.Value, Reason: f.Reason})
		}
	}
	return out
}

// apiGroup is every problem of one field and reason in a rejected request.
type apiGroup struct {
	Field  string   `json:"field,omitempty"`
	Reason string   `json:"reason"`
	Rows   int      `json:"rows"`
	Lines  []int    `json:"lines,omitempty"`
	Values []string `json:"values,omitempty"`
}

// apiGroups lists the problems by field and reason, largest first, with the first rows and values.
func apiGroups(list *ErrorList) []apiGroup {
	out := make([]apiGroup, 0, len(list.Groups))
	for _, g := range list.Groups {
		ag := apiGroup{Field: g.Field, Reason: g.Reason, Rows: g.Rows}
		for i, p := range g.Lines {
			if p.Source == "" {
				continue
			}
			ag.Lines = append(ag.Lines, p.Line)
			if v := g.Values[i]; v != "" && !slices.Contains(ag.Values, v) {
				ag.Values = append(ag.Values, v)
			}
		}
		out = append(out, ag)
	}
	return out
}

// requestFormat maps Content-Type (and Content-Encoding) to an input format.
func requestFormat(r *http.Request) (Format, error) {
	if enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc != "" && enc != "gzip" && enc != "identity" {
		return "", errors.New("Content-Encoding " + enc + " is not supported; send gzip or plain")
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return "", errors.New("Content-Type is required: text/csv, application/x-ndjson or application/json")
	}
	switch mt {
	case "text/csv":
		return FormatCSV, nil
	case "application/x-ndjson", "application/ndjson", "application/jsonl":
		return FormatNDJSON, nil
	case "application/json":
		return FormatJSON, nil
	}
	return "", errors.New("Content-Type " + mt + " is not supported: send text/csv, application/x-ndjson or application/json")
}

// writeJSON answers with a JSON body. A refusal closes the connection, so the server does not
// wait for the rest of a body it will not load (a slow client would hold it until ReadTimeout).
func writeJSON(w http.ResponseWriter, status int, v any) {
	if status >= 400 {
		w.Header().Set("Connection", "close")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
