package dashboards

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// seededContests are the contests of the route test, by id, and the amounts each role must never read on them.
type seededContests struct {
	teams map[string][]string
	reps  []salesrecipe.Rep
	// amounts are each rep's won revenue, quota and new pipeline in the contests' days, in every form an answer could show them.
	amounts map[string][]string
}

// seedContests stores the route test's contests in the fixture firm: c-east (March, recipe points, East,
// reps see it), c-all (Q1, attainment, East and West, reps see it) and c-hidden (Feb 15 to Mar 15,
// new pipeline, East, reps do not see it).
func seedContests(t *testing.T, f *fixture) *seededContests {
	t.Helper()
	ctx := context.Background()
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cs := []salesrecipe.Contest{
		{ID: "c-east", Name: "East March blitz", Period: "2026-03", From: day("2026-03-01"), To: day("2026-03-31"),
			Metric: salesrecipe.MetricRecipePoints, Teams: []string{"East"}, RepsSee: true},
		{ID: "c-all", Name: "Q1 attainment race", Period: "2026-Q1", From: day("2026-01-01"), To: day("2026-03-31"),
			Metric: salesrecipe.MetricAttainment, Teams: []string{"East", "West"}, RepsSee: true},
		{ID: "c-hidden", Name: "Pipeline sprint", From: day("2026-02-15"), To: day("2026-03-15"),
			Metric: salesrecipe.MetricNewPipeline, Teams: []string{"East"}},
	}
	out := &seededContests{teams: map[string][]string{}, amounts: map[string][]string{}}
	for _, c := range cs {
		c.Firm, c.SavedAt, c.SavedBy = "acme", testNow.Add(-time.Hour), "Ada Admin"
		if err := f.st.SaveContest(ctx, c); err != nil {
			t.Fatal(err)
		}
		out.teams[c.ID] = c.Teams
	}
	reps, err := f.st.Reps(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	out.reps = reps
	add := func(rep string, v float64) {
		if v >= 100 {
			out.amounts[rep] = append(out.amounts[rep], formatMoney(v), strconv.FormatFloat(v, 'f', -1, 64), strconv.FormatFloat(round2(v), 'f', 2, 64))
		}
	}
	for _, c := range cs {
		won, err := f.st.WonRevenue(ctx, "acme", salesrecipe.GrainMonth, c.From, c.Until(), testNow)
		if err != nil {
			t.Fatal(err)
		}
		sums := map[string]float64{}
		for _, w := range won {
			sums[w.RepID] += w.Amount
		}
		qs, err := f.st.Quotas(ctx, "acme", c.From.AddDate(0, -3, 0), c.Until())
		if err != nil {
			t.Fatal(err)
		}
		pipe, err := f.st.NewPipeline(ctx, "acme", c.From, c.Until(), testNow)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pipe {
			add(p.RepID, p.Amount)
		}
		for rep, q := range salesrecipe.ProrateQuotas(qs, c.From, c.Until()) {
			add(rep, q)
		}
		for rep, w := range sums {
			add(rep, w)
		}
	}
	return out
}

// secrets returns what the role must not read on a target: base (the ids and names of the reps the
// role does not see) for other routes. On contest routes the names of the competitors may show, so
// it is the ids of the reps the role does not see, the names of reps outside the contest, and the
// amounts of the reps the role does not see (leaving out amounts equal to one the role sees).
func (sc *seededContests) secrets(role, target string, base []string) []string {
	path, _, _ := strings.Cut(target, "?")
	id, isContest := strings.CutPrefix(strings.TrimPrefix(path, "/api/v1"), "/contests")
	if !isContest {
		return base
	}
	teams := sc.teams[strings.TrimPrefix(id, "/")]
	var out, visible []string
	for _, r := range sc.reps {
		if slices.Contains(base, r.ID) {
			continue
		}
		visible = append(visible, sc.amounts[r.ID]...)
	}
	for _, r := range sc.reps {
		if !slices.Contains(base, r.ID) {
			continue
		}
		out = append(out, r.ID)
		if !slices.Contains(teams, r.Team) {
			out = append(out, r.Name)
		}
		for _, a := range sc.amounts[r.ID] {
			if !slices.Contains(visible, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// board reads a leaderboard from the API as a role.
func board(t *testing.T, f *fixture, role, id string) contestBoard {
	t.Helper()
	res := f.get(t, role, "/api/v1/contests/"+id)
	b := body(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s as %s: %d %s", id, role, res.StatusCode, b)
	}
	var out contestBoard
	if err := json.Unmarshal([]byte(b), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkRecipePoints checks c-east's points on the fitted fixture firm: each rep's activities of the
// contest's days, each at the value per activity /api/v1/recipe shows (none below zero), ranked.
func checkRecipePoints(t *testing.T, f *fixture) {
	var rc struct {
		FittedAt time.Time `json:"fitted_at"`
		Kinds    []struct {
			Kind  string  `json:"kind"`
			Value float64 `json:"value_per_activity"`
		} `json:"kinds"`
	}
	if err := json.Unmarshal([]byte(body(t, f.get(t, "admin", "/api/v1/recipe"))), &rc); err != nil {
		t.Fatal(err)
	}
	values := map[string]float64{}
	for _, k := range rc.Kinds {
		values[k.Kind] = k.Value
	}
	b := board(t, f, "admin", "c-east")
	if b.RecipeFittedAt == nil || !b.RecipeFittedAt.Equal(rc.FittedAt) || len(b.Values) != len(values) {
		t.Fatalf("the contest uses the fit of %v with %d values, /api/v1/recipe the fit of %v with %d", b.RecipeFittedAt, len(b.Values), rc.FittedAt, len(values))
	}
	if len(b.Standings) != 8 {
		t.Fatalf("%d East reps ranked, want 8", len(b.Standings))
	}
	var total uint64
	for i, st := range b.Standings {
		var want float64
		for kind, n := range st.Detail.Activities {
			want += float64(n) * max(values[kind], 0)
			total += n
		}
		if st.Points != math.Round(want) {
			t.Errorf("%s: %v points, want %v from %v", st.Name, st.Points, math.Round(want), st.Detail.Activities)
		}
		if i > 0 && (st.Points > b.Standings[i-1].Points || st.Rank < b.Standings[i-1].Rank) {
			t.Errorf("standing %d (%s, %v points, rank %d) is out of order", i, st.Name, st.Points, st.Rank)
		}
	}
	if total == 0 || b.Standings[0].Points <= 0 {
		t.Errorf("no activity counted in March: %+v", b.Standings)
	}
	rep := board(t, f, "rep", "c-all")
	for _, st := range rep.Standings {
		if (st.Detail != nil) != st.You || (st.You && st.Detail.RepID != "r0003") {
			t.Errorf("the rep sees the detail of %s (you %v)", st.Name, st.You)
		}
	}
	if len(rep.Unranked) != 0 || len(rep.History) != 0 || rep.Contest.CanEdit {
		t.Errorf("the rep sees unranked reps, the history or may edit: %+v", rep)
	}
}

// contestFirm is a small firm with hand-picked numbers for March 2026 (the clock is March 18):
//
//	rep    name        team  quota  won in March          created Mar 1-15 (amount)
//	r0001  Alice East  East  10000  5000 + 2500 = 7500    5000, 2500, 4000 = 11500
//	r0003  Ray Rep     East  20000  15000 (created Feb)   1200
//	r0005  Eve East    East  —      3000                  3000, 1800 = 4800 (900 on Mar 16)
//	r0002  Wes West    West   8000  10000 (created Feb)   —
//
// r0003 also won 4000 in February and r0002 won 6000 on March 25, after the clock (not known yet).
func contestFirm(t *testing.T) *fixture {
	t.Helper()
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 0, 0, 0, time.UTC) }
	load := func(kind queries.Kind, add func(l *queries.Load)) {
		l, err := st.BeginLoad(ctx, kind, "acme")
		if err != nil {
			t.Fatal(err)
		}
		add(l)
		if _, err := l.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	load(queries.KindReps, func(l *queries.Load) {
		for _, r := range []salesrecipe.Rep{{ID: "r0001", Name: "Alice East", Team: "East"}, {ID: "r0003", Name: "Ray Rep", Team: "East"},
			{ID: "r0005", Name: "Eve East", Team: "East"}, {ID: "r0002", Name: "Wes West", Team: "West"}} {
			l.AddRep(r)
		}
	})
	load(queries.KindQuotas, func(l *queries.Load) {
		for rep, amount := range map[string]float64{"r0001": 10000, "r0003": 20000, "r0002": 8000} {
			l.AddQuota(salesrecipe.Quota{RepID: rep, Period: salesrecipe.GrainMonth, PeriodStart: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Amount: amount})
		}
	})
	deal := func(id, rep string, amount float64, created, closed time.Time) []salesrecipe.Deal {
		open := salesrecipe.Deal{ID: id, RepID: rep, AccountID: "a-" + id, Stage: "proposal", Status: salesrecipe.StatusOpen, Amount: amount,
			CreatedAt: created, CloseDate: created.AddDate(0, 1, 0), UpdatedAt: created}
		if closed.IsZero() {
			return []salesrecipe.Deal{open}
		}
		won := open
		won.Stage, won.Status, won.ClosedAt, won.UpdatedAt = "won", salesrecipe.StatusWon, closed, closed
		return []salesrecipe.Deal{open, won}
	}
	none := time.Time{}
	load(queries.KindDeals, func(l *queries.Load) {
		for _, d := range slices.Concat(
			deal("dA", "r0001", 5000, day(3, 2), day(3, 10)), deal("dB", "r0001", 2500, day(3, 5), day(3, 12)), deal("dH", "r0001", 4000, day(3, 6), none),
			deal("dC", "r0003", 15000, day(2, 20), day(3, 11)), deal("dE", "r0003", 1200, day(3, 14), none), deal("dX", "r0003", 4000, day(2, 1), day(2, 25)),
			deal("dF", "r0005", 3000, day(3, 3), day(3, 9)), deal("dI", "r0005", 1800, day(3, 4), none), deal("dG", "r0005", 900, day(3, 16), none),
			deal("dW", "r0002", 10000, day(2, 10), day(3, 4)), deal("dZ", "r0002", 6000, day(2, 11), day(3, 25)),
		) {
			l.AddDeal(d)
		}
	})
	return startFixture(t, st)
}

// send sends a JSON body as a role.
func sendJSON(t *testing.T, f *fixture, role, method, target, payload string) (int, string, http.Header) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(payload))
	r.Header.Set("Content-Type", "application/json")
	if tok, ok := tokens[role]; ok {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	res := f.send(r)
	return res.StatusCode, body(t, res), res.Header
}

func TestContestWritesAndLeaderboards(t *testing.T) {
	f := contestFirm(t)
	writes := []struct {
		name, role, payload string
		want                int
		wantBody            string
	}{
		{"manager, another manager's team", "manager", `{"name": "Race", "period": "2026-03", "metric": "attainment", "teams": ["East", "West"]}`,
			http.StatusForbidden, `teams: value \"West\": not a team you manage (you manage East)`},
		{"rep", "rep", `{"name": "Race", "period": "2026-03", "metric": "attainment", "teams": ["East"]}`, http.StatusForbidden, "only a manager or an admin"},
		{"unknown team", "admin", `{"name": "Race", "period": "2026-03", "metric": "attainment", "teams": ["North"]}`,
			http.StatusBadRequest, `teams: value \"North\": no rep of the firm is in this team`},
		{"period and days", "admin", `{"name": "Race", "period": "2026-03", "from": "2026-03-01", "metric": "attainment", "teams": ["East"]}`,
			http.StatusBadRequest, `period: value \"2026-03\": give either a period or from and to, not both`},
		{"a week", "admin", `{"name": "Race", "period": "2026-W10", "metric": "attainment", "teams": ["East"]}`,
			http.StatusBadRequest, `period: value \"2026-W10\": a week is not a contest period`},
		{"bad day and no name", "admin", `{"from": "2026-02-30", "to": "2026-03-10", "metric": "calls", "teams": ["East"]}`,
			http.StatusBadRequest, `from: value \"2026-02-30\": want a day YYYY-MM-DD between 1971 and 2199; name: required; metric: value \"calls\": want recipe_points, new_pipeline or attainment`},
		{"teams not a list", "admin", `{"name": "Race", "period": "2026-03", "metric": "attainment", "teams": "East"}`, http.StatusBadRequest, `teams: want a []string`},
		{"unknown field", "admin", `{"name": "Race", "quota": 5}`, http.StatusBadRequest, `body: json: unknown field \"quota\"`},
		{"manager creates", "manager", `{"id": "march-pipeline", "name": "Pipeline sprint", "from": "2026-03-01", "to": "2026-03-15", "metric": "new_pipeline", "teams": ["East"], "reps_see": true}`,
			http.StatusCreated, `"created_by": "Max Manager"`},
		{"admin creates", "admin", `{"id": "march-attainment", "name": "March race", "period": "2026-03", "metric": "attainment", "teams": ["East", "West"], "reps_see": true}`,
			http.StatusCreated, `"from": "2026-03-01"`},
		{"admin creates a recipe contest", "admin", `{"id": "march-recipe", "name": "Recipe", "period": "2026-03", "metric": "recipe_points", "teams": ["West"]}`,
			http.StatusCreated, `"to": "2026-03-31"`},
		{"west manager cannot see an East contest", "west-manager", `{"id": "march-pipeline", "name": "Mine", "period": "2026-03", "metric": "new_pipeline", "teams": ["West"]}`,
			http.StatusNotFound, "not found"},
		{"manager cannot change a contest of two teams", "manager", `{"id": "march-attainment", "name": "Mine", "period": "2026-03", "metric": "attainment", "teams": ["East"]}`,
			http.StatusForbidden, "only an admin or a manager of all its teams (East, West)"},
		{"manager changes their contest", "manager", `{"id": "march-pipeline", "name": "Pipeline sprint, first half", "from": "2026-03-01", "to": "2026-03-15", "metric": "new_pipeline", "teams": ["East"], "reps_see": true}`,
			http.StatusOK, `"versions": 2`},
	}
	for _, tt := range writes {
		t.Run(tt.name, func(t *testing.T) {
			code, got, h := sendJSON(t, f, tt.role, "POST", "/api/v1/contests", tt.payload)
			if code != tt.want || !strings.Contains(got, tt.wantBody) {
				t.Fatalf("status %d, want %d with %s:\n%s", code, tt.want, tt.wantBody, got)
			}
			if code == http.StatusCreated && !strings.HasPrefix(h.Get("Location"), "/api/v1/contests/march-") {
				t.Errorf("Location %q", h.Get("Location"))
			}
		})
	}
	f.clock.Add(time.Minute)

	t.Run("attainment as admin", func(t *testing.T) {
		b := board(t, f, "admin", "march-attainment")
		want := []standing{
			{Rank: 1, Name: "Wes West", Points: 125, Detail: &standingDetail{RepID: "r0002", Team: "West", Won: ptr(10000.0), Quota: ptr(8000.0), Attainment: ptr(1.25)}},
			{Rank: 2, Name: "Alice East", Points: 75, Detail: &standingDetail{RepID: "r0001", Team: "East", Won: ptr(7500.0), Quota: ptr(10000.0), Attainment: ptr(0.75)}},
			{Rank: 2, Name: "Ray Rep", Points: 75, Detail: &standingDetail{RepID: "r0003", Team: "East", Won: ptr(15000.0), Quota: ptr(20000.0), Attainment: ptr(0.75)}},
		}
		if !reflect.DeepEqual(b.Standings, want) {
			t.Errorf("standings:\n got %s\nwant %s", jsonOf(t, b.Standings), jsonOf(t, want))
		}
		if len(b.Unranked) != 1 || b.Unranked[0].RepID != "r0005" || b.Unranked[0].Reason != "no quota in the contest's days" {
			t.Errorf("unranked: %+v", b.Unranked)
		}
	})
	t.Run("attainment as rep", func(t *testing.T) {
		res := f.get(t, "rep", "/api/v1/contests/march-attainment")
		raw := body(t, res)
		var b contestBoard
		if err := json.Unmarshal([]byte(raw), &b); err != nil {
			t.Fatal(err)
		}
		want := []standing{{Rank: 1, Name: "Wes West", Points: 125}, {Rank: 2, Name: "Alice East", Points: 75},
			{Rank: 2, Name: "Ray Rep", Points: 75, You: true, Detail: &standingDetail{RepID: "r0003", Team: "East", Won: ptr(15000.0), Quota: ptr(20000.0), Attainment: ptr(0.75)}}}
		if !reflect.DeepEqual(b.Standings, want) || b.Unranked != nil || b.History != nil {
			t.Errorf("the rep's board:\n%s", raw)
		}
		page := body(t, f.get(t, "rep", "/contests/march-attainment"))
		for _, doc := range []string{raw, page} {
			// Others' won revenue and quotas, and the rep without a quota.
			checkNoLeak(t, "march-attainment", doc, []string{"10000", "10,000", "7500", "7,500", "8000", "8,000", "3000", "3,000", "Eve East", "r0002", "r0001", "r0005"})
		}
		if !strings.Contains(page, "Your rank") || !strings.Contains(page, "#2") || strings.Contains(page, "Quota") {
			t.Errorf("the rep's page:\n%.3000s", page)
		}
	})
	t.Run("new pipeline as manager and west manager", func(t *testing.T) {
		b := board(t, f, "manager", "march-pipeline")
		var got []string
		for _, st := range b.Standings {
			got = append(got, st.Name+" "+strconv.Itoa(st.Rank)+" "+strconv.FormatFloat(st.Points, 'f', -1, 64)+" "+strconv.FormatUint(*st.Detail.NewDeals, 10))
		}
		if want := []string{"Alice East 1 11500 3", "Eve East 2 4800 2", "Ray Rep 3 1200 1"}; !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		if len(b.History) != 2 || b.History[0].Name != "Pipeline sprint" || b.History[1].SavedBy != "Max Manager" || !b.Contest.CanEdit {
			t.Errorf("history %+v, can edit %v", b.History, b.Contest.CanEdit)
		}
		if code, _, _ := sendJSON(t, f, "west-manager", "GET", "/api/v1/contests/march-pipeline", ""); code != http.StatusNotFound {
			t.Errorf("the West manager reads an East contest: %d", code)
		}
	})
	t.Run("recipe points without a fit", func(t *testing.T) {
		b := board(t, f, "admin", "march-recipe")
		if len(b.Standings) != 0 || len(b.Unranked) != 1 || !strings.Contains(b.Note, "No recipe was fitted") {
			t.Errorf("%+v", b)
		}
	})
	t.Run("lists", func(t *testing.T) {
		ids := func(role string) []string {
			var out struct{ Contests []contestView }
			if err := json.Unmarshal([]byte(body(t, f.get(t, role, "/api/v1/contests"))), &out); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range out.Contests {
				ids = append(ids, c.ID)
			}
			slices.Sort(ids)
			return ids
		}
		for role, want := range map[string][]string{
			"admin": {"march-attainment", "march-pipeline", "march-recipe"}, "manager": {"march-attainment", "march-pipeline"},
			"west-manager": {"march-attainment", "march-recipe"}, "rep": {"march-attainment", "march-pipeline"}, "other-firm": nil,
		} {
			if got := ids(role); !reflect.DeepEqual(got, want) {
				t.Errorf("%s sees %v, want %v", role, got, want)
			}
		}
	})
	t.Run("a contest not started yet", func(t *testing.T) {
		payload := `{"id": "april", "name": "April", "period": "2026-04", "metric": "new_pipeline", "teams": ["West"]}`
		if code, got, _ := sendJSON(t, f, "west-manager", "POST", "/api/v1/contests", payload); code != http.StatusCreated {
			t.Fatalf("%d %s", code, got)
		}
		b := board(t, f, "west-manager", "april")
		if b.Note != "The contest starts on 2026-04-01: points count from then." || len(b.Standings) != 1 || b.Standings[0].Points != 0 {
			t.Errorf("%+v", b)
		}
	})
	t.Run("form with and without CSRF", func(t *testing.T) {
		ses := signIn(t, f, "manager")
		page := httptest.NewRequest("GET", "/contests", nil)
		page.AddCookie(ses)
		m := csrfField.FindAllStringSubmatch(body(t, f.send(page)), -1)
		if len(m) != 2 { // the log-out form's and the contest form's
			t.Fatalf("%d CSRF fields on the manager's contests page", len(m))
		}
		form := url.Values{"name": {"Form race"}, "period": {"2026-Q1"}, "metric": {"attainment"}, "teams": {"East"}, "reps_see": {"on"}}
		withSession := func(r *http.Request) { r.AddCookie(ses) }
		if res := f.post("/contests", form, withSession); res.StatusCode != http.StatusForbidden {
			t.Errorf("without its CSRF token: %d", res.StatusCode)
		}
		form.Set("csrf", m[1][1])
		res := f.post("/contests", form, withSession)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/contests/c-") {
			t.Fatalf("with its CSRF token: %d %s", res.StatusCode, loc)
		}
		form.Set("teams", "West")
		res = f.post("/contests", form, withSession)
		if b := body(t, res); res.StatusCode != http.StatusForbidden || !strings.Contains(b, "not a team you manage") {
			t.Errorf("another manager's team through the form: %d", res.StatusCode)
		}
		form.Set("teams", "East")
		form.Set("period", "March")
		res = f.post("/contests", form, withSession)
		if b := body(t, res); res.StatusCode != http.StatusBadRequest || !strings.Contains(b, "period: value &#34;March&#34;: want a month") ||
			!strings.Contains(b, `value="Form race"`) {
			t.Errorf("a bad period through the form: %d\n%.3000s", res.StatusCode, b)
		}
	})
}

// jsonOf renders v for a failure message.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRankContest(t *testing.T) {
	reps := []salesrecipe.Rep{{ID: "a", Name: "Ann", Team: "East"}, {ID: "b", Name: "Bob", Team: "East"}, {ID: "c", Name: "Cid", Team: "East"},
		{ID: "d", Name: "Dee", Team: "East"}, {ID: "w", Name: "Wim", Team: "West"}}
	c := salesrecipe.Contest{Metric: salesrecipe.MetricRecipePoints, Teams: []string{"East"}}
	// A meeting is worth 250, a call 40, an e-mail 0.5 and a "ping" less than nothing.
	d := contestData{values: map[string]float64{"meeting": 250, "call": 40, "email": 0.5, "ping": -3}, activities: map[string]map[string]uint64{
		"a": {"meeting": 2, "call": 5},    // 500 + 200 = 700
		"b": {"email": 1000, "ping": 500}, // 500 + 0 = 500: a thousand e-mails earn less than two meetings
		"c": {"call": 12, "unknown": 50},  // 480; a kind the recipe does not know earns nothing
		"d": {"meeting": 1, "email": 901}, // 250 + 450.5 = 700.5, shown as 701
		"w": {"meeting": 10},              // West is not in the contest
	}}
	got := rankContest(c, reps, d)
	var lines []string
	for _, sc := range got {
		lines = append(lines, sc.rep.ID+" "+strconv.Itoa(sc.rank)+" "+strconv.FormatFloat(sc.points, 'f', -1, 64))
	}
	if want := []string{"d 1 701", "a 2 700", "b 3 500", "c 4 480"}; !reflect.DeepEqual(lines, want) {
		t.Errorf("recipe points: %q, want %q", lines, want)
	}

	c.Metric = salesrecipe.MetricAttainment
	d = contestData{won: map[string]float64{"a": 900, "b": 1795, "c": 50, "d": 100}, quota: map[string]float64{"a": 1000, "b": 2000, "c": 0}}
	lines = nil
	for _, sc := range rankContest(c, reps, d) {
		lines = append(lines, sc.rep.ID+" "+strconv.Itoa(sc.rank)+" "+strconv.FormatFloat(sc.points, 'f', -1, 64)+" "+strconv.FormatBool(sc.ranked))
	}
	// 90% and 89.75% (shown as 90%) share rank 1; c and d have no quota.
	if want := []string{"a 1 90 true", "b 1 90 true", "c 0 0 false", "d 0 0 false"}; !reflect.DeepEqual(lines, want) {
		t.Errorf("attainment: %q, want %q", lines, want)
	}
}

func TestContestInput(t *testing.T) {
	tests := []struct {
		in       contestInput
		from, to string
		period   string
		err      string
	}{
		{contestInput{Period: "2026-q2"}, "2026-04-01", "2026-06-30", "2026-Q2", ""},
		{contestInput{Period: "2028-02"}, "2028-02-01", "2028-02-29", "2028-02", ""},
		{contestInput{From: "2026-03-10", To: "2026-03-20"}, "2026-03-10", "2026-03-20", "", ""},
		{contestInput{From: "1900-01-01", To: "2026-13-01"}, "", "", "",
			`from: value "1900-01-01": want a day YYYY-MM-DD between 1971 and 2199; to: value "2026-13-01": want a day YYYY-MM-DD between 1971 and 2199`},
		{contestInput{Period: "Q2"}, "", "", "", `period: value "Q2": want a month (2026-03) or a quarter (2026-Q2)`},
	}
	for _, tt := range tests {
		c, err := tt.in.contest("acme")
		if msg := errText(err); msg != tt.err {
			t.Errorf("%+v: error %q, want %q", tt.in, msg, tt.err)
			continue
		}
		if err == nil && (c.From.Format(time.DateOnly) != tt.from || c.To.Format(time.DateOnly) != tt.to || c.Period != tt.period) {
			t.Errorf("%+v: %s to %s (%s)", tt.in, c.From, c.To, c.Period)
		}
	}
}

// errText is an error's text, empty for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// browseContest has the manager create a contest in the browser and the rep see its leaderboard.
func browseContest(t *testing.T, tb *tab) {
	tb.login(t, "manager", "/contests")
	tb.open(t, "/contests")
	tb.do(t,
		chromedp.SetValue(chromedp.CSS(`form.contest input[name="name"]`), "Browser blitz"),
		chromedp.SetValue(chromedp.CSS(`form.contest input[name="period"]`), "2026-03"),
		chromedp.SetValue(chromedp.CSS(`form.contest select[name="metric"]`), "recipe_points"),
		chromedp.Click(chromedp.CSS(`form.contest input[name="teams"][value="East"]`)),
		chromedp.Click(chromedp.CSS(`form.contest button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#standings`)),
	)
	path := eval[string](t, tb, `location.pathname`)
	if !strings.HasPrefix(path, "/contests/c-") || !strings.Contains(eval[string](t, tb, `document.querySelector("h1").innerText`), "Browser blitz") {
		t.Fatalf("after creating the contest the manager is on %s", path)
	}
	if n := eval[int](t, tb, `document.querySelectorAll("#table-standings tbody tr").length`); n != 8 {
		t.Errorf("the manager's leaderboard has %d rows, want the 8 East reps", n)
	}
	tb.screenshot(t, "manager-contest.png")
	tb.capture(t, "manager-contest-standings.png", chromedp.Screenshot(chromedp.CSS(`#standings`)))
	tb.expectClean(t, path)

	tb.login(t, "rep", path)
	tb.visit(t, path, "rep-contest.png")
	text := eval[string](t, tb, `document.querySelector("main").innerText`)
	if !strings.Contains(text, "Your rank") || strings.Contains(text, "Change this contest") {
		t.Errorf("the rep's leaderboard:\n%.2000s", text)
	}
	if cols := eval[[]string](t, tb, `Array.from(document.querySelectorAll("#table-standings th")).map(function (th) { return th.innerText; })`); !reflect.DeepEqual(cols, []string{"Rank", "Rep", "Points"}) {
		t.Errorf("the rep's leaderboard has columns %q, want Rank, Rep, Points", cols)
	}
}
