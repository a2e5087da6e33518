package salesrecipe

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// Unknown marks a version's time that is not known (no created_at, or closed_at of an open deal).
const Unknown = math.MinInt64

// VersionStatus codes a deal version's status in FirmData.
type VersionStatus uint8

// Version statuses; the zero value is an open deal.
const (
	VersionOpen VersionStatus = iota
	VersionWon
	VersionLost
)

// VersionStatusOf returns the code of a deal status; ok is false for a status that is not open, won or lost.
func VersionStatusOf(s DealStatus) (VersionStatus, bool) {
	switch s {
	case StatusOpen:
		return VersionOpen, true
	case StatusWon:
		return VersionWon, true
	case StatusLost:
		return VersionLost, true
	}
	return 0, false
}

// DealVersion is one deal version in FirmData: times in Unix milliseconds (Closed is Unknown while
// open; an unknown Created is 0, as the store holds it; CloseDate is Unknown when there is no expected close date),
// the rep and stage as indexes into FirmData.Reps and FirmData.Stages.
type DealVersion struct {
	Updated   int64
	Created   int64
	CloseDate int64
	Closed    int64
	Amount    float64
	Rep       int32
	Stage     int16
	Status    VersionStatus
	Inferred  bool // a version nobody recorded (see UnknownStage)
}

// PartialDay is the activities of the day of At that occurred by At, by rep x kind
// (Counts[rep*len(Kinds)+kind]).
type PartialDay struct {
	At     time.Time
	Counts []int32
}

// FirmData is what is known of one firm at one moment, read at once and held compactly: every deal's
// versions (known at AsOf) and the activities by rep x day x kind (occurred by AsOf).
type FirmData struct {
	AsOf     time.Time
	Reps     []string      // rep ids seen in deals or activities, sorted
	Stages   []string      // stages seen in deals, sorted
	Kinds    []string      // activity kinds, sorted
	Versions []DealVersion // every version, by deal (in deal id order) and, inside a deal, by update time
	Deals    []int32       // deal i's versions are Versions[Deals[i]:Deals[i+1]] (the last ends at len(Versions))
	Sources  []string      // the deals' sources, sorted ("" for a deal without one)
	Source   []int32       // deal i's source is Sources[Source[i]]: the last one its versions name
	FirstDay time.Time     // the day Daily's index 0 stands for (UTC midnight)
	Days     int           // whole days in Daily: from FirstDay up to AsOf's day, excluded
	Daily    []int32       // activities of rep r, kind k on day d at [(r*len(Kinds)+k)*Days+d]
	Partial  []PartialDay  // the moments' own days up to the moment, sorted by At
}

// Deal returns deal i's versions, oldest first.
func (f *FirmData) Deal(i int) []DealVersion {
	end := len(f.Versions)
	if i+1 < len(f.Deals) {
		end = int(f.Deals[i+1])
	}
	return f.Versions[f.Deals[i]:end]
}

// MillisOf returns a time in Unix milliseconds, Unknown for the zero time.
func MillisOf(t time.Time) int64 {
	if t.IsZero() {
		return Unknown
	}
	return t.UnixMilli()
}

