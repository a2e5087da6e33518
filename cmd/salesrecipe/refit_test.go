package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFitAgainstRunningServeSaysHowToRefit(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(users, []byte(serveUsers), 0o600); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "store")
	addr := freeAddr(t)
	defer startServe(t, addr, "--data", store, "--users", users)()

	_, _, err := runCmd(t, nil, "fit", "--data", store, "--firm", "default")
	var ee exitError
	if !errors.As(err, &ee) || ee.code == 0 {
		t.Fatalf("fit against a held data directory: %v, want a non-zero exit", err)
	}
	for _, want := range []string{"held by a running `serve`", "curl -X POST", `"http://` + addr + `/api/v1/fit?firm=default"`, "Authorization: Bearer"} {
		if !strings.Contains(ee.msg, want) {
			t.Errorf("the message lacks %q:\n%s", want, ee.msg)
		}
	}

	t.Log(ee.msg)

	// The endpoint the hint names answers an admin with 202 and the refit's state.
	for token, code := range map[string]int{"serve-admin-token-0000000": http.StatusAccepted, "serve-metrics-token-00000": http.StatusForbidden, "": http.StatusUnauthorized} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/fit?firm=default", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ Firm, State string }
		err = json.NewDecoder(res.Body).Decode(&got)
		res.Body.Close()
		if res.StatusCode != code {
			t.Errorf("POST /api/v1/fit with token %q: %d, want %d", token, res.StatusCode, code)
		}
		if code == http.StatusAccepted && (err != nil || got.Firm != "default" || (got.State != "queued" && got.State != "running")) {
			t.Errorf("202 body: %+v, %v", got, err)
		}
	}
}

func TestHolderAddr(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"pid", "12:", "salesrecipe", "serve", "--addr", "0.0.0.0:9000"}, "0.0.0.0:9000"},
		{[]string{"salesrecipe", "serve", "-addr=127.0.0.1:81"}, "127.0.0.1:81"},
		{[]string{"salesrecipe", "serve", "--address-book", "x"}, "def:1"},
		{[]string{"salesrecipe", "serve", "--addr"}, "def:1"},
	}
	for _, tt := range tests {
		if got := holderAddr(tt.args, "def:1"); got != tt.want {
			t.Errorf("holderAddr(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestServeRefitsAfterAnAPILoad(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.yaml")
	loader := `  - {name: Loader, token: "serve-ingest-token-000000", role: ingest}` + "\n"
	if err := os.WriteFile(users, []byte(serveUsers+loader), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	defer startServe(t, addr, "--data", filepath.Join(dir, "store"), "--users", users, "--metrics-addr", metricsAddr,
		"--refit-debounce", "1s")()
	// The empty firm has no fit: serve refits it at start, and the refit fails for want of data.
	refits := func(n int) {
		t.Helper()
		want := `salesrecipe_refits_total{firm="default",result="failure"} ` + strconv.Itoa(n) + "\n"
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(waitFor(t, "http://"+metricsAddr+"/metrics", 200), want) {
			if time.Now().After(deadline) {
				t.Fatalf("/metrics never showed %q", want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	refits(1)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/ingest/reps", strings.NewReader("rep_id,name,team\nr1,Ann,East\n"))
	req.Header.Set("Authorization", "Bearer serve-ingest-token-000000")
	req.Header.Set("Content-Type", "text/csv")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("load: %d", res.StatusCode)
	}
	refits(2) // a debounce after the load
}
