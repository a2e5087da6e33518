package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

const (
	repsHeader   = "rep_id,name,email,team,manager_id"
	quotasHeader = "rep_id,period_start,period,amount"
	stagesHeader = "stage,position,probability,category"
	shortfallX   = 3 // quota multiple of ShortfallRep in the current period
)

// setQuotas gives every rep their team's quota: the stretched expected revenue of an average rep.
func (f *firm) setQuotas(rng *rand.Rand, cfg Config, reps []rep) {
	const workdaysPerMonth = 261.0 / 12
	expected := 0.0
	for _, k := range f.kinds {
		expected += cfg.ActivitiesPerDay * k.share * workdaysPerMonth * k.value
	}
	for i := range reps {
		expected += f.baselinePerMonth(&reps[i]) / float64(len(reps))
	}
	teams := map[string]float64{}
	for i := range reps {
		if _, ok := teams[reps[i].team]; !ok {
			teams[reps[i].team] = math.Max(500, math.Round(f.stretch*expected*uniform(rng, 0.9, 1.1)/500)*500)
		}
		reps[i].quota = teams[reps[i].team]
	}
}

// quota is the rep's quota for month m: ramped for new hires, raised for the planted shortfall.
func (g *generator) quota(r *rep, m int) float64 {
	q := r.quota * r.ramp(m)
	if g.cfg.Shortfall && r == &g.reps[0] && m == g.cal.hist-1 {
		q *= shortfallX
	}
	return q
}

func (g *generator) periodStart(m int) time.Time {
	return time.Unix(g.cal.months[m].first, 0).UTC()
}

func writeHeader(s *sink, header string) {
	s.buf = append(s.buf, header...)
	s.endRow()
}

func (g *generator) writeReps(s *sink) {
	writeHeader(s, repsHeader)
	for i := range g.reps {
		r := &g.reps[i]
		s.buf = append(s.buf, r.id+","+r.name+","+r.email+","+r.team+","+r.manager...)
		s.endRow()
		g.rows.Reps++
	}
}

func (g *generator) writeStages(s *sink) {
	writeHeader(s, stagesHeader)
	names, cats := stageNames(), stageCategories()
	for i := range nStages {
		s.buf = append(s.buf, names[i]+","+strconv.Itoa(i+1)+","...)
		s.buf = appendProb(s.buf, g.firm.fileProb[i])
		s.buf = append(s.buf, ","+cats[i]...)
		s.endRow()
		g.rows.Stages++
	}
}

func (g *generator) writeQuotas(s *sink) {
	writeHeader(s, quotasHeader)
	for i := range g.reps {
		r := &g.reps[i]
		for m := r.join; m < r.leave; m++ {
			s.buf = append(s.buf, r.id...)
			s.buf = append(s.buf, ',')
			s.buf = appendDate(s.buf, g.cal.months[m].first)
			s.buf = append(s.buf, ",month,"...)
			s.buf = appendCents(s.buf, int64(math.Round(g.quota(r, m)*100)))
			s.endRow()
			g.rows.Quotas++
		}
	}
}
