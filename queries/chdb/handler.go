package chdb

import (
	"bytes"
	"cmp"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// HandlerOptions configures the HTTP interface.
type HandlerOptions struct {
	// User and Password, when Password is set, are required of every request.
	User, Password string
	// MaxQueryBytes bounds a query read from the request body (default 16 MiB);
	// insert data streams without a bound.
	MaxQueryBytes int64
	// Logger receives request errors; nil discards them.
	Logger *slog.Logger
	// Private says only this process reaches the handler (through an
	// in-process listener); any other handler makes the engine Exposed.
	Private bool
}

// handler serves the ClickHouse HTTP interface on an Engine.
type handler struct {
	e    *Engine
	opts HandlerOptions
	log  *slog.Logger
}

// Handler returns an http.Handler that implements the part of the ClickHouse
// HTTP interface that clickhouse-go and Grafana's data source use.
func (e *Engine) Handler(opts HandlerOptions) http.Handler {
	if !opts.Private {
		e.exposed.Store(true)
	}
	if opts.MaxQueryBytes <= 0 {
		opts.MaxQueryBytes = 16 << 20
	}
	if opts.User == "" {
		opts.User = "default"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &handler{e: e, opts: opts, log: log}
}

// Exposed reports whether a handler that is not Private was made: other
// processes may then reach the engine and write to it.
func (e *Engine) Exposed() bool { return e.exposed.Load() }

// reservedParams are URL parameters of the HTTP interface that are not query settings.
var reservedParams = map[string]bool{
	"query": true, "database": true, "default_format": true, "user": true, "password": true,
	"quota_key": true, "query_id": true, "client_protocol_version": true, "compress": true,
	"decompress": true, "enable_http_compression": true, "wait_end_of_query": true,
	"buffer_size": true, "readonly": true, "session_timeout": true, "session_check": true,
}

// ServeHTTP answers one request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/ping":
		io.WriteString(w, "Ok.\n")
		return
	case "/":
	default:
		h.fail(w, r, http.StatusNotFound, &Error{Code: 1000, Message: "Code: 1000. DB::Exception: there is no handler " + r.URL.Path})
		return
	}
	if r.Method == http.MethodGet && r.URL.Query().Get("query") == "" {
		io.WriteString(w, "Ok.\n")
		return
	}
	if err := h.authenticate(r); err != nil {
		h.fail(w, r, http.StatusUnauthorized, err)
		return
	}
	if err := h.serveQuery(w, r); err != nil {
		h.fail(w, r, statusFor(err), err)
	}
}

// authenticate checks the user and password when the handler requires them.
func (h *handler) authenticate(r *http.Request) error {
	if h.opts.Password == "" {
		return nil
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		user, pass = r.Header.Get("X-ClickHouse-User"), r.Header.Get("X-ClickHouse-Key")
	}
	if user == "" {
		user, pass = r.URL.Query().Get("user"), r.URL.Query().Get("password")
	}
	if user == "" {
		user = "default"
	}
	okUser := subtle.ConstantTimeCompare([]byte(user), []byte(h.opts.User)) == 1
	okPass := subtle.ConstantTimeCompare([]byte(pass), []byte(h.opts.Password)) == 1
	if !okUser || !okPass {
		return &Error{Code: 516, Message: "Code: 516. DB::Exception: " + user + ": Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)"}
	}
	return nil
}

// call is one parsed request.
type call struct {
	req       Request
	data      io.Reader // insert data, when the statement is an INSERT ... FORMAT
	readOnly  bool
	revision  uint64
	explicit  bool // the SQL names its own output format
	queryID   string
	gzipReply bool
}

// serveQuery parses, runs and answers one statement.
func (h *handler) serveQuery(w http.ResponseWriter, r *http.Request) error {
	c, err := h.parse(r)
	if err != nil {
		return err
	}
	if c.readOnly {
		if err := h.checkReadOnly(r.Context(), c.req.SQL); err != nil {
			return err
		}
	}
	var res *Result
	if c.data != nil {
		res, err = h.e.Insert(r.Context(), c.req, c.data)
	} else {
		res, err = h.e.Query(r.Context(), c.req)
	}
	if err != nil {
		return err
	}
	return h.reply(w, c, res)
}

