package reports

import (
	"os"
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	path := tempPath(t, "report.json")
	run := fixtureRun("envtest")
	if err := WriteJSON(path, run); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, "report.json", readFile(t, path))
	got, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Schema != SchemaVersion || len(got.Specs) != len(run.Specs) || got.Target != run.Target {
		t.Fatalf("round trip lost data: %+v", got)
	}
	if got.Specs[1].Result != Failed || !strings.Contains(got.Specs[1].Failure, Mask) {
		t.Fatalf("failure: %q", got.Specs[1].Failure)
	}
	if got.Specs[3].SkipReason == "" || got.Extra["faults"].Title != "Storage fault matrix" {
		t.Fatal("skip reason or extra lost")
	}
	if !strings.Contains(readFile(t, path), `"duration": 12.5`) {
		t.Fatal("duration not written as seconds")
	}
}

func TestReadJSONSchema(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wantErr string
	}{
		{"v1", `{"schema":"irconform.io/report/v1","specs":[]}`, ""},
		{"v1 minor", `{"schema":"irconform.io/report/v1.3","specs":[]}`, ""},
		{"newer major", `{"schema":"irconform.io/report/v2","specs":[]}`, "newer than this irconform"},
		{"older major", `{"schema":"irconform.io/report/v0","specs":[]}`, "older"},
		{"missing", `{"specs":[]}`, "not an irconform report"},
		{"foreign", `{"schema":"junit/v1"}`, "not an irconform report schema"},
		{"not json", `<testsuites/>`, "not a JSON report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t, "r.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadJSON(path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	if _, err := ReadJSON(tempPath(t, "absent.json")); err == nil {
		t.Fatal("no error for a missing file")
	}
}
