package bench

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadSpecRequests(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.jsonl")
	lines := `{"spec":"a","reset_ns":100000000,"total_ns":400000000,"reset_by_key":20,"reset_by_api":1,"requests":{"POST configmaps":3,"DELETE configmaps":1}}
{"spec":"b","reset_ns":300000000,"total_ns":600000000,"reset_by_key":10,"requests":{"PUT configs/status":6}}
`
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := ReadSpecRequests(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Specs != 2 || r.PerSpec != 5 || r.ByVerb["POST"] != 1.5 || r.ByResource["PUT configs/status"] != 3 {
		t.Errorf("want 2 specs, 5 requests per spec, POST 1.5, PUT configs/status 3; seen %+v", r)
	}
	if r.ResetByKey != 15 || r.ResetByAPI != 0.5 {
		t.Errorf("reset deletes per spec: want 15 by etcd key and 0.5 through the API, seen %v and %v", r.ResetByKey, r.ResetByAPI)
	}
	if r.ResetShare != 0.4 {
		t.Errorf("reset share: want 0.4, seen %v", r.ResetShare)
	}
	if got, want := r.VerbLine(), "PUT 3.0, POST 1.5, DELETE 0.5"; got != want {
		t.Errorf("verb line: want %q, seen %q", want, got)
	}
}