// parse reads the statement, its data, database, format, parameters and settings.
func (h *handler) parse(r *http.Request) (*call, error) {
	params := r.URL.Query()
	if params.Get("compress") == "1" || params.Get("decompress") == "1" {
		return nil, &Error{Code: 36, Message: "Code: 36. DB::Exception: ClickHouse-native compression (compress=1/decompress=1) is not supported by the embedded engine; use HTTP compression (Content-Encoding, enable_http_compression=1). (BAD_ARGUMENTS)"}
	}
	if params.Get("session_id") != "" {
		return nil, &Error{Code: 36, Message: "Code: 36. DB::Exception: HTTP sessions (session_id) are not supported by the embedded engine; send settings with each query. (BAD_ARGUMENTS)"}
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return nil, &Error{Code: 36, Message: "Code: 36. DB::Exception: external tables (multipart requests) are not supported by the embedded engine. (BAD_ARGUMENTS)"}
	}
	body, err := decodeBody(r)
	if err != nil {
		return nil, err
	}
	c := &call{
		req: Request{
			Database: cmp.Or(params.Get("database"), r.Header.Get("X-ClickHouse-Database")),
			Format:   cmp.Or(r.Header.Get("X-ClickHouse-Format"), params.Get("default_format"), "TabSeparated"),
			Params:   map[string]string{},
			Settings: map[string]string{},
		},
		readOnly: r.Method == http.MethodGet || isTrue(params.Get("readonly")),
		queryID:  cmp.Or(params.Get("query_id"), rand.Text()),
		gzipReply: params.Get("enable_http_compression") == "1" &&
			strings.Contains(r.Header.Get("Accept-Encoding"), "gzip"),
	}
	c.revision, _ = strconv.ParseUint(params.Get("client_protocol_version"), 10, 64)
	for k, vs := range params {
		switch {
		case strings.HasPrefix(k, "param_"):
			c.req.Params[strings.TrimPrefix(k, "param_")] = vs[0]
		case reservedParams[k], strings.HasPrefix(k, "http_"), k == "session_id":
		default:
			c.req.Settings[k] = vs[0]
		}
	}
	if err := h.splitStatement(c, params.Get("query"), body); err != nil {
		return nil, err
	}
	c.explicit = formatClause.MatchString(c.req.SQL)
	return c, nil
}

// insertFormat finds "INSERT INTO ... FORMAT Name" and the data after it.
var insertFormat = regexp.MustCompile(`(?is)^\s*(INSERT\s+INTO\s+.*?)\s+FORMAT\s+([A-Za-z0-9_]+)[ \t]*\r?\n?`)

// formatClause finds a FORMAT clause that ends a query.
var formatClause = regexp.MustCompile(`(?is)\bFORMAT\s+[A-Za-z0-9_]+\s*;?\s*$`)

// splitStatement decides the SQL text and, for INSERT ... FORMAT, the data stream.
func (h *handler) splitStatement(c *call, urlQuery string, body io.Reader) error {
	if urlQuery == "" {
		text, err := readLimited(body, h.opts.MaxQueryBytes)
		if err != nil {
			return err
		}
		urlQuery, body = text, strings.NewReader("")
	}
	if m := insertFormat.FindStringSubmatchIndex(urlQuery); m != nil {
		c.req.SQL = urlQuery[m[2]:m[3]]
		c.req.Format = urlQuery[m[4]:m[5]]
		c.data = io.MultiReader(strings.NewReader(urlQuery[m[1]:]), body)
		return nil
	}
	rest, err := readLimited(body, h.opts.MaxQueryBytes)
	if err != nil {
		return err
	}
	c.req.SQL = strings.TrimSpace(urlQuery + "\n" + rest)
	if c.req.SQL == "" {
		return &Error{Code: 62, Message: "Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)"}
	}
	return nil
}

// checkReadOnly refuses statements that would change anything.
func (h *handler) checkReadOnly(ctx context.Context, sql string) error {
	class, _, err := h.e.Classify(ctx, sql)
	if err != nil {
		return err
	}
	if class != ClassReadOnly {
		return &Error{Code: 164, Message: "Code: 164. DB::Exception: Cannot execute query in readonly mode: only SELECT, SHOW, DESCRIBE, EXPLAIN, EXISTS and CHECK are allowed here. (READONLY)"}
	}
	return nil
}

