package model

// KindZ returns each kind's significance statistic on p as Fit computes it, the reps behind it and the bar it
// must clear (for measuring the test's false-positive rate on firms whose truth is known).
func KindZ(p *Panel) ([]float64, float64, int, error) {
	o, err := Options{}.withDefaults(p.Periods)
	if err != nil {
		return nil, 0, 0, err
	}
	d := newDesign(p, o.window(p.Periods))
	ls, err := d.newLagSelector()
	if err != nil {
		return nil, 0, 0, err
	}
	depths, err := ls.depths(o.Workers)
	if err != nil {
		return nil, 0, 0, err
	}
	depth := 0
	for _, x := range depths {
		depth = max(depth, x)
	}
	zs, g := d.kindZ(min(d.W, depth+1))
	return zs, keepT(g), min(d.W, depth+1), nil
}
