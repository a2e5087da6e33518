package dashboards

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// The files served from /assets/: ECharts (fetched by assets/fetch-echarts.sh,
// sha256-checked), the page script and the style sheet. Nothing is loaded from
// any other host.
//
//go:embed assets/echarts.min.js assets/app.js assets/app.css assets/favicon.svg
var assetFiles embed.FS

// asset is one embedded file with its gzip form and ETag.
type asset struct {
	body, gz []byte
	ctype    string
	etag     string
}

// assetSet is every embedded asset by file name.
type assetSet struct {
	files map[string]*asset
}

// loadAssets reads and compresses the embedded assets once.
func loadAssets() (*assetSet, error) {
	entries, err := assetFiles.ReadDir("assets")
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	set := &assetSet{files: map[string]*asset{}}
	for _, e := range entries {
		body, err := assetFiles.ReadFile("assets/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("assets: %w", err)
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		if _, err := zw.Write(body); err != nil {
			return nil, fmt.Errorf("assets: gzip %s: %w", e.Name(), err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("assets: gzip %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(body)
		set.files[e.Name()] = &asset{body: body, gz: gz.Bytes(), etag: `"` + hex.EncodeToString(sum[:12]) + `"`,
			ctype: mime.TypeByExtension(path.Ext(e.Name()))}
	}
	return set, nil
}

// serveAsset serves an embedded file, gzipped when the client accepts it.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets.files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", a.etag)
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		body = a.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
