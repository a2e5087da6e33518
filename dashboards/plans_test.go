package dashboards

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// putPlan saves a plan of a rep as a role through the API and decodes the answer.
func putPlan(t *testing.T, f *fixture, role, rep, from, payload string) (*http.Response, PlanAnswer, string) {
	t.Helper()
	res := f.get(t, role, "PUT /api/v1/plans/"+rep+"?from="+from+" "+payload)
	b := body(t, res)
	var a PlanAnswer
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(b), &a); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
	return res, a, b
}

// marchDeals returns r0003's deals created in March 2026 up to the test clock, by account id.
func marchDeals(t *testing.T, f *fixture) map[string]float64 {
	t.Helper()
	deals, err := f.st.RepDealsAsOf(context.Background(), "acme", "r0003", testNow)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, d := range deals {
		if d.AccountID != "" && !d.CreatedAt.Before(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) && !d.CreatedAt.After(testNow) {
			out[d.AccountID] += d.Amount
		}
	}
	return out
}

func TestPlans(t *testing.T) {
	f := newFixture(t)
	f.fit(t, testNow.Add(-24*time.Hour))
	created := marchDeals(t, f)
	var account string
	for a := range created {
		account = max(account, a)
	}
	if account == "" {
		t.Fatal("the test rep created no deal with an account in March")
	}
	kind := "call"
	plan := func(amount string, perMonth int) string {
		return `{"accounts":[{"account":"` + strings.ToUpper(account) + `","amount":` + amount + `,"close_quarter":"2026-Q3"}],` +
			`"objectives":[{"kind":"` + kind + `","per_month":` + strings.Repeat("9", perMonth) + `}],"training":[{"topic":"Negotiation","date":"2026-04-15","owner":"Max"}],"goals":["Mentor a new rep"]}`
	}

	t.Run("versions, target and tracking", func(t *testing.T) {
		res, first, b := putPlan(t, f, "rep", "r0003", "2026-03", plan("90000000", 3))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("PUT: %d %s", res.StatusCode, b)
		}
		if first.Quota == nil || *first.Quota <= 0 || first.TargetPipeline == nil || math.Abs(*first.TargetPipeline-3**first.Quota) > 0.01 {
			t.Errorf("quota %v, target %v: want a quota and 3x it", first.Quota, first.TargetPipeline)
		}
		if len(first.SuggestedObjectives) == 0 {
			t.Error("no objectives suggested from the recipe")
		}
		for _, a := range first.Tracking.Activities {
			if a.Value != nil {
				kind = a.Kind // a kind the recipe values, so its shortfall has a cost
			}
		}
		_, second, _ := putPlan(t, f, "manager", "r0003", "2026-03", plan("95000000", 4))
		if len(second.History) != 2 || second.Plan == nil || second.Plan.SavedBy != "Max Manager" || second.Plan.PlannedPipeline() != 95000000 ||
			second.History[1].SavedBy != "Ray Rep" {
			t.Fatalf("after the manager's save: plan %+v, %d versions", second.Plan, len(second.History))
		}
		if second.Plan.Months != DefaultPlanMonths || second.Plan.Multiple != DefaultPlanMultiple || !second.Plan.From.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("plan rules: %d months, %gx, from %s", second.Plan.Months, second.Plan.Multiple, second.Plan.From)
		}
		tr := second.Tracking
		if tr == nil || len(tr.Months) != 1 || len(tr.Accounts) != 1 {
			t.Fatalf("tracking: %+v", tr)
		}
		elapsed := float64(testNow.Sub(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))) / float64(31*24*time.Hour)
		if math.Abs(tr.Months[0].Elapsed-elapsed) > 1e-4 {
			t.Errorf("March elapsed %v, want %v", tr.Months[0].Elapsed, elapsed)
		}
		if a := tr.Accounts[0]; math.Abs(a.Created-created[account]) > 0.01 || math.Abs(a.DueToDate-95000000*elapsed/6) > 1 {
			t.Errorf("account %s (planned upper-cased): created %v, due %v; want created %v (case ignored), due %v", account, a.Created, a.DueToDate, created[account], 95000000*elapsed/6)
		}
		obj := activityOf(tr.Activities, kind)
		if obj.Objective != math.Round(9999*elapsed*10)/10 || obj.Shortfall <= 0 || obj.Value == nil || obj.Cost <= 0 {
			t.Errorf("%s: %+v, want an objective of 9999 x %.3f, a shortfall and its cost", kind, obj, elapsed)
		}
		cost := 0.0
		for _, a := range tr.Activities {
			if a.Value != nil && math.Abs(a.Cost-a.Shortfall**a.Value) > 0.05**a.Value+0.005*a.Shortfall+0.01 { // both rounded for the answer
				t.Errorf("%s: cost %v is not shortfall %v x value %v", a.Kind, a.Cost, a.Shortfall, *a.Value)
			}
			cost += a.Cost
		}
		if math.Abs(cost-tr.GapCost) > 0.05 {
			t.Errorf("gap cost %v, the kinds' costs sum to %v", tr.GapCost, cost)
		}
		var covering PlanAnswer
		if err := json.Unmarshal([]byte(body(t, f.get(t, "admin", "/api/v1/plans/r0003?period=2026-05"))), &covering); err != nil ||
			covering.From != "2026-03" || covering.Plan == nil {
			t.Errorf("without from, May's plan: from %q, plan %v, %v; want March's", covering.From, covering.Plan, err)
		}
		got := f.get(t, "west-manager", "/api/v1/plans/r0003?from=2026-03")
		if got.StatusCode != http.StatusNotFound {
			t.Errorf("another team's manager reads the plan: %d", got.StatusCode)
		}
	})

	t.Run("pages show the plan", func(t *testing.T) {
		for _, path := range []string{"/reps/r0003", "/review/r0003"} {
			b := body(t, f.get(t, "manager", path))
			for _, want := range []string{`id="plan-accounts"`, strings.ToUpper(account), "Max Manager", "Mentor a new rep", `id="plan-activity"`} {
				if !strings.Contains(b, want) {
					t.Errorf("%s lacks %q", path, want)
				}
			}
			if hasForm := strings.Contains(b, `id="plan-form"`); hasForm != (path == "/reps/r0003") {
				t.Errorf("%s: plan form shown %v", path, hasForm)
			}
		}
		if b := body(t, f.get(t, "rep", "/reps/r0003?period=2026-01")); !strings.Contains(b, "No business plan covers 2026-01") || !strings.Contains(b, `name="per_month"`) {
			t.Error("a month without a plan offers no empty form")
		}
	})

	t.Run("bad input", func(t *testing.T) {
		tests := []struct{ name, from, body, want string }{
			{"empty body", "2026-03", "", "body: empty; send the plan as JSON"},
			{"not JSON", "2026-03", "accounts", "body: invalid character 'a' looking for beginning of value"},
			{"unknown field", "2026-03", `{"acounts":[]}`, `body: unknown field "acounts"`},
			{"amount as text", "2026-03", `{"accounts":[{"account":"a","amount":"many","close_quarter":"2026-Q3"}]}`, "body: field accounts.amount: want a float64, not a JSON string"},
			{"two values", "2026-03", `{} {}`, "body: more than one JSON value"},
			{"from a quarter", "2026-Q3", plan("90000000", 1), `from: value "2026-Q3": want a month YYYY-MM`},
			{"from malformed", "July", plan("90000000", 1), `from: value "July": want YYYY-MM, YYYY-Qn or YYYY-Wnn`},
			{"account unnamed", "2026-03", `{"accounts":[{"account":"","amount":90000000,"close_quarter":"2026-Q3"}]}`, "accounts[0].account: required"},
			{"close before the plan", "2026-03", `{"accounts":[{"account":"a","amount":90000000,"close_quarter":"2025-Q4"}]}`,
				`accounts[0].close_quarter: value "2025-Q4": before the plan's first quarter 2026-Q1`},
			{"below the multiple", "2026-03", plan("1000", 1), `accounts: value "1,000": the planned pipeline must reach 3.0× the quota of the plan's months`},
			{"fractional objective", "2026-03", `{"accounts":[{"account":"a","amount":90000000,"close_quarter":"2026-Q3"}],"objectives":[{"kind":"call","per_month":1.5}]}`,
				`objectives[0].per_month: value "1.5": want a whole number of activities`},
			{"bad training date", "2026-03", `{"accounts":[{"account":"a","amount":90000000,"close_quarter":"2026-Q3"}],"training":[{"topic":"x","date":"soon"}]}`,
				`training[0].date: value "soon": want a date YYYY-MM-DD`},
		}
		for _, tt := range tests {
			res, _, b := putPlan(t, f, "rep", "r0003", tt.from, tt.body)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(b, jsonString(tt.want)) {
				t.Errorf("%s: %d %s\nwant 400 with %s", tt.name, res.StatusCode, b, tt.want)
			}
		}
		res := f.get(t, "rep", "POST /reps/r0003/plan?from=2026-03 account=a&amount=lots&close_quarter=2026-Q3")
		if b := body(t, res); res.StatusCode != http.StatusBadRequest || !strings.Contains(b, "accounts[0].amount: value &#34;lots&#34;: not a number") {
			t.Errorf("form with a bad amount: %d %s", res.StatusCode, b)
		}
	})

	t.Run("a browser session needs its CSRF token", func(t *testing.T) {
		ses := signIn(t, f, "rep")
		page := httptest.NewRequest("GET", "/reps/r0003", nil)
		page.AddCookie(ses)
		b := body(t, f.send(page))
		if !strings.Contains(b, `form="plan-form"`) {
			t.Fatal("the rep page gives the plan form no CSRF token")
		}
		token := csrfField.FindStringSubmatch(b)[1]
		put := func(header string) int {
			r := httptest.NewRequest("PUT", "/api/v1/plans/r0003?from=2026-03", strings.NewReader(plan("90000000", 2)))
			r.Header.Set("Content-Type", "application/json")
			if header != "" {
				r.Header.Set("X-CSRF-Token", header)
			}
			r.AddCookie(ses)
			return f.send(r).StatusCode
		}
		if code := put(""); code != http.StatusForbidden {
			t.Errorf("PUT without a CSRF token: %d", code)
		}
		if code := put(token); code != http.StatusOK {
			t.Errorf("PUT with the CSRF token: %d", code)
		}
		form := url.Values{"csrf": {token}, "from": {"2026-04"}, "account": {"a"}, "amount": {"90000000"}, "close_quarter": {"2026-Q3"}}
		r := httptest.NewRequest("POST", "/reps/r0003/plan", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(ses)
		if res := f.send(r); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/reps/r0003?period=2026-04#plan" {
			t.Errorf("form with the CSRF token: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		proxied := httptest.NewRequest("PUT", "/api/v1/plans/r0003?from=2026-03", strings.NewReader(plan("90000000", 2)))
		proxied.RemoteAddr, proxied.Header["X-Forwarded-Email"] = proxyAddr, []string{"ray@acme.test"}
		if res := f.send(proxied); res.StatusCode != http.StatusForbidden {
			t.Errorf("PUT by a proxy-signed-in user without a bearer token: %d", res.StatusCode)
		}
	})
}

// jsonString is s as it appears inside a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

func TestPlanFormInput(t *testing.T) {
	f := url.Values{
		"account": {" Initech ", "", "Globex"}, "amount": {"1,200.50", "", "300"}, "close_quarter": {"2026-Q3", "", "2026-Q4"},
		"kind": {"call", ""}, "per_month": {"40", ""},
		"topic": {"Negotiation", ""}, "date": {"2026-08-01", ""}, "owner": {"", ""},
		"goals": {"Run a marathon\r\n\r\n  Mentor a rep  \n"},
	}
	in, err := planFormInput(f)
	if err != nil {
		t.Fatal(err)
	}
	want := planInput{
		Accounts:   []salesrecipe.PlanAccount{{Account: "Initech", Amount: 1200.5, CloseQuarter: "2026-Q3"}, {Account: "Globex", Amount: 300, CloseQuarter: "2026-Q4"}},
		Objectives: []salesrecipe.PlanObjective{{Kind: "call", PerMonth: 40}},
		Training:   []salesrecipe.PlanTraining{{Topic: "Negotiation", Date: "2026-08-01"}},
		Goals:      []string{"Run a marathon", "Mentor a rep"},
	}
	gotJSON, _ := json.Marshal(in)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("planFormInput =\n%s\nwant\n%s", gotJSON, wantJSON)
	}
	f.Set("per_month", "x")
	if _, err := planFormInput(f); err == nil || err.Error() != `objectives[0].per_month: value "x": not a number` {
		t.Errorf("a bad count: %v", err)
	}
}