// TimeOf returns the UTC time of Unix milliseconds, the zero time for Unknown.
func TimeOf(ms int64) time.Time {
	if ms == Unknown {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// DayOf returns the UTC midnight starting t's day.
func DayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// FirmDataBuilder fills a FirmData from rows in any order of reps, stages and kinds.
type FirmDataBuilder struct {
	f            *FirmData
	reps, stages map[string]int32
	kinds        map[string]int32
	sources      map[string]int32
	lastRep      string // the rep and stage of the last version added
	lastStage    string
	daily        []dailySeries
	partial      map[time.Time]int // index into f.Partial by moment
	partRows     []partialRow
}

// dailySeries is one rep x kind's counts by day (days since 1970-01-01) before the builder lays
// Daily out.
type dailySeries struct {
	rep, kind int32
	days      []int32
	counts    []uint32
}

// partialRow is one rep x kind count of a moment's own day.
type partialRow struct {
	rep, kind int32
	at        int
	n         int32
}

// NewFirmDataBuilder starts a FirmData known at asOf whose partial days are those of moments (asOf
// is always one of them).
func NewFirmDataBuilder(asOf time.Time, moments []time.Time) *FirmDataBuilder {
	b := &FirmDataBuilder{f: &FirmData{AsOf: asOf}, reps: map[string]int32{}, stages: map[string]int32{}, kinds: map[string]int32{}, sources: map[string]int32{},
		partial: map[time.Time]int{}}
	for _, m := range append([]time.Time{asOf}, moments...) {
		m = m.UTC().Truncate(time.Millisecond)
		if _, ok := b.partial[m]; ok || m.After(asOf) {
			continue
		}
		b.partial[m] = len(b.f.Partial)
		b.f.Partial = append(b.f.Partial, PartialDay{At: m})
	}
	return b
}

// Moments returns the moments whose own days the FirmData holds, in the order given.
func (b *FirmDataBuilder) Moments() []time.Time {
	out := make([]time.Time, len(b.f.Partial))
	for i, p := range b.f.Partial {
		out[i] = p.At
	}
	return out
}

// index returns a name's index, adding it when new.
func index(m map[string]int32, name string) int32 {
	i, ok := m[name]
	if !ok {
		i = int32(len(m))
		m[name] = i
	}
	return i
}

// Reserve makes room for about n versions, so that adding them does not grow the storage again and again.
func (b *FirmDataBuilder) Reserve(n int) {
	b.f.Versions = slices.Grow(b.f.Versions, n)
}

// StartDeal starts the next deal, of a source ("" for none); the versions added after it are its own, in update order.
func (b *FirmDataBuilder) StartDeal(source string) {
	b.f.Deals = append(b.f.Deals, int32(len(b.f.Versions)))
	b.f.Source = append(b.f.Source, index(b.sources, source))
}

// NoteSource gives the current deal a source read from one of its later versions; "" changes nothing, so a
// deal's source is the last one its versions name (a later export that adds the source fills it in).
func (b *FirmDataBuilder) NoteSource(source string) {
	if source != "" && len(b.f.Source) > 0 {
		b.f.Source[len(b.f.Source)-1] = index(b.sources, source)
	}
}

// Empty reports whether no deal was started yet.
func (b *FirmDataBuilder) Empty() bool { return len(b.f.Deals) == 0 }

// AddVersion adds a version to the current deal, with its rep and stage named.
func (b *FirmDataBuilder) AddVersion(v DealVersion, rep, stage string) {
	if n := len(b.f.Versions); n > 0 && rep == b.lastRep && stage == b.lastStage { // most versions keep the last one's
		v.Rep, v.Stage = b.f.Versions[n-1].Rep, b.f.Versions[n-1].Stage
	} else {
		v.Rep, v.Stage = index(b.reps, rep), int16(index(b.stages, stage))
		b.lastRep, b.lastStage = rep, stage
	}
	b.f.Versions = append(b.f.Versions, v)
}

// AddDays adds the activities of a kind a rep did on whole days before asOf's day: counts[i] on
// days[i] (days since 1970-01-01; a day may come more than once, its counts add up); the builder
// keeps both slices.
func (b *FirmDataBuilder) AddDays(rep, kind string, days []int32, counts []uint32) {
	b.daily = append(b.daily, dailySeries{index(b.reps, rep), index(b.kinds, kind), days, counts})
}

// AddPartial adds n activities of a kind a rep did on the day of moment at, by at; at must be one
// of the builder's moments.
func (b *FirmDataBuilder) AddPartial(at time.Time, rep, kind string, n int64) error {
	i, ok := b.partial[at.UTC().Truncate(time.Millisecond)]
	if !ok {
		return fmt.Errorf("firm data: %s is not one of the moments asked for", at.UTC().Format(time.RFC3339Nano))
	}
	b.partRows = append(b.partRows, partialRow{index(b.reps, rep), index(b.kinds, kind), i, int32(n)})
	return nil
}

// Build returns the FirmData with reps, stages and kinds sorted.
func (b *FirmDataBuilder) Build() *FirmData {
	f := b.f
	repOf, stageOf, kindOf := sortNames(b.reps, &f.Reps), sortNames(b.stages, &f.Stages), sortNames(b.kinds, &f.Kinds)
	sourceOf := sortNames(b.sources, &f.Sources)
	for i, s := range f.Source {
		f.Source[i] = sourceOf[s]
	}
	for i := range f.Versions {
		v := &f.Versions[i]
		v.Rep, v.Stage = repOf[v.Rep], int16(stageOf[v.Stage])
	}
	first, end := int32(math.MaxInt32), int32(DayOf(f.AsOf).Unix()/86400)
	for _, r := range b.daily {
		for _, d := range r.days {
			first = min(first, d)
		}
	}
	f.Days = max(0, int(end-first))
	if f.Days > 0 {
		f.FirstDay = time.Unix(int64(first)*86400, 0).UTC()
	}
	nk := len(f.Kinds)
	f.Daily = make([]int32, len(f.Reps)*nk*f.Days)
	for _, r := range b.daily {
		row := f.Daily[(int(repOf[r.rep])*nk+int(kindOf[r.kind]))*f.Days:][:f.Days]
		for i, d := range r.days {
			if d < end {
				row[d-first] += int32(r.counts[i])
			}
		}
	}
	for i := range f.Partial {
		f.Partial[i].Counts = make([]int32, len(f.Reps)*nk)
	}
	for _, r := range b.partRows {
		f.Partial[r.at].Counts[int(repOf[r.rep])*nk+int(kindOf[r.kind])] += r.n
	}
	slices.SortFunc(f.Partial, func(x, y PartialDay) int { return x.At.Compare(y.At) })
	if f.Deals == nil {
		f.Deals, f.Source = []int32{}, []int32{}
	}
	return f
}

// sortNames sorts the names of an index into *names and returns each old index's new one.
func sortNames(m map[string]int32, names *[]string) []int32 {
	*names = make([]string, 0, len(m))
	for n := range m {
		*names = append(*names, n)
	}
	slices.Sort(*names)
	out := make([]int32, len(m))
	for i, n := range *names {
		out[m[n]] = int32(i)
	}
	return out
}

// NewFirmData builds the FirmData known at asOf from plain rows: deal versions with updated_at <= asOf
// (a version repeated with the same deal and update time counts once) and activities that occurred
// by asOf, with the own days of moments (at or before asOf) kept apart.
func NewFirmData(asOf time.Time, moments []time.Time, deals []Deal, acts []Activity) *FirmData {
	b := NewFirmDataBuilder(asOf, moments)
	known := make([]Deal, 0, len(deals))
	for _, d := range deals {
		if !d.UpdatedAt.After(asOf) {
			known = append(known, d)
		}
	}
	slices.SortStableFunc(known, func(x, y Deal) int {
		return cmp.Or(cmp.Compare(x.ID, y.ID), x.UpdatedAt.Compare(y.UpdatedAt))
	})
	for i, d := range known {
		if i > 0 && known[i-1].ID == d.ID && known[i-1].UpdatedAt.Equal(d.UpdatedAt) {
			continue
		}
		if i == 0 || known[i-1].ID != d.ID {
			b.StartDeal(d.Source)
		}
		b.NoteSource(d.Source)
		st, _ := VersionStatusOf(d.Status)
		b.AddVersion(DealVersion{Updated: d.UpdatedAt.UnixMilli(), Created: storedMillis(d.CreatedAt), CloseDate: MillisOf(d.CloseDate),
			Closed: MillisOf(d.ClosedAt), Amount: d.Amount, Status: st, Inferred: d.Inferred}, d.RepID, d.Stage)
	}
	b.addActivities(acts)
	return b.Build()
}

// storedMillis returns a non-null time as the store holds it: the zero time as 1970-01-01.
func storedMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// addActivities adds activities that occurred by asOf: whole days before asOf's day to Daily, the
// moments' own days to their partial days.
func (b *FirmDataBuilder) addActivities(acts []Activity) {
	type key struct{ rep, kind string }
	days := map[key]map[int32]uint32{}
	asOfDay := DayOf(b.f.AsOf)
	for _, a := range acts {
		if a.OccurredAt.After(b.f.AsOf) {
			continue
		}
		day := DayOf(a.OccurredAt)
		if day.Before(asOfDay) {
			k := key{a.RepID, a.Kind}
			if days[k] == nil {
				days[k] = map[int32]uint32{}
			}
			days[k][int32(day.Unix()/86400)]++
		}
		for _, p := range b.f.Partial {
			if DayOf(p.At).Equal(day) && !a.OccurredAt.After(p.At) {
				_ = b.AddPartial(p.At, a.RepID, a.Kind, 1)
			}
		}
	}
	for k, byDay := range days {
		var ds []int32
		var ns []uint32
		for d, n := range byDay {
			ds, ns = append(ds, d), append(ns, n)
		}
		b.AddDays(k.rep, k.kind, ds, ns)
	}
}
