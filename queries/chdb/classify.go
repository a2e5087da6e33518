package chdb

import (
	"context"
	"runtime"
	"unsafe"
)

// QueryClass says what a statement does to state that outlives it, as the
// engine's own parser decides.
type QueryClass uint32

// The classes chdb_classify_query_n reports.
const (
	ClassReadOnly QueryClass = iota
	ClassMutating
	ClassMutatingGlobal
	ClassControl
	ClassUnknown
)

// queryAnalysis mirrors chdb_query_analysis_v1.
type queryAnalysis struct {
	structSize     uint32
	statementCount uint32
	flags          uint32
	queryClass     uint32
}

// Classify parses sql with the engine's parser, without running it, and
// returns its class and how many statements it holds.
func (e *Engine) Classify(ctx context.Context, sql string) (QueryClass, int, error) {
	s, err := e.acquire(ctx)
	if err != nil {
		return ClassUnknown, 0, err
	}
	defer e.release(s)
	q := []byte(sql)
	out := &queryAnalysis{structSize: uint32(unsafe.Sizeof(queryAnalysis{}))}
	rc := e.lib.classifyQueryN(s.conn(), ptr(q), uintptr(len(q)), nil, 0, unsafe.Pointer(out))
	runtime.KeepAlive(q)
	if rc != 0 {
		return ClassUnknown, 0, newError("the engine could not classify the statement")
	}
	return QueryClass(out.queryClass), int(out.statementCount), nil
}