// reply writes the result with the headers ClickHouse sends.
func (h *handler) reply(w http.ResponseWriter, c *call, res *Result) error {
	hdr := w.Header()
	hdr.Set("X-ClickHouse-Query-Id", c.queryID)
	hdr.Set("X-ClickHouse-Timezone", "UTC")
	hdr.Set("X-ClickHouse-Server-Display-Name", "salesrecipe-embedded")
	hdr.Set("X-ClickHouse-Summary", summary(res))
	if c.data == nil && !c.explicit {
		hdr.Set("X-ClickHouse-Format", c.req.Format)
		hdr.Set("Content-Type", contentType(c.req.Format))
	}
	data := res.Data
	if c.data == nil && !c.explicit && strings.EqualFold(c.req.Format, "Native") {
		var out bytes.Buffer
		out.Grow(len(res.Data) + len(res.Data)/8) // about the input's size: growing by doubling cost 0.65 s on a 132 MB read
		if err := transcodeNative(&out, res.Data, c.revision); err != nil {
			return err
		}
		data = out.Bytes()
	}
	if c.gzipReply && len(data) > 0 {
		hdr.Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, err := zw.Write(data)
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
		return err
	}
	hdr.Set("Content-Length", strconv.Itoa(len(data)))
	_, err := w.Write(data)
	return err
}

// fail answers with a ClickHouse-style exception.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	var ce *Error
	if !errors.As(err, &ce) {
		ce = newError(err.Error())
	}
	h.log.DebugContext(r.Context(), "clickhouse http error", "code", ce.Code, "err", ce.Message)
	w.Header().Set("X-ClickHouse-Exception-Code", strconv.Itoa(ce.Code))
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "%s\n", ce.Message)
}

// statusFor maps an exception code to the HTTP status ClickHouse uses for it.
func statusFor(err error) int {
	var ce *Error
	if !errors.As(err, &ce) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return http.StatusServiceUnavailable
		}
		return http.StatusInternalServerError
	}
	switch ce.Code {
	case 27, 36, 46, 47, 53, 62, 115, 117, 386, 457, 1001:
		return http.StatusBadRequest
	case 60, 81:
		return http.StatusNotFound
	case 164, 497:
		return http.StatusForbidden
	case 516:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// decodeBody undoes the request's Content-Encoding.
func decodeBody(r *http.Request) (io.Reader, error) {
	switch enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc {
	case "", "identity":
		return r.Body, nil
	case "gzip":
		return gzip.NewReader(r.Body)
	case "deflate":
		return flate.NewReader(r.Body), nil
	case "zstd":
		d, err := zstd.NewReader(r.Body)
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	default:
		return nil, &Error{Code: 36, Message: "Code: 36. DB::Exception: unsupported Content-Encoding " + strconv.Quote(enc) + " (use gzip, deflate or zstd). (BAD_ARGUMENTS)"}
	}
}

// readLimited reads a query text of at most limit bytes.
func readLimited(r io.Reader, limit int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return "", fmt.Errorf("chdb: read request body: %w", err)
	}
	if int64(len(b)) > limit {
		return "", &Error{Code: 1001, Message: fmt.Sprintf("Code: 1001. DB::Exception: query is longer than %d bytes. (QUERY_IS_TOO_LARGE)", limit)}
	}
	return string(b), nil
}

// summary renders X-ClickHouse-Summary.
func summary(res *Result) string {
	b, _ := json.Marshal(map[string]string{
		"read_rows":     strconv.FormatUint(res.RowsRead, 10),
		"read_bytes":    strconv.FormatUint(res.BytesRead, 10),
		"written_rows":  strconv.FormatUint(res.RowsWritten, 10),
		"written_bytes": strconv.FormatUint(res.BytesWritten, 10),
		"elapsed_ns":    strconv.FormatInt(int64(res.Elapsed*1e9), 10),
	})
	return string(b)
}

// contentType returns the MIME type ClickHouse sends for a format.
func contentType(format string) string {
	switch strings.ToLower(format) {
	case "native", "rowbinary", "rowbinarywithnamesandtypes", "parquet", "arrow", "arrowstream":
		return "application/octet-stream"
	case "json", "jsoncompact", "jsoneachrow", "jsonstrings":
		return "application/json; charset=UTF-8"
	case "csv", "csvwithnames":
		return "text/csv; charset=UTF-8; header=present"
	}
	return "text/tab-separated-values; charset=UTF-8"
}

// isTrue reports whether a URL flag is set to a non-zero value.
func isTrue(s string) bool { return s != "" && s != "0" && !strings.EqualFold(s, "false") }
