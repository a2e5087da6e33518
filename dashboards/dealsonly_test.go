package dashboards

import (
	"net/http"
	"strings"
	"testing"

	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/ingest"
)

// TestDealsOnlyFirmPages serves a firm loaded without its activities: every page answers, the Recipe
// page names the recipe's input (new opportunities derived from the deals) and the Team and Rep pages say so.
func TestDealsOnlyFirmPages(t *testing.T) {
	if raceEnabled {
		t.Skip("one request at a time: the answers, not concurrency; make test runs it without the race detector")
	}
	f := newFixtureOf(t, ingest.KindReps, ingest.KindQuotas, ingest.KindStages, ingest.KindDeals)
	f.fit(t, testNow)
	for _, target := range []string{"/team", "/reps/r0003", "/pipeline", "/review", "/api/v1/forecast", "/api/v1/recipe", "/recipe"} {
		res := f.get(t, "admin", target)
		b := body(t, res)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", target, res.StatusCode, b)
		}
		switch target {
		case "/recipe":
			if !strings.Contains(b, "input is "+forecast.NewOpportunityKind) || !strings.Contains(b, "no activity rows") {
				t.Errorf("the Recipe page does not say the recipe's input:\n%s", b)
			}
		case "/team", "/reps/r0003":
			if !strings.Contains(b, "no activity rows") {
				t.Errorf("%s does not say the recipe's input:\n%s", target, b)
			}
		}
	}
}
