package dashboards

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// browserPlan has the rep write their business plan in the rep page's form, with no script of
// the page's own, and the manager find it on the rep's review page.
func browserPlan(t *testing.T, tb *tab) {
	tb.login(t, "rep", "/reps/r0003")
	tb.visit(t, "/reps/r0003", "")
	row, second := `#plan-form tbody tr:first-child `, `#plan-form tbody tr:nth-child(2) `
	tb.do(t,
		chromedp.SendKeys(chromedp.CSS(row+`input[name="account"]`), "Umbrella Corp"),
		chromedp.SendKeys(chromedp.CSS(row+`input[name="amount"]`), "250000"),
		chromedp.SetValue(chromedp.CSS(row+`select[name="close_quarter"]`), "2026-Q3"),
		chromedp.SendKeys(chromedp.CSS(second+`input[name="account"]`), "c000117"), // an account r0003 opened a deal with in March
		chromedp.SendKeys(chromedp.CSS(second+`input[name="amount"]`), "120000"),
		chromedp.SetValue(chromedp.CSS(second+`select[name="close_quarter"]`), "2026-Q2"),
		chromedp.SendKeys(chromedp.CSS(`#plan-form input[name="topic"]`), "Discovery calls"),
		chromedp.SetValue(chromedp.CSS(`#plan-form input[name="date"]`), "2026-04-20"),
		chromedp.SendKeys(chromedp.CSS(`#plan-form textarea[name="goals"]`), "Win Umbrella before summer"),
	)
	tb.screenshot(t, "rep-plan-form.png")
	tb.do(t, chromedp.Click(chromedp.CSS(`#plan-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`#plan-accounts`)))
	if path := eval[string](t, tb, `location.pathname + location.search`); path != "/reps/r0003?period=2026-03" {
		t.Errorf("after saving, the rep is on %s", path)
	}
	if v := eval[string](t, tb, `document.querySelector('#plan-form tbody tr:first-child input[name="account"]').value`); v != "Umbrella Corp" {
		t.Errorf("the form is not filled with the saved plan: first account %q", v)
	}
	tb.capture(t, "rep-plan-edit.png", chromedp.Screenshot(chromedp.CSS(`#plan-edit`)))
	tb.expectClean(t, "/reps/r0003 after saving the plan")
	tb.login(t, "manager", "/review/r0003")
	tb.visit(t, "/review/r0003", "manager-review-plan.png")
	text := eval[string](t, tb, `document.body.innerText`)
	for _, want := range []string{"Umbrella Corp", "250,000", "2026-Q3", "c000117\t2026-Q2\t120,000\t11,250\t45,803", "Ray Rep", "Discovery calls", "Goal: Win Umbrella before summer", "Plan vs actual by month"} {
		if !strings.Contains(text, want) {
			t.Errorf("the manager's review page lacks %q", want)
		}
	}
	if strings.Contains(text, "Save plan") {
		t.Error("the printable review page shows the plan form")
	}
	tb.capture(t, "manager-review-plan-accounts.png", chromedp.Screenshot(chromedp.CSS(`#plan-accounts`)))
	if *updateDocs {
		for from, to := range map[string]string{"rep-plan-edit.png": "dashboard-plan-form.png", "manager-review-plan-accounts.png": "dashboard-plan-review.png"} {
			b, err := os.ReadFile(filepath.Join(screenshotDir(t), from))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("..", "docs", to), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
